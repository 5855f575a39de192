// Package ppinvoice is a client of PayPal's Invoicing v2 REST API, with
// github.com/plutov/paypal/v4 v4.8.0: an attendee pays for themselves
// through an invoice PayPal emails, on PayPal's page, with a PayPal account
// or as a guest with a card, and TrainPay reads the invoice's status. It is
// a package of its own, beside paypalrest (Orders v2), because an invoice
// is not a sale the app waits for: it is created and sent, then read until
// it is paid, possibly days later and after restarts.
//
// # Calls
//
//	token         POST /v1/oauth2/token, client credentials (plutov)
//	Create        POST /v2/invoicing/invoices, PayPal-Request-Id (Draft.
//	              RequestID, by default from the invoice number), Prefer:
//	              return=representation; the number is the registration's
//	              confirmation number, one item (the session), the amount
//	              after the promotional code, the payer's email, name and
//	              language, the due date, the currency
//	Send          POST /v2/invoicing/invoices/{id}/send, send_to_recipient;
//	              answers the payer's link; PayPal-Request-Id = id + "-send"
//	Get, Refresh  GET /v2/invoicing/invoices/{id}, read into plutov's Invoice
//	              (GetInvoiceDetails' type) through the same call path as
//	              every other call, so that resends and errors are mapped once
//	FindByNumber  POST /v2/invoicing/search-invoices {invoice_number}: finds
//	              an invoice whose create answer was lost, after a restart
//	Remind        POST /v2/invoicing/invoices/{id}/remind, the caller's key
//	Cancel        POST /v2/invoicing/invoices/{id}/cancel, id + "-cancel"
//	Refund        a payment through PayPal: POST /v2/payments/captures/
//	              {payment_id}/refund under the refund's key; a payment the
//	              merchant marked as paid outside PayPal: POST /v2/invoicing/
//	              invoices/{id}/refunds (record-refund), as the spec says
//
// plutov v4.8.0 has only GenerateInvoiceNumber and GetInvoiceDetails; every
// call here goes through its exported NewRequest and SendWithAuth (token
// handling), with request bodies of this package's own types: plutov's
// invoice types marshal empty nested objects (tax, discount) that PayPal's
// schema refuses. Replies are read into plutov's Invoice type, which keeps
// every amount as PayPal's decimal string.
//
// # Money
//
// Amounts are minor units (int64) of the invoice's currency. PayPal's
// decimal strings are parsed exactly (ParseMinor: bojanz/currency's
// decimal, then money.ToMinor, which refuses a value with more digits than
// the currency has); none goes through a float. HUF and TWD are written in
// whole units, as PayPal takes them.
//
// # Statuses
//
// StatusOf maps Invoicing's invoice_status to a State: DRAFT; SENT, UNPAID
// and SCHEDULED awaiting payment; PAYMENT_PENDING; PARTIALLY_PAID; PAID and
// MARKED_AS_PAID paid (Status.External tells the second); CANCELLED;
// PARTIALLY_REFUNDED; REFUNDED and MARKED_AS_REFUNDED refunded. Any other
// word needs review, its raw text kept.
//
// # Outcomes
//
// Errors are *Error, mapped as paypalrest maps its results: a call whose
// request did not reach PayPal is NotProcessed and sent again; a timeout, a
// reset, a 5xx or a body that is not JSON after the request was written is
// Unknown, and a call with a PayPal-Request-Id (create, send, cancel,
// remind, refund) or a read is resent under the same id Retries times
// before Unknown is returned. A create left Unknown may have made the
// invoice: FindByNumber settles it. A 4xx is PayPal refusing the call
// (NotProcessed, with PayPal's issue and message), 401 and 403 the REST
// app's credentials (MerchantConfig), 404 NotFound, a refused refund
// Declined.
//
// Package ppinvoicetest validates requests and replies against PayPal's
// published OpenAPI descriptions in tests.
package ppinvoice
