package nodes

import (
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
)

// RespondToWebhookType is the Respond to Webhook node's type name.
const RespondToWebhookType = "n8n-nodes-base.respondToWebhook"

// RespondToWebhook is n8n's Respond to Webhook node. It evaluates the answer
// for its first input item, keeps it in its run's state (StateWebhookResponse)
// for the interpreter, which hands it to the webhook call waiting for it, and
// passes its input items through.
type RespondToWebhook struct{}

// RespondParams are the Respond to Webhook node's parameters.
type RespondParams struct {
	RespondWith        string         `json:"respondWith" doc:"allIncomingItems, firstIncomingItem, json, text, binary, redirect or noData."`
	ResponseBody       any            `json:"responseBody" doc:"json: the body (a JSON text or a value); text: the text."`
	RedirectURL        string         `json:"redirectURL" doc:"redirect: the URL."`
	ResponseDataSource string         `json:"responseDataSource" doc:"binary: automatically (the first binary property) or set."`
	InputFieldName     string         `json:"inputFieldName" doc:"binary with responseDataSource=set: the binary property to send."`
	Options            RespondOptions `json:"options" doc:"Options."`
}

// RespondOptions are the Respond to Webhook node's options.
type RespondOptions struct {
	ResponseCode    any           `json:"responseCode" doc:"Response code (default 200; 307 for redirects)."`
	ResponseHeaders HeaderEntries `json:"responseHeaders" doc:"Response headers: {entries: [{name, value}]}."`
	ResponseKey     string        `json:"responseKey" doc:"allIncomingItems/firstIncomingItem: put the data in this (dotted) field."`
}

// StateWebhookResponse is the key of the run state under which Respond to
// Webhook leaves its WebhookResponse.
const StateWebhookResponse = "webhookResponse"

// WebhookResponse is the answer to a webhook call, as a Respond to Webhook
// node (or the API) makes it.
type WebhookResponse struct {
	// Status is the HTTP status code.
	Status int `json:"status"`
	// Headers are the headers to send, Content-Type included.
	Headers []HeaderPair `json:"headers,omitempty"`
	// Body is the body to send.
	Body []byte `json:"body,omitempty"`
	// BodyRef, when set, says the body was too large to travel inline and
	// is kept in the run store instead (the interpreter sets it).
	BodyRef *WebhookBodyRef `json:"bodyRef,omitempty"`
}

// HeaderPair is one response header.
type HeaderPair struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// WebhookBodyRef names a response body kept in the run store: binary
// property "data" of item 0 of the run of pseudo-node Node.
type WebhookBodyRef struct {
	ExecutionID string `json:"executionId"`
	Node        string `json:"node"`
	Bytes       int    `json:"bytes"`
}

// Header returns the value of a header (case-insensitive), or "".
func (r *WebhookResponse) Header(name string) string {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// SetHeader replaces a header (case-insensitive) or adds it.
func (r *WebhookResponse) SetHeader(name, value string) {
	for i, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			r.Headers[i].Value = value
			return
		}
	}
	r.Headers = append(r.Headers, HeaderPair{Name: name, Value: value})
}

func init() { Register(RespondToWebhook{}) }

// Describe implements Node.
func (RespondToWebhook) Describe() Description {
	return Description{
		Name:        RespondToWebhookType,
		DisplayName: "Respond to Webhook",
		Summary:     "Answers the webhook call that started the workflow (Webhook with responseMode responseNode) and passes its items on.",
		Versions:    []float64{1, 1.1, 1.2, 1.3, 1.4, 1.5},
		Kind:        KindPure,
		Params:      RespondParams{},
	}
}

func respondDefaults() RespondParams {
	return RespondParams{RespondWith: "firstIncomingItem", ResponseDataSource: "automatically", InputFieldName: "data"}
}

// Validate implements Node.
func (RespondToWebhook) Validate(n *NodeInstance) error {
	p := respondDefaults()
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.RespondWith {
	case "allIncomingItems", "firstIncomingItem", "json", "text", "binary", "redirect", "noData":
	default:
		return ParamErrorf("respondWith", "unknown respondWith %q", p.RespondWith)
	}
	if p.Options.ResponseCode != nil && !isExprParam(n, "options.responseCode") {
		if _, ok := toCode(p.Options.ResponseCode); !ok {
			return ParamErrorf("options.responseCode", "must be an HTTP status code between 100 and 599")
		}
	}
	return nil
}

// Execute implements Node.
func (RespondToWebhook) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := ctx.InputItems(0)
	resp, err := RespondToWebhook{}.Response(ctx, items)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if ctx.State == nil {
		ctx.State = map[string]any{}
	}
	ctx.State[StateWebhookResponse] = m
	return [][]Item{items}, nil
}

