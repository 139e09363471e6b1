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
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// HTTPRequest is n8n's HTTP Request node (versions 4 to 4.2): one request per
// input item (with pagination, several), authenticated by a credential,
// answered as JSON, text or a binary file. Every address it dials passes the
// worker's NetPolicy.
type HTTPRequest struct{}

func init() { Register(HTTPRequest{}) }

// HTTPParams are the HTTP Request node's parameters.
type HTTPParams struct {
	Method             string      `json:"method" doc:"GET (default), POST, PUT, PATCH, DELETE, HEAD or OPTIONS."`
	URL                string      `json:"url" doc:"The URL to request (http or https)."`
	Authentication     string      `json:"authentication" doc:"none (default), predefinedCredentialType (nodeCredentialType names the type) or genericCredentialType (genericAuthType: httpBasicAuth, httpHeaderAuth, httpQueryAuth, httpBearerAuth, oAuth2Api)."`
	NodeCredentialType string      `json:"nodeCredentialType" doc:"The credential type used with predefinedCredentialType."`
	GenericAuthType    string      `json:"genericAuthType" doc:"The credential type used with genericCredentialType."`
	SendQuery          bool        `json:"sendQuery" doc:"Send query parameters."`
	SpecifyQuery       string      `json:"specifyQuery" doc:"keypair (queryParameters.parameters) or json (jsonQuery)."`
	QueryParameters    httpPairs   `json:"queryParameters" doc:"{parameters: [{name, value}]}."`
	JSONQuery          any         `json:"jsonQuery" doc:"Query parameters as a JSON object."`
	SendHeaders        bool        `json:"sendHeaders" doc:"Send headers."`
	SpecifyHeaders     string      `json:"specifyHeaders" doc:"keypair (headerParameters.parameters) or json (jsonHeaders)."`
	HeaderParameters   httpPairs   `json:"headerParameters" doc:"{parameters: [{name, value}]}."`
	JSONHeaders        any         `json:"jsonHeaders" doc:"Headers as a JSON object."`
	SendBody           bool        `json:"sendBody" doc:"Send a body."`
	ContentType        string      `json:"contentType" doc:"json (default), form-urlencoded, multipart-form-data, raw or binaryData."`
	SpecifyBody        string      `json:"specifyBody" doc:"keypair (bodyParameters.parameters), json (jsonBody) or string (body, form-urlencoded)."`
	BodyParameters     httpPairs   `json:"bodyParameters" doc:"{parameters: [{name, value, parameterType: formData|formBinaryData, inputDataFieldName}]}."`
	JSONBody           any         `json:"jsonBody" doc:"The JSON body."`
	Body               any         `json:"body" doc:"The raw or form-urlencoded string body."`
	RawContentType     string      `json:"rawContentType" doc:"Content-Type of a raw body."`
	InputDataFieldName string      `json:"inputDataFieldName" doc:"Binary property sent as the body with binaryData."`
	Options            HTTPOptions `json:"options" doc:"Request and response options."`
}

type httpPairs struct {
	Parameters []httpPair `json:"parameters"`
}

type httpPair struct {
	Name               string `json:"name"`
	Value              any    `json:"value"`
	ParameterType      string `json:"parameterType"`
	InputDataFieldName string `json:"inputDataFieldName"`
}

// HTTPOptions are the node's options.
type HTTPOptions struct {
	Batching struct {
		Batch struct {
			BatchSize     *float64 `json:"batchSize"`
			BatchInterval *float64 `json:"batchInterval"`
		} `json:"batch"`
	} `json:"batching" doc:"batch: {batchSize, batchInterval (ms)}: send items in batches with a pause between."`
	AllowUnauthorizedCerts bool `json:"allowUnauthorizedCerts" doc:"Skip TLS certificate verification."`
	Redirect               struct {
		Redirect struct {
			FollowRedirects *bool    `json:"followRedirects"`
			MaxRedirects    *float64 `json:"maxRedirects"`
		} `json:"redirect"`
	} `json:"redirect" doc:"redirect: {followRedirects (default true), maxRedirects (default 21)}."`
	Response struct {
		Response struct {
			FullResponse       bool   `json:"fullResponse"`
			NeverError         bool   `json:"neverError"`
			ResponseFormat     string `json:"responseFormat"`
			OutputPropertyName string `json:"outputPropertyName"`
		} `json:"response"`
	} `json:"response" doc:"response: {fullResponse, neverError, responseFormat autodetect|json|text|file, outputPropertyName}."`
	Timeout    *float64 `json:"timeout" doc:"Milliseconds to wait for the server (default 300000)."`
	Pagination any      `json:"pagination" doc:"pagination: {paginationMode off|updateAParameterInEachRequest|responseContainsNextURL, nextURL, parameters: {parameters: [{type qs|body|headers, name, value}]}, paginationCompleteWhen responseIsEmpty|receiveSpecificStatusCodes|other, statusCodesWhenComplete, completeExpression, limitPagesFetched, maxRequests, requestInterval}; expressions see $response, $pageCount and $request."`
}

