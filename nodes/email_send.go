package nodes

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// EmailSend is n8n's Send Email node (v2, 2.1): it sends a text, HTML or
// two-part message with attachments from binary properties through SMTP,
// with an smtp credential.
//
// Credentials go over AUTH PLAIN only on TLS connections (implicit TLS with
// secure, or STARTTLS, which is used whenever the server offers it) or to
// a server on the loopback interface, as Go's net/smtp insists.
type EmailSend struct{}

// EmailSendParams are the Send Email node's parameters.
type EmailSendParams struct {
	Operation   string           `json:"operation" doc:"send (the only one weft runs)."`
	FromEmail   string           `json:"fromEmail" doc:"The sender, e.g. Nathan Doe <nate@example.com>."`
	ToEmail     string           `json:"toEmail" doc:"Comma-separated recipients."`
	Subject     string           `json:"subject" doc:"The subject."`
	EmailFormat string           `json:"emailFormat" doc:"text, html (default) or both."`
	Text        string           `json:"text" doc:"The plain text body."`
	HTML        string           `json:"html" doc:"The HTML body."`
	Options     EmailSendOptions `json:"options" doc:"attachments (comma-separated binary property names), ccEmail, bccEmail, replyTo, allowUnauthorizedCerts, appendAttribution."`
}

// EmailSendOptions are the node's options.
type EmailSendOptions struct {
	Attachments            string `json:"attachments"`
	CCEmail                string `json:"ccEmail"`
	BCCEmail               string `json:"bccEmail"`
	ReplyTo                string `json:"replyTo"`
	AllowUnauthorizedCerts bool   `json:"allowUnauthorizedCerts"`
	AppendAttribution      *bool  `json:"appendAttribution"`
}

func init() {
	Register(EmailSend{})
	RegisterCredentialType(CredentialType{
		Name:        "smtp",
		DisplayName: "SMTP",
		Fields: []CredentialField{
			{Name: "user", DisplayName: "User", Type: "string"},
			{Name: "password", DisplayName: "Password", Type: "string", Secret: true},
			{Name: "host", DisplayName: "Host", Type: "string", Required: true},
			{Name: "port", DisplayName: "Port", Type: "number", Default: 465},
			{Name: "secure", DisplayName: "SSL/TLS", Type: "boolean", Default: true},
			{Name: "disableStartTls", DisplayName: "Disable STARTTLS", Type: "boolean", Default: false},
			{Name: "hostName", DisplayName: "Client Host Name", Type: "string"},
		},
		Test: func(ctx context.Context, data map[string]any) error {
			c, err := smtpDial(ctx, data, false)
			if err != nil {
				return err
			}
			defer c.Close()
			return c.Quit()
		},
	})
}

// Describe implements Node.
func (EmailSend) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.emailSend",
		DisplayName: "Send Email",
		Summary:     "Sends an email through SMTP: text, HTML or both, with attachments from binary data.",
		Versions:    []float64{2, 2.1},
		Kind:        KindIO,
		Params:      EmailSendParams{},
	}
}

// Validate implements Node.
func (EmailSend) Validate(n *NodeInstance) error {
	var p EmailSendParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Operation != "" && p.Operation != "send" {
		return ParamErrorf("operation", "%q is not supported (only send)", p.Operation)
	}
	switch p.EmailFormat {
	case "", "text", "html", "both":
	default:
		return ParamErrorf("emailFormat", "%q is not one of text, html, both", p.EmailFormat)
	}
	return nil
}

// Execute implements Node.
func (EmailSend) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	var out []Item
	for i := range items {
		info, err := sendEmail(ctx, items[i], i)
		if err != nil {
			ne := AsNodeError(err)
			if ctx.ContinueOnFail() {
				out = append(out, Item{JSON: map[string]any{"error": ne.Message}, PairedItem: PairedItems{{Item: i}}})
				continue
			}
			if ne.Name == "NodeOperationError" {
				ne.Name = "NodeApiError"
			}
			return nil, ne.AtItem(i)
		}
		out = append(out, Item{JSON: info, PairedItem: PairedItems{{Item: i}}})
	}
	return [][]Item{out}, nil
}

