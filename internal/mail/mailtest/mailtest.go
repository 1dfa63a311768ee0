// Package mailtest runs a real SMTP server inside a test process (emersion/go-smtp) that
// records what it receives and can refuse deliveries on demand, so tests exercise the real
// sender and the retries of the job queue end to end.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/cartasociale/carta/internal/config"
)

// Received is a message as the server saw it, decoded.
type Received struct {
	From    string   // envelope sender
	To      []string // envelope recipients
	Header  netmail.Header
	Subject string
	Text    string
	HTML    string
	// Attachments are the parts sent as files, by name.
	Attachments map[string][]byte
	Raw         []byte
}

// Server is an SMTP server listening on a loopback port for the life of a test.
type Server struct {
	Host string
	Port int

	srv *smtp.Server

	mu       sync.Mutex
	refuse   int
	attempts int
	msgs     []Received
	arrived  chan struct{}
}

// Start starts a server that stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a server that runs until Close, for servers shared by a whole test package.
func New() (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &Server{arrived: make(chan struct{}, 1000)}
	addr := l.Addr().(*net.TCPAddr)
	s.Host, s.Port = addr.IP.String(), addr.Port
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = discard{}
	go func() { _ = srv.Serve(l) }()
	s.srv = srv
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { _ = s.srv.Close() }

type discard struct{}

func (discard) Printf(string, ...any) {}
func (discard) Println(...any)        {}

// SMTP returns the settings that point a sender at this server (clear text, no auth).
func (s *Server) SMTP() config.SMTP {
	return config.SMTP{Host: s.Host, Port: s.Port, TLS: "none", From: "Carta dei Servizi <noreply@carta.test>"}
}

// RefuseNext makes the next n deliveries fail with a temporary error (451), as a busy relay does.
func (s *Server) RefuseNext(n int) {
	s.mu.Lock()
	s.refuse = n
	s.mu.Unlock()
}

// Attempts is the number of deliveries tried so far, refused ones included.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Messages returns every message accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// WaitFor waits until a message to rcpt has been accepted and returns the newest one.
func (s *Server) WaitFor(t testing.TB, rcpt string, timeout time.Duration) Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		for _, m := range slicesReverse(s.Messages()) {
			for _, to := range m.To {
				if strings.EqualFold(to, rcpt) {
					return m
				}
			}
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("mailtest: no message to %s within %s (%d attempts)", rcpt, timeout, s.Attempts())
			return Received{}
		}
	}
}

func slicesReverse(in []Received) []Received {
	for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
		in[i], in[j] = in[j], in[i]
	}
	return in
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := ss.s
	s.mu.Lock()
	s.attempts++
	if s.refuse > 0 {
		s.refuse--
		s.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.mu.Unlock()
	m, err := decode(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: err.Error()}
	}
	m.From, m.To = ss.from, append([]string(nil), ss.to...)
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	select {
	case s.arrived <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

func decode(raw []byte) (Received, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, fmt.Errorf("parse: %w", err)
	}
	m := Received{Header: msg.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Received{}, fmt.Errorf("subject: %w", err)
	}
	err = readPart(&m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

func readPart(m *Received, contentType, encoding string, body io.Reader) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			// multipart.Reader already decodes quoted-printable parts and drops the header.
			if name := p.FileName(); name != "" {
				b, err := io.ReadAll(partBody(p.Header.Get("Content-Transfer-Encoding"), p))
				if err != nil {
					return err
				}
				if m.Attachments == nil {
					m.Attachments = map[string][]byte{}
				}
				m.Attachments[name] = b
				continue
			}
			if err := readPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	b, err := io.ReadAll(partBody(encoding, body))
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
	case "text/html":
		m.HTML = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return nil
}

// partBody decodes a part's transfer encoding.
func partBody(encoding string, body io.Reader) io.Reader {
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, body)
	}
	return body
}

// Addr is host:port of the server.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }
