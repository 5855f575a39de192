package paypalrest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"html"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/trainpay/trainpay/app"
)

// approvalEvent is the buyer's browser coming back.
type approvalEvent struct{ cancelled bool }

// approvalListener is one payment's return and cancel URLs (RFC 8252's
// loopback redirect): 127.0.0.1, an ephemeral port and a random path,
// so no other payment and no guessing page can stand in for PayPal. It
// serves for the one wait and is closed when the wait ends.
type approvalListener struct {
	ln     net.Listener
	srv    *http.Server
	base   string
	events chan approvalEvent
	page   app.ApprovalPage

	mu      sync.Mutex
	orderID string
	done    bool
}

func listen(page app.ApprovalPage) (*approvalListener, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if page.Title == "" {
		page.Title = "TrainPay"
	}
	if page.Approved == "" {
		page.Approved = "Thank you. Go back to TrainPay: it finishes the payment."
	}
	if page.Cancelled == "" {
		page.Cancelled = "The payment was cancelled; nothing was charged. Go back to TrainPay."
	}
	l := &approvalListener{
		ln: ln, events: make(chan approvalEvent, 1), page: page,
		base: "http://" + ln.Addr().String() + "/paypal/" + hex.EncodeToString(b[:]),
	}
	mux := http.NewServeMux()
	prefix := "/paypal/" + hex.EncodeToString(b[:])
	mux.HandleFunc("GET "+prefix+"/return", func(w http.ResponseWriter, r *http.Request) { l.back(w, r, false) })
	mux.HandleFunc("GET "+prefix+"/cancel", func(w http.ResponseWriter, r *http.Request) { l.back(w, r, true) })
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

func (l *approvalListener) returnURL() string { return l.base + "/return" }
func (l *approvalListener) cancelURL() string { return l.base + "/cancel" }

// expect sets the order the redirect must name (PayPal adds ?token=<id>).
func (l *approvalListener) expect(orderID string) {
	l.mu.Lock()
	l.orderID = orderID
	l.mu.Unlock()
}

func (l *approvalListener) back(w http.ResponseWriter, r *http.Request, cancelled bool) {
	l.mu.Lock()
	ok := l.orderID != "" && r.URL.Query().Get("token") == l.orderID
	first := ok && !l.done
	if first {
		l.done = !cancelled // a cancel can be followed by nothing else; an approval may be retried
	}
	l.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !ok {
		w.WriteHeader(http.StatusBadRequest)
		writePage(w, l.page.Title, "?")
		return
	}
	if first || cancelled {
		select {
		case l.events <- approvalEvent{cancelled: cancelled}:
		default:
		}
	}
	text := l.page.Approved
	if cancelled {
		text = l.page.Cancelled
	}
	writePage(w, l.page.Title, text)
}

func writePage(w http.ResponseWriter, title, text string) {
	_, _ = w.Write([]byte(`<!doctype html><html><head><meta charset="utf-8"><title>` + html.EscapeString(title) +
		`</title></head><body style="font-family:sans-serif;margin:3em"><h1>` + html.EscapeString(title) +
		`</h1><p>` + html.EscapeString(text) + `</p></body></html>`))
}

func (l *approvalListener) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := l.srv.Shutdown(ctx); err != nil {
		_ = l.srv.Close()
	}
}
