package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/persistence"
)

// The OpenAPI 3 document of the API is built from apiOperations (one entry
// per route) and the schemas in openapi/schemas.json. TestOpenAPIMatchesRouter
// checks that every route the router serves has its entry and every entry
// a route: adding a route means adding its entry to apiOperations.

//go:embed openapi/schemas.json
var openAPISchemas []byte

//go:embed openapi/docs.html
var docsPage []byte

// operation documents one route.
type operation struct {
	// Method and Path are the route as registered with Gin
	// (/api/workflows/:id); path parameters are documented from it. A
	// catch-all (*path), which spans slashes, appears as {path} in the
	// document: OpenAPI path templates have no catch-all. Method anyMethod
	// stands for every method Gin's Any registers.
	Method, Path string
	// Tag groups operations in the docs; Summary is one line.
	Tag, Summary string
	// Description says more, when a line is not enough.
	Description string
	// Public operations need no access token; Admin ones an admin's.
	Public, Admin bool
	// Query lists the query parameters.
	Query []param
	// PathParams describe path parameters, by name.
	PathParams map[string]string
	// Body names the request body's schema (components/schemas);
	// OptionalBody when it may be left out; BodyContentType is its media
	// type when not JSON.
	Body            string
	OptionalBody    bool
	BodyContentType string
	// Status is the success status (default 200); Response names its
	// body's schema, "" for none; List wraps it in {data, next_cursor}.
	// StatusText describes it when http.StatusText is not enough.
	Status     int
	StatusText string
	Response   string
	List       bool
	// ContentType of the success response, when not JSON (with Response,
	// the schema of that content).
	ContentType string
	// Errors are the error statuses worth listing beyond 401 (every
	// authenticated route), 429 and 500; each answers an Error.
	// ErrorText says when they happen, by status.
	Errors    []int
	ErrorText map[int]string
	// Extra are further answers that are not Errors (another success
	// status, a body that is not JSON).
	Extra []response
	// Extensions are added to the operation object as they are (x-...).
	Extensions map[string]any
}

// response is an answer of an operation besides its success and errors.
type response struct {
	Status      int
	Description string
	// Schema names the body's schema; ContentType its media type
	// (default JSON when Schema is set).
	Schema, ContentType string
}

// anyMethod as an operation's Method documents a route registered with
// Gin's Any: one operation per method.
const anyMethod = "ANY"

// ginAnyMethods are the methods Gin's Any registers a handler for.
var ginAnyMethods = []string{
	http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodHead, http.MethodOptions, http.MethodDelete, http.MethodConnect,
	http.MethodTrace,
}

// openAPIMethods are the methods an OpenAPI 3.0 path item can describe;
// CONNECT is not one of them.
var openAPIMethods = map[string]bool{
	http.MethodGet: true, http.MethodPut: true, http.MethodPost: true, http.MethodDelete: true,
	http.MethodOptions: true, http.MethodHead: true, http.MethodPatch: true, http.MethodTrace: true,
}

// methods are the methods the router serves op's path with.
func (op operation) methods() []string {
	if op.Method == anyMethod {
		return ginAnyMethods
	}
	return []string{op.Method}
}

// param is a query parameter.
type param struct {
	Name, Type, Description string
	Enum                    []string
}

// Query parameters shared by list routes.
var (
	pageParams = []param{
		{Name: "limit", Type: "integer", Description: "Page size, 1 to 250 (default 50)."},
		{Name: "cursor", Type: "string", Description: "next_cursor of the previous page."},
	}
	waitParams = []param{
		{Name: "wait", Type: "boolean", Description: "true waits for the execution to finish before answering."},
		{Name: "timeout", Type: "integer", Description: "Seconds to wait at most (capped by the server's limit, default 60)."},
	}
	executionFilters = []param{
		{Name: "status", Type: "string", Enum: []string{"new", "running", "waiting", "success", "error", "canceled", "crashed"}},
		{Name: "mode", Type: "string", Description: "Trigger mode, e.g. manual, retry."},
		{Name: "started_after", Type: "string", Description: "RFC 3339 time (inclusive)."},
		{Name: "started_before", Type: "string", Description: "RFC 3339 time (exclusive)."},
	}
)

func with(ps ...[]param) []param {
	var out []param
	for _, p := range ps {
		out = append(out, p...)
	}
	return out
}

