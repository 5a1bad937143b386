// Package web shows a view.Session in the browser: the board with its LEDs
// lit and its buttons to hold down, the program's serial console, a live
// timing diagram of every pin, and the controls of the program's clock
// (speed, pause, single step, restart) and a VCD download.
//
// Handler serves the page and its API on any server; Listen runs a server
// of its own on a local address.
//
// Safe by default: Listen serves only on the loopback interface, answers
// only requests addressed to a loopback name, and refuses commands from
// other sites' pages (http.CrossOriginProtection). Serving beyond this
// machine must be asked for with Remote, and then every request needs the
// token it is given. Everything the page needs is built into
// the program: it works offline and needs nothing installed.
//
// The page talks to the server in plain HTTP, which other programs (curl, a
// test) may use as well:
//
//	GET  /            the page (and its files under /static/)
//	GET  /events      Server-Sent Events: a "state" event with the whole
//	                  State first, then an "update" event per view.Update
//	                  (a "state" event again instead of a reset), "now"
//	                  events with the clock for display while it runs, and
//	                  "end" when the Session is closed
//	GET  /api/state   the State as JSON
//	GET  /board.vcd   the level history as a VCD file (view.Session.WriteVCD)
//	POST /api/press   {"name": "button"}      hold a button down
//	POST /api/release {"name": "button"}      let it go
//	POST /api/drive   {"name": "pin", "value": 1}
//	POST /api/set     {"name": "knob", "value": 40000}   a potentiometer, 0 to 65535
//	POST /api/set     {"name": "env", "field": "temperature", "value": 21500}
//	                  a sensor's reading (view.Session.Set: m°C, hundredths
//	                  of a percent of humidity, Pa)
//	POST /api/input   {"line": "text"}        a line to the program's input
//	POST /api/speed   {"speed": 0.5}          1 is real time
//	POST /api/pause, /api/resume, /api/step, /api/restart   (no body, or {})
//	POST /api/where                          ask where each task paused (no body, or {})
//
// A command that succeeds answers 204 No Content. One that fails answers
// with a JSON object {"error": "what was wrong"}: 400 for a malformed body,
// an unknown part, a part that is not an input or a bad speed (outside
// 0.001 to 1000); 409 when the program is not running, or does not read a
// line of input within two seconds (view.ErrInputFull); 503 when the
// Session is closed.
//
// GET /events on a Session that waits for a viewer (view.Config's
// WaitForViewer) starts its program (view.Session.Begin), so that the first
// page to open sees the run from its start. At most MaxEventStreams event
// streams are served at once; another is answered 503.
//
// An "update" event's data is a view.Update as JSON; a "state" event's is
// {"now": ns, "state": State}; a "now" event's is {"now": ns}, the
// Session's Now in nanoseconds.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/goasyncio/asyncio"
	"github.com/goasyncio/asyncio/internal/wire"
	"github.com/goasyncio/asyncio/view"
)

//go:embed static
var static embed.FS

// How often an event stream sends the clock while it runs, and a comment to
// keep an idle connection open.
const (
	nowEvery       = 250 * time.Millisecond
	keepAliveEvery = 15 * time.Second
	writeTimeout   = 10 * time.Second // a page that stops reading is dropped
	maxBody        = 64 << 10
	// eventBuffer is how many updates wait for a slow page before it gets
	// the whole state afresh instead.
	eventBuffer = 128
)

// MaxEventStreams is how many event streams (open pages) a Handler serves
// at once; one more is answered 503 Service Unavailable, until one ends.
// Each holds a few tens of kilobytes.
const MaxEventStreams = 32

// Handler returns a handler that serves the page of s, its event stream,
// its commands and the VCD download, at the paths listed in the package
// documentation. Mount it under a prefix with http.StripPrefix: the page
// uses relative addresses. Event streams end when their client goes away,
// when the request's context is done, or when s is closed.
func Handler(s *view.Session) http.Handler {
	h := &handler{s: s, streams: make(chan struct{}, MaxEventStreams)}
	mux := http.NewServeMux()
	assets, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded directory is there: it is compiled in
	}
	mux.HandleFunc("GET /{$}", h.page)
	mux.Handle("GET /static/", noCache(http.StripPrefix("/static/", http.FileServerFS(assets))))
	mux.HandleFunc("GET /events", h.events)
	mux.HandleFunc("GET /api/state", h.state)
	mux.HandleFunc("GET /board.vcd", h.vcd)
	commands := h.commands()
	for name, run := range commands {
		mux.HandleFunc("POST /api/"+name, h.command(name, run))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := commands[strings.TrimPrefix(r.URL.Path, "/api/")]; ok {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: commands are POSTs", r.Method, r.URL.Path))
			return
		}
		writeError(w, http.StatusNotFound, fmt.Sprintf("no command %s %s", r.Method, r.URL.Path))
	})
	// A page on another site must not drive the board through the user's
	// browser.
	return http.NewCrossOriginProtection().Handler(mux)
}

