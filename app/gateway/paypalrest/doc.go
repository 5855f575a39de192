// Package paypalrest implements app.Gateway for PayPal Express Checkout
// through the Orders v2 REST API, with github.com/plutov/paypal/v4 v4.8.0.
//
// # Calls
//
//	token          POST /v1/oauth2/token, client credentials (Basic auth)
//	Sale           POST /v2/checkout/orders (intent CAPTURE, PayPal-Request-Id
//	               = the journal key, invoice_id = the journal's invoice
//	               number, custom_id = the key, brand name, PAY_NOW,
//	               NO_SHIPPING, return and cancel URLs on 127.0.0.1);
//	               the buyer approves in the system browser; then
//	               POST /v2/checkout/orders/{id}/capture with its own
//	               PayPal-Request-Id (the key + "-capture")
//	Refund         POST /v2/payments/captures/{id}/refund, PayPal-Request-Id =
//	               the refund row's key; the amount is left out of a full one
//	Void           refused: an order with intent CAPTURE is captured at once
//	Lookup         sale: GET /v2/checkout/orders/{id} (the order id the journal
//	               recorded before capture); refund: the refund again under
//	               its own PayPal-Request-Id, while PayPal still keeps it
//	TestConnection the token call
//
// # Approval
//
// Sale starts a listener on 127.0.0.1 (an ephemeral port and a random path)
// whose return and cancel URLs go into the order. Once the order exists its
// id is written to the journal (SaleRequest.RecordReference) and only then
// is the approve link shown (SaleRequest.Approval). The buyer's return is
// learnt from the redirect to the listener or, when no redirect comes (a
// browser on another machine, PayPal refusing a loopback return URL, which
// is unconfirmed), by polling GET order every PollInterval. Capture is sent
// only when one of them says so; ORDER_NOT_APPROVED sends it back to
// waiting. Cancelling Sale's context, the buyer's cancel, or the end of
// the approval window (3 hours) ends the attempt with nothing captured. A
// capture that has started is not abandoned when the context is cancelled.
//
// # Capture guard
//
// Before each capture run the journal records the time
// (SaleRequest.RecordCaptureStart); if it cannot, the capture is not sent.
// Lookup of an order that reads APPROVED with no capture reports Unknown,
// not "nothing charged", while a capture may still be running at PayPal:
// until the run (every resend, each up to the timeout, and the pauses) plus
// two minutes has passed since the journal's time (LookupRequest.
// CaptureStartedAt), or since this process's own last send. The journal's
// time survives a restart, so a new process never settles a capture that
// may be completing as failed. Lookup does not capture the order itself.
//
// # Outcomes
//
// Before a request is written (dial, DNS, TLS, refused token): nothing
// moved. A token call refused with 401 (OAuth invalid_client) is a merchant
// configuration problem. A 5xx, a body that is not JSON (plutov loses the
// status then, so a RoundTripper records every exchange), a timeout or a
// reset after the request was written is Unknown, and the same call is
// retried under the same PayPal-Request-Id (Retries times) before Unknown
// is reported. An unknown create is harmless (an order moves no money): the
// sale ends NotProcessed. Capture issues: INSTRUMENT_DECLINED and
// PAYER_CANNOT_PAY (and the other refusals) are Declined with the code
// "PAYPAL=<issue>"; ORDER_ALREADY_CAPTURED on a retry is success, confirmed
// by reading the order.
//
// # plutov/paypal v4.8.0 quirks handled
//
//   - Its APIBase constants are the old api.* hosts: SandboxBase and
//     LiveBase name api-m.* explicitly.
//   - CaptureOrderWithPaypalRequestId sets a sticky, unsynchronised
//     "Prefer: return=representation" flag on the client and sends
//     {"payment_source":null}: capture is sent through the library's
//     exported NewRequest + SendWithAuth with an empty JSON object and a
//     Prefer header on that request only, and every operation uses its own
//     library client, so none is shared between goroutines.
//   - SetLog dumps whole responses, access tokens included: it is never
//     called. Config.Logger gets one line per call with ids and codes only.
//
// Package paypalresttest is a strict Orders v2 server for tests.
package paypalrest