// Describe implements Node.
func (HTTPRequest) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.httpRequest",
		DisplayName: "HTTP Request",
		Summary:     "Makes an HTTP request per item and returns the response (JSON, text or a binary file).",
		Versions:    []float64{4, 4.1, 4.2},
		Kind:        KindIO,
		Params:      HTTPParams{},
	}
}

var httpMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// Validate implements Node.
func (HTTPRequest) Validate(n *NodeInstance) error {
	var p HTTPParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Method != "" && !slices.Contains(httpMethods, p.Method) {
		return ParamErrorf("method", "%q is not one of %s", p.Method, strings.Join(httpMethods, ", "))
	}
	if raw, ok := n.Parameters["url"].(string); ok && !isExpr(raw) {
		if u, err := url.Parse(raw); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ParamErrorf("url", "%q is not an http or https URL", raw)
		}
	} else if !ok && n.Parameters["url"] == nil {
		return ParamErrorf("url", "is required")
	}
	switch p.Authentication {
	case "", "none":
	case "predefinedCredentialType":
		if p.NodeCredentialType == "" {
			return ParamErrorf("nodeCredentialType", "is required with predefinedCredentialType")
		}
	case "genericCredentialType":
		switch p.GenericAuthType {
		case "httpBasicAuth", "httpHeaderAuth", "httpQueryAuth", "httpBearerAuth", "oAuth2Api":
		default:
			return ParamErrorf("genericAuthType", "%q is not one of httpBasicAuth, httpHeaderAuth, httpQueryAuth, httpBearerAuth, oAuth2Api", p.GenericAuthType)
		}
	default:
		return ParamErrorf("authentication", "%q is not one of none, predefinedCredentialType, genericCredentialType", p.Authentication)
	}
	switch p.ContentType {
	case "", "json", "form-urlencoded", "multipart-form-data", "raw", "binaryData":
	default:
		return ParamErrorf("contentType", "%q is not one of json, form-urlencoded, multipart-form-data, raw, binaryData", p.ContentType)
	}
	switch p.Options.Response.Response.ResponseFormat {
	case "", "autodetect", "json", "text", "file":
	default:
		return ParamErrorf("options.response.response.responseFormat", "%q is not one of autodetect, json, text, file", p.Options.Response.Response.ResponseFormat)
	}
	return nil
}

func isExpr(s string) bool { return strings.HasPrefix(s, "=") }

// httpResponse is one answer as the node and $response see it.
type httpResponse struct {
	status     int
	statusText string
	header     http.Header
	body       []byte
}

