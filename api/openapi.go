package api

import (
	_ "embed"
	"encoding/json"
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
	// (/api/workflows/:id); path parameters are documented from it.
	Method, Path string
	// Tag groups operations in the docs; Summary is one line.
	Tag, Summary string
	// Description says more, when a line is not enough.
	Description string
	// Public operations need no access token; Admin ones an admin's.
	Public, Admin bool
	// Query lists the query parameters.
	Query []param
	// Body names the request body's schema (components/schemas);
	// OptionalBody when it may be left out.
	Body         string
	OptionalBody bool
	// Status is the success status (default 200); Response names its
	// body's schema, "" for none; List wraps it in {data, next_cursor}.
	Status   int
	Response string
	List     bool
	// ContentType of the success response, when not JSON.
	ContentType string
	// Errors are the error statuses worth listing beyond 401 (every
	// authenticated route), 429 and 500.
	Errors []int
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
}

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
		var params []any
		for _, m := range ginParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
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
		switch {
		case op.Response != "" && op.List:
			ok["content"] = jsonContent(map[string]any{"type": "object", "required": []string{"data", "next_cursor"}, "properties": map[string]any{
				"data":        map[string]any{"type": "array", "items": ref(op.Response)},
				"next_cursor": map[string]any{"type": "string", "description": "Empty on the last page."},
			}})
		case op.Response != "":
			ok["content"] = jsonContent(ref(op.Response))
		case op.ContentType != "":
			ok["content"] = map[string]any{op.ContentType: map[string]any{}}
		}
		responses := map[string]any{strconv.Itoa(status): ok}
		errs := append([]int{}, op.Errors...)
		if !op.Public {
			errs = append(errs, http.StatusUnauthorized)
		}
		if op.Admin {
			errs = append(errs, http.StatusForbidden)
		}
		errs = append(errs, http.StatusTooManyRequests, http.StatusInternalServerError)
		for _, code := range errs {
			if code == http.StatusServiceUnavailable && op.Response == "Health" {
				responses["503"] = map[string]any{"description": "The database or Temporal does not answer", "content": jsonContent(ref("Health"))}
				continue
			}
			responses[strconv.Itoa(code)] = map[string]any{"description": http.StatusText(code), "content": jsonContent(ref("Error"))}
		}
		o := map[string]any{
			"operationId": operationID(op),
			"tags":        []string{op.Tag},
			"summary":     op.Summary,
			"responses":   responses,
		}
		if op.Description != "" {
			o["description"] = op.Description
		}
		if op.Admin {
			o["description"] = strings.TrimSpace(op.Description + " Admins only.")
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != "" {
			o["requestBody"] = map[string]any{"required": !op.OptionalBody, "content": jsonContent(ref(op.Body))}
		}
		if op.Public {
			o["security"] = []any{}
		}
		paths[path][strings.ToLower(op.Method)] = o
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

func ref(schema string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + schema}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// operationID is method plus path in camel case: getApiWorkflowsId.
func operationID(op operation) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(op.Method))
	for _, part := range strings.FieldsFunc(op.Path, func(r rune) bool { return r == '/' || r == ':' || r == '.' || r == '*' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}