// apiOperations is every route of the API. Keep it in the order of the
// routes' files.
var apiOperations = []operation{
	// api.go
	{Method: "GET", Path: "/healthz", Tag: "Operations", Summary: "Health: 200 when the database and Temporal answer", Public: true, Response: "Health", Errors: []int{503}},
	{Method: "GET", Path: "/api/openapi.json", Tag: "Operations", Summary: "This OpenAPI 3 document", Public: true, ContentType: "application/json"},
	{Method: "GET", Path: "/api/docs", Tag: "Operations", Summary: "Interactive API documentation (HTML)", Public: true, ContentType: "text/html"},
	{Method: "GET", Path: "/api/audit", Tag: "Operations", Summary: "The audit log of critical operations, newest first", Admin: true,
		Query: with([]param{
			{Name: "action", Type: "string", Enum: persistence.AuditActions},
			{Name: "actor_id", Type: "string", Description: "The user who acted."},
			{Name: "object_type", Type: "string", Description: "user, workflow, execution, credential."},
			{Name: "object_id", Type: "string"},
			{Name: "since", Type: "string", Description: "RFC 3339 time (inclusive)."},
			{Name: "until", Type: "string", Description: "RFC 3339 time (exclusive)."},
		}, pageParams), Response: "AuditEntry", List: true, Errors: []int{400, 403}},
	{Method: "GET", Path: "/metrics", Tag: "Operations", Summary: "Prometheus metrics (text format)", Public: true, ContentType: "text/plain",
		Description: "Metrics of this process in Prometheus' text exposition format; labels hold route templates, node types, statuses and modes, never ids or data. Not served here with METRICS=false, or when METRICS_PORT serves it on a port of its own."},

	// auth.go
	{Method: "POST", Path: "/api/auth/register", Tag: "Auth", Summary: "Sign up (the first user becomes admin)", Public: true, Body: "RegisterRequest", Status: 201, Response: "TokenPair", Errors: []int{400, 403, 409}},
	{Method: "POST", Path: "/api/auth/login", Tag: "Auth", Summary: "Log in", Public: true, Body: "LoginRequest", Response: "TokenPair", Errors: []int{400, 401}},
	{Method: "POST", Path: "/api/auth/refresh", Tag: "Auth", Summary: "Exchange a refresh token for a new pair (rotation; a reused token revokes its family)", Public: true, Body: "RefreshRequest", Response: "TokenPair", Errors: []int{400, 401}},
	{Method: "POST", Path: "/api/auth/logout", Tag: "Auth", Summary: "End the session of the access token and of the refresh token given", Public: true, Body: "LogoutRequest", OptionalBody: true, Status: 204},
	{Method: "GET", Path: "/api/auth/me", Tag: "Auth", Summary: "The current user", Response: "User"},

	// workflows.go
	{Method: "GET", Path: "/api/workflows", Tag: "Workflows", Summary: "List workflows",
		Query: with([]param{
			{Name: "search", Type: "string", Description: "Part of the name."},
			{Name: "tag", Type: "string"},
			{Name: "active", Type: "boolean"},
		}, pageParams), Response: "Workflow", List: true, Errors: []int{400}},
	{Method: "POST", Path: "/api/workflows", Tag: "Workflows", Summary: "Create a workflow from an n8n export", Body: "WorkflowInput", Status: 201, Response: "Workflow", Errors: []int{400, 422}},
	{Method: "GET", Path: "/api/workflows/:id", Tag: "Workflows", Summary: "Get a workflow", Response: "Workflow", Errors: []int{404}},
	{Method: "PUT", Path: "/api/workflows/:id", Tag: "Workflows", Summary: "Replace a workflow (saved as a new version)", Body: "WorkflowInput", Response: "Workflow", Errors: []int{400, 404, 422}},
	{Method: "PATCH", Path: "/api/workflows/:id", Tag: "Workflows", Summary: "Change some fields of a workflow (saved as a new version)", Body: "WorkflowInput", Response: "Workflow", Errors: []int{400, 404, 422}},
	{Method: "DELETE", Path: "/api/workflows/:id", Tag: "Workflows", Summary: "Delete a workflow", Status: 204, Errors: []int{404}},
	{Method: "POST", Path: "/api/workflows/:id/activate", Tag: "Workflows", Summary: "Activate: register the workflow's triggers", Response: "Workflow", Errors: []int{404, 409, 422}},
	{Method: "POST", Path: "/api/workflows/:id/deactivate", Tag: "Workflows", Summary: "Deactivate: remove the workflow's triggers", Response: "Workflow", Errors: []int{404}},
	{Method: "POST", Path: "/api/workflows/:id/duplicate", Tag: "Workflows", Summary: "Copy a workflow", Body: "DuplicateRequest", OptionalBody: true, Status: 201, Response: "Workflow", Errors: []int{400, 404}},
	{Method: "POST", Path: "/api/workflows/:id/execute", Tag: "Executions", Summary: "Run a workflow", Query: waitParams, Body: "ExecuteRequest", OptionalBody: true, Status: 201, Response: "Execution", Errors: []int{400, 404, 422}},
	{Method: "GET", Path: "/api/workflows/:id/executions", Tag: "Executions", Summary: "List a workflow's executions", Query: with(executionFilters, pageParams), Response: "Execution", List: true, Errors: []int{400, 404}},

	// nodes.go
	{Method: "GET", Path: "/api/workflows/:id/nodes", Tag: "Nodes", Summary: "List a workflow's nodes", Response: "NodeView", List: true, Errors: []int{404}},
	{Method: "POST", Path: "/api/workflows/:id/nodes", Tag: "Nodes", Summary: "Add a node (saved as a new version)", Body: "NodeInput", Status: 201, Response: "NodeView", Errors: []int{400, 404, 422}},
	{Method: "POST", Path: "/api/workflows/:id/connections", Tag: "Nodes", Summary: "Connect two nodes", Body: "ConnectionInput", Status: 201, Response: "Connection", Errors: []int{400, 404, 409, 422}},
	{Method: "GET", Path: "/api/nodes/types", Tag: "Nodes", Summary: "The node types weft runs, with their parameters", Response: "NodeType", List: true},
	{Method: "GET", Path: "/api/nodes/:id", Tag: "Nodes", Summary: "Get a node", Response: "NodeView", Errors: []int{404}},
	{Method: "PUT", Path: "/api/nodes/:id", Tag: "Nodes", Summary: "Change a node (saved as a new version)", Body: "NodeInput", Response: "NodeView", Errors: []int{400, 404, 422}},
	{Method: "DELETE", Path: "/api/nodes/:id", Tag: "Nodes", Summary: "Remove a node and its connections", Status: 204, Errors: []int{404}},
	{Method: "POST", Path: "/api/nodes/:id/test", Tag: "Nodes", Summary: "Run one node on given items, outside any execution", Body: "NodeTestRequest", OptionalBody: true, Response: "NodeRun", Errors: []int{400, 404, 422}},
	{Method: "DELETE", Path: "/api/connections/:id", Tag: "Nodes", Summary: "Remove a connection", Status: 204, Errors: []int{404}},

	// executions.go
	{Method: "GET", Path: "/api/executions", Tag: "Executions", Summary: "List executions",
		Query: with([]param{{Name: "workflow_id", Type: "string"}}, executionFilters, pageParams), Response: "Execution", List: true, Errors: []int{400}},
	{Method: "GET", Path: "/api/executions/:id", Tag: "Executions", Summary: "Get an execution", Query: waitParams, Response: "Execution", Errors: []int{400, 404}},
	{Method: "GET", Path: "/api/executions/:id/data", Tag: "Executions", Summary: "An execution's run data in n8n's shape", Response: "ExecutionData", Errors: []int{404}},
	{Method: "POST", Path: "/api/executions/:id/stop", Tag: "Executions", Summary: "Stop a running or waiting execution", Response: "Execution", Errors: []int{404, 409}},
	{Method: "POST", Path: "/api/executions/:id/retry", Tag: "Executions", Summary: "Run a failed or canceled execution again from where it failed", Query: waitParams, Status: 201, Response: "Execution", Errors: []int{400, 404, 409}},
	{Method: "DELETE", Path: "/api/executions/:id", Tag: "Executions", Summary: "Delete a finished execution and its data", Status: 204, Errors: []int{404, 409}},

	// schedules.go
	{Method: "GET", Path: "/api/workflows/:id/schedules", Tag: "Workflows", Summary: "The Temporal schedules of a workflow's schedule triggers",
		Description: "One per rule of every enabled Schedule Trigger or Cron node, registered on activation, with the next and last run times Temporal last reported. An inactive workflow has none; next_cursor is always empty.",
		Response:    "Schedule", List: true, Errors: []int{404}},

	// credentials.go
	{Method: "GET", Path: "/api/credentials", Tag: "Credentials", Summary: "List credentials, without their data",
		Description: "Your credentials (an admin's: everyone's), most recently updated first.",
		Query: with([]param{
			{Name: "type", Type: "string", Description: "Keep credentials of this type (e.g. httpBasicAuth)."},
			{Name: "search", Type: "string", Description: "Part of the name, any case."},
		}, pageParams), Response: "Credential", List: true, Errors: []int{400}},
	{Method: "POST", Path: "/api/credentials", Tag: "Credentials", Summary: "Create a credential (its data is stored encrypted)",
		Description: "data is checked against the type's fields (GET /api/credentials/types): unknown fields, missing required ones and values of the wrong type are refused, naming the fields; defaults are filled in. The answer shows secret fields as the blank placeholder.",
		Body:        "CredentialInput", Status: 201, Response: "Credential", Errors: []int{400},
		ErrorText: map[int]string{400: "Missing or too long name, unknown type, or data that does not fit the type (details.fields)"}},
	{Method: "GET", Path: "/api/credentials/types", Tag: "Credentials", Summary: "The credential types weft knows, with their fields", Response: "CredentialTypeList"},
	{Method: "GET", Path: "/api/credentials/:id", Tag: "Credentials", Summary: "Get a credential; secret fields show the blank placeholder", Response: "Credential", Errors: []int{404}},
	{Method: "PUT", Path: "/api/credentials/:id", Tag: "Credentials", Summary: "Rename a credential and/or replace its data", Description: credentialUpdateNote,
		Body: "CredentialUpdate", Response: "Credential", Errors: []int{400, 404}},
	{Method: "PATCH", Path: "/api/credentials/:id", Tag: "Credentials", Summary: "Rename a credential and/or replace its data (same as PUT)", Description: credentialUpdateNote,
		Body: "CredentialUpdate", Response: "Credential", Errors: []int{400, 404}},
	{Method: "DELETE", Path: "/api/credentials/:id", Tag: "Credentials", Summary: "Delete a credential",
		Description: "Workflows that reference it keep the reference; their nodes fail with \"credential not found\" when they run, as in n8n.",
		Status:      204, Errors: []int{404}},
	{Method: "POST", Path: "/api/credentials/:id/test", Tag: "Credentials", Summary: "Test a credential against its service",
		Description: "Connects with the stored data (at most 30 s) and answers n8n's test result: OK, Error with the reason (secret values removed), or Skipped for types that cannot be tested on their own. A failed test is still 200.",
		Response:    "CredentialTestResult", Errors: []int{404}},

	// webhooks.go
	{Method: anyMethod, Path: "/webhook/*path", Tag: "Webhooks", Summary: "Call the production webhook of an active workflow", Public: true,
		Description:     "Runs the active workflow whose Webhook node listens to this path and method (paths with :name segments match, their values in the item's params). No token: the node's own authentication (basic auth, header auth or JWT, from its credential) and IP allow list apply, as do the per-IP rate limit and the body limit.",
		PathParams:      map[string]string{"path": "The Webhook node's path (e.g. orders, or <webhookId>/orders/:id when it has parameters); a trailing slash is ignored."},
		Body:            "WebhookCall",
		BodyContentType: "*/*", OptionalBody: true,
		StatusText: webhookAnswerNote, Response: "WebhookAnswer", ContentType: "*/*",
		Errors:    []int{401, 403, 404, 405, 413, 422, 504},
		ErrorText: webhookErrors},
	{Method: anyMethod, Path: "/webhook-test/*path", Tag: "Webhooks", Summary: "Call a test webhook (one call within 2 minutes)", Public: true,
		Description:     "Answers once, within 2 minutes of POST /api/workflows/{id}/test-webhook, running the saved version in mode manual; otherwise as /webhook/{path}.",
		PathParams:      map[string]string{"path": "The Webhook node's path."},
		Body:            "WebhookCall",
		BodyContentType: "*/*", OptionalBody: true,
		StatusText: webhookAnswerNote, Response: "WebhookAnswer", ContentType: "*/*",
		Errors:    []int{401, 403, 404, 405, 413, 422, 504},
		ErrorText: webhookErrors},
	{Method: "GET", Path: "/api/webhooks", Tag: "Webhooks", Summary: "List registered webhooks (yours; an admin's: everyone's)",
		Query: with([]param{{Name: "workflow_id", Type: "string", Description: "Keep one workflow's webhooks."}}, pageParams), Response: "Webhook", List: true, Errors: []int{400}},
	{Method: "POST", Path: "/api/webhooks", Tag: "Webhooks", Summary: "Register a production webhook of an active workflow's Webhook node again",
		Description: "After DELETE /api/webhooks/{id} removed it. method is needed when the node listens to several.",
		Body:        "WebhookRegistration", Status: 201, Response: "Webhook",
		Extra:  []response{{Status: 200, Description: "The webhook is registered already", Schema: "Webhook"}},
		Errors: []int{400, 404, 409, 422},
		ErrorText: map[int]string{400: "No enabled Webhook node of that name, or a method it does not listen to (or none given when it listens to several)",
			404: "No such workflow (of yours)", 409: "The workflow is not active, or another workflow holds the method and path",
			422: "The Webhook node's parameters are not valid"}},
	{Method: "DELETE", Path: "/api/webhooks/:id", Tag: "Webhooks", Summary: "Unregister a webhook until the workflow is saved or activated again", Status: 204, Errors: []int{404}},
	{Method: "POST", Path: "/api/workflows/:id/test-webhook", Tag: "Webhooks", Summary: "Register the workflow's test webhooks for one call within 2 minutes",
		Description: "Replaces earlier test webhooks of the workflow; answers their /webhook-test/ URLs and expires_at.",
		Response:    "TestWebhooks", Errors: []int{404, 409, 422},
		ErrorText: map[int]string{409: "Another workflow's test webhook holds a method and path", 422: "The workflow has no enabled Webhook node, or its parameters are not valid"}},

	// waiting.go
	{Method: anyMethod, Path: "/webhook-waiting/:id", Tag: "Webhooks", Summary: "Resume an execution whose Wait node waits for a call", Public: true,
		Description: resumeNote, PathParams: map[string]string{"id": "The execution id: the secret of the resume URL ($execution.resumeUrl)."},
		Body: "WebhookCall", BodyContentType: "*/*", OptionalBody: true,
		StatusText: resumeAnswerNote, Response: "ResumeAnswer", ContentType: "*/*",
		Errors: []int{400, 404, 405, 409, 413}, ErrorText: resumeErrors},
	{Method: anyMethod, Path: "/webhook-waiting/:id/*suffix", Tag: "Webhooks", Summary: "Resume an execution whose Wait node waits for a call of its URL with a suffix", Public: true,
		Description: resumeNote, PathParams: map[string]string{"id": "The execution id.", "suffix": "The Wait node's webhookSuffix option."},
		Body: "WebhookCall", BodyContentType: "*/*", OptionalBody: true,
		StatusText: resumeAnswerNote, Response: "ResumeAnswer", ContentType: "*/*",
		Errors: []int{400, 404, 405, 409, 413}, ErrorText: resumeErrors},

	// ws.go
	{Method: "GET", Path: "/api/ws", Tag: "Realtime", Summary: "WebSocket stream of execution progress and workflow changes",
		Description: "Upgrades to a WebSocket (subprotocol weft). The access token comes as Authorization: Bearer, as ?token=, or from a browser as a second subprotocol \"bearer.<token>\" (new WebSocket(url, [\"weft\", \"bearer.\" + token])). A request with an Origin header must come from ALLOWED_ORIGINS. Then send WsClientMessage to subscribe to a workflow or an execution; the server sends WsServerMessage. The server pings every 30 s and drops a client silent for 60 s; it closes with 4008 a client that does not keep up (256 queued messages) and with 4001 when the access token expires. At most 200 subscriptions per connection.",
		Query:       []param{{Name: "token", Type: "string", Description: "The access token, for clients that cannot send headers."}},
		Status:      http.StatusSwitchingProtocols, StatusText: "Switching Protocols: the connection is a WebSocket carrying JSON messages (x-weft-websocket)",
		Errors: []int{403}, ErrorText: map[int]string{401: "Missing, invalid or expired token (with WWW-Authenticate), before the upgrade", 403: "The Origin is not allowed"},
		Extra: []response{{Status: 400, Description: "Not a WebSocket handshake: the upgrader answers in plain text", ContentType: "text/plain"}},
		Extensions: map[string]any{"x-weft-websocket": map[string]any{
			"subprotocol": "weft",
			"client":      ref("WsClientMessage"),
			"server":      ref("WsServerMessage"),
		}}},
}