type handler struct {
	s       *view.Session
	streams chan struct{} // a token per event stream being served
}

func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

func (h *handler) state(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(h.s.State())
}

func (h *handler) vcd(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	if err := h.s.WriteVCD(&b); err != nil {
		writeError(w, http.StatusInternalServerError, "writing the VCD: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="board.vcd"`)
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, b.String())
}

// stateEvent is the data of a "state" event.
type stateEvent struct {
	Now   time.Duration `json:"now"`
	State view.State    `json:"state"`
}

// nowEvent is the data of a "now" event.
type nowEvent struct {
	Now time.Duration `json:"now"`
}

// events streams the Session to one page: its State, then its updates.
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	select {
	case h.streams <- struct{}{}:
		defer func() { <-h.streams }()
	default:
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many pages open: at most %d event streams at once", MaxEventStreams))
		return
	}
	// The first page to open starts a Session that waits for a viewer.
	if err := h.s.Begin(); err != nil && !errors.Is(err, view.ErrClosed) {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	rc := http.NewResponseController(w)
	updates, cancel := h.s.Subscribe(eventBuffer)
	defer cancel()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	e := &eventWriter{w: w, rc: rc}
	// After a drop, the browser reconnects after this many milliseconds.
	e.raw("retry: 1000\n\n")
	running, paused, seen := e.state(h.s)

	ticker := time.NewTicker(nowEvery)
	defer ticker.Stop()
	for {
		if e.flush(); e.err != nil {
			return // the page has gone
		}
		select {
		case <-r.Context().Done():
			return
		case u, ok := <-updates:
			if !ok {
				e.event("end", map[string]string{"text": "the session is closed"})
				e.flush()
				return
			}
			for {
				switch {
				case u.Seq <= seen:
					// The state sent last has it already.
				case u.Type == view.UpdateReset:
					running, paused, seen = e.state(h.s)
				case u.Type == view.UpdateClock:
					paused = u.Paused
					e.event("update", u)
				case u.Type == view.UpdateExit:
					running = false
					e.event("update", u)
				default:
					e.event("update", u)
				}
				// Send what else is queued in the same write.
				select {
				case u, ok = <-updates:
					if ok {
						continue
					}
					// Closed: the next receive reports it.
				default:
				}
				break
			}
		case <-ticker.C:
			if running && !paused {
				e.event("now", nowEvent{h.s.Now()})
			} else if time.Since(e.last) >= keepAliveEvery {
				e.raw(": keep-alive\n\n")
			}
		}
	}
}

// eventWriter writes Server-Sent Events; the first error sticks.
type eventWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	err  error
	last time.Time // when something was last written
}

func (e *eventWriter) raw(s string) {
	if e.err != nil {
		return
	}
	// Bound each write, so that a page that stops reading cannot hold the
	// handler forever. Not every ResponseWriter can: that is fine.
	e.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, e.err = io.WriteString(e.w, s)
	e.last = time.Now()
}

func (e *eventWriter) event(name string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		e.err = err
		return
	}
	// JSON has no raw newlines, so the data is one line.
	e.raw("event: " + name + "\ndata: " + string(b) + "\n\n")
}

// beforeState, if set (by tests), runs before the stream reads the
// Session's state.
var beforeState func()

// state sends the Session's state, and returns what the stream keeps of
// it: whether the program runs, whether its clock is paused, and the last
// update the state includes.
func (e *eventWriter) state(s *view.Session) (running, paused bool, seq uint64) {
	if beforeState != nil {
		beforeState()
	}
	st := s.State()
	e.event("state", stateEvent{Now: s.Now(), State: st})
	return st.Running, st.Paused, st.Seq
}

func (e *eventWriter) flush() {
	if e.err == nil {
		if err := e.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			e.err = err
		}
	}
}

