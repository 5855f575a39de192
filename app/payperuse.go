package app

import (
	"errors"

	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// Pay-per-use: the host of a pay-per-use session pays its estimated cost
// before the session starts. The estimate is priced per minute at the two
// rates the site administrator sets (Site.RatePersonMinuteE4 and
// Site.RateTeleconferenceMinuteE4):
//
//	person-minutes         = duration × computers connected
//	teleconference minutes = duration × computers on the teleconference
//	each line              = minutes × its rate, rounded half-up to the minor unit
//	total                  = the sum of the lines
//
// Each line is rounded on its own, as a bill shows it, so the total is
// always the sum of what the page shows.

// Limits of a pay-per-use estimate. A session lasts at most one day, and
// a site connects at most MaxComputers computers to one session: enough
// for any training room, small enough that no product overflows.
const (
	MaxSessionMinutes = 24 * 60
	MaxComputers      = 100_000
)

// EstimateRounding is how each line of an estimate is rounded to the
// currency's minor unit.
const EstimateRounding = currency.RoundHalfUp

// Usage is what a pay-per-use session uses, expected or actual.
type Usage struct {
	DurationMinutes int64 // the session's length in whole minutes
	Computers       int64 // computers connected
	Teleconference  int64 // of those, computers on the teleconference
}

// Validate checks usage against the estimate's rules.
func (u Usage) Validate() error {
	switch {
	case u.DurationMinutes <= 0:
		return Errorf(EINVALID, "error.payperuse.duration_positive", "the duration must be at least one minute")
	case u.DurationMinutes > MaxSessionMinutes:
		return Errorf(EINVALID, "error.payperuse.duration_too_long", "a session lasts at most %d minutes", MaxSessionMinutes).
			With(map[string]any{"Max": MaxSessionMinutes})
	case u.Computers <= 0:
		return Errorf(EINVALID, "error.payperuse.computers_positive", "at least one computer must be connected")
	case u.Computers > MaxComputers:
		return Errorf(EINVALID, "error.payperuse.computers_too_many", "at most %d computers can be connected", MaxComputers).
			With(map[string]any{"Max": MaxComputers})
	case u.Teleconference < 0:
		return Errorf(EINVALID, "error.payperuse.teleconference_negative", "the computers on the teleconference cannot be negative")
	case u.Teleconference > u.Computers:
		return Errorf(EINVALID, "error.payperuse.teleconference_above_computers",
			"%d computers on the teleconference is more than the %d computers connected", u.Teleconference, u.Computers).
			With(map[string]any{"Teleconference": u.Teleconference, "Computers": u.Computers})
	}
	return nil
}

// Rates are the site's two pay-per-use rates, in ten-thousandths of the
// currency's major unit per minute.
type Rates struct {
	PersonMinuteE4         int64
	TeleconferenceMinuteE4 int64
	Currency               string
}

// RatesOf returns the site's pay-per-use rates.
func RatesOf(s Site) Rates {
	return Rates{PersonMinuteE4: s.RatePersonMinuteE4, TeleconferenceMinuteE4: s.RateTeleconferenceMinuteE4, Currency: s.Currency}
}

// EstimatedCost is the breakdown of a pay-per-use session's cost.
type EstimatedCost struct {
	Usage Usage
	Rates Rates

	PersonMinutes         int64
	TeleconferenceMinutes int64

	PersonCost         currency.Amount
	TeleconferenceCost currency.Amount
	Total              currency.Amount

	PersonMinor, TeleconferenceMinor, TotalMinor int64
}

// Estimate prices usage at rates by the rule above. It refuses invalid
// usage (see Usage.Validate), negative rates, an unknown currency and a
// cost above the largest amount TrainPay handles.
func Estimate(u Usage, r Rates) (EstimatedCost, error) {
	if err := u.Validate(); err != nil {
		return EstimatedCost{}, err
	}
	if r.PersonMinuteE4 < 0 || r.TeleconferenceMinuteE4 < 0 || r.PersonMinuteE4 > MaxRateE4 || r.TeleconferenceMinuteE4 > MaxRateE4 {
		return EstimatedCost{}, Errorf(EINVALID, "error.site.rate", "a per-minute rate must be between 0 and 1000")
	}
	if !money.IsValidCode(r.Currency) {
		return EstimatedCost{}, Errorf(EINVALID, "error.site.currency", "%q is not an ISO 4217 currency", r.Currency).
			With(map[string]any{"Currency": r.Currency})
	}
	e := EstimatedCost{
		Usage:                 u,
		Rates:                 r,
		PersonMinutes:         u.DurationMinutes * u.Computers, // ≤ 1.44e8: no overflow
		TeleconferenceMinutes: u.DurationMinutes * u.Teleconference,
	}
	var err error
	if e.PersonCost, err = money.RateFromE4(r.PersonMinuteE4, r.Currency).Cost(e.PersonMinutes, EstimateRounding); err != nil {
		return EstimatedCost{}, costError(err)
	}
	if e.TeleconferenceCost, err = money.RateFromE4(r.TeleconferenceMinuteE4, r.Currency).Cost(e.TeleconferenceMinutes, EstimateRounding); err != nil {
		return EstimatedCost{}, costError(err)
	}
	if e.PersonMinor, err = money.ToMinor(e.PersonCost); err != nil {
		return EstimatedCost{}, costError(err)
	}
	if e.TeleconferenceMinor, err = money.ToMinor(e.TeleconferenceCost); err != nil {
		return EstimatedCost{}, costError(err)
	}
	e.TotalMinor = e.PersonMinor + e.TeleconferenceMinor
	if e.Total, err = money.FromMinor(e.TotalMinor, r.Currency); err != nil {
		return EstimatedCost{}, costError(err)
	}
	if limit, _ := money.MaxAmount(r.Currency); cmp(e.Total, limit) > 0 {
		return EstimatedCost{}, costError(money.ErrOutOfRange)
	}
	return e, nil
}

func costError(err error) error {
	if errors.Is(err, money.ErrOutOfRange) {
		return Errorf(EINVALID, "error.payperuse.too_large", "the estimated cost is larger than TrainPay can charge")
	}
	return Internal(err, "price a pay-per-use session")
}

// cmp compares two amounts of the same currency; a mismatch compares as
// equal, which callers rule out beforehand.
func cmp(a, b currency.Amount) int {
	c, _ := a.Cmp(b)
	return c
}
