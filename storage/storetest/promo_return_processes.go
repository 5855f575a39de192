package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trainpay/trainpay/app"
)

// The environment of a child of RacePromoReturn (besides the backend's
// own variable naming the database).
const (
	promoReturnRaceEnv  = "TRAINPAY_PROMO_RETURN_RACE"
	promoReturnChildEnv = "TRAINPAY_PROMO_RETURN_CHILD"
)

// promoReturnRace is what the children of RacePromoReturn do: child 0
// settles RefundID, the full refund of the registration holding the
// code's only use; child i above 0 reserves the use for Registrations[i]
// by Emails[i] (Reservation holds the rest of it).
type promoReturnRace struct {
	RefundID      int64
	Reservation   app.PromoReservation
	Registrations []int64
	Emails        []string
}

// PromoReturnRaceChild reports whether this process is a child of
// RacePromoReturn.
func PromoReturnRaceChild() bool { return os.Getenv(promoReturnRaceEnv) != "" }

// RacePromoReturn is the parent's side of a race of real processes on s's
// database (env, added to the children's environment, names it to them;
// their side calls ReturnOrReservePromoWhenReleased): a code with one use,
// used; one process settles the full refund that gives the use back while
// seven others reserve it at the same instant. The limit holds whatever
// the order: at most one reserver holds the use, the others are told it is
// used up, and the database counts no use and that reservation. The
// return is never lost: when no reserver got the use, a reservation made
// after the race does.
func RacePromoReturn(t *testing.T, s PromoBackend, test string, env ...string) {
	t.Helper()
	f := &promoFixture{t: t, s: s, clock: time.Now().UTC().Truncate(time.Second)}
	f.promo = &app.PromoService{Store: promoStoreOf{PromoBackend: s}, Site: promoSite{currency: "PLN"}, Sessions: s, Now: f.now}
	ctx := context.Background()
	sess := f.session("Last use", 20000, "PLN")
	code := f.code(app.PromoCode{Code: "LAST-USE", UseLimit: 1, PerAttendeeLimit: 1})
	holder := f.registration(sess, "holder@example.com")
	q, _ := f.reserve(sess, holder, "holder@example.com", code.Code)
	sale, err := f.pay(holder, q.TotalMinor, q.Currency, app.StateApproved)
	if err != nil {
		t.Fatal(err)
	}
	refund := NewChild(app.KindRefund, sale, q.TotalMinor)
	if err := s.CreatePayment(ctx, &refund); err != nil {
		t.Fatal(err)
	}
	race := promoReturnRace{RefundID: refund.ID, Reservation: app.PromoReservation{
		CodeID: code.ID, SessionID: sess, FeeMinor: q.FeeMinor, DiscountMinor: q.DiscountMinor,
		TotalMinor: q.TotalMinor, Currency: q.Currency,
	}}
	const n = PromoReservers
	race.Registrations, race.Emails = make([]int64, n), make([]string, n)
	for i := 1; i < n; i++ {
		race.Emails[i] = fmt.Sprintf("desktop%d@example.com", i)
		race.Registrations[i] = f.registration(sess, race.Emails[i])
	}
	spec, err := json.Marshal(race)
	if err != nil {
		t.Fatal(err)
	}
	results := raceChildren(t, n, test, promoReturnChildEnv, append(env, promoReturnRaceEnv+"="+string(spec)))
	if results[0] != "returned" {
		t.Fatalf("the refund: %q", results[0])
	}
	held, refused := 0, 0
	for i, r := range results[1:] {
		switch fields := strings.Fields(r); {
		case len(fields) == 2 && fields[0] == "reserved":
			held++
		case len(fields) == 2 && fields[0] == app.ECONFLICT && fields[1] == "error.promo.used_up":
			refused++
		default:
			t.Errorf("reserver %d: %q", i+1, r)
		}
	}
	c, err := s.PromoCode(ctx, code.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d of %d reservers took the returned use", held, n-1)
	if held > 1 || held+refused != n-1 || c.Uses != 0 || c.Reserved != held {
		t.Fatalf("%d reservers hold the use, %d refused; the database counts %d used and %d reserved (results %q)",
			held, refused, c.Uses, c.Reserved, results)
	}
	late := f.registration(sess, "late@example.com")
	_, err = f.promo.Quote(ctx, sess, "late@example.com", code.Code)
	switch {
	case held == 0 && err != nil:
		t.Fatalf("the returned use was lost: %v", err)
	case held == 1:
		wantKey(t, err, "error.promo.used_up", "the returned use taken in the race")
	default:
		f.reserve(sess, late, "late@example.com", code.Code)
	}
}

// ReturnOrReservePromoWhenReleased is one child of RacePromoReturn: with
// the database open in s it says READY, waits for its standard input to
// close, then child 0 settles the refund (the use's return) and the
// others reserve the use, once, printing the outcome.
func ReturnOrReservePromoWhenReleased(t *testing.T, s PromoBackend) {
	var race promoReturnRace
	if err := json.Unmarshal([]byte(os.Getenv(promoReturnRaceEnv)), &race); err != nil {
		t.Fatal(err)
	}
	i, err := strconv.Atoi(os.Getenv(promoReturnChildEnv))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if i == 0 {
		if err := s.SettlePayment(ctx, race.RefundID, app.PaymentUpdate{State: app.StateApproved, At: now}); err != nil {
			t.Fatalf("settle the refund: %v", err)
		}
		fmt.Println("RESULT returned")
		return
	}
	r := race.Reservation
	r.RegistrationID, r.Email, r.ExpiresAt = race.Registrations[i], race.Emails[i], now.Add(app.PromoReservationTTL)
	if err := s.ReservePromo(ctx, &r, now); err != nil {
		e := app.AsError(err)
		fmt.Printf("RESULT %s %s\n", e.Code, e.Key)
		return
	}
	fmt.Printf("RESULT reserved %d\n", r.ID)
}
