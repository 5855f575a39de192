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
	p := s.followUp(sale, KindVoid, sale.AmountMinor, description)
	return s.journaled(ctx, ctx, &p, func() Result {
		return gw.Void(ctx, VoidRequest{Key: p.Key, OriginalRef: sale.GatewayRef})
	})
}
