package app

import (
	"github.com/bojanz/currency"

	"github.com/trainpay/trainpay/app/money"
)

// BreakEven is offline fee planning for a paid session that runs on
// pay-per-use: how many paying attendees cover its cost.
type BreakEven struct {
	Fee currency.Amount
	// DiscountPercent is the share of the fee expected to go to
	// promotional codes, on average ("10" or "12.5").
	DiscountPercent string
	// NetPerAttendee is the fee less the expected discount, rounded
	// half-up as a code's discount is.
	NetPerAttendee currency.Amount
	Cost           currency.Amount
	// Attendees is the smallest number of paying attendees whose net fees
	// reach Cost (0 when the session costs nothing).
	Attendees int64
}

// PlanBreakEven returns the break-even number of paying attendees for a
// fee, an expected discount share and a pay-per-use cost, all in one
// currency. A fee that the discount brings to zero never breaks even
// (EINVALID "error.payperuse.never_breaks_even").
func PlanBreakEven(fee currency.Amount, discountPercent string, cost currency.Amount) (BreakEven, error) {
	if discountPercent == "" {
		discountPercent = "0"
	}
	if fee.CurrencyCode() != cost.CurrencyCode() {
		return BreakEven{}, Errorf(EINVALID, "error.payperuse.currency_mismatch", "the fee and the cost must be in one currency")
	}
	feeMinor, err := money.ToMinor(fee)
	if err != nil || feeMinor < 0 {
		return BreakEven{}, Errorf(EINVALID, "error.payment.amount", "the amount to charge must be above zero, in the currency's digits")
	}
	costMinor, err := money.ToMinor(cost)
	if err != nil || costMinor < 0 {
		return BreakEven{}, Errorf(EINVALID, "error.payment.amount", "the amount to charge must be above zero, in the currency's digits")
	}
	_, net, err := money.ApplyPercentDiscount(fee, discountPercent, currency.RoundHalfUp)
	if err != nil {
		return BreakEven{}, Errorf(EINVALID, "error.payperuse.discount_share", "the expected discount share is a percentage from 0 to 100")
	}
	b := BreakEven{Fee: fee, DiscountPercent: discountPercent, NetPerAttendee: net, Cost: cost}
	if costMinor == 0 {
		return b, nil
	}
	netMinor, _ := money.ToMinor(net)
	if netMinor <= 0 {
		return BreakEven{}, Errorf(EINVALID, "error.payperuse.never_breaks_even", "after the discount the fee is zero: the session never breaks even")
	}
	b.Attendees = (costMinor + netMinor - 1) / netMinor
	return b, nil
}