// Command bodies. Each command's fields are pointers, so that a missing one
// is told from a zero.
type (
	nameBody struct {
		Name *string `json:"name"`
	}
	driveBody struct {
		Name  *string `json:"name"`
		Value *int    `json:"value"`
	}
	inputBody struct {
		Line *string `json:"line"`
	}
	setBody struct {
		Name  *string `json:"name"`
		Field string  `json:"field"`
		Value *int    `json:"value"`
	}
	speedBody struct {
		Speed *float64 `json:"speed"`
	}
	emptyBody struct{}
)

// errBadRequest marks an error in the request itself.
var errBadRequest = errors.New("bad request")

func badRequest(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, a...))
}

// commands returns the commands by name: each decodes its body and acts.
func (h *handler) commands() map[string]func(dec *json.Decoder) error {
	s := h.s
	name := func(dec *json.Decoder) (string, error) {
		var b nameBody
		if err := decode(dec, &b); err != nil {
			return "", err
		}
		if b.Name == nil {
			return "", badRequest(`missing "name"`)
		}
		return *b.Name, nil
	}
	none := func(run func() error) func(*json.Decoder) error {
		return func(dec *json.Decoder) error {
			if err := decode(dec, &emptyBody{}); err != nil {
				return err
			}
			return run()
		}
	}
	return map[string]func(*json.Decoder) error{
		"press": func(dec *json.Decoder) error {
			n, err := name(dec)
			if err != nil {
				return err
			}
			return s.Press(n)
		},
		"release": func(dec *json.Decoder) error {
			n, err := name(dec)
			if err != nil {
				return err
			}
			return s.Release(n)
		},
		"drive": func(dec *json.Decoder) error {
			var b driveBody
			if err := decode(dec, &b); err != nil {
				return err
			}
			switch {
			case b.Name == nil:
				return badRequest(`missing "name"`)
			case b.Value == nil:
				return badRequest(`missing "value"`)
			case *b.Value != 0 && *b.Value != 1:
				return badRequest(`"value" %d: want 0 or 1`, *b.Value)
			}
			return s.Drive(*b.Name, *b.Value)
		},
		"input": func(dec *json.Decoder) error {
			var b inputBody
			if err := decode(dec, &b); err != nil {
				return err
			}
			switch {
			case b.Line == nil:
				return badRequest(`missing "line"`)
			case strings.ContainsAny(*b.Line, "\r\n"):
				return badRequest(`"line" must be one line, without a newline`)
			}
			return s.Input(*b.Line)
		},
		"set": func(dec *json.Decoder) error {
			var b setBody
			if err := decode(dec, &b); err != nil {
				return err
			}
			switch {
			case b.Name == nil:
				return badRequest(`missing "name"`)
			case b.Value == nil:
				return badRequest(`missing "value"`)
			}
			return s.Set(*b.Name, b.Field, *b.Value)
		},
		"speed": func(dec *json.Decoder) error {
			var b speedBody
			if err := decode(dec, &b); err != nil {
				return err
			}
			if b.Speed == nil {
				return badRequest(`missing "speed"`)
			}
			return s.SetSpeed(*b.Speed)
		},
		"pause":   none(s.Pause),
		"resume":  none(s.Resume),
		"step":    none(s.Step),
		"restart": none(s.Restart),
		"where":   none(s.Where),
	}
}

// decode reads one JSON object into v, which must hold all its fields, and
// nothing after it. An empty body is an empty object.
func decode(dec *json.Decoder, v any) error {
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return badRequest("the body is longer than %d bytes", tooBig.Limit)
		}
		return badRequest("malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("malformed JSON body: more after the object")
	}
	return nil
}

// command serves POST /api/<name>.
func (h *handler) command(name string, run func(*json.Decoder) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
		err := run(dec)
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeError(w, statusOf(err), name+": "+strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
	}
}

