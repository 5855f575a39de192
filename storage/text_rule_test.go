package storage_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
)

func wantTextRule(t *testing.T, err error, key, field string) {
	t.Helper()
	if e := app.AsError(err); e == nil || e.Key != key || e.Data["Field"] != field {
		t.Fatalf("error %v (%+v), want %s for %s", err, e, key, field)
	}
}

// Recipients typed or imported, and message templates, pass the text rule
// on their way to the store.
func TestRecipientsAndTemplatesFollowTheTextRule(t *testing.T) {
	f := newPromoFixture(t, "PLN")
	ctx := context.Background()
	code := f.code(app.PromoCode{Code: "TEXT-RULE", AllSessions: true})

	wantTextRule(t, f.promo.AddRecipient(ctx, code.ID, "ola@example.pl", "Ola\nNowak"), "error.text.control", "recipient_name")
	_, err := f.promo.ImportRecipients(ctx, code.ID, app.RecipientImport{Recipients: []app.PromoRecipient{
		{Email: "jan@example.pl", Name: "Jan"}, {Email: "ala@example.pl", Name: "Ala\x00Kot"},
	}, Lines: []int{1, 2}})
	wantTextRule(t, err, "error.text.control", "recipient_name")
	if rs, err := f.promo.Recipients(ctx, code.ID); err != nil || len(rs) != 0 {
		t.Fatalf("stored %+v %v", rs, err)
	}
	if err := f.promo.AddRecipient(ctx, code.ID, " Ola@Example.pl ", "  Ola Nowak "); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.promo.Recipients(ctx, code.ID); len(rs) != 1 || rs[0].Name != "Ola Nowak" || rs[0].Email != "ola@example.pl" {
		t.Fatalf("stored %+v", rs)
	}

	tpl := app.PromoMailTemplate{Language: "pl", Subject: "Kod\u202e %PromoCode%", Body: "Cześć"}
	wantTextRule(t, f.promo.SaveTemplate(ctx, tpl), "error.text.control", "template_subject")
	tpl = app.PromoMailTemplate{Language: "pl", Subject: "Kod %PromoCode%", Body: "Cześć\a %AttendeeName%"}
	wantTextRule(t, f.promo.SaveTemplate(ctx, tpl), "error.text.control_multiline", "template_body")
	tpl.Body = "\r\nCześć %AttendeeName%,\r\n\tkod: %PromoCode%\r\n\r\n"
	if err := f.promo.SaveTemplate(ctx, tpl); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.promo.Template(ctx, "pl"); got.Body != "Cześć %AttendeeName%,\n\tkod: %PromoCode%" {
		t.Fatalf("saved %q", got.Body)
	}
}
