package money_test

import (
	"errors"
	"fmt"

	"github.com/bojanz/currency"
	"github.com/trainpay/trainpay/app/money"
)

func ExampleParse() {
	a, err := money.Parse("12 345,67 zł", "PLN", "pl")
	fmt.Println(a, err)

	a, err = money.Parse("$1,234.5", "USD", "en")
	fmt.Println(a, err)

	_, err = money.Parse("12.50", "PLN", "pl")
	var pe *money.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Kind, pe.Kind.Key())
	}
	_, err = money.Parse("12.345", "USD", "en")
	fmt.Println(err)
	// Output:
	// 12345.67 PLN <nil>
	// 1234.50 USD <nil>
	// WrongDecimalSeparator money.err.wrong_decimal_separator
	// money: "12.345": at most 2 decimal places allowed
}

func ExampleParsePositive() {
	_, err := money.ParsePositive("0,00", "PLN", "pl")
	fmt.Println(errors.Is(err, &money.ParseError{Kind: money.KindZero}))
	// Output: true
}

func ExampleFormat() {
	pln, _ := currency.NewAmount("12345.67", "PLN")
	usd, _ := currency.NewAmount("1234.56", "USD")
	jpy, _ := currency.NewAmount("1235", "JPY")
	bhd, _ := currency.NewAmount("1234.567", "BHD")
	fmt.Printf("%q\n", money.Format(pln, "pl"))
	fmt.Println(money.Format(usd, "en"))
	fmt.Println(money.Format(jpy, "en"))
	fmt.Printf("%q\n", money.Format(bhd, "en"))
	fmt.Println(money.FormatNumber(pln, "pl"))
	// Output:
	// "12\u00a0345,67\u00a0zł"
	// $1,234.56
	// ¥1,235
	// "BHD\u00a01,234.567"
	// 12345,67
}

func ExampleToMinor() {
	a, _ := money.FromMinor(1250, "USD")
	minor, err := money.ToMinor(a)
	fmt.Println(a, minor, err)

	b, _ := currency.NewAmount("12.345", "USD")
	_, err = money.ToMinor(b)
	fmt.Println(errors.Is(err, money.ErrInexact))
	// Output:
	// 12.50 USD 1250 <nil>
	// true
}

func ExampleRound() {
	a, _ := currency.NewAmount("0.125", "USD")
	fmt.Println(money.Round(a, currency.RoundHalfUp))
	fmt.Println(money.Round(a, currency.RoundHalfEven))
	// Output:
	// 0.13 USD
	// 0.12 USD
}

func ExampleApplyPercentDiscount() {
	fee, _ := currency.NewAmount("9.99", "USD")
	discount, total, err := money.ApplyPercentDiscount(fee, "15", currency.RoundHalfUp)
	fmt.Println(discount, total, err)
	// Output: 1.50 USD 8.49 USD <nil>
}

func ExampleApplyFixedDiscount() {
	fee, _ := currency.NewAmount("9.99", "GBP")
	voucher, _ := currency.NewAmount("20", "GBP")
	applied, total, err := money.ApplyFixedDiscount(fee, voucher)
	fmt.Println(applied, total, err)
	// Output: 9.99 GBP 0.00 GBP <nil>
}

func ExampleRate_Cost() {
	r, _ := money.ParseRate("0.1235", "USD", "en")
	cost, err := r.Cost(2250, currency.RoundHalfUp) // exactly 277.875
	fmt.Println(r.E4(), cost, err)
	fmt.Println(r.Format("en"))
	// Output:
	// 1235 277.88 USD <nil>
	// $0.1235
}

func ExampleRate_Format() {
	fmt.Printf("%q\n", money.RateFromE4(1234, "PLN").Format("pl"))
	fmt.Println(money.RateFromE4(1200, "USD").Format("en"))
	// Output:
	// "0,1234\u00a0zł"
	// $0.12
}