// statusOf is the HTTP status for a command's error.
func statusOf(err error) int {
	switch {
	case errors.Is(err, errBadRequest), errors.Is(err, view.ErrNoPart), errors.Is(err, view.ErrNotInput),
		errors.Is(err, asyncio.ErrBadSpeed):
		return http.StatusBadRequest
	case errors.Is(err, view.ErrNotRunning), errors.Is(err, view.ErrInputFull):
		return http.StatusConflict
	case errors.Is(err, view.ErrClosed):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Server serves the page of a Session on a local address; see Listen.
type Server struct {
	// URL is the page's address, such as "http://127.0.0.1:8080/".
	URL string

	srv    *http.Server
	cancel context.CancelFunc
	served chan error
}

// ErrNotLoopback is returned by Listen for an address beyond the loopback
// interface when Remote was not given.
var ErrNotLoopback = errors.New("web: not a loopback address")

// Option configures Listen.
type Option func(*listenOptions)

type listenOptions struct {
	remote bool
	token  string
}

// Remote lets Listen serve on an address beyond the loopback interface
// (":8080", "0.0.0.0:8080", a LAN address), where anyone who can reach it
// could otherwise watch and drive the board. Every request must then carry
// token, of at least 16 letters and digits: as the query parameter
// "token" (the Server's URL has it; the page, opened with it, keeps it in a
// cookie) or in the header "Authorization: token <token>". This is
// Jupyter's model: a caller that opens the server up should say so on
// standard error.
func Remote(token string) Option {
	return func(o *listenOptions) { o.remote, o.token = true, token }
}

// Listen starts serving the page of s on addr, a host:port such as
// "localhost:8080", or ":0" or "" for a free port on 127.0.0.1, until
// Close. The host must be a loopback address or "localhost" unless Remote
// is given; otherwise Listen returns an error matching ErrNotLoopback
// without listening. On a loopback address it answers only requests
// addressed to a loopback name, so that a web site cannot reach it through
// a name that resolves to this machine.
func Listen(s *view.Session, addr string, opts ...Option) (*Server, error) {
	var o listenOptions
	for _, opt := range opts {
		opt(&o)
	}
	if addr == "" || addr == ":0" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("web: address %q: %v", addr, err)
	}
	if !o.remote {
		if ip := net.ParseIP(host); !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("%w: %q would serve the board beyond this machine; ask for that explicitly (web.Remote, or cmd/board's -remote), or use 127.0.0.1", ErrNotLoopback, addr)
		}
	} else if err := checkToken(o.token); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	h := Handler(s)
	tcp := ln.Addr().(*net.TCPAddr)
	if !o.remote && !tcp.IP.IsLoopback() {
		ln.Close() // "localhost" that is not
		return nil, fmt.Errorf("%w: %q listens on %v", ErrNotLoopback, addr, tcp.IP)
	}
	if tcp.IP.IsLoopback() {
		h = loopbackOnly(h)
	}
	query := ""
	if o.remote {
		h = requireToken(h, o.token)
		query = "?token=" + o.token
	}
	host = tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &Server{
		URL:    "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port)) + "/" + query,
		cancel: cancel,
		served: make(chan error, 1),
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return ctx },
		},
	}
	go func() { srv.served <- srv.srv.Serve(ln) }()
	return srv, nil
}

// checkToken says what is wrong with a token for Remote.
func checkToken(token string) error {
	if len(token) < 16 {
		return fmt.Errorf("web: Remote's token is %d characters, want at least 16", len(token))
	}
	for _, r := range token {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') {
			return fmt.Errorf("web: Remote's token has %q: want letters and digits", r)
		}
	}
	return nil
}

// tokenCookie is the cookie that keeps a page's token.
const tokenCookie = "board-token"

// requireToken answers 403 Forbidden to a request without the token.
func requireToken(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query().Get("token"); q != "" && wire.TokenMatches(q, token) {
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			h.ServeHTTP(w, r)
			return
		}
		if c, err := r.Cookie(tokenCookie); err == nil && wire.TokenMatches(c.Value, token) {
			h.ServeHTTP(w, r)
			return
		}
		if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "token "); ok && wire.TokenMatches(a, token) {
			h.ServeHTTP(w, r)
			return
		}
		writeError(w, http.StatusForbidden, "this board needs its token: open the address with ?token= that the board command printed")
	})
}

// Close stops the server: it ends the event streams of open pages, and
// returns once every request has finished. The Session stays open.
func (srv *Server) Close() error {
	srv.cancel() // ends the event streams
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, srv.srv.Close())
	}
	if serr := <-srv.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// loopbackOnly refuses requests whose Host is not a loopback name.
func loopbackOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
		ip := net.ParseIP(host)
		if !strings.EqualFold(host, "localhost") && !strings.HasSuffix(strings.ToLower(host), ".localhost") && (ip == nil || !ip.IsLoopback()) {
			writeError(w, http.StatusMisdirectedRequest, fmt.Sprintf("this server answers only on localhost, not %q", r.Host))
			return
		}
		h.ServeHTTP(w, r)
	})
}