// Texts shared by operations.
const (
	credentialUpdateNote = "Every field is optional; type, if sent, must be the credential's. data, when sent, replaces the stored data as a whole (fields left out are removed, as in n8n) and is checked like a new credential's; a secret field sent back as the blank placeholder keeps its stored value."
	webhookAnswerNote    = "The Webhook node's answer (status, headers and content type from its options): responseMode onReceived answers {\"message\": \"Workflow was started\"} (or options.responseData as text, or no body) once the execution has started; lastNode answers the last node's data when the execution ends; responseNode what the Respond to Webhook node sends."
	resumeNote           = "The execution continues from its Wait node with the call as its item {headers, params, query, body}. Public, as in n8n: the execution id is the secret. Only the method the Wait node waits for is accepted. The body is at most 1 MiB."
	resumeAnswerNote     = "The Wait node's response code (default 200) with {\"message\": \"Workflow was started\"}, or its responseData as text"
)

var (
	webhookErrors = map[int]string{
		401: "The node's authentication needs credentials the call lacks (with WWW-Authenticate)",
		403: "Wrong credentials, or the caller's address is not in the node's IP allow list",
		404: "No webhook is registered for this path (test URLs: none waits, or its one call was taken)",
		405: "The path is registered for other methods (Allow names them; n8n says 404)",
		413: "The body is larger than the server's limit",
		422: "The body does not parse as its Content-Type says, the query string is not valid, or the Webhook node's parameters are not valid",
		500: "Internal error, or the execution failed (EXECUTION_FAILED, lastNode), or the node's credential could not be read",
		504: "TIMEOUT: the workflow did not answer within WEFT_WEBHOOK_TIMEOUT (lastNode, responseNode); details.execution_id carries on",
	}
	resumeErrors = map[int]string{
		400: "The body is not valid JSON or form data as its Content-Type says",
		404: "No such execution, or it waits for a call of another suffix",
		405: "The Wait node waits for another method (Allow names it)",
		409: "The execution has finished, or is not waiting for a call of its resume URL",
		413: "The body is larger than 1 MiB",
	}
)

