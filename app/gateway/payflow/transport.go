package payflow

import (
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
	"sync/atomic"
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
	g := &guardedBody{buf: body}
	defer func() {
		g.wipe()
		if c.afterWipe != nil {
			c.afterWipe(body)
		}
	}()

	var ex exchange
	for attempt := 1; ; attempt++ {
		r := c.attempt(ctx, key, g)
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

// guardedBody is the request body shared by a call's attempts. net/http may
// still be reading a request body after Do has returned (when the server
// answered or hung up before reading it all), so the buffer is read and
// wiped under a lock: a read after the wipe fails instead of racing with it.
type guardedBody struct {
	mu    sync.Mutex
	buf   []byte
	wiped bool
}

func (g *guardedBody) wipe() {
	g.mu.Lock()
	defer g.mu.Unlock()
	wipe(g.buf)
	g.wiped = true
}

// reader returns a fresh reader for one attempt.
func (g *guardedBody) reader() *bodyReader { return &bodyReader{g: g} }

var errWiped = errors.New("payflow: request body already wiped")

type bodyReader struct {
	g   *guardedBody
	off int
}

func (r *bodyReader) Read(p []byte) (int, error) {
	r.g.mu.Lock()
	defer r.g.mu.Unlock()
	if r.g.wiped {
		return 0, errWiped
	}
	if r.off >= len(r.g.buf) {
		return 0, io.EOF
	}
	n := copy(p, r.g.buf[r.off:])
	r.off += n
	return n, nil
}

func (r *bodyReader) Close() error { return nil }

// attempt makes one HTTP request.
func (c *Client) attempt(ctx context.Context, key string, body *guardedBody) attemptResult {
	actx, cancel := context.WithTimeout(ctx, c.httpTimeout)
	defer cancel()

	var gotConn atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})

	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint, body.reader())
	if err != nil {
		return attemptResult{problem: "cannot build the request: " + err.Error()}
	}
	req.ContentLength = int64(len(body.buf))
	req.Close = true // sends "Connection: close"
	req.Header.Set("Content-Type", "text/namevalue")
	req.Header.Set("X-VPS-REQUEST-ID", key)
	req.Header.Set("X-VPS-CLIENT-TIMEOUT", strconv.Itoa(c.timeoutSeconds))
	req.Header.Set("User-Agent", "TrainPay-Payflow/1")

	resp, err := c.http.Do(req)
	if err != nil {
		sent := gotConn.Load() && !isDialError(err)
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
