package nodes_test

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/weft/weft/nodes"
)

// smtpServer is a small SMTP server on the loopback interface that accepts
// AUTH PLAIN for one user and password and keeps the messages it receives.
type smtpServer struct {
	ln       net.Listener
	user, pw string
	mu       sync.Mutex
	msgs     []smtpMessage
}

type smtpMessage struct {
	From string
	To   []string
	Data string
}

func startSMTP(t *testing.T, user, pw string) *smtpServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln, user: user, pw: pw}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) cred() map[string]any {
	addr := s.ln.Addr().(*net.TCPAddr)
	return map[string]any{"host": "127.0.0.1", "port": float64(addr.Port), "secure": false, "user": s.user, "password": s.pw}
}

func (s *smtpServer) messages() []smtpMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]smtpMessage(nil), s.msgs...)
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 weft-test ESMTP")
	var cur smtpMessage
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250-weft-test")
			_ = tp.PrintfLine("250 AUTH PLAIN")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if mech == "PLAIN" && len(parts) == 3 && parts[1] == s.user && parts[2] == s.pw {
				_ = tp.PrintfLine("235 2.7.0 Authentication successful")
			} else {
				_ = tp.PrintfLine("535 5.7.8 Authentication credentials invalid")
			}
		case "MAIL":
			cur = smtpMessage{From: strings.Trim(strings.TrimPrefix(arg, "FROM:"), "<>")}
			_ = tp.PrintfLine("250 OK")
		case "RCPT":
			cur.To = append(cur.To, strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>"))
			_ = tp.PrintfLine("250 OK")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			cur.Data = string(data)
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 OK queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 OK")
		}
	}
}

const emailType = "n8n-nodes-base.emailSend"

func TestEmailSend(t *testing.T) {
	srv := startSMTP(t, "mailer", "M4il-pw")
	creds := credSource{"smtp": srv.cred()}
	n := ioNode(emailType, 2.1, "smtp", obj("fromEmail", "Weft <weft@example.com>", "toEmail", "={{ $json.to }}",
		"subject", "Héllo {{ $json.name }}", "emailFormat", "both", "text", "=Hi {{ $json.name }}", "html", "=<b>Hi {{ $json.name }}</b>",
		"options", obj("attachments", "file", "ccEmail", "cc@example.com", "bccEmail", "hidden@example.com", "replyTo", "reply@example.com", "appendAttribution", false)))
	n.Parameters["subject"] = "=Héllo {{ $json.name }}"
	in := nodes.NewItem(obj("to", "Ann <ann@example.com>, bob@example.com", "name", "Ann"))
	in.Binary = map[string]*nodes.Binary{"file": {Data: base64.StdEncoding.EncodeToString([]byte("attached content")), MimeType: "text/plain", FileName: "note.txt"}}
	run := nodes.RunNode(&nodes.Context{Context: context.Background(), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{n}}, Node: n,
		Inputs: [][]nodes.Item{{in}}, Expr: exprEngine(), Credentials: creds})
	out := mustSucceed(t, run)
	if len(out) != 1 || asJSON(t, out[0]["accepted"]) != `["ann@example.com","bob@example.com","cc@example.com","hidden@example.com"]` {
		t.Fatal(asJSON(t, out))
	}
	msgs := srv.messages()
	if len(msgs) != 1 || msgs[0].From != "weft@example.com" || len(msgs[0].To) != 4 {
		t.Fatalf("%+v", msgs)
	}
	m, err := mail.ReadMessage(strings.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if subj != "Héllo Ann" || m.Header.Get("Cc") != "<cc@example.com>" || m.Header.Get("Reply-To") != "<reply@example.com>" ||
		m.Header.Get("Bcc") != "" || !strings.Contains(m.Header.Get("To"), "ann@example.com") {
		t.Fatalf("headers %v (subject %q)", m.Header, subj)
	}
	if m.Header.Get("Message-Id") != out[0]["messageId"] {
		t.Fatalf("message id %q vs %v", m.Header.Get("Message-Id"), out[0]["messageId"])
	}
	// multipart/mixed: alternative(text, html), attachment
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	alt, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	_, ap, _ := mime.ParseMediaType(alt.Header.Get("Content-Type"))
	ar := multipart.NewReader(alt, ap["boundary"])
	var bodies []string
	for {
		p, err := ar.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		bodies = append(bodies, p.Header.Get("Content-Type")+": "+string(b))
	}
	if strings.Join(bodies, "|") != "text/plain; charset=utf-8: Hi Ann|text/html; charset=utf-8: <b>Hi Ann</b>" {
		t.Fatal(bodies)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(att)
	content, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(raw), "\r\n", ""))
	if att.FileName() != "note.txt" || string(content) != "attached content" {
		t.Fatalf("attachment %q %q", att.FileName(), content)
	}
}

func TestEmailSendAttributionAndErrors(t *testing.T) {
	srv := startSMTP(t, "mailer", "M4il-pw")
	n := ioNode(emailType, 2.1, "smtp", obj("fromEmail", "weft@example.com", "toEmail", "ann@example.com", "subject", "s", "emailFormat", "text", "text", "body"))
	mustSucceed(t, runIO(t, n, credSource{"smtp": srv.cred()}))
	m, _ := mail.ReadMessage(strings.NewReader(srv.messages()[0].Data))
	b, _ := io.ReadAll(m.Body)
	if !strings.Contains(string(b), "body\n\n---\nThis email was sent automatically with n8n") {
		t.Fatalf("%q", b)
	}
	// wrong password: a node error without the password; the credential test says so too
	bad := srv.cred()
	bad["password"] = "s3cr3t-M4il"
	e := mustFail(t, runIO(t, n, credSource{"smtp": bad}), "Invalid login")
	if strings.Contains(asJSON(t, e), "s3cr3t-M4il") {
		t.Fatal("secret in error")
	}
	ct := nodes.LookupCredentialType("smtp")
	if err := ct.Test(context.Background(), srv.cred()); err != nil {
		t.Fatalf("good: %v", err)
	}
	if err := ct.Test(context.Background(), bad); err == nil || strings.Contains(err.Error(), "s3cr3t-M4il") {
		t.Fatalf("bad: %v", err)
	}
	// unreachable server; with continueOnFail an error item
	down := map[string]any{"host": "127.0.0.1", "port": 1.0, "user": "u", "password": "s3cr3t-M4il"}
	mustFail(t, runIO(t, n, credSource{"smtp": down}), "Connection refused")
	n.OnError = nodes.OnErrorContinueRegularOutput
	out := mustSucceed(t, runIO(t, n, credSource{"smtp": down}))
	if asJSON(t, out) != `[{"error":"Connection refused"}]` {
		t.Fatal(asJSON(t, out))
	}
}
