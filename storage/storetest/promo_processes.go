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

// The environment of a reserving child process (besides the backend's own
// variable naming the database): the race, and the child's place in it.
const (
	promoRaceEnv  = "TRAINPAY_PROMO_RACE"
	promoChildEnv = "TRAINPAY_PROMO_RACE_CHILD"
)

// PromoReservers is how many desktops reserve one code at once.
const PromoReservers = 8

// promoRace is what the children of one race reserve: code for
// registrations[i] of sessions[i] by emails[i], child i.
type promoRace struct {
	Code          string
	Sessions      []int64
	Registrations []int64
	Emails        []string
}

// RacePromoReservations is the parent's side of a race of real processes
// (eight desktops) reserving one code at the same instant, each for a
// registration of its own, through s's database: s is the parent's handle
// on it, and env, added to the children's environment, names the same
// database to them (their side calls ReservePromoWhenReleased). test is
// the test the children run, this test binary run again.
//
// Two races: a code with 3 uses left reserved for eight attendees, and a
// code any number of attendees may use but each at most twice, reserved
// eight times by one attendee for eight sessions. In each exactly the
// limit's number of processes hold a use, every other is told the existing
// "used up" or "already used" error, and the counts the database reports
// are the limit.
func RacePromoReservations(t *testing.T, s PromoBackend, test string, env ...string) {
	t.Helper()
	f := &promoFixture{t: t, s: s, clock: time.Now().UTC().Truncate(time.Second)}
	f.promo = &app.PromoService{Store: promoStoreOf{PromoBackend: s}, Site: promoSite{currency: "PLN"}, Sessions: s, Now: f.now}

	shared := f.session("Shared code", 20000, "PLN")
	left := f.code(app.PromoCode{Code: "THREE-LEFT", UseLimit: 3, PerAttendeeLimit: 1})
	race := promoRace{Code: left.Code}
	for i := range PromoReservers {
		email := fmt.Sprintf("desktop%d@example.com", i)
		race.Sessions = append(race.Sessions, shared)
		race.Registrations = append(race.Registrations, f.registration(shared, email))
		race.Emails = append(race.Emails, email)
	}
	results := racePromoChildren(t, test, race, env)
	checkPromoRace(t, f, left, results, 3, "error.promo.used_up")

	twice := f.code(app.PromoCode{Code: "TWICE-EACH", UseLimit: 0, PerAttendeeLimit: 2})
	race = promoRace{Code: twice.Code}
	for i := range PromoReservers {
		sess := f.session(fmt.Sprintf("Session %d", i), 20000, "PLN")
		race.Sessions = append(race.Sessions, sess)
		race.Registrations = append(race.Registrations, f.registration(sess, "same@example.com"))
		race.Emails = append(race.Emails, "same@example.com")
	}
	results = racePromoChildren(t, test, race, env)
	checkPromoRace(t, f, twice, results, 2, "error.promo.already_used")
}

// checkPromoRace checks that want children of a race hold a use of code
// and the others were refused with key, and that the database counts want.
func checkPromoRace(t *testing.T, f *promoFixture, code app.PromoCode, results []string, want int, key string) {
	t.Helper()
	held, refused := map[string]bool{}, 0
	for i, r := range results {
		switch fields := strings.Fields(r); {
		case len(fields) == 2 && fields[0] == "reserved":
			held[fields[1]] = true
		case len(fields) == 2 && fields[0] == app.ECONFLICT && fields[1] == key:
			refused++
		default:
			t.Errorf("child %d of %s: result %q, want a reservation or %s", i, code.Code, r, key)
		}
	}
	if len(held) != want || refused != PromoReservers-want {
		t.Fatalf("%s: %d processes hold a use and %d were refused, want %d and %d (results %q)",
			code.Code, len(held), refused, want, PromoReservers-want, results)
	}
	ctx := context.Background()
	c, err := f.s.PromoCode(ctx, code.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if c.Reserved != want || c.Uses != 0 {
		t.Fatalf("%s: the database counts %d reserved and %d used, want %d reserved", code.Code, c.Reserved, c.Uses, want)
	}
	for id := range held {
		n, _ := strconv.ParseInt(id, 10, 64)
		r, err := f.s.PromoReservation(ctx, n)
		if err != nil || r.CodeID != code.ID || r.State != app.ReservationReserved {
			t.Fatalf("reservation %s: %+v %v", id, r, err)
		}
	}
}

// racePromoChildren starts a child per registration of race, waits until
// each has its quote and says READY, releases them together by closing
// their standard input, and returns each one's RESULT line. A child that
// fails, never gets ready or says no result fails t.
func racePromoChildren(t *testing.T, test string, race promoRace, env []string) []string {
	t.Helper()
	spec, err := json.Marshal(race)
	if err != nil {
		t.Fatal(err)
	}
	return raceChildren(t, len(race.Registrations), test, promoChildEnv, append(env, promoRaceEnv+"="+string(spec)))
}

// PromoRaceChild reports whether this process is a reserving child of
// RacePromoReservations.
func PromoRaceChild() bool { return os.Getenv(promoRaceEnv) != "" }

// ReservePromoWhenReleased is one reserving child of RacePromoReservations:
// with the database open in s, it quotes its code (as the Payment
// Information page does before the attendee confirms), says READY, waits
// for its standard input to close, asks the store to reserve the quoted
// use once and prints the outcome. Every child's quote is made before any
// reservation, so whether a use fits is decided by the store alone.
func ReservePromoWhenReleased(t *testing.T, s PromoBackend) {
	var race promoRace
	if err := json.Unmarshal([]byte(os.Getenv(promoRaceEnv)), &race); err != nil {
		t.Fatal(err)
	}
	i, err := strconv.Atoi(os.Getenv(promoChildEnv))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc := &app.PromoService{Store: promoStoreOf{PromoBackend: s}, Site: promoSite{currency: "PLN"}, Sessions: s}
	q, err := svc.Quote(ctx, race.Sessions[i], race.Emails[i], race.Code)
	if err != nil {
		t.Fatalf("quote: %v", err)
	}
	fmt.Println("READY")
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r := app.PromoReservation{
		CodeID: q.CodeID, RegistrationID: race.Registrations[i], SessionID: q.SessionID,
		Email: q.Email, FeeMinor: q.FeeMinor, DiscountMinor: q.DiscountMinor, TotalMinor: q.TotalMinor,
		Currency: q.Currency, ExpiresAt: now.Add(app.PromoReservationTTL),
	}
	if err := s.ReservePromo(ctx, &r, now); err != nil {
		e := app.AsError(err)
		fmt.Printf("RESULT %s %s\n", e.Code, e.Key)
		return
	}
	fmt.Printf("RESULT reserved %d\n", r.ID)
}
