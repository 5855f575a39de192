package payflow

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync"
	"time"
)

// maxReply bounds what is read from the server; a Payflow reply is a few
// hundred bytes, so anything larger is not one.
const maxReply = 64 << 10

// exchange is what one call (with its in-call retry) brought back.
type exchange struct {
	reply map[string]string // nil when there is no usable reply
	// maybeSent: some attempt may have reached the server, so a missing
	// reply means "unknown", not "not processed".
	maybeSent bool
	problem   string // why there is no reply, for Result.Message
}

// attemptResult is one HTTP attempt.
type attemptResult struct {
	reply     map[string]string
	sent      bool // the connection was made, so the request may have been written
	retryable bool // a reset or early EOF: the same request may be resent under the same ID
	problem   string
}

// post sends body under the request ID key, retrying once on a reset, and
// zeroes body before returning.
func (c *Client) post(ctx context.Context, key string, body []byte) exchange {
	defer func() {
		wipe(body)
		if c.afterWipe != nil {
			c.afterWipe(body)
		}
	}()

	var ex exchange
	for attempt := 1; ; attempt++ {
		r := c.attempt(ctx, key, body)
		ex.maybeSent = ex.maybeSent || r.sent
		if r.reply != nil {
			ex.reply = r.reply
			return ex
		}
		ex.problem = r.problem
		if attempt >= 2 || !r.retryable || ctx.Err() != nil {
			return ex
		}
		select {
		case <-ctx.Done():
			return ex
		case <-time.After(c.retryDelay):
		}
	}
}

// wireBody is one attempt's copy of the request body, given to net/http as
// a bytes.Reader. net/http writes an in-memory body in the same write as
// the headers; a reader of any other type makes it flush the headers
// first, a second segment and a second read for the server (about 15 µs
// of a 140 µs loopback charge, BENCHMARKS.md).
//
// net/http may still be reading the body after Do has returned (when the
// server answered or hung up before reading it all), so the copy is wiped
// by the transport's WroteRequest hook, which runs after its last read of
// the body; or, when no connection was ever made (so nothing reads it),
// by the attempt itself as it returns. The caller's buffer is wiped by
// post as before.
type wireBody struct {
	mu        sync.Mutex
	buf       []byte
	connected bool
}

func newWireBody(b []byte) *wireBody { return &wireBody{buf: bytes.Clone(b)} }

func (w *wireBody) connect() {
	w.mu.Lock()
	w.connected = true
	w.mu.Unlock()
}

// isConnected reports whether net/http got a connection for the request,
// so that it may have been written.
func (w *wireBody) isConnected() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.connected
}

// written is the WroteRequest hook: the transport is done with the body.
func (w *wireBody) written() {
	w.mu.Lock()
	wipe(w.buf)
	w.mu.Unlock()
}

// done is the attempt's end: without a connection nothing read the body.
func (w *wireBody) done() {
	w.mu.Lock()
	if !w.connected {
		wipe(w.buf)
	}
	w.mu.Unlock()
}

// attempt makes one HTTP request.
func (c *Client) attempt(ctx context.Context, key string, body []byte) attemptResult {
	actx, cancel := context.WithTimeout(ctx, c.httpTimeout)
	defer cancel()

	wire := newWireBody(body)
	defer wire.done()
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn:      func(httptrace.GotConnInfo) { wire.connect() },
		WroteRequest: func(httptrace.WroteRequestInfo) { wire.written() },
	})

	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint, bytes.NewReader(wire.buf))
	if err != nil {
		return attemptResult{problem: "cannot build the request: " + err.Error()}
	}
	req.Close = true // sends "Connection: close"
	req.Header.Set("Content-Type", "text/namevalue")
	req.Header.Set("X-VPS-REQUEST-ID", key)
	req.Header.Set("X-VPS-CLIENT-TIMEOUT", strconv.Itoa(c.timeoutSeconds))
	req.Header.Set("User-Agent", "TrainPay-Payflow/1")

	resp, err := c.http.Do(req)
	if err != nil {
		sent := wire.isConnected() && !isDialError(err)
		switch {
		case !sent:
			return attemptResult{retryable: true, problem: "could not connect to Payflow: " + describe(err)}
		case errors.Is(err, context.Canceled) && ctx.Err() != nil:
			return attemptResult{sent: true, problem: "the call was cancelled while waiting for Payflow"}
		case isTimeout(err) || actx.Err() != nil:
			return attemptResult{sent: true, problem: fmt.Sprintf("no reply from Payflow within %s", c.httpTimeout)}
		default:
			return attemptResult{sent: true, retryable: true, problem: "the connection to Payflow broke before a reply: " + describe(err)}
		}
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply+1))
	if err != nil {
		if isTimeout(err) || actx.Err() != nil {
			return attemptResult{sent: true, problem: "Payflow's reply did not arrive in time"}
		}
		return attemptResult{sent: true, retryable: true, problem: "the connection to Payflow broke during the reply: " + describe(err)}
	}
	if resp.StatusCode != http.StatusOK {
		// Typically a 5xx HTML page from a proxy or load balancer: it does
		// not say whether the request reached Payflow.
		return attemptResult{sent: true, problem: fmt.Sprintf("Payflow answered HTTP %d instead of a reply", resp.StatusCode)}
	}
	if len(data) > maxReply {
		return attemptResult{sent: true, problem: "Payflow's reply is too large to be a Payflow reply"}
	}
	m, err := ParseReply(data)
	if err != nil {
		return attemptResult{sent: true, problem: "Payflow's reply could not be read (" + err.Error() + ")"}
	}
	if _, ok := m["RESULT"]; !ok {
		return attemptResult{sent: true, problem: "Payflow's reply has no RESULT"}
	}
	return attemptResult{sent: true, reply: m}
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describe shortens a transport error for a message. net/http errors name
// the method and URL, never the body, so they carry no card data; clean
// redacts digit runs anyway.
func describe(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			err = inner
		}
	}
	return clean(err.Error(), 160)
}

// newRequestID returns 32 random hex characters, for requests that must not
// reuse a payment's Key (inquiries).
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("payflow: no randomness: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}
