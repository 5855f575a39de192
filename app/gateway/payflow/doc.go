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
// # Customer reference and lookup by inquiry
//
// Every sale carries a CUSTREF (custRef): 12 upper-case letters and digits
// derived from the request key, unique per sale. Payflow keeps it with the
// transaction, and an inquiry (TRXTYPE=I) can name a transaction by it when
// its PNREF was never received.
//
// Lookup of a sale whose answer was lost sends such an inquiry: TRXTYPE=I,
// TENDER=C, the credentials and CUSTREF, under a fresh request ID, with no
// ACCT, EXPDATE, CVV2 or amount, so it cannot move money. Without
// STARTTIME and ENDTIME Payflow searches the last 30 days; they are not
// sent, because the time zone Payflow reads them in is not documented and a
// wrong one could hide the sale. Payflow returns only the latest
// transaction with a CUSTREF, which is why each sale has its own.
//
//   - RESULT 0: the reply describes the sale (ORIGRESULT, ORIGPNREF) and is
//     mapped as a sale reply: approved with the sale's PNREF, declined, held;
//   - RESULT 20 (or 19): no transaction carries the reference, so the sale
//     never reached Payflow and charged nothing, OutcomeNotFound; but only
//     once no send of the sale can still be in Payflow's hands (InquiryLag
//     after the journal's time of the attempt: the client waits longer than
//     it tells Payflow to, and resends once after a reset) and while the
//     sale is within the 30 days an inquiry searches. Before that, or when
//     the time of the attempt is unknown, it stays OutcomeUnknown;
//   - anything else (credentials refused, timeouts, transport failures)
//     says nothing about the sale: OutcomeUnknown.
//
// A sale is never looked up by replaying its request ID without its card
// data: Payflow documents the replay only for a resend of the identical
// request.
//
// For refunds and voids Lookup resends exactly the original request (ORIGID,
// AMT, CURRENCY and COMMENT1 come from the journal; Refund always sends AMT,
// even for a full refund, so the two bodies are the same): Payflow's
// duplicate check makes that an exactly-once retry. When a sale's PNREF is
// known, Lookup uses an inquiry by ORIGID instead.
package payflow
