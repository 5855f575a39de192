// Package payflow implements app.Gateway over PayPal Payflow Pro's HTTPS
// name-value protocol (the "Payflow Gateway" API), for card sales, refunds,
// voids and inquiries.
//
// # Wire format
//
// Every request is one POST to the endpoint with the headers
// Content-Type: text/namevalue, X-VPS-REQUEST-ID (the request's Key, 1–32
// printable characters), X-VPS-CLIENT-TIMEOUT (whole seconds, default 45),
// Connection: close and Content-Length. The body is never URL-encoded:
// every field is length-tagged, NAME[n]=value&…, exactly as the official
// SDK does, so '&' and '=' in a value need no escaping.
//
// # Non-ASCII values (decision)
//
// Payflow's guides define n as "the exact number of characters" and the SDK
// counts UTF-16 code units; whether the server counts bytes or characters for
// non-ASCII values is unconfirmed. A wrong guess shifts every later field
// and could, at worst, move a byte of one field into the next. So the
// client sends ASCII only, where bytes and characters agree:
//
//   - free text (COMMENT1, FIRSTNAME, LASTNAME, STREET) is transliterated:
//     Latin letters with diacritics lose them ("Łódź" → "Lodz", "Müller" →
//     "Muller", "ß" → "ss"), typographic quotes and dashes become ASCII, and
//     tabs and line breaks become spaces;
//   - whatever is still not printable ASCII after that (other scripts, emoji,
//     control characters), and any non-ASCII in identifiers (EMAIL, ZIP,
//     INVNUM, CUSTIP, ORIGID, credentials), makes the call fail before anything
//     is sent, with OutcomeNotProcessed and a message that names the field.
//
// # Card data
//
// The card number and CVV go from the caller's []byte straight into the
// request body buffer; they are never converted to a string, logged or put
// in a message. The body buffer (which also holds PWD) is zeroed when the
// call returns, and each attempt's copy handed to net/http is zeroed as soon
// as the transport has written it (or at once if no connection was made).
// Messages taken from the gateway have any run of 12 or more digits
// redacted, in case a server echoes the number.
// Wiping app.Card itself is the caller's job (it may retry with it).
//
// # Outcomes
//
// RESULT is mapped to app.Outcome as follows (anything not listed that is
// positive counts as not processed, as Payflow documents "RESULT > 0" as a
// decline or error; negative codes are client-side and mean nothing was
// attempted):
//
//	RESULT                               Outcome
//	0                                    approved
//	126                                  held for review (authorised)
//	12 13 50 51 105 108 112 114 115      declined, with a person-actionable
//	117 120 125 128                        message
//	23                                   invalid card, Field "number"
//	24                                   invalid card, Field "expiry"
//	1 2 5 6 25 26 27 28 121              merchant configuration
//	3 4 7 8 9 10 14 19 99 116 … and <0   not processed
//	11 103 104 107 109 127 133 150 151   unknown (the processor may have acted)
//	402 403 404 1000
//
// Transport failures: a failure before a connection was made (dial error,
// TLS handshake) is OutcomeNotProcessed; any failure after the request may
// have been written (timeout, reset, non-200 status such as a 5xx HTML page,
// a body that is not a Payflow reply) is OutcomeUnknown. A reset or EOF is
// retried once inside the call with the same X-VPS-REQUEST-ID and the same
// body, which Payflow's duplicate check makes safe: a processed request is
// answered with its original reply plus DUPLICATE=1. Timeouts are not
// retried inside the call (the caller has already waited the full timeout);
// Lookup settles them. DUPLICATE=1 sets Result.Duplicate. Any other non-zero
// DUPLICATE value (e.g. -1, which some servers send when the ID is known
// but its original reply is not available) is OutcomeUnknown: the ID was
// seen, so the request must not be treated as unprocessed.
//
// # Lookup by replay (why it cannot charge)
//
// Payflow has no query by X-VPS-REQUEST-ID, but it answers a replayed ID with
// the ORIGINAL reply plus DUPLICATE=1 and ignores the new request data. So
// Lookup for a sale replays the Key with the minimum fields TRXTYPE=S,
// TENDER=C, the credentials, AMT, CURRENCY and INVNUM, and deliberately no
// ACCT, EXPDATE, CVV2, ORIGID or secure token:
//
//   - if the original arrived, the reply is the original result with
//     DUPLICATE=1 (approved → approved with Duplicate, declined → declined);
//   - if it never arrived, the replay is processed as a new sale, and a sale
//     with no account number and no ORIGID has no card to charge: Payflow
//     refuses it (field format error / invalid account number) and stores
//     that refusal under the Key. The Lookup answers OutcomeNotFound (and
//     so does a later lookup, which gets that refusal back with
//     DUPLICATE=1). Because
//     the ID is now used, a delayed copy of the original request arriving
//     later is answered with the stored refusal and cannot charge either, so
//     NotFound is final.
//
// Payflow's only ways to charge without ACCT are a reference transaction
// (ORIGID), a secure token or a PayPal tender, none of which the replay
// carries, so the replay cannot move money. Should a server ever approve the
// replay without DUPLICATE=1 anyway, Lookup reports what happened (approved)
// rather than NotFound, so the journal never loses a charge. Replies that
// say nothing about the original (credentials refused, timeouts, RESULT 133
// "data mismatch in HTTP retry request", transport failures) stay
// OutcomeUnknown. Lookup should run within Payflow's duplicate-detection
// window (the ID is kept at least 30 days).
//
// For refunds and voids Lookup resends exactly the original request (ORIGID,
// AMT, CURRENCY and COMMENT1 come from the journal; Refund always sends AMT,
// even for a full refund, so the two bodies are the same): Payflow's
// duplicate check makes that an exactly-once retry. When a sale's PNREF is
// known, Lookup uses an inquiry (TRXTYPE=I, ORIGID) under a fresh request ID
// instead.
package payflow
