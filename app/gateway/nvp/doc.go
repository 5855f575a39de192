// Package nvp implements app.Gateway over PayPal's classic NVP API, the
// protocol of Website Payments Pro (UK) for merchants whose credentials are
// an API username, password and signature. (A VENDOR/PARTNER/USER/PWD set
// means the Payflow edition of the same product, which is another package.)
//
// # Calls
//
//	Sale           DoDirectPayment, PAYMENTACTION=Sale, INVNUM = InvoiceID
//	Refund         RefundTransaction, REFUNDTYPE Full|Partial, MSGSUBID = Key
//	Void           DoVoid, AUTHORIZATIONID, MSGSUBID = Key
//	Lookup         sale: TransactionSearch by INVNUM;
//	               refund/void: the same call again with the same MSGSUBID
//	TestConnection GetBalance
//
// Every call is one POST of application/x-www-form-urlencoded with USER,
// PWD, SIGNATURE, VERSION (pinned, DefaultVersion) and METHOD, and one
// URL-encoded NVP reply (ParseReply).
//
// # Recovering a lost answer
//
// DoDirectPayment has no idempotency key: PayPal documents MSGSUBID for
// RefundTransaction, DoCapture, DoAuthorization, DoReferenceTransaction
// and DoVoid, not for DoDirectPayment. What makes a lost sale answer
// recoverable is INVNUM: each attempt carries its own InvoiceID, Lookup
// finds the payment by it with TransactionSearch, and PayPal's
// duplicate-invoice check (error 10412 or 10536) refuses a second payment
// with the same INVNUM. That refusal means the first send DID charge, so
// Sale looks the payment up and reports it (Approved, Duplicate) or, if
// the search does not show it yet, answers Unknown — never Declined.
// The duplicate check is a PayPal profile setting ("block multiple
// payments per invoice ID"); the merchant must leave it on.
//
// TransactionSearch is not instantaneous. A search that finds nothing
// within SearchLag of the sale leaving this client is reported as Unknown,
// not NotFound, so that reconciliation looks again instead of letting the
// caller charge a second time. The guard lives in memory: Lookup after a
// restart relies on the restart having taken longer than the lag.
//
// Refunds and voids are retried safely with MSGSUBID: a resend returns the
// original's result with warning 11607 (Result.Duplicate), or fails with
// 11604 while the original is still running (Unknown). PayPal keeps only
// successful originals and may expire an MSGSUBID after 13 days; a partial
// refund looked up later than that could be performed a second time, so
// reconciliation must settle refunds well within that time.
//
// # Outcomes
//
// Transport: a failure before the connection exists (dial, DNS, TLS,
// cancelled while connecting) is NotProcessed; after it — timeout, reset,
// HTTP 5xx or any non-200, a body that is not NVP — is Unknown. The
// transport never replays a request. Reply: ACK Success/SuccessWithWarning
// is success (11610 = held for review in Fraud Management Filters);
// Failure/FailureWithWarning is mapped code by code (see codes.go); the
// most cautious of several errors wins. CORRELATIONID goes into
// Result.Message for PayPal support.
//
// # Card data
//
// The card number and CVV are copied from app.Card's byte slices straight
// into the request body buffer (digits need no URL escaping); they never
// become a Go string, an error, a log line or part of a Result. The buffer
// is the HTTP request body and is zeroed, whole backing array, before the
// call returns. This is best-effort memory hygiene: net/http's write
// buffers and TLS records hold transient copies we cannot reach. Card data
// is only ever sent over HTTPS (New refuses plain HTTP except to loopback).
// The adapter does not wipe the caller's app.Card; the caller does.
//
// Package nvptest is a strict in-process NVP server for tests.
package nvp