// WebhookResponseOf returns the answer a Respond to Webhook run left in its
// state, or nil.
func WebhookResponseOf(run *NodeRun) *WebhookResponse {
	if run == nil || run.State == nil {
		return nil
	}
	v, ok := run.State[StateWebhookResponse]
	if !ok {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var r WebhookResponse
	if json.Unmarshal(b, &r) != nil {
		return nil
	}
	return &r
}

// Response evaluates the node's answer for its first input item, as n8n
// does.
func (RespondToWebhook) Response(ctx *Context, items []Item) (*WebhookResponse, error) {
	p := respondDefaults()
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	resp := &WebhookResponse{Status: http.StatusOK}
	if p.RespondWith == "redirect" {
		resp.Status = http.StatusTemporaryRedirect
	}
	if c, ok := toCode(p.Options.ResponseCode); ok {
		resp.Status = c
	}
	for _, h := range p.Options.ResponseHeaders.Entries {
		if h.Name != "" {
			resp.SetHeader(h.Name, HeaderText(h.Value))
		}
	}
	userType := resp.Header("Content-Type")
	jsonBody := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return NewNodeError("the response body cannot be encoded as JSON: %v", err)
		}
		resp.Body = b
		setContentType(resp, userType, "application/json")
		return nil
	}
	switch p.RespondWith {
	case "allIncomingItems":
		list := make([]any, len(items))
		for i, it := range items {
			list[i] = it.JSON
		}
		return resp, jsonBody(underKey(p.Options.ResponseKey, list))
	case "firstIncomingItem":
		var first any = map[string]any{}
		if len(items) > 0 {
			first = items[0].JSON
		}
		return resp, jsonBody(underKey(p.Options.ResponseKey, first))
	case "json":
		body := p.ResponseBody
		if s, ok := body.(string); ok {
			var v any
			if err := json.Unmarshal([]byte(s), &v); err != nil {
				return nil, NewNodeError("Invalid JSON in 'Response Body' field")
			}
			body = v
		}
		return resp, jsonBody(body)
	case "text":
		resp.Body = []byte(HeaderText(p.ResponseBody))
		setContentType(resp, userType, "text/html")
	case "redirect":
		resp.SetHeader("Location", p.RedirectURL)
		setContentType(resp, userType, "application/json")
	case "noData":
		setContentType(resp, userType, "application/json")
	case "binary":
		if len(items) == 0 || len(items[0].Binary) == 0 {
			return nil, NewNodeError("No binary data exists on the first item")
		}
		var bin *Binary
		if p.ResponseDataSource == "set" {
			bin = items[0].Binary[p.InputFieldName]
			if bin == nil {
				return nil, NewNodeError("The binary property %q does not exist on the first item", p.InputFieldName)
			}
		} else {
			keys := make([]string, 0, len(items[0].Binary))
			for k := range items[0].Binary {
				keys = append(keys, k)
			}
			// The first property in insertion order is not known here;
			// "data" when present, else the first by name.
			bin = items[0].Binary["data"]
			if bin == nil {
				bin = items[0].Binary[minString(keys)]
			}
		}
		if bin.Data == "" && bin.ID != "" {
			return nil, NewNodeError("binary data kept outside the item cannot be sent yet")
		}
		data, err := base64.StdEncoding.DecodeString(bin.Data)
		if err != nil {
			return nil, NewNodeError("the binary data is not valid base64")
		}
		resp.Body = data
		if userType == "" {
			mt := bin.MimeType
			if mt == "" {
				mt = "application/octet-stream"
			}
			resp.SetHeader("Content-Type", mt)
		}
	}
	return resp, nil
}

func minString(s []string) string {
	m := ""
	for i, v := range s {
		if i == 0 || v < m {
			m = v
		}
	}
	return m
}

// underKey puts v under a dotted key ({"a": {"b": v}} for "a.b"), or
// returns v when key is empty.
func underKey(key string, v any) any {
	if key == "" {
		return v
	}
	parts := strings.Split(key, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		v = map[string]any{parts[i]: v}
	}
	return v
}

// setContentType sets the Content-Type of a text body the way Express
// does: the node's own header when it set one, else def, with
// "; charset=utf-8" added when no charset is given.
func setContentType(r *WebhookResponse, user, def string) {
	ct := user
	if ct == "" {
		ct = def
	}
	r.SetHeader("Content-Type", WithCharset(ct))
}

// WithCharset adds "; charset=utf-8" to a media type that names no charset.
func WithCharset(ct string) string {
	if _, params, err := mime.ParseMediaType(ct); err == nil {
		if _, ok := params["charset"]; ok {
			return ct
		}
	} else if strings.Contains(strings.ToLower(ct), "charset=") {
		return ct
	}
	return ct + "; charset=utf-8"
}

var _ Node = RespondToWebhook{}
