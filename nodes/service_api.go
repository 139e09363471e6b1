package nodes

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

// This file holds what the service nodes (Slack, GitHub, Google Sheets, AWS
// S3) share: one HTTP call with n8n's NodeApiError wording for failures, the
// per-item loop with continueOnFail, resource-locator values and binary
// data.

// svcTimeout bounds one service call.
const svcTimeout = 120 * time.Second

// svcMaxBody bounds a response body the service nodes read (S3 downloads
// included): 256 MiB.
const svcMaxBody = 256 << 20

// svcResponse is a service's answer.
type svcResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// svcDo sends req and reads the answer. Transport failures become retryable
// NodeApiErrors; the answer is returned whatever its status. The request
// goes through the network policy of its context (netguard.go), like HTTP
// Request's: base URLs and endpoints a user can set (S3-compatible
// endpoints, GitHub Enterprise, Slack and Sheets API URLs) must not reach
// internal addresses the policy refuses. Requests carry the node's context,
// so a canceled activity stops them.
func svcDo(req *http.Request) (*svcResponse, error) {
	policy := NetPolicyFrom(req.Context())
	if err := policy.CheckURL(req.URL); err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: err.Error()}
	}
	client := policy.Client(ClientOptions{Timeout: svcTimeout})
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		if b := AsBlocked(err); b != nil {
			return nil, &NodeError{Name: "NodeApiError", Message: b.Error()}
		}
		return nil, &NodeError{Name: "NodeApiError", Message: svcTransportMessage(err),
			Description: fmt.Sprintf("%s %s", req.Method, svcSafeURL(req)), Retryable: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, svcMaxBody+1))
	if err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: "The connection was closed while reading the answer: " + err.Error(), Retryable: true}
	}
	if len(body) > svcMaxBody {
		return nil, NewNodeError("the answer is larger than %d MiB", svcMaxBody>>20)
	}
	return &svcResponse{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// svcSafeURL is the request's URL without its query, which may carry
// signatures.
func svcSafeURL(req *http.Request) string {
	u := *req.URL
	u.RawQuery, u.User = "", nil
	return u.String()
}

// svcTransportMessage words a transport failure as n8n does for the common
// cases.
func svcTransportMessage(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "connection refused"):
		return "The service refused the connection - perhaps it is offline"
	case strings.Contains(s, "no such host"):
		return "The DNS server returned an error, perhaps the server is offline"
	case strings.Contains(s, "Client.Timeout") || strings.Contains(s, "deadline exceeded") || strings.Contains(s, "i/o timeout"):
		return "The connection timed out, consider setting the 'Retry on Fail' option in the node settings"
	case strings.Contains(s, "connection reset"):
		return "The connection to the server was closed unexpectedly, perhaps it is offline. You can retry the request immediately or wait and retry later."
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return "The connection to the service failed: " + ue.Unwrap().Error()
	}
	return "The connection to the service failed: " + s
}

// svcStatusMessages are n8n's NodeApiError messages by HTTP status.
var svcStatusMessages = map[int]string{
	400: "Bad request - please check your parameters",
	401: "Authorization failed - please check your credentials",
	402: "Payment required - perhaps check your payment details?",
	403: "Forbidden - perhaps check your credentials?",
	404: "The resource you are requesting could not be found",
	405: "Method not allowed - please check you are using the right HTTP method",
	429: "The service is receiving too many requests from you",
	500: "The service was not able to process your request",
	502: "Bad gateway - the service failed to handle your request",
	503: "Service unavailable - try again later or consider setting this node to retry automatically (in the node settings)",
	504: "Gateway timed out - perhaps try again later?",
}

// svcAPIError is n8n's NodeApiError for an HTTP error answer: the status's
// message, the service's own message as the description. 429 and 5xx are
// retryable.
func svcAPIError(status int, description string) *NodeError {
	msg, ok := svcStatusMessages[status]
	if !ok {
		switch {
		case status >= 500:
			msg = "The service failed to process your request"
		default:
			msg = "Your request is invalid or could not be processed by the service"
		}
	}
	return &NodeError{Name: "NodeApiError", Message: msg, Description: description,
		HTTPCode: strconv.Itoa(status), Retryable: status == 429 || status >= 500}
}

// svcJSONMessage finds the human message in a JSON error body: GitHub's
// {"message"}, Google's {"error": {"message"}} or {"error_description"}.
func svcJSONMessage(body []byte) string {
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		s := strings.TrimSpace(string(body))
		if len(s) > 300 {
			s = s[:300]
		}
		return s
	}
	if e, ok := v["error"].(map[string]any); ok {
		if m, ok := e["message"].(string); ok {
			return m
		}
	}
	if m, ok := v["error_description"].(string); ok {
		return m
	}
	if m, ok := v["message"].(string); ok {
		return m
	}
	if m, ok := v["error"].(string); ok {
		return m
	}
	return ""
}

