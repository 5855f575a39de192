package app_test

import (
	"reflect"
	"testing"

	"github.com/trainpay/trainpay/app"
)

func TestUnknownPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		texts []string
		want  []string
	}{
		{[]string{"Dear %AttendeeName%, %PromoCode% gives %Discount% until %ExpiryDate% on %SessionTopic%."}, nil},
		{[]string{"15% off and 20% more, 100%!"}, nil},
		{[]string{"%PromoKod%", "Hi %attendeename% %PromoKod% %Name_2%"}, []string{"%PromoKod%", "%attendeename%", "%Name_2%"}},
		{[]string{"%%", "% Name %", "%1st%"}, nil},
	} {
		if got := app.UnknownPlaceholders(tc.texts...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: %q, want %q", tc.texts, got, tc.want)
		}
	}
	for _, lang := range []string{"en", "pl"} {
		if err := app.CheckPlaceholders(app.DefaultPromoMailTemplate(lang)); err != nil {
			t.Errorf("built-in %s: %v", lang, err)
		}
	}
	err := app.CheckPlaceholders(app.PromoMailTemplate{Subject: "%Kod%", Body: "x"})
	if e := app.AsError(err); e.Code != app.EINVALID || e.Data["Names"] != "%Kod%" {
		t.Fatalf("%v", err)
	}
}
