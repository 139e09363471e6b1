package nodes

import (
	"slices"
	"strconv"
	"strings"
)

// WebhookType is the Webhook trigger's type name.
const WebhookType = "n8n-nodes-base.webhook"

// Webhook is n8n's Webhook trigger. The API receives the HTTP call, builds
// the item n8n's node builds ({headers, params, query, body, webhookUrl,
// executionMode}) and starts the execution with it; Execute only routes that
// item to the output of the request's method (one output per method when
// several are allowed).
type Webhook struct{}

// WebhookParams are the Webhook node's parameters.
type WebhookParams struct {
	MultipleMethods bool `json:"multipleMethods" doc:"Listen to several HTTP methods, one output each (v2+)."`
	// HTTPMethod is a string, or a list of them with multipleMethods.
	HTTPMethod     any    `json:"httpMethod" doc:"HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD), or a list with multipleMethods."`
	Path           string `json:"path" doc:"Path after /webhook/; ':name' segments are path parameters (the path is then prefixed with the node's webhookId)."`
	Authentication string `json:"authentication" doc:"none, basicAuth, headerAuth or jwtAuth."`
	ResponseMode   string `json:"responseMode" doc:"onReceived (answer at once), lastNode (the last node's data) or responseNode (a Respond to Webhook node)."`
	ResponseData   string `json:"responseData" doc:"lastNode: firstEntryJson, firstEntryBinary, allEntries or noData."`
	// ResponseCode is typeVersion 1 and 1.1's response code.
	ResponseCode               any            `json:"responseCode" doc:"Response code (typeVersion 1 and 1.1)."`
	ResponseBinaryPropertyName string         `json:"responseBinaryPropertyName" doc:"lastNode with firstEntryBinary: the binary property to send."`
	Options                    WebhookOptions `json:"options" doc:"Options."`
}

// WebhookOptions are the Webhook node's options.
type WebhookOptions struct {
	ResponseCode         *WebhookResponseCode `json:"responseCode" doc:"Response code: {values: {responseCode, customCode}} (v2+)."`
	ResponseData         string               `json:"responseData" doc:"onReceived: a text answered instead of the default message."`
	ResponseHeaders      HeaderEntries        `json:"responseHeaders" doc:"Response headers: {entries: [{name, value}]}."`
	ResponseContentType  string               `json:"responseContentType" doc:"lastNode: Content-Type of the answer."`
	ResponsePropertyName string               `json:"responsePropertyName" doc:"lastNode with firstEntryJson: send only this property of the first item."`
	NoResponseBody       bool                 `json:"noResponseBody" doc:"Answer with an empty body."`
	RawBody              bool                 `json:"rawBody" doc:"Also keep the raw request body as binary property data."`
	BinaryData           bool                 `json:"binaryData" doc:"typeVersion 1: receive the body as binary data."`
	BinaryPropertyName   string               `json:"binaryPropertyName" doc:"Binary property that receives a binary body or uploaded files."`
	IPWhitelist          string               `json:"ipWhitelist" doc:"Comma-separated IP addresses allowed to call; empty allows all."`
	IgnoreBots           bool                 `json:"ignoreBots" doc:"Refuse calls from link previewers and crawlers."`
}

// WebhookResponseCode is the v2 response code option.
type WebhookResponseCode struct {
	Values struct {
		ResponseCode any `json:"responseCode"`
		CustomCode   any `json:"customCode"`
	} `json:"values"`
}

// HeaderEntries is n8n's {entries: [{name, value}]} header list.
type HeaderEntries struct {
	Entries []HeaderEntry `json:"entries"`
}

// HeaderEntry is one header; Value may be any JSON value an expression
// gave (numbers are sent as text).
type HeaderEntry struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Webhook response modes and response data choices, n8n's names.
const (
	ResponseOnReceived   = "onReceived"
	ResponseLastNode     = "lastNode"
	ResponseNode         = "responseNode"
	ResponseFirstJSON    = "firstEntryJson"
	ResponseFirstBinary  = "firstEntryBinary"
	ResponseAllEntries   = "allEntries"
	ResponseNoData       = "noData"
	WebhookAuthNone      = "none"
	WebhookAuthBasic     = "basicAuth"
	WebhookAuthHeader    = "headerAuth"
	WebhookAuthJWT       = "jwtAuth"
	webhookDefaultMethod = "GET"
)

// WebhookMethods are the HTTP methods a Webhook node may listen to.
var WebhookMethods = []string{"DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"}

func init() { Register(Webhook{}) }

// Describe implements Node.
func (Webhook) Describe() Description {
	return Description{
		Name:        WebhookType,
		DisplayName: "Webhook",
		Summary:     "Starts the workflow when its URL is called (/webhook/<path>).",
		Versions:    []float64{1, 1.1, 2, 2.1},
		Kind:        KindPure,
		Trigger:     true,
		Outputs: func(n *NodeInstance) int {
			p, err := WebhookParamsOf(n)
			if err != nil || !p.MultipleMethods {
				return 1
			}
			return max(len(p.Methods()), 1)
		},
		Params: WebhookParams{},
	}
}

