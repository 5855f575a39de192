package app

import "context"

// Void cancels a charged sale that has not settled at the processor yet
// (Payflow TRXTYPE=V): the money is released rather than refunded. A
// processor that cannot void (its sales settle at once) answers declined,
// and the administrator refunds instead. Like every journal row, the void
// is written before the call and reconciled if its answer is lost.
func (s *PaymentService) Void(ctx context.Context, saleID int64, description string) (Payment, error) {
	sale, err := s.Store.Payment(ctx, saleID)
	if err != nil {
		return Payment{}, err
	}
	if sale.Kind != KindSale || !sale.State.Charged() || sale.RefundedMinor != 0 {
		return Payment{}, Errorf(ECONFLICT, "error.payment.not_voidable", "only a charged sale with no refund can be voided")
	}
	gw, err := s.Gateways.ForPayment(ctx, sale)
	if err != nil {
		return Payment{}, err
	}
	p := Payment{
		Key: NewKey(), InvoiceID: invoiceID(), Kind: KindVoid, Purpose: sale.Purpose, Reference: sale.Reference,
		ParentID: sale.ID, Method: sale.Method, Processor: sale.Processor, Mode: sale.Mode,
		AmountMinor: sale.AmountMinor, Currency: sale.Currency, Description: description,
		PayerName: sale.PayerName, PayerEmail: sale.PayerEmail,
		Brand: sale.Brand, Last4: sale.Last4, Funding: sale.Funding, CreatedAt: s.now(),
	}
	if err := s.Store.CreatePayment(ctx, &p); err != nil {
		return Payment{}, err
	}
	if !s.begin(p.ID) {
		return p, Errorf(ECONFLICT, "error.payment.in_progress", "this payment is already being processed")
	}
	defer s.end(p.ID)
	if err := s.Store.MarkAttempt(ctx, p.ID, s.now()); err != nil {
		return p, err
	}
	res := gw.Void(ctx, VoidRequest{Key: p.Key, OriginalRef: sale.GatewayRef})
	return s.settle(ctx, p, res)
}