// svcNewRequest builds a request with a JSON body (nil for none).
func svcNewRequest(ctx context.Context, method, url string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(NormalizeJSON(body))
		if err != nil {
			return nil, NewNodeError("cannot encode the request body: %v", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, NewNodeError("invalid URL %q: %v", url, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "weft")
	return req, nil
}

// svcEnvURL returns the base URL in environment variable env (a test or
// proxy override), or def, without a trailing slash.
func svcEnvURL(env, def string) string {
	if v := strings.TrimSpace(os.Getenv(env)); v != "" {
		def = v
	}
	return strings.TrimRight(def, "/")
}

// scalarText writes a JSON scalar as text: nil as "", a string as it is, a
// number in its shortest decimal spelling, a boolean as true or false. ok is
// false for any other value (objects, arrays), which callers spell their own
// way.
func scalarText(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// plainText is scalarText, with any other value as fmt.Sprint writes it.
func plainText(v any) string {
	if s, ok := scalarText(v); ok {
		return s
	}
	return fmt.Sprint(v)
}

// credString returns a credential field as a string ("" when absent).
func credString(data map[string]any, key string) string {
	return plainText(data[key])
}

// credBool returns a boolean credential field.
func credBool(data map[string]any, key string) bool {
	switch v := data[key].(type) {
	case bool:
		return v
	case string:
		return v == "true"
	}
	return false
}

// rlValue returns a resource locator parameter's value (n8n's
// {"__rl": true, "mode", "value"}) or a plain value as a string, and the
// mode ("" for a plain value).
func rlValue(v any) (value, mode string) {
	if m, ok := v.(map[string]any); ok {
		mode, _ = m["mode"].(string)
		v = m["value"]
	}
	return plainText(v), mode
}

// svcEachItem runs fn once per input item and collects its output items,
// paired to the input item. A failure stops the node, or with
// continueOnFail becomes an error item ({"error": message}) and the loop goes
// on, as n8n's nodes do.
func svcEachItem(ctx *Context, fn func(i int, it Item) ([]Item, error)) ([][]Item, error) {
	items := ctx.InputItems(0)
	out := []Item{}
	for i, it := range items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res, err := fn(i, it)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ne := AsNodeError(err)
			ne.Node = ctx.Node.Name
			if ctx.ContinueOnFail() {
				out = append(out, failedItem(ne, i))
				continue
			}
			if ne.ItemIndex == nil {
				ne.AtItem(i)
			}
			return nil, ne
		}
		for _, r := range res {
			if r.PairedItem == nil {
				r.PairedItem = PairedItems{{Item: i}}
			}
			out = append(out, r)
		}
	}
	return [][]Item{out}, nil
}

// failedItem is the item a node outputs under continueOnFail for item i's
// failure: {"error": message}, paired to the item, carrying the error.
func failedItem(ne *NodeError, i int) Item {
	failed := NewItem(map[string]any{"error": ne.Message})
	failed.PairedItem = PairedItems{{Item: i}}
	failed.Error = ne
	return failed
}

// svcJSONItems turns a decoded JSON answer into items: one per array
// element, or one for an object (n8n's returnJsonArray).
func svcJSONItems(v any) []Item {
	switch x := v.(type) {
	case []any:
		out := make([]Item, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, NewItem(m))
			} else {
				out = append(out, NewItem(map[string]any{"data": e}))
			}
		}
		return out
	case map[string]any:
		return []Item{NewItem(x)}
	case nil:
		return nil
	}
	return []Item{NewItem(map[string]any{"data": v})}
}

// svcCredential loads the node's credential of type typ once per run.
type svcCredential struct {
	ctx  *Context
	typ  string
	data map[string]any
	err  error
	done bool
}

func (c *svcCredential) get() (map[string]any, error) {
	if !c.done {
		c.data, c.err = c.ctx.Credential(c.typ)
		c.done = true
	}
	return c.data, c.err
}

// svcBinary makes n8n's binary data entry for a downloaded file.
func svcBinary(data []byte, fileName, mimeType string) *Binary {
	if mt, _, err := mime.ParseMediaType(mimeType); err == nil {
		mimeType = mt
	}
	ext := strings.TrimPrefix(path.Ext(fileName), ".")
	if mimeType == "" || mimeType == "application/octet-stream" || mimeType == "binary/octet-stream" {
		if t := mime.TypeByExtension("." + ext); ext != "" && t != "" {
			mimeType, _, _ = mime.ParseMediaType(t)
		} else if mimeType == "" {
			mimeType = "application/octet-stream"
		}
	}
	b := &Binary{
		Data:          base64.StdEncoding.EncodeToString(data),
		MimeType:      mimeType,
		FileName:      fileName,
		FileExtension: ext,
		FileSize:      svcFileSize(len(data)),
	}
	switch {
	case strings.HasPrefix(mimeType, "image/"):
		b.FileType = "image"
	case strings.HasPrefix(mimeType, "video/"):
		b.FileType = "video"
	case strings.HasPrefix(mimeType, "audio/"):
		b.FileType = "audio"
	case strings.HasPrefix(mimeType, "text/"):
		b.FileType = "text"
	case mimeType == "application/json":
		b.FileType = "json"
	case mimeType == "application/pdf":
		b.FileType = "pdf"
	}
	return b
}

// svcFileSize formats a size as n8n's pretty-bytes does ("12 B", "1.5 kB").
func svcFileSize(n int) string {
	units := []string{"B", "kB", "MB", "GB", "TB"}
	f := float64(n)
	u := 0
	for f >= 1000 && u < len(units)-1 {
		f /= 1000
		u++
	}
	if u == 0 {
		return strconv.Itoa(n) + " B"
	}
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + units[u]
}

// svcBinaryBytes decodes an item's binary property.
func svcBinaryBytes(it Item, i int, prop string) (*Binary, []byte, error) {
	b := it.Binary[prop]
	if b == nil {
		return nil, nil, NewNodeError("This operation expects the node's input data to contain a binary file '%s', but none was found [item %d]", prop, i)
	}
	if b.Data == "" && b.ID != "" {
		return nil, nil, NewNodeError("binary property '%s' is kept in a store weft cannot read here", prop)
	}
	data, err := base64.StdEncoding.DecodeString(b.Data)
	if err != nil {
		return nil, nil, NewNodeError("binary property '%s' is not valid base64: %v", prop, err)
	}
	return b, data, nil
}
