package ui

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
)

func messages(t *testing.T, language string) map[string]string {
	t.Helper()
	raw, err := Messages(language)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range raw {
		s, ok := v.(string)
		if !ok {
			t.Fatalf("%s.json: %s is not a plain string", language, k)
		}
		out[k] = s
	}
	return out
}

var templateVar = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

func TestTranslationsHaveTheSameKeysAndVariables(t *testing.T) {
	en, pl := messages(t, "en"), messages(t, "pl")
	for k, v := range en {
		p, ok := pl[k]
		if !ok {
			t.Errorf("pl.json lacks %q", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(p) == "" {
			t.Errorf("%q is empty", k)
		}
		vars := func(s string) string {
			var names []string
			for _, m := range templateVar.FindAllStringSubmatch(s, -1) {
				names = append(names, m[1])
			}
			sort.Strings(names)
			return strings.Join(names, ",")
		}
		if vars(v) != vars(p) {
			t.Errorf("%q: en uses {%s}, pl uses {%s}", k, vars(v), vars(p))
		}
	}
	for k := range pl {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
}

// TestEveryKeyInTheCodeIsTranslated scans the sources for message IDs: the
// literal ones passed to T and every domain error key, plus the IDs built
// from a prefix and a known value.
func TestEveryKeyInTheCodeIsTranslated(t *testing.T) {
	en := messages(t, "en")
	literal := regexp.MustCompile(`T\("([a-z][a-z0-9_.\-]+)"`)
	errorKey := regexp.MustCompile(`"((?:error|money\.err)\.[a-z0-9_.]+)"`)
	var files []string
	for _, glob := range []string{"*.go", "*/*.go", "../app/*.go", "../app/*/*.go", "../app/*/*/*.go", "../storage/*.go", "../storage/*/*.go", "../cmd/*/*.go"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, re := range []*regexp.Regexp{literal, errorKey} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				key := m[1]
				if strings.HasSuffix(key, ".") {
					continue // a prefix: checked below
				}
				seen++
				if _, ok := en[key]; !ok {
					t.Errorf("%s uses %q, which en.json lacks", f, key)
				}
			}
		}
	}
	if seen < 50 {
		t.Fatalf("found only %d keys: the scan is broken", seen)
	}
	var built []string
	for _, f := range app.Features {
		built = append(built, "feature."+string(f))
	}
	for _, m := range []app.Mode{app.ModeTest, app.ModeProduction} {
		built = append(built, "mode."+string(m))
	}
	for _, a := range []string{app.ActorAdministrator, app.ActorAccountManager, app.ActorSetup} {
		built = append(built, "actor."+a)
	}
	for _, a := range []string{
		"site.created", "site.name", "site.country", "site.currency", "site.timezone",
		"site.language", "site.mode", "site.rate.person_minute", "site.rate.teleconference_minute", "site.start_lead_minutes",
		"feature.enabled", "feature.provisioned", "admin.passphrase", "admin.paused",
	} {
		built = append(built, "audit."+a)
	}
	for _, k := range built {
		if _, ok := en[k]; !ok {
			t.Errorf("en.json lacks %q", k)
		}
	}
}

// englishFragments returns the literal pieces of every English message
// whose Polish translation differs, for spotting English on a Polish screen.
func englishFragments(t *testing.T) []string {
	en, pl := messages(t, "en"), messages(t, "pl")
	var out []string
	for k, v := range en {
		if v == pl[k] {
			continue
		}
		for _, frag := range templateVar.Split(v, -1) {
			frag = strings.TrimSpace(frag)
			if len([]rune(frag)) >= 5 && !strings.Contains(pl[k], frag) {
				out = append(out, frag)
			}
		}
	}
	return append(out, "(Select one)")
}

func assertPolish(t *testing.T, where string, w fyne.Window, fragments []string) {
	t.Helper()
	all := screenTexts(w)
	if len(all) == 0 {
		t.Fatalf("%s: nothing on screen", where)
	}
	for _, s := range all {
		for _, f := range fragments {
			// A single word counts only as the whole text: product names
			// such as "Website Payments Pro" stay in English.
			if strings.Contains(f, " ") && strings.Contains(s, f) || strings.TrimSpace(s) == f {
				t.Errorf("%s: %q is English (%q)", where, s, f)
			}
		}
	}
}

// TestPolishEverywhere walks every screen with Polish chosen in the
// preferences (the override every system reads; the system locale's choice
// is TestPolishLocaleChoosesPolish's): every visible string must be Polish.
func TestPolishEverywhere(t *testing.T) {
	e := newEnv(t, "pl")
	frags := englishFragments(t)
	e.provision(app.FeaturePaidSessions)

	m := NewMainWindow(e.app, e.deps)
	w := m.Window()
	if Language() != "pl" {
		t.Fatalf("the override \"pl\" picked %q", Language())
	}
	wz := m.wizard
	wz.country.SetSelected("Polska")
	if wz.currency.Selected != "PLN" {
		t.Fatalf("Polska proposes the currency %q", wz.currency.Selected)
	}
	test.Tap(wz.next)
	assertPolish(t, "wizard, missing name", w, frags)
	test.Type(wz.name, "Centrum Szkoleń")
	test.Tap(wz.next)
	test.Tap(wz.next)
	assertPolish(t, "wizard, passphrase", w, frags)
	wz.pass.SetText(testPassphrase)
	wz.confirm.SetText(testPassphrase)
	test.Tap(wz.next)
	assertPolish(t, "wizard, summary", w, frags)
	test.Tap(wz.next)

	assertPolish(t, "overview", w, frags)
	if !containsText(screenTexts(w), "TRYB TESTOWY") || !containsText(screenTexts(w), "Skontaktuj się z administratorem witryny") {
		t.Fatalf("overview: %q", screenTexts(w))
	}
	m.Open(SectionAdmin)
	test.Type(m.admin.pass, "złe hasło!")
	test.Tap(m.admin.unlockBtn)
	assertPolish(t, "administration, wrong passphrase", w, frags)
	m.admin.pass.SetText(testPassphrase)
	test.Tap(m.admin.unlockBtn)
	adm := m.admin
	for i := range adm.tabs.Items {
		adm.tabs.SelectIndex(i)
		assertPolish(t, "administration tab "+adm.tabs.Items[i].Text, w, frags)
	}
	adm.tabs.SelectIndex(1)
	test.Tap(adm.commerce.checks[app.FeaturePaidSessions])
	adm.commerce.onFeature(app.FeaturePromoCodes, true)
	assertPolish(t, "e-commerce after changes", w, frags)
	if !strings.Contains(adm.statusMsg.Text, "Kody promocyjne: funkcja nie jest udostępniona") {
		t.Fatalf("refusal in Polish: %q", adm.statusMsg.Text)
	}
	adm.commerce.person.SetText("0,1234")
	test.Tap(adm.commerce.saveRate)
	if s, _ := e.site.Site(context.Background()); s.RatePersonMinuteE4 != 1234 {
		t.Fatalf("Polish rate 0,1234 stored as %d (%q)", s.RatePersonMinuteE4, adm.statusMsg.Text)
	}
	adm.commerce.person.SetText("0.5")
	test.Tap(adm.commerce.saveRate)
	if !strings.Contains(adm.commerce.perBox.msg.Text, "przecinek") {
		t.Fatalf("a dot in Polish is explained beside the rate: %q", adm.commerce.perBox.msg.Text)
	}
	adm.commerce.mode.SetSelected("Produkcyjny")
	assertPolish(t, "production confirmation", w, frags)
	if findButton(w, "Przełącz na produkcyjny") == nil {
		t.Fatalf("confirmation: %q", screenTexts(w))
	}
	test.Tap(findButton(w, "Anuluj"))
	adm.tabs.SelectIndex(2)
	assertPolish(t, "audit log", w, frags)
	if !containsText(screenTexts(w), "Płatne sesje: włączona") {
		t.Fatalf("audit in Polish: %q", screenTexts(w))
	}
}

// TestPolishPaymentScreens walks the payment screens in Polish: payment
// methods, the journal, and the card dialog of a test payment, declined
// and then paid.
func TestPolishPaymentScreens(t *testing.T) {
	frags := englishFragments(t)
	a := newAdminEnvIn(t, "pl")
	if Language() != "pl" {
		t.Fatalf("language %q", Language())
	}
	w := a.m.Window()
	a.tab("Metody płatności")
	assertPolish(t, "payment methods", w, frags)
	mt := a.m.admin.methods
	mt.processor.SetSelected(processorName(app.ProcessorWPPUKPayflow))
	test.Tap(mt.credit)
	test.Tap(mt.save)
	test.Tap(mt.testConn)
	assertPolish(t, "payment methods, Payflow UK", w, frags)
	a.tab("Płatności")
	assertPolish(t, "payments", w, frags)
	p := a.m.admin.payments
	test.Tap(p.testPay)
	d := p.dialog
	if d == nil {
		t.Fatalf("no dialog: %q", a.m.admin.statusMsg.Text)
	}
	assertPolish(t, "card dialog", w, frags)
	typeInto(w, d.Widgets().Holder, "Jan Kowalski")
	typeInto(w, d.Widgets().Number, "4111111111111112")
	assertPolish(t, "card dialog, bad number", w, frags)
	replace(w, d.Widgets().Number, "4111111111111111")
	typeInto(w, d.Widgets().Expiry, futureExpiry())
	typeInto(w, d.Widgets().CVV, "000") // the sandbox's security-code failure
	test.Tap(findButton(w, "Zapłać 1,00\u00a0£"))
	assertPolish(t, "card dialog, declined", w, frags)
	if !containsText(screenTexts(w), "Kod zabezpieczający nie pasuje do karty") {
		t.Fatalf("decline in Polish: %q", screenTexts(w))
	}
	typeInto(w, d.Widgets().CVV, "737")
	test.Tap(findButton(w, "Zapłać 1,00\u00a0£"))
	assertPolish(t, "card dialog, paid", w, frags)
	test.Tap(findButton(w, "Zamknij"))
	p.list.Select(0)
	assertPolish(t, "payments, a payment selected", w, frags)
}

// Fyne's own strings are Polish too: the calendar's weekdays and the file
// dialog's words come from Fyne's message IDs, which the Polish
// translations define.
func TestFyneOwnStringsInPolish(t *testing.T) {
	e := newEnv(t, "pl")
	NewMainWindow(e.app, e.deps)
	if Language() != "pl" {
		t.Fatalf("language %q", Language())
	}
	cal := widget.NewCalendar(time.Date(2026, time.December, 6, 0, 0, 0, 0, time.UTC), func(time.Time) {})
	w := test.NewWindow(cal)
	defer w.Close()
	texts := screenTexts(w)
	for _, day := range []string{"PN", "WT", "ŚR", "CZ", "PT", "SB", "ND"} {
		if !containsText(texts, day) {
			t.Errorf("calendar lacks the weekday %q: %q", day, texts)
		}
	}
	for _, english := range []string{"MON", "TUE", "FRI"} {
		if containsText(texts, english) {
			t.Errorf("calendar shows %q in Polish: %q", english, texts)
		}
	}
	if got := lang.L("Save") + " " + lang.L("File"); got != "Zapisz plik" {
		t.Errorf("file dialog title %q", got)
	}
	if got := lang.L("Show Hidden Files"); got != "Pokaż ukryte pliki" {
		t.Errorf("file dialog check %q", got)
	}
}