func sendEmail(ctx *Context, item Item, i int) (map[string]any, error) {
	p := EmailSendParams{EmailFormat: "html"}
	if err := ctx.Decode(i, &p); err != nil {
		return nil, err
	}
	cred, err := ctx.Credential("smtp")
	if err != nil {
		return nil, err
	}
	from, err := mail.ParseAddress(p.FromEmail)
	if err != nil {
		return nil, NewNodeError("Invalid sender address %q: %v", p.FromEmail, err)
	}
	var rcpts []string
	for _, list := range []string{p.ToEmail, p.Options.CCEmail, p.Options.BCCEmail} {
		if strings.TrimSpace(list) == "" {
			continue
		}
		addrs, err := mail.ParseAddressList(list)
		if err != nil {
			return nil, NewNodeError("Invalid recipient list %q: %v", list, err)
		}
		for _, a := range addrs {
			rcpts = append(rcpts, a.Address)
		}
	}
	if len(rcpts) == 0 {
		return nil, NewNodeError("No recipients defined")
	}
	attribution := ctx.Node.TypeVersion >= 2.1
	if p.Options.AppendAttribution != nil {
		attribution = *p.Options.AppendAttribution
	}
	text, html := "", ""
	if p.EmailFormat == "text" || p.EmailFormat == "both" {
		text = p.Text
	}
	if p.EmailFormat == "html" || p.EmailFormat == "both" {
		html = p.HTML
	}
	if attribution {
		const note = "This email was sent automatically with "
		if p.EmailFormat == "html" || (p.EmailFormat == "both" && html != "") {
			html += "<br><br>---<br><em>" + note + `<a href="https://n8n.io" target="_blank">n8n</a></em>`
		} else {
			text += "\n\n---\n" + note + "n8n\nhttps://n8n.io"
		}
	}
	var atts []emailAttachment
	if p.Options.Attachments != "" && item.Binary != nil {
		for _, name := range strings.Split(p.Options.Attachments, ",") {
			name = strings.TrimSpace(name)
			b := item.Binary[name]
			if b == nil {
				return nil, NewNodeError("This operation expects the node's input data to contain a binary file '%s', but none was found [item %d]", name, i)
			}
			data, err := base64.StdEncoding.DecodeString(b.Data)
			if err != nil {
				return nil, NewNodeError("binary property %q is not base64 data", name)
			}
			fn := b.FileName
			if fn == "" {
				fn = "unknown"
			}
			atts = append(atts, emailAttachment{Name: fn, MimeType: b.MimeType, CID: name, Data: data})
		}
	}
	msgID := "<" + randomHex(16) + "@" + domainOf(from.Address) + ">"
	msg := buildEmail(from, p, text, html, atts, msgID, ctx.Now())

	c, err := smtpDial(ctx, cred, p.Options.AllowUnauthorizedCerts)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	secret := credString(cred, "password")
	fail := func(err error) error {
		return &NodeError{Name: "NodeApiError", Message: redactSecrets(err.Error(), secret)}
	}
	if err := c.Mail(from.Address); err != nil {
		return nil, fail(err)
	}
	var accepted, rejected []any
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			rejected = append(rejected, r)
			continue
		}
		accepted = append(accepted, r)
	}
	if len(accepted) == 0 {
		return nil, NewNodeError("Can't send mail - all recipients were rejected")
	}
	w, err := c.Data()
	if err != nil {
		return nil, fail(err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, fail(err)
	}
	if err := w.Close(); err != nil {
		return nil, fail(err)
	}
	_ = c.Quit()
	if rejected == nil {
		rejected = []any{}
	}
	to := make([]any, len(rcpts))
	for k, r := range rcpts {
		to[k] = r
	}
	return map[string]any{
		"accepted": accepted, "rejected": rejected, "messageSize": float64(len(msg)),
		"envelope": map[string]any{"from": from.Address, "to": to}, "messageId": msgID,
	}, nil
}

type emailAttachment struct {
	Name, MimeType, CID string
	Data                []byte
}

