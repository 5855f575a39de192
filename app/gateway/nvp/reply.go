package nvp

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// maxReplyBytes bounds what we read from PayPal. A TransactionSearch reply
// with its maximum of 100 rows is a few tens of kilobytes; anything near a
// megabyte is not an NVP reply.
const maxReplyBytes = 1 << 20

// Reply is a parsed NVP answer.
type Reply struct {
	// Ack is the ACK field as sent: Success, SuccessWithWarning, Failure or
	// FailureWithWarning (PayPal also documents PartialSuccess for parallel
	// payments, which this adapter never makes).
	Ack string
	// CorrelationID is PayPal's id of the call, the one thing PayPal support
	// asks for.
	CorrelationID string
	// Errors are L_ERRORCODEn, L_SHORTMESSAGEn, L_LONGMESSAGEn and
	// L_SEVERITYCODEn for n = 0, 1, … up to the first missing n.
	Errors []ReplyError
	// Fields holds every name-value pair of the reply, including the above.
	Fields map[string]string
}

// ReplyError is one entry of a reply's error list. Warnings (severity
// "Warning") come with successful replies too.
type ReplyError struct {
	Code         string
	ShortMessage string
	LongMessage  string
	Severity     string
}

// Get returns the value of a field ("" when absent).
func (r Reply) Get(name string) string { return r.Fields[name] }

// Success reports whether ACK is Success or SuccessWithWarning. PayPal's
// own samples and Magento compare case-insensitively; so do we.
func (r Reply) Success() bool {
	return strings.EqualFold(r.Ack, "Success") || strings.EqualFold(r.Ack, "SuccessWithWarning")
}

// Failure reports whether ACK is Failure or FailureWithWarning.
func (r Reply) Failure() bool {
	return strings.EqualFold(r.Ack, "Failure") || strings.EqualFold(r.Ack, "FailureWithWarning")
}

// HasCode reports whether any entry of the error list carries code.
func (r Reply) HasCode(code string) bool {
	for _, e := range r.Errors {
		if e.Code == code {
			return true
		}
	}
	return false
}

var (
	errEmptyReply = errors.New("nvp: empty reply")
	errNoACK      = errors.New("nvp: reply has no ACK field")
	errBadPair    = errors.New("nvp: reply has a part that is not name=value")
	errBadEscape  = errors.New("nvp: reply has an invalid %-escape")
	errBadName    = errors.New("nvp: reply has an invalid field name")
	errDupName    = errors.New("nvp: reply repeats a field name")
	errTooLarge   = errors.New("nvp: reply is too large")
)

// ParseReply parses a URL-encoded NVP reply. It is strict where leniency
// could change the meaning of money: a repeated name, a broken escape, a
// part without "=" or a missing ACK make the whole reply unreadable, so
// that an HTML error page, a truncated body or a proxy's answer is never
// taken for PayPal's verdict. Errors never quote the body.
func ParseReply(data []byte) (Reply, error) {
	if len(data) > maxReplyBytes {
		return Reply{}, errTooLarge
	}
	// A trailing line break is the only slack allowed: some HTTP stacks
	// add one.
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" {
		return Reply{}, errEmptyReply
	}
	fields := make(map[string]string)
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue // "a=1&&b=2" carries no meaning to misread
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Reply{}, errBadPair
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			return Reply{}, errBadEscape
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return Reply{}, errBadEscape
		}
		if !validName(name) {
			return Reply{}, errBadName
		}
		if _, dup := fields[name]; dup {
			return Reply{}, errDupName
		}
		fields[name] = value
	}
	ack := fields["ACK"]
	if ack == "" {
		return Reply{}, errNoACK
	}
	r := Reply{Ack: ack, CorrelationID: fields["CORRELATIONID"], Fields: fields}
	for n := 0; ; n++ {
		i := strconv.Itoa(n)
		code, ok := fields["L_ERRORCODE"+i]
		if !ok {
			break
		}
		r.Errors = append(r.Errors, ReplyError{
			Code:         code,
			ShortMessage: fields["L_SHORTMESSAGE"+i],
			LongMessage:  fields["L_LONGMESSAGE"+i],
			Severity:     fields["L_SEVERITYCODE"+i],
		})
	}
	return r, nil
}

// validName accepts the names PayPal uses: letters, digits and underscores.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
