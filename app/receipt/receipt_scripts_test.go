package receipt_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/app/receipt"
	"github.com/trainpay/trainpay/app/receipt/receipttest"
)

// attendeeNames are names in every script an attendee may type: the
// receipt must be written for each, and its text must give the name back.
//
// A PDF holds right-to-left text in visual order; a reader extracting it
// puts it back in logical order by its own reckoning, which for a line
// mixing directions with numbers (or a right-to-left line holding a Latin
// word) is ambiguous: poppler gets each word right but may order the words
// differently. For those names (mixed) the test asks for every word; for
// the others, the whole name.
var attendeeNames = []struct {
	script, first, last string
	mixed               bool
}{
	{"latin", "Zoë Łukasz", "Ærøskøbing", false},
	{"greek", "Ελένη", "Παπαδοπούλου", false},
	{"cyrillic", "Анастасия", "Щербакова", false},
	{"hebrew", "שרה", "כהן", false},
	{"arabic", "محمد", "عبد الله", false},
	{"persian", "پریسا", "گلزار", false},
	{"arabic with lam-alef", "سلام", "علاء", false},
	{"hebrew with points", "שָׂרָה", "כֹּהֵן", false},
	{"arabic with vowels", "مُحَمَّد", "كَرِيم", false},
	{"chinese", "王", "秀英", false},
	{"japanese", "山田", "さくら", false},
	{"korean", "김", "민준", false},
	{"emoji", "Zoë", "😀", false},
	{"emoji sequence", "Ana 👩‍💻", "🇵🇱", false},
	{"latin then hebrew", "Dr. Anna", "שרה כהן", false},
	{"hebrew then latin", "שרה", "Smith-Cohen", true},
	{"digits inside hebrew", "חדר 12", "קומה 3", true},
	{"digits inside arabic", "شارع 45", "القاهرة", true},
	{"latin, hebrew and digits", "Room", "חדר 12", true},
	{"outside the basic plane", "𠀋", "Ꭰ𝔘", false},
}

// Every name gives a receipt, and a reader extracting its text gets the
// name back: Latin, Greek, Cyrillic and CJK as drawn; Hebrew and Arabic,
// drawn in visual order (Arabic in its joined forms), back in the order
// they were typed; emoji and other characters no embedded font has, drawn
// as a substitute, through the PDF's ActualText.
func TestReceiptWrittenAndReadableForNamesInAnyScript(t *testing.T) {
	for _, n := range attendeeNames {
		t.Run(n.script, func(t *testing.T) {
			r := sample("en", app.ModeTest)
			r.Labels = labels(t, "en")
			r.Compress = true
			r.Registration.FirstName, r.Registration.LastName = n.first, n.last
			r.Registration.Company = n.last + " & " + n.first
			// Free text elsewhere too: the site (also the PDF's author) and
			// the session's topic.
			r.Site.Name = "Akademia " + n.last
			r.Session.Topic = n.first + ": Excel"
			var buf bytes.Buffer
			if err := receipt.Write(&buf, r); err != nil {
				t.Fatalf("no receipt for %q %q: %v", n.first, n.last, err)
			}
			name := n.first + " " + n.last
			want := []string{norm.NFKC.String(name)}
			if n.mixed {
				want = strings.Fields(want[0])
			}
			got := receipttest.Pdftotext(t, buf.Bytes())
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("pdftotext lacks %q:\n%s", w, got)
				}
			}
			// Chinese, Japanese and Korean are drawn in the fallback font,
			// which the PDF embeds only then.
			cjk := strings.ContainsFunc(name, func(r rune) bool {
				return r <= 0xFFFF && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
			})
			if fonts := receipttest.Pdffonts(t, buf.Bytes()); strings.Contains(fonts, "droidsansfallback") != cjk {
				t.Errorf("CJK %v, fonts:\n%s", cjk, fonts)
			}
			// The pure-Go reader reads the text as drawn: left-to-right
			// names as typed.
			if !strings.ContainsFunc(name, func(r rune) bool { return unicode.In(r, unicode.Hebrew, unicode.Arabic) }) {
				if got := receipttest.Text(buf.Bytes()); !strings.Contains(got, name) {
					t.Errorf("receipt text lacks %q:\n%s", name, got)
				}
			}
		})
	}
}
