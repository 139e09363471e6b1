package nodes

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strings"
	"time"
)

// awsSigner signs requests with AWS Signature Version 4 (header form), as
// documented in AWS's "Signature Version 4 signing process".
type awsSigner struct {
	AccessKey    string
	SecretKey    string
	SessionToken string
	Region       string
	Service      string
}

// awsEmptyHash is the SHA-256 of an empty payload.
const awsEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// awsHash is the hex SHA-256 of b.
func awsHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// awsEscape encodes s as SigV4 requires: every byte but the unreserved
// characters A-Z a-z 0-9 - _ . ~ as %XY (uppercase), and "/" too unless
// keepSlash.
func awsEscape(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
			b.WriteByte(c)
		case c == '/' && keepSlash:
			b.WriteByte(c)
		default:
			const hexd = "0123456789ABCDEF"
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// Sign adds the X-Amz-Date, the session token and the Authorization header
// to req. payloadHash is the hex SHA-256 of the body (S3 also sends it as
// X-Amz-Content-Sha256, which the caller sets). The request's path must
// already be escaped with awsEscape (req.URL.RawPath or Opaque-free Path of
// unreserved characters).
func (s awsSigner) Sign(req *http.Request, payloadHash string, now time.Time) {
	now = now.UTC()
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	if s.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", s.SessionToken)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	// Canonical headers: host plus every header signed below.
	headers := map[string]string{"host": host}
	for k, vs := range req.Header {
		lk := strings.ToLower(k)
		if lk == "authorization" || lk == "user-agent" || lk == "accept" || lk == "content-length" {
			continue
		}
		vals := make([]string, len(vs))
		for i, v := range vs {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		headers[lk] = strings.Join(vals, ",")
	}
	names := make([]string, 0, len(headers))
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var ch strings.Builder
	for _, n := range names {
		ch.WriteString(n + ":" + headers[n] + "\n")
	}
	signed := strings.Join(names, ";")

	uri := req.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	canonical := strings.Join([]string{req.Method, uri, awsCanonicalQuery(req), ch.String(), signed, payloadHash}, "\n")
	scope := day + "/" + s.Region + "/" + s.Service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + awsHash([]byte(canonical))
	key := awsHMAC([]byte("AWS4"+s.SecretKey), day)
	key = awsHMAC(key, s.Region)
	key = awsHMAC(key, s.Service)
	key = awsHMAC(key, "aws4_request")
	sig := hex.EncodeToString(awsHMAC(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

// awsCanonicalQuery sorts and encodes the query as SigV4 requires.
func awsCanonicalQuery(req *http.Request) string {
	q := req.URL.Query()
	type kv struct{ k, v string }
	var pairs []kv
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, kv{awsEscape(k, false), awsEscape(v, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.k + "=" + p.v
	}
	return strings.Join(parts, "&")
}

func awsHMAC(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