func (r *httpResponse) headerMap() map[string]any {
	m := make(map[string]any, len(r.header))
	for k, v := range r.header {
		m[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	return m
}

// maxResponseBytes bounds a response body held in memory.
const maxResponseBytes = 128 << 20

// Execute implements Node.
func (HTTPRequest) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := pairedInputs(in, 1)[0]
	if len(items) == 0 {
		items = []Item{NewItem(nil)}
	}
	x := &httpExec{ctx: ctx, auths: map[string]*credentialAuth{}}
	var out []Item
	for i, it := range items {
		res, err := x.item(i, it)
		if err == nil {
			out = append(out, res...)
		} else {
			ne := AsNodeError(err)
			ne.Message = redact(ne.Message, x.secrets()...)
			ne.Description = redact(ne.Description, x.secrets()...)
			if ne.Node == "" {
				ne.Node = ctx.Node.Name
			}
			if !ctx.ContinueOnFail() {
				if ne.ItemIndex == nil {
					ne.AtItem(i)
				}
				return nil, ne
			}
			out = append(out, failedItem(ne, i))
		}
		if x.batchSize > 0 && x.batchInterval > 0 && (i+1)%x.batchSize == 0 && i+1 < len(items) {
			if err := sleepCtx(ctx, x.batchInterval); err != nil {
				return nil, err
			}
		}
	}
	return [][]Item{out}, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// httpExec is one execution of the node: its clients and credentials,
// shared by the items.
type httpExec struct {
	ctx           *Context
	auths         map[string]*credentialAuth
	batchSize     int
	batchInterval time.Duration
}

func (x *httpExec) secrets() []string {
	var out []string
	for _, a := range x.auths {
		out = append(out, a.secrets()...)
	}
	return out
}

// item runs the request(s) of input item i.
func (x *httpExec) item(i int, it Item) ([]Item, error) {
	ctx := x.ctx
	// Pagination expressions see $response: they are resolved per page,
	// the rest of the parameters once per item.
	raw := CloneJSON(ctx.Node.Parameters).(map[string]any)
	var pagination map[string]any
	if opts, ok := raw["options"].(map[string]any); ok {
		if pg, ok := opts["pagination"].(map[string]any); ok {
			pagination, _ = pg["pagination"].(map[string]any)
		}
		delete(opts, "pagination")
	}
	ev, err := ctx.Evaluate(raw, i)
	if err != nil {
		return nil, err
	}
	p := HTTPParams{Method: "GET"}
	if err := DecodeParams(ev, &p); err != nil {
		return nil, err
	}
	o := p.Options
	if b := o.Batching.Batch; b.BatchSize != nil || b.BatchInterval != nil {
		x.batchSize, x.batchInterval = 50, time.Second
		if b.BatchSize != nil {
			x.batchSize = int(*b.BatchSize)
		}
		if b.BatchInterval != nil {
			x.batchInterval = time.Duration(*b.BatchInterval) * time.Millisecond
		}
	}
	copts := ClientOptions{InsecureTLS: o.AllowUnauthorizedCerts, Timeout: 300 * time.Second}
	if o.Timeout != nil && *o.Timeout > 0 {
		copts.Timeout = time.Duration(*o.Timeout) * time.Millisecond
	}
	if r := o.Redirect.Redirect; r.FollowRedirects != nil && !*r.FollowRedirects {
		copts.NoRedirects = true
	}
	if r := o.Redirect.Redirect; r.MaxRedirects != nil {
		copts.MaxRedirects = int(*r.MaxRedirects)
	}
	policy := NetPolicyFrom(ctx)
	client := policy.Client(copts)
	defer client.CloseIdleConnections()

	auth, err := x.auth(&p, client)
	if err != nil {
		return nil, err
	}
	req, err := x.build(&p, it)
	if err != nil {
		return nil, err
	}
	rf := o.Response.Response
	if rf.OutputPropertyName == "" {
		rf.OutputPropertyName = "data"
	}
	if rf.ResponseFormat == "" {
		rf.ResponseFormat = "autodetect"
	}
	pg := newPagination(pagination)
	var out []Item
	var prev *httpResponse
	for page := 0; ; page++ {
		preq := req.clone()
		if pg != nil {
			if err := pg.apply(x, i, page, prev, preq); err != nil {
				return nil, err
			}
			if page > 0 && pg.interval > 0 {
				if err := sleepCtx(ctx, pg.interval); err != nil {
					return nil, err
				}
			}
		}
		resp, err := x.send(client, policy, auth, preq)
		if err != nil {
			return nil, err
		}
		done := false
		if pg != nil {
			if done, err = pg.complete(x, i, page, resp, preq); err != nil {
				return nil, err
			}
			if done && pg.completeWhen == "receiveSpecificStatusCodes" {
				break
			}
		}
		if resp.status >= 400 && !rf.NeverError {
			return nil, httpStatusError(resp)
		}
		items, err := x.output(i, it, resp, rf.ResponseFormat, rf.FullResponse, rf.OutputPropertyName, preq.url)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		prev = resp
		if pg == nil || done || (pg.limit && page+1 >= pg.maxRequests) {
			break
		}
	}
	return out, nil
}

// auth loads the credential the parameters name, once per execution.
func (x *httpExec) auth(p *HTTPParams, client *http.Client) (*credentialAuth, error) {
	var typ string
	switch p.Authentication {
	case "predefinedCredentialType":
		typ = p.NodeCredentialType
	case "genericCredentialType":
		typ = p.GenericAuthType
	default:
		return nil, nil
	}
	if a := x.auths[typ]; a != nil {
		return a, nil
	}
	data, err := x.ctx.Credential(typ)
	if err != nil {
		return nil, err
	}
	a := &credentialAuth{ctx: x.ctx, typ: typ, data: data, client: client}
	x.auths[typ] = a
	return a, nil
}

// httpReq is a request before it is sent: pagination changes its parts.
type httpReq struct {
	method      string
	url         string
	query       url.Values
	header      http.Header
	body        []byte
	contentType string
	// jsonBody is the JSON body as a value, for pagination's body
	// parameters; nil for other bodies.
	jsonBody map[string]any
	form     url.Values
}

func (r *httpReq) clone() *httpReq {
	c := *r
	c.query = url.Values{}
	for k, v := range r.query {
		c.query[k] = append([]string(nil), v...)
	}
	c.header = r.header.Clone()
	if r.jsonBody != nil {
		c.jsonBody = CloneJSON(r.jsonBody).(map[string]any)
	}
	if r.form != nil {
		c.form = url.Values{}
		for k, v := range r.form {
			c.form[k] = append([]string(nil), v...)
		}
	}
	return &c
}

// requestView is $request.
func (r *httpReq) requestView() map[string]any {
	qs := map[string]any{}
	for k, v := range r.query {
		qs[k] = v[len(v)-1]
	}
	h := map[string]any{}
	for k, v := range r.header {
		h[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	var body any
	if r.jsonBody != nil {
		body = r.jsonBody
	} else if r.body != nil {
		body = string(r.body)
	}
	return map[string]any{"method": r.method, "url": r.url, "qs": qs, "headers": h, "body": body}
}

// build turns the parameters into a request for item it.
func (x *httpExec) build(p *HTTPParams, it Item) (*httpReq, error) {
	r := &httpReq{method: strings.ToUpper(p.Method), url: strings.TrimSpace(p.URL), query: url.Values{}, header: http.Header{}}
	if r.method == "" {
		r.method = "GET"
	}
	if r.url == "" {
		return nil, NewNodeError("The URL parameter is empty")
	}
	if p.SendQuery {
		if err := pairsOrJSON(p.SpecifyQuery, p.QueryParameters, p.JSONQuery, "Query Parameters", func(k string, v any) {
			r.query.Add(k, stringValue(v))
		}); err != nil {
			return nil, err
		}
	}
	if p.SendHeaders {
		if err := pairsOrJSON(p.SpecifyHeaders, p.HeaderParameters, p.JSONHeaders, "Headers", func(k string, v any) {
			r.header.Set(k, stringValue(v))
		}); err != nil {
			return nil, err
		}
	}
	if !p.SendBody {
		return r, nil
	}
	switch p.ContentType {
	case "", "json":
		body := map[string]any{}
		if p.SpecifyBody == "json" {
			v, err := jsonParam(p.JSONBody, "JSON Body")
			if err != nil {
				return nil, err
			}
			if m, ok := v.(map[string]any); ok {
				body = m
			} else {
				b, _ := json.Marshal(v)
				r.body, r.contentType = b, "application/json"
				return r, nil
			}
		} else {
			for _, kv := range p.BodyParameters.Parameters {
				if kv.Name != "" {
					body[kv.Name] = kv.Value
				}
			}
		}
		r.jsonBody = body
		r.contentType = "application/json"
	case "form-urlencoded":
		if p.SpecifyBody == "string" {
			r.body, r.contentType = []byte(stringValue(p.Body)), "application/x-www-form-urlencoded"
			return r, nil
		}
		r.form = url.Values{}
		for _, kv := range p.BodyParameters.Parameters {
			if kv.Name != "" {
				r.form.Add(kv.Name, stringValue(kv.Value))
			}
		}
		r.contentType = "application/x-www-form-urlencoded"
	case "multipart-form-data":
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, kv := range p.BodyParameters.Parameters {
			if kv.ParameterType == "formBinaryData" {
				field := kv.InputDataFieldName
				bin, data, err := itemBinary(it, field)
				if err != nil {
					return nil, err
				}
				name := bin.FileName
				if name == "" {
					name = field
				}
				h := make(map[string][]string)
				h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(kv.Name), quoteEscaper.Replace(name))}
				h["Content-Type"] = []string{or(bin.MimeType, "application/octet-stream")}
				w, err := mw.CreatePart(h)
				if err != nil {
					return nil, err
				}
				_, _ = w.Write(data)
				continue
			}
			if err := mw.WriteField(kv.Name, stringValue(kv.Value)); err != nil {
				return nil, err
			}
		}
		_ = mw.Close()
		r.body, r.contentType = buf.Bytes(), mw.FormDataContentType()
	case "raw":
		r.body, r.contentType = []byte(stringValue(p.Body)), or(p.RawContentType, "text/plain")
	case "binaryData":
		bin, data, err := itemBinary(it, or(p.InputDataFieldName, "data"))
		if err != nil {
			return nil, err
		}
		r.body, r.contentType = data, or(bin.MimeType, "application/octet-stream")
	}
	return r, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// itemBinary returns an item's binary property and its bytes.
func itemBinary(it Item, field string) (*Binary, []byte, error) {
	b := it.Binary[field]
	if b == nil {
		return nil, nil, NewNodeError("The item has no binary field '%s'", field)
	}
	if b.Data == "" && b.ID != "" {
		return nil, nil, NewNodeError("binary field '%s' is stored by reference, which this node cannot read yet", field)
	}
	data, err := base64.StdEncoding.DecodeString(b.Data)
	if err != nil {
		return nil, nil, NewNodeError("binary field '%s' is not valid base64", field)
	}
	return b, data, nil
}

// pairsOrJSON calls add for each name/value of a keypair list or a JSON
// object parameter.
func pairsOrJSON(specify string, pairs httpPairs, jsonVal any, label string, add func(string, any)) error {
	if specify == "json" {
		v, err := jsonParam(jsonVal, label)
		if err != nil {
			return err
		}
		m, ok := v.(map[string]any)
		if !ok {
			return NewNodeError("%s must be a JSON object", label)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			add(k, m[k])
		}
		return nil
	}
	for _, kv := range pairs.Parameters {
		if kv.Name != "" {
			add(kv.Name, kv.Value)
		}
	}
	return nil
}

// jsonParam reads a JSON parameter that may be text or already a value.
func jsonParam(v any, label string) (any, error) {
	s, ok := v.(string)
	if !ok {
		if v == nil {
			return map[string]any{}, nil
		}
		return v, nil
	}
	if strings.TrimSpace(s) == "" {
		return map[string]any{}, nil
	}
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, NewNodeError("%s must be valid JSON", label)
	}
	return out, nil
}

// stringValue writes a parameter value the way n8n's request sends it:
// scalars as scalarText writes them, objects and arrays as JSON.
func stringValue(v any) string {
	if s, ok := scalarText(v); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// send makes one request, with one renewal of an OAuth2 token on 401.
func (x *httpExec) send(client *http.Client, policy NetPolicy, auth *credentialAuth, r *httpReq) (*httpResponse, error) {
	resp, err := x.sendOnce(client, policy, auth, r)
	if err == nil && resp.status == http.StatusUnauthorized && auth != nil && auth.typ == "oAuth2Api" {
		if _, err := auth.oauth2Token(true); err != nil {
			return nil, err
		}
		return x.sendOnce(client, policy, auth, r)
	}
	return resp, err
}

func (x *httpExec) sendOnce(client *http.Client, policy NetPolicy, auth *credentialAuth, r *httpReq) (*httpResponse, error) {
	u, err := url.Parse(r.url)
	if err != nil {
		return nil, NewNodeError("Invalid URL: %s. URL must start with \"http\" or \"https\".", r.url)
	}
	if err := policy.CheckURL(u); err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: err.Error()}
	}
	if len(r.query) > 0 {
		q := u.Query()
		for k, v := range r.query {
			q[k] = v
		}
		u.RawQuery = q.Encode()
	}
	body := r.body
	switch {
	case r.jsonBody != nil:
		body, _ = json.Marshal(r.jsonBody)
	case r.form != nil:
		body = []byte(r.form.Encode())
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(x.ctx, r.method, u.String(), rd)
	if err != nil {
		return nil, NewNodeError("could not build the request: %s", redact(err.Error(), x.secrets()...))
	}
	req.Header = r.header.Clone()
	if r.contentType != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, image/*;q=0.8, */*;q=0.7")
	}
	if auth != nil {
		if err := x.applyAuth(auth, req); err != nil {
			return nil, err
		}
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, x.transportError(u, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, x.transportError(u, err)
	}
	if len(data) > maxResponseBytes {
		return nil, NewNodeError("the response is larger than %d bytes", maxResponseBytes)
	}
	return &httpResponse{status: res.StatusCode, statusText: strings.TrimSpace(strings.TrimPrefix(res.Status, strconv.Itoa(res.StatusCode))),
		header: res.Header, body: data}, nil
}

func (x *httpExec) applyAuth(a *credentialAuth, req *http.Request) error {
	if ct := LookupCredentialType(a.typ); ct != nil && ct.Authenticate != nil {
		if err := ct.Authenticate(req, a.data); err != nil {
			return NewNodeError("%s", redact(err.Error(), a.secrets()...))
		}
		return nil
	}
	return a.apply(req)
}

// transportError is n8n's message for a request that got no answer; it
// names the host only (the URL may hold query credentials).
func (x *httpExec) transportError(u *url.URL, err error) error {
	if b := AsBlocked(err); b != nil {
		return &NodeError{Name: "NodeApiError", Message: b.Error()}
	}
	ne := &NodeError{Name: "NodeApiError"}
	var nerr net.Error
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		ne.Message = "The connection timed out, consider setting the 'Retry on Fail' option in the node settings"
	case errors.As(err, &op) && op.Op == "dial":
		ne.Message = "The service refused the connection - perhaps it is offline"
		ne.Retryable = true
	default:
		ne.Message = "The connection to the server was closed unexpectedly, perhaps it is offline. You can retry the request immediately or wait and retry later."
	}
	ne.Description = redact(u.Host+": "+rootCause(err), x.secrets()...)
	return ne
}

// httpStatusError is n8n's NodeApiError for an answer of 400 or more.
func httpStatusError(r *httpResponse) error {
	var body any = string(r.body)
	if isJSONType(r.header.Get("Content-Type")) {
		var v any
		if json.Unmarshal(r.body, &v) == nil {
			body = v
		}
	}
	b, _ := json.Marshal(body)
	msgs := map[int]string{
		400: "Bad request - please check your parameters",
		401: "Authorization failed - please check your credentials",
		403: "Forbidden - perhaps check your credentials?",
		404: "The resource you are requesting could not be found",
		405: "Method not allowed - please check you are using the right HTTP method",
		429: "The service is receiving too many requests from you",
		500: "The service was not able to process your request",
		502: "Bad gateway - the service failed to handle your request",
		503: "Service unavailable - perhaps try again later?",
		504: "Gateway timed out - perhaps try again later?",
	}
	desc := msgs[r.status]
	if desc == "" {
		desc = r.statusText
	}
	return &NodeError{Name: "NodeApiError", Message: fmt.Sprintf("%d - %s", r.status, b), Description: desc,
		HTTPCode: strconv.Itoa(r.status)}
}

func isJSONType(ct string) bool {
	mt, _, _ := mime.ParseMediaType(ct)
	return strings.Contains(mt, "json")
}

func isTextType(mt string) bool {
	return mt == "" || strings.HasPrefix(mt, "text/") || strings.Contains(mt, "xml") || strings.Contains(mt, "javascript") ||
		mt == "application/x-www-form-urlencoded" || strings.Contains(mt, "json")
}

// output turns a response into items for input item i.
func (x *httpExec) output(i int, in Item, r *httpResponse, format string, full bool, prop, reqURL string) ([]Item, error) {
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if format == "autodetect" {
		switch {
		case isJSONType(mt):
			format = "json"
		case isTextType(mt):
			format = "text"
		default:
			format = "file"
		}
	}
	paired := PairedItems{{Item: i}}
	meta := func(j map[string]any) map[string]any {
		j["headers"], j["statusCode"], j["statusMessage"] = r.headerMap(), float64(r.status), r.statusText
		return j
	}
	switch format {
	case "file":
		it := NewItem(nil)
		for k, v := range in.JSON {
			it.JSON[k] = v
		}
		if full {
			it.JSON = meta(it.JSON)
		}
		it.Binary = map[string]*Binary{}
		for k, v := range in.Binary {
			it.Binary[k] = v
		}
		it.Binary[prop] = binaryOf(r, mt, reqURL)
		it.PairedItem = paired
		return []Item{it}, nil
	case "text":
		if full {
			it := NewItem(meta(map[string]any{"body": string(r.body)}))
			it.PairedItem = paired
			return []Item{it}, nil
		}
		it := NewItem(map[string]any{prop: string(r.body)})
		it.PairedItem = paired
		return []Item{it}, nil
	}
	var body any
	if len(bytes.TrimSpace(r.body)) > 0 {
		if err := json.Unmarshal(r.body, &body); err != nil {
			if isJSONType(mt) || format == "json" {
				return nil, NewNodeError("Response body is not valid JSON. Change \"Response Format\" to \"Text\"")
			}
		}
	}
	if full {
		it := NewItem(meta(map[string]any{"body": body}))
		it.PairedItem = paired
		return []Item{it}, nil
	}
	var out []Item
	add := func(v any) {
		m, ok := v.(map[string]any)
		if !ok {
			m = map[string]any{prop: v}
		}
		it := NewItem(m)
		it.PairedItem = paired
		out = append(out, it)
	}
	switch b := body.(type) {
	case []any:
		for _, v := range b {
			add(v)
		}
	case nil:
		add(map[string]any{})
	default:
		add(b)
	}
	return out, nil
}

// binaryOf is a response body as n8n's binary data.
func binaryOf(r *httpResponse, mt, reqURL string) *Binary {
	b := &Binary{Data: base64.StdEncoding.EncodeToString(r.body), MimeType: or(mt, "application/octet-stream"),
		FileSize: prettyBytes(len(r.body))}
	if _, params, err := mime.ParseMediaType(r.header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		b.FileName = params["filename"]
	} else if u, err := url.Parse(reqURL); err == nil {
		if base := path.Base(u.Path); base != "/" && base != "." {
			b.FileName = base
		}
	}
	if ext := strings.TrimPrefix(path.Ext(b.FileName), "."); ext != "" {
		b.FileExtension = ext
	} else if exts, _ := mime.ExtensionsByType(b.MimeType); len(exts) > 0 {
		b.FileExtension = strings.TrimPrefix(exts[0], ".")
	}
	switch {
	case strings.HasPrefix(b.MimeType, "image/"):
		b.FileType = "image"
	case strings.HasPrefix(b.MimeType, "video/"):
		b.FileType = "video"
	case strings.HasPrefix(b.MimeType, "audio/"):
		b.FileType = "audio"
	case b.MimeType == "application/pdf":
		b.FileType = "pdf"
	case strings.HasPrefix(b.MimeType, "text/"):
		b.FileType = "text"
	case strings.Contains(b.MimeType, "json"):
		b.FileType = "json"
	}
	return b
}

// prettyBytes writes a size as n8n does (pretty-bytes: base 1000, three
// significant digits).
func prettyBytes(n int) string {
	if n < 1000 {
		return strconv.Itoa(n) + " B"
	}
	units := []string{"kB", "MB", "GB", "TB"}
	f := float64(n)
	u := -1
	for f >= 1000 && u < len(units)-1 {
		f /= 1000
		u++
	}
	s := strconv.FormatFloat(f, 'g', 3, 64)
	if strings.Contains(s, "e") {
		s = strconv.FormatFloat(f, 'f', 0, 64)
	}
	return s + " " + units[u]
}

// pagination is the node's pagination option.
type pagination struct {
	raw          map[string]any
	mode         string
	completeWhen string
	codes        map[int]bool
	limit        bool
	maxRequests  int
	interval     time.Duration
}

func newPagination(raw map[string]any) *pagination {
	if raw == nil {
		return nil
	}
	p := &pagination{raw: raw, mode: str(raw["paginationMode"]), completeWhen: or(str(raw["paginationCompleteWhen"]), "responseIsEmpty"),
		maxRequests: 100}
	if p.mode == "" {
		p.mode = "updateAParameterInEachRequest"
	}
	if p.mode == "off" {
		return nil
	}
	if b, ok := raw["limitPagesFetched"].(bool); ok {
		p.limit = b
	}
	if n, ok := toNumberParam(raw["maxRequests"]); ok && n > 0 {
		p.maxRequests = int(n)
	}
	if n, ok := toNumberParam(raw["requestInterval"]); ok && n > 0 {
		p.interval = time.Duration(n) * time.Millisecond
	}
	p.codes = map[int]bool{}
	for _, c := range strings.Split(stringValue(raw["statusCodesWhenComplete"]), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(c)); err == nil {
			p.codes[n] = true
		}
	}
	return p
}

