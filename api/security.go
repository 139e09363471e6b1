package api

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
)

// apiCSP is the Content-Security-Policy of every answer but the docs page
// and webhook answers: the API serves JSON, which loads nothing and is
// never framed.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// webhookCSP sandboxes what a webhook answers (a Respond to Webhook node
// may send HTML written by a workflow's author): the page runs in an opaque
// origin, so its scripts cannot read what the browser keeps for the API's
// origin, nor call the API with the user's session.
const webhookCSP = "sandbox allow-downloads allow-forms allow-modals allow-popups allow-popups-to-escape-sandbox allow-scripts allow-top-navigation-by-user-activation"

// docsCSP allows the docs page its one inline script and one inline style
// sheet, by hash, and nothing else but fetching the OpenAPI document.
var docsCSP = func() string {
	hashes := func(tag string) string {
		re := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`)
		var out []string
		for _, m := range re.FindAllSubmatch(docsPage, -1) {
			sum := sha256.Sum256(m[1])
			out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		}
		if len(out) == 0 {
			return "'none'"
		}
		return strings.Join(out, " ")
	}
	return "default-src 'none'; script-src " + hashes("script") + "; style-src " + hashes("style") +
		"; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
}()

// securityHeaders sets the headers every answer carries: no MIME sniffing,
// no framing, no referrer, a Content-Security-Policy, and
// Strict-Transport-Security when configured (HSTS_MAX_AGE).
func (s *Server) securityHeaders() gin.HandlerFunc {
	hsts := ""
	if s.cfg.HSTSMaxAge > 0 {
		hsts = "max-age=" + strconv.Itoa(int(s.cfg.HSTSMaxAge.Seconds())) + "; includeSubDomains"
	}
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		p := c.Request.URL.Path
		switch {
		case p == "/api/docs":
			h.Set("Content-Security-Policy", docsCSP)
		case strings.HasPrefix(p, "/webhook"):
			h.Set("Content-Security-Policy", webhookCSP)
		default:
			h.Set("Content-Security-Policy", apiCSP)
		}
		if hsts != "" {
			h.Set("Strict-Transport-Security", hsts)
		}
		c.Next()
	}
}