// docRoutes serves the OpenAPI document and the docs page.
func (s *Server) docRoutes(a *gin.RouterGroup) {
	doc, err := buildOpenAPI(apiOperations)
	a.GET("/openapi.json", func(c *gin.Context) {
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", doc)
	})
	a.GET("/docs", func(c *gin.Context) {
		c.Data(http.StatusOK, "text/html; charset=utf-8", docsPage)
	})
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns a Gin path into an OpenAPI one (/:id to /{id}).
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// catchAllNote describes a catch-all path parameter.
const catchAllNote = "The rest of the path, slashes included (a catch-all: OpenAPI path templates cannot span segments, so {%s} stands for all of it)."

// anyMethodNote is added to the description of every operation of a route
// that answers any method.
const anyMethodNote = "The route answers every method (GET, POST, PUT, PATCH, HEAD, OPTIONS, DELETE, TRACE and CONNECT, which OpenAPI 3 cannot describe) with the same handler; a CORS preflight (OPTIONS with Access-Control-Request-Method) is answered 204 before it."

// buildOpenAPI renders the document.
func buildOpenAPI(ops []operation) ([]byte, error) {
	var schemas map[string]any
	if err := json.Unmarshal(openAPISchemas, &schemas); err != nil {
		return nil, err
	}
	paths := map[string]map[string]any{}
	tags := map[string]bool{}
	for _, op := range ops {
		path := openAPIPath(op.Path)
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		tags[op.Tag] = true
		for _, method := range op.methods() {
			if !openAPIMethods[method] {
				continue
			}
			paths[path][strings.ToLower(method)] = operationObject(op, method)
		}
	}
	tagList := make([]string, 0, len(tags))
	for t := range tags {
		tagList = append(tagList, t)
	}
	sort.Strings(tagList)
	tagObjs := make([]any, len(tagList))
	for i, t := range tagList {
		tagObjs[i] = map[string]any{"name": t}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "weft API",
			"version":     "1",
			"description": "Durable, n8n-compatible workflow automation on Temporal. JSON in, JSON out; errors are {code, message, details}; lists are {data, next_cursor} with ?limit= and ?cursor=. Authenticate with POST /api/auth/login and send Authorization: Bearer <access_token>.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"tags":    tagObjs,
		"paths":   paths,
		"components": map[string]any{
			"schemas":         schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

// operationObject is the OpenAPI operation of op for one of its methods.
func operationObject(op operation, method string) map[string]any {
	var params []any
	for _, m := range ginParam.FindAllStringSubmatch(op.Path, -1) {
		p := map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
		desc := op.PathParams[m[1]]
		if strings.HasPrefix(m[0], "*") {
			desc = strings.TrimSpace(desc + " " + fmt.Sprintf(catchAllNote, m[1]))
			p["x-weft-catch-all"] = true
		}
		if desc != "" {
			p["description"] = desc
		}
		params = append(params, p)
	}
	for _, q := range op.Query {
		sch := map[string]any{"type": q.Type}
		if len(q.Enum) > 0 {
			sch["enum"] = q.Enum
		}
		p := map[string]any{"name": q.Name, "in": "query", "schema": sch}
		if q.Description != "" {
			p["description"] = q.Description
		}
		params = append(params, p)
	}
	status := op.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if op.StatusText != "" {
		ok["description"] = op.StatusText
	}
	switch {
	case op.Response != "" && op.List:
		ok["content"] = jsonContent(map[string]any{"type": "object", "required": []string{"data", "next_cursor"}, "properties": map[string]any{
			"data":        map[string]any{"type": "array", "items": ref(op.Response)},
			"next_cursor": map[string]any{"type": "string", "description": "Empty on the last page."},
		}})
	case op.Response != "" && op.ContentType != "":
		ok["content"] = map[string]any{op.ContentType: map[string]any{"schema": ref(op.Response)}}
	case op.Response != "":
		ok["content"] = jsonContent(ref(op.Response))
	case op.ContentType != "":
		ok["content"] = map[string]any{op.ContentType: map[string]any{}}
	}
	responses := map[string]any{strconv.Itoa(status): ok}
	for _, r := range op.Extra {
		x := map[string]any{"description": r.Description}
		switch {
		case r.Schema != "" && r.ContentType != "":
			x["content"] = map[string]any{r.ContentType: map[string]any{"schema": ref(r.Schema)}}
		case r.Schema != "":
			x["content"] = jsonContent(ref(r.Schema))
		case r.ContentType != "":
			x["content"] = map[string]any{r.ContentType: map[string]any{}}
		}
		responses[strconv.Itoa(r.Status)] = x
	}
	errs := append([]int{}, op.Errors...)
	if !op.Public {
		errs = append(errs, http.StatusUnauthorized)
	}
	if op.Admin {
		errs = append(errs, http.StatusForbidden)
	}
	errs = append(errs, http.StatusTooManyRequests, http.StatusInternalServerError)
	for _, code := range errs {
		key := strconv.Itoa(code)
		if _, done := responses[key]; done {
			continue
		}
		if code == http.StatusServiceUnavailable && op.Response == "Health" {
			responses[key] = map[string]any{"description": "The database or Temporal does not answer", "content": jsonContent(ref("Health"))}
			continue
		}
		desc := http.StatusText(code)
		if t := op.ErrorText[code]; t != "" {
			desc = t
		}
		responses[key] = map[string]any{"description": desc, "content": jsonContent(ref("Error"))}
	}
	o := map[string]any{
		"operationId": operationID(op, method),
		"tags":        []string{op.Tag},
		"summary":     op.Summary,
		"responses":   responses,
	}
	desc := op.Description
	if op.Admin {
		desc += " Admins only."
	}
	if op.Method == anyMethod {
		desc += " " + anyMethodNote
		o["x-weft-any-method"] = true
	}
	if desc = strings.TrimSpace(desc); desc != "" {
		o["description"] = desc
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.Body != "" {
		content := jsonContent(ref(op.Body))
		if op.BodyContentType != "" {
			content = map[string]any{op.BodyContentType: map[string]any{"schema": ref(op.Body)}}
		}
		o["requestBody"] = map[string]any{"required": !op.OptionalBody, "content": content}
	}
	if op.Public {
		o["security"] = []any{}
	}
	for k, v := range op.Extensions {
		o[k] = v
	}
	return o
}

func ref(schema string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + schema}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// operationID is method plus path in camel case: getApiWorkflowsId,
// postApiWorkflowsIdTestWebhook.
func operationID(op operation, method string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, part := range strings.FieldsFunc(op.Path, func(r rune) bool { return strings.ContainsRune("/:.*_-", r) }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