// env is the expression environment of a pagination expression.
func (p *pagination) env(x *httpExec, i, page int, resp *httpResponse, r *httpReq) map[string]any {
	env := x.ctx.ExprEnv(i)
	rv := map[string]any{}
	if resp != nil {
		rv = map[string]any{"body": responseBody(resp), "headers": resp.headerMap(), "statusCode": float64(resp.status), "statusMessage": resp.statusText}
	}
	env["$response"], env["$pageCount"], env["$request"] = rv, float64(page), r.requestView()
	return env
}

func responseBody(r *httpResponse) any {
	var v any
	if json.Unmarshal(r.body, &v) == nil {
		return v
	}
	return string(r.body)
}

func (p *pagination) eval(x *httpExec, v any, env map[string]any, i int) (any, error) {
	s, ok := v.(string)
	if !ok || !isExpr(s) {
		return v, nil
	}
	r, err := x.ctx.Expr.Resolve(s, env)
	if err != nil {
		return nil, x.ctx.exprError(err, i)
	}
	return r, nil
}

// apply changes request r for page (0 is the first), given the previous
// response.
func (p *pagination) apply(x *httpExec, i, page int, prev *httpResponse, r *httpReq) error {
	env := p.env(x, i, page, prev, r)
	switch p.mode {
	case "responseContainsNextURL":
		if page == 0 {
			return nil
		}
		v, err := p.eval(x, p.raw["nextURL"], env, i)
		if err != nil {
			return err
		}
		next := stringValue(v)
		if next == "" {
			return NewNodeError("the pagination's next URL is empty")
		}
		if base, err := url.Parse(r.url); err == nil {
			if u, err := base.Parse(next); err == nil {
				next = u.String()
			}
		}
		r.url = next
		r.query = url.Values{}
	case "updateAParameterInEachRequest":
		params, _ := p.raw["parameters"].(map[string]any)
		list, _ := params["parameters"].([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			name := str(m["name"])
			if name == "" {
				continue
			}
			v, err := p.eval(x, m["value"], env, i)
			if err != nil {
				return err
			}
			switch or(str(m["type"]), "qs") {
			case "qs":
				r.query.Set(name, stringValue(v))
			case "headers":
				r.header.Set(name, stringValue(v))
			case "body":
				switch {
				case r.form != nil:
					r.form.Set(name, stringValue(v))
				default:
					if r.jsonBody == nil {
						r.jsonBody = map[string]any{}
						r.contentType = "application/json"
					}
					r.jsonBody[name] = v
				}
			}
		}
	}
	return nil
}

// complete reports whether resp is the last page.
func (p *pagination) complete(x *httpExec, i, page int, resp *httpResponse, r *httpReq) (bool, error) {
	switch p.completeWhen {
	case "receiveSpecificStatusCodes":
		return p.codes[resp.status], nil
	case "other":
		env := p.env(x, i, page+1, resp, r)
		v, err := p.eval(x, p.raw["completeExpression"], env, i)
		if err != nil {
			return false, err
		}
		b, _ := v.(bool)
		return b, nil
	}
	switch b := responseBody(resp).(type) {
	case string:
		return strings.TrimSpace(b) == "", nil
	case []any:
		return len(b) == 0, nil
	case map[string]any:
		return len(b) == 0, nil
	case nil:
		return true, nil
	}
	return false, nil
}

var _ Node = HTTPRequest{}
