// Package wirefault is how the gateways' test servers and the offline
// sandbox fail a call the way a network or a proxy in front of PayPal does:
// a connection closed without a reply, an HTML error page instead of the
// API's answer, and the queues of faults a test injects per operation.
package wirefault

import (
	"io"
	"net"
	"net/http"
	"sync"
)

// HangUp closes the connection without a reply; with reset, with an RST
// instead of a FIN. A connection that cannot be taken over is aborted by
// net/http, which closes it without replying too.
func HangUp(w http.ResponseWriter, reset bool) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok && reset {
				_ = tc.SetLinger(0)
			}
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// BadGateway answers 502 with the HTML page a proxy shows.
func BadGateway(w http.ResponseWriter) {
	HTML(w, http.StatusBadGateway, "<html><body><h1>502 Bad Gateway</h1></body></html>")
}

// ServerError answers 500 with an HTML page.
func ServerError(w http.ResponseWriter) {
	HTML(w, http.StatusInternalServerError, "<html><body>Internal Server Error</body></html>")
}

// HTML answers status with an HTML page: not the API's JSON.
func HTML(w http.ResponseWriter, status int, page string) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, page)
}

// Queue holds the faults injected into the next calls of each operation,
// first in, first out. The zero Queue is empty and ready; it is safe for
// concurrent use.
type Queue[F any] struct {
	mu sync.Mutex
	m  map[string][]F
}

// Push queues faults for the next calls of op.
func (q *Queue[F]) Push(op string, faults ...F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string][]F{}
	}
	q.m[op] = append(q.m[op], faults...)
}

// Next takes the fault for op's next call: the zero F when none is queued.
func (q *Queue[F]) Next(op string) F {
	q.mu.Lock()
	defer q.mu.Unlock()
	var f F
	if len(q.m[op]) > 0 {
		f, q.m[op] = q.m[op][0], q.m[op][1:]
	}
	return f
}