// buildEmail writes the message: multipart/mixed around the body parts
// when there are attachments, multipart/alternative for text and HTML.
func buildEmail(from *mail.Address, p EmailSendParams, text, html string, atts []emailAttachment, msgID string, now time.Time) []byte {
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from.String())
	if p.ToEmail != "" {
		h("To", addressHeader(p.ToEmail))
	}
	if p.Options.CCEmail != "" {
		h("Cc", addressHeader(p.Options.CCEmail))
	}
	if p.Options.ReplyTo != "" {
		h("Reply-To", addressHeader(p.Options.ReplyTo))
	}
	h("Subject", mime.QEncoding.Encode("utf-8", p.Subject))
	h("Message-ID", msgID)
	h("Date", now.Format(time.RFC1123Z))
	h("MIME-Version", "1.0")

	body := func(w *multipart.Writer) {
		if text != "" || html == "" {
			writeTextPart(w, "text/plain; charset=utf-8", text)
		}
		if html != "" {
			writeTextPart(w, "text/html; charset=utf-8", html)
		}
	}
	if len(atts) == 0 && (text == "" || html == "") {
		ct, content := "text/plain; charset=utf-8", text
		if html != "" {
			ct, content = "text/html; charset=utf-8", html
		}
		h("Content-Type", ct)
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		qp := quotedprintable.NewWriter(&b)
		_, _ = qp.Write([]byte(content))
		_ = qp.Close()
		return b.Bytes()
	}
	mixed := multipart.NewWriter(&b)
	top := "multipart/alternative"
	if len(atts) > 0 {
		top = "multipart/mixed"
	}
	h("Content-Type", top+"; boundary="+mixed.Boundary())
	b.WriteString("\r\n")
	if len(atts) == 0 {
		body(mixed)
		_ = mixed.Close()
		return b.Bytes()
	}
	if text != "" && html != "" {
		var alt bytes.Buffer
		aw := multipart.NewWriter(&alt)
		body(aw)
		_ = aw.Close()
		part, _ := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + aw.Boundary()}})
		_, _ = part.Write(alt.Bytes())
	} else {
		body(mixed)
	}
	for _, a := range atts {
		ct := a.MimeType
		if ct == "" {
			ct = "application/octet-stream"
		}
		hdr := textproto.MIMEHeader{}
		hdr.Set("Content-Type", mime.FormatMediaType(ct, map[string]string{"name": a.Name}))
		hdr.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
		hdr.Set("Content-Transfer-Encoding", "base64")
		hdr.Set("Content-ID", "<"+a.CID+">")
		part, _ := mixed.CreatePart(hdr)
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			_, _ = part.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		_, _ = part.Write([]byte(enc + "\r\n"))
	}
	_ = mixed.Close()
	return b.Bytes()
}

func writeTextPart(w *multipart.Writer, ct, content string) {
	part, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ct}, "Content-Transfer-Encoding": {"quoted-printable"}})
	qp := quotedprintable.NewWriter(part)
	_, _ = qp.Write([]byte(content))
	_ = qp.Close()
}

// addressHeader re-encodes an address list for a header, keeping it as
// given when it does not parse.
func addressHeader(list string) string {
	addrs, err := mail.ParseAddressList(list)
	if err != nil {
		return strings.ReplaceAll(strings.ReplaceAll(list, "\r", ""), "\n", "")
	}
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = a.String()
	}
	return strings.Join(parts, ", ")
}

func domainOf(addr string) string {
	if i := strings.LastIndex(addr, "@"); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// smtpDial connects, says hello, upgrades to TLS when offered (unless the
// credential disables STARTTLS) and authenticates when the credential has
// a user or password. Errors carry no secret.
func smtpDial(ctx context.Context, cred map[string]any, insecure bool) (*smtp.Client, error) {
	host := credString(cred, "host")
	port := credInt(cred, "port", 465)
	secure := credBool(cred, "secure")
	password := credString(cred, "password")
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	tlsCfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // the user's choice
	d := &net.Dialer{Timeout: 30 * time.Second}
	var conn net.Conn
	var err error
	if secure {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, connectionError(err, password)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, &NodeError{Name: "NodeApiError", Message: redactSecrets(err.Error(), password)}
	}
	name := credString(cred, "hostName")
	if name == "" {
		name = "localhost"
	}
	fail := func(err error) (*smtp.Client, error) {
		c.Close()
		return nil, &NodeError{Name: "NodeApiError", Message: redactSecrets(err.Error(), password)}
	}
	if err := c.Hello(name); err != nil {
		return fail(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !secure && !credBool(cred, "disableStartTls") {
		if err := c.StartTLS(tlsCfg); err != nil {
			return fail(err)
		}
	}
	user := credString(cred, "user")
	if user != "" || password != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fail(fmt.Errorf("the SMTP server does not support authentication"))
		}
		if err := c.Auth(smtp.PlainAuth("", user, password, host)); err != nil {
			c.Close()
			return nil, &NodeError{Name: "NodeApiError", Message: "Invalid login: " + redactSecrets(err.Error(), password)}
		}
	}
	return c, nil
}

var _ Node = EmailSend{}