// WebhookParamsOf decodes a Webhook node's static parameters with n8n's
// defaults filled in.
func WebhookParamsOf(n *NodeInstance) (*WebhookParams, error) {
	p := WebhookParams{Authentication: WebhookAuthNone, ResponseMode: ResponseOnReceived}
	if err := StaticParams(n, &p); err != nil {
		return nil, err
	}
	if p.ResponseData == "" && p.ResponseMode == ResponseLastNode {
		p.ResponseData = ResponseFirstJSON
	}
	return &p, nil
}

// Methods returns the HTTP methods the node listens to, upper case, in the
// order of its outputs.
func (p *WebhookParams) Methods() []string {
	switch m := p.HTTPMethod.(type) {
	case string:
		if m != "" {
			return []string{strings.ToUpper(m)}
		}
	case []any:
		out := make([]string, 0, len(m))
		for _, v := range m {
			if s, ok := v.(string); ok {
				out = append(out, strings.ToUpper(s))
			}
		}
		return out
	}
	if p.MultipleMethods {
		return []string{"GET", "POST"}
	}
	return []string{webhookDefaultMethod}
}

// WebhookPath returns the path a Webhook node registers, without slashes
// at either end: its path, prefixed with its webhookId when the path has
// ':name' parameters (as n8n does), or the webhookId alone when the path is
// empty. webhookID is the node's webhookId (or its id when it has none).
func WebhookPath(path, webhookID string) string {
	path = strings.Trim(path, "/")
	if path == "" {
		return webhookID
	}
	if HasPathParams(path) {
		return webhookID + "/" + path
	}
	return path
}

// HasPathParams reports whether a path has ':name' segments.
func HasPathParams(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(seg, ":") {
			return true
		}
	}
	return false
}

// Code returns the response code the node's parameters give (200 when
// none).
func (p *WebhookParams) Code() int {
	if c, ok := toCode(p.ResponseCode); ok {
		return c
	}
	if rc := p.Options.ResponseCode; rc != nil {
		if c, ok := toCode(rc.Values.CustomCode); ok {
			return c
		}
		if c, ok := toCode(rc.Values.ResponseCode); ok {
			return c
		}
	}
	return 200
}

func toCode(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x >= 100 && x <= 599 {
			return int(x), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil && n >= 100 && n <= 599 {
			return n, true
		}
	}
	return 0, false
}

// Validate implements Node.
func (Webhook) Validate(n *NodeInstance) error {
	p, err := WebhookParamsOf(n)
	if err != nil {
		return err
	}
	if isExprParam(n, "path") {
		return ParamErrorf("path", "must be a fixed path, not an expression")
	}
	methods := p.Methods()
	if len(methods) == 0 {
		return ParamErrorf("httpMethod", "at least one HTTP method is required")
	}
	seen := map[string]bool{}
	for _, m := range methods {
		if !slices.Contains(WebhookMethods, m) {
			return ParamErrorf("httpMethod", "unknown HTTP method %q (one of %s)", m, strings.Join(WebhookMethods, ", "))
		}
		if seen[m] {
			return ParamErrorf("httpMethod", "method %s is listed twice", m)
		}
		seen[m] = true
	}
	for seg := range strings.SplitSeq(strings.Trim(p.Path, "/"), "/") {
		if seg == ":" || strings.ContainsAny(seg, "?#") {
			return ParamErrorf("path", "invalid path segment %q", seg)
		}
	}
	switch p.ResponseMode {
	case ResponseOnReceived, ResponseLastNode, ResponseNode:
	default:
		return ParamErrorf("responseMode", "unknown response mode %q (onReceived, lastNode or responseNode)", p.ResponseMode)
	}
	switch p.ResponseData {
	case "", ResponseFirstJSON, ResponseFirstBinary, ResponseAllEntries, ResponseNoData:
	default:
		if p.ResponseMode == ResponseLastNode {
			return ParamErrorf("responseData", "unknown response data %q", p.ResponseData)
		}
	}
	switch p.Authentication {
	case WebhookAuthNone, WebhookAuthBasic, WebhookAuthHeader, WebhookAuthJWT:
	default:
		return ParamErrorf("authentication", "unknown authentication %q (none, basicAuth, headerAuth or jwtAuth)", p.Authentication)
	}
	return nil
}

// Execute implements Node: the call's item goes to the output of the
// request's method (output 0 when the node has one, or when it was run
// without a call).
func (Webhook) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := triggerItems(in)
	p, err := WebhookParamsOf(ctx.Node)
	if err != nil || !p.MultipleMethods {
		return [][]Item{items}, nil
	}
	methods := p.Methods()
	out := make([][]Item, len(methods))
	i := slices.Index(methods, strings.ToUpper(ctx.Execution.WebhookMethod))
	if i < 0 {
		i = 0
	}
	out[i] = items
	return out, nil
}

// WebhookCredentialType returns the n8n credential type an authentication
// choice uses (httpBasicAuth, httpHeaderAuth, jwtAuth), "" for none.
func WebhookCredentialType(auth string) string {
	switch auth {
	case WebhookAuthBasic:
		return "httpBasicAuth"
	case WebhookAuthHeader:
		return "httpHeaderAuth"
	case WebhookAuthJWT:
		return "jwtAuth"
	}
	return ""
}

// HeaderText is a header value as n8n sends it: strings as they are,
// numbers and booleans in their JSON spelling, nil as "" (plainText; other
// values as fmt.Sprint writes them).
func HeaderText(v any) string { return plainText(v) }

var _ Node = Webhook{}
