package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"go.temporal.io/api/serviceerror"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// codeTimeout is the code of a webhook answer that did not come in time
// (504); the execution carries on.
const codeTimeout = "TIMEOUT"

func (s *Server) webhookRoutes(r *gin.Engine, p *gin.RouterGroup) {
	// Public: the caller is authenticated by the Webhook node's own
	// settings; the per-IP rate limit and body limit apply.
	r.Any("/webhook/*path", func(c *gin.Context) { s.serveWebhook(c, false); s.countWebhook(c) })
	r.Any("/webhook-test/*path", func(c *gin.Context) { s.serveWebhook(c, true); s.countWebhook(c) })

	p.GET("/webhooks", s.listWebhooks)
	p.POST("/webhooks", s.createWebhook)
	p.DELETE("/webhooks/:id", s.deleteWebhook)
	p.POST("/workflows/:id/test-webhook", s.testWebhook)
}

// countWebhook counts a webhook call by how it was answered
// (weft_webhook_requests_total): a fixed set of outcomes, never paths.
func (s *Server) countWebhook(c *gin.Context) {
	outcome := "error"
	switch st := c.Writer.Status(); {
	case st < 400:
		outcome = "responded"
	case st == http.StatusNotFound:
		outcome = "not_found"
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		outcome = "refused"
	case st == http.StatusMethodNotAllowed:
		outcome = "method_not_allowed"
	case st == http.StatusRequestEntityTooLarge:
		outcome = "too_large"
	case st == http.StatusGatewayTimeout:
		outcome = "timeout"
	case st < 500:
		outcome = "invalid"
	}
	s.ObserveWebhook(outcome)
}

// webhookActivator registers the production webhooks of a workflow's
// Webhook nodes on activation.
type webhookActivator struct{}

func (webhookActivator) register(ctx context.Context, tx *persistence.DB, w *persistence.Workflow) (func(context.Context), error) {
	hooks, err := webhooksOf(w, false)
	if err != nil {
		return nil, err
	}
	for _, h := range hooks {
		if err := tx.InsertWebhook(ctx, h); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func (webhookActivator) unregister(ctx context.Context, tx *persistence.DB, workflowID string) error {
	return tx.DeleteWebhooks(ctx, workflowID, false)
}

// webhooksOf returns the webhook rows of w's enabled Webhook nodes: one per
// node and method.
func webhooksOf(w *persistence.Workflow, test bool) ([]*persistence.Webhook, error) {
	var out []*persistence.Webhook
	for _, n := range w.Definition.Nodes {
		if n.Type != nodes.WebhookType || n.Disabled {
			continue
		}
		p, err := nodes.WebhookParamsOf(n)
		if err != nil {
			return nil, nodes.Errorf(nodes.CodeWorkflowInvalid, "node %q: %v", n.Name, err)
		}
		path := nodes.WebhookPath(p.Path, webhookIDOf(n))
		for _, m := range p.Methods() {
			out = append(out, &persistence.Webhook{WorkflowID: w.ID, OwnerID: w.OwnerID, NodeName: n.Name,
				Method: m, Path: path, IsTest: test})
		}
	}
	return out, nil
}

func webhookIDOf(n *nodes.NodeInstance) string {
	if n.WebhookID != "" {
		return n.WebhookID
	}
	return n.ID
}

// webhookView is a webhook as the API shows it.
type webhookView struct {
	persistence.Webhook
	// URL is where it answers (relative to the server when WEBHOOK_URL is
	// not set).
	URL       string     `json:"url"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

func (s *Server) viewWebhook(h *persistence.Webhook) webhookView {
	prefix := "webhook/"
	v := webhookView{Webhook: *h}
	if h.IsTest {
		prefix = "webhook-test/"
		exp := h.CreatedAt.Add(persistence.TestWebhookTTL)
		v.ExpiresAt = &exp
	}
	base := s.cfg.WebhookURL
	if base == "" {
		base = "/"
	}
	v.URL = base + prefix + h.Path
	return v
}

func (s *Server) listWebhooks(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	hooks, next, err := s.db.ListWebhooks(c.Request.Context(), scopeOf(c), c.Query("workflow_id"), page)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := list[webhookView]{Data: make([]webhookView, len(hooks)), NextCursor: next}
	for i := range hooks {
		out.Data[i] = s.viewWebhook(&hooks[i])
	}
	c.JSON(http.StatusOK, out)
}

// createWebhook registers the production webhook of one Webhook node of an
// active workflow again (after DELETE /webhooks/:id removed it): the body
// names the workflow, the node and, when the node listens to several
// methods, the method. Registering what is registered answers it with 200.
func (s *Server) createWebhook(c *gin.Context) {
	ctx := c.Request.Context()
	var body struct {
		WorkflowID string `json:"workflow_id" validate:"required"`
		Node       string `json:"node" validate:"required"`
		Method     string `json:"method"`
	}
	if !s.bind(c, &body) {
		return
	}
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), body.WorkflowID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if !w.Active {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "workflow %s is not active: activate it to register its webhooks", w.ID))
		return
	}
	hooks, err := webhooksOf(w, false)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var mine []*persistence.Webhook
	for _, h := range hooks {
		if h.NodeName == body.Node {
			mine = append(mine, h)
		}
	}
	if len(mine) == 0 {
		s.writeError(c, invalid("workflow %s has no enabled Webhook node named %q", w.ID, body.Node))
		return
	}
	var h *persistence.Webhook
	switch {
	case body.Method != "":
		for _, m := range mine {
			if m.Method == strings.ToUpper(body.Method) {
				h = m
			}
		}
		if h == nil {
			s.writeError(c, invalid("node %q does not listen to method %s", body.Node, strings.ToUpper(body.Method)))
			return
		}
	case len(mine) == 1:
		h = mine[0]
	default:
		s.writeError(c, invalid("node %q listens to several methods; name one in method", body.Node))
		return
	}
	existing, err := s.db.FindWebhooks(ctx, h.Path, false)
	if err != nil {
		s.writeError(c, err)
		return
	}
	for _, e := range existing {
		if e.Method == h.Method && e.Path == h.Path && e.WorkflowID == w.ID && e.NodeName == h.NodeName {
			c.JSON(http.StatusOK, s.viewWebhook(&e.Webhook))
			return
		}
	}
	if err := s.db.InsertWebhook(ctx, h); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, "webhook.create", "webhook", h.ID, map[string]any{"workflow_id": w.ID, "method": h.Method, "path": h.Path})
	c.JSON(http.StatusCreated, s.viewWebhook(h))
}

func (s *Server) deleteWebhook(c *gin.Context) {
	id := c.Param("id")
	if err := s.db.DeleteWebhook(c.Request.Context(), scopeOf(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, "webhook.delete", "webhook", id, nil)
	c.Status(http.StatusNoContent)
}

// testWebhook registers the workflow's test webhooks (/webhook-test/...)
// for one call within two minutes, replacing earlier ones.
func (s *Server) testWebhook(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	hooks, err := webhooksOf(w, true)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if len(hooks) == 0 {
		s.writeError(c, nodes.Errorf(nodes.CodeWorkflowInvalid, "the workflow has no enabled Webhook node"))
		return
	}
	if err := s.db.ReplaceTestWebhooks(ctx, w.ID, hooks); err != nil {
		s.writeError(c, err)
		return
	}
	out := struct {
		WorkflowID string        `json:"workflow_id"`
		Webhooks   []webhookView `json:"webhooks"`
	}{WorkflowID: w.ID}
	for _, h := range hooks {
		out.Webhooks = append(out.Webhooks, s.viewWebhook(h))
	}
	c.JSON(http.StatusOK, out)
}

// serveWebhook answers a call of a production (/webhook/...) or test
// (/webhook-test/...) URL.
func (s *Server) serveWebhook(c *gin.Context, test bool) {
	ctx := c.Request.Context()
	path := strings.Trim(c.Param("path"), "/")
	method := c.Request.Method
	matches, err := s.db.FindWebhooks(ctx, path, test)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if len(matches) == 0 {
		hint := "The workflow must be active for a production URL to run successfully."
		if test {
			hint = "Click the 'Execute workflow' button on the canvas, then try again (POST /api/workflows/:id/test-webhook). A test URL answers one call within two minutes."
		}
		s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "The requested webhook \"%s %s\" is not registered.", method, path).WithDetail("hint", hint))
		return
	}
	var m *persistence.WebhookMatch
	var allow []string
	for i := range matches {
		allow = append(allow, matches[i].Method)
		if matches[i].Method == method {
			m = &matches[i]
		}
	}
	if m == nil {
		c.Header("Allow", strings.Join(allow, ", "))
		s.writeErrorStatus(c, http.StatusMethodNotAllowed, invalid("This webhook is not registered for %s requests. Did you mean to make a %s request?", method, strings.Join(allow, " or ")).
			WithDetail("allow", allow))
		return
	}
	w, err := s.db.GetWorkflow(ctx, persistence.Scope{Admin: true}, m.WorkflowID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	node := w.Definition.Node(m.NodeName)
	if node == nil || node.Type != nodes.WebhookType || (!test && !w.Active) {
		s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "The requested webhook \"%s %s\" is not registered.", method, path))
		return
	}
	p, err := nodes.WebhookParamsOf(node)
	if err != nil {
		s.writeError(c, nodes.Errorf(nodes.CodeWorkflowInvalid, "node %q: %v", node.Name, err))
		return
	}
	// The connection's address, not X-Forwarded-For, which any caller
	// can set (n8n too reads the socket address unless told to trust
	// proxies).
	if !ipAllowed(p.Options.IPWhitelist, c.RemoteIP()) {
		s.writeError(c, nodes.Errorf(nodes.CodeForbidden, "IP is not whitelisted to access the webhook!"))
		return
	}
	jwtPayload, ok := s.authenticateWebhook(c, w, node, p)
	if !ok {
		return
	}
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	item, err := s.webhookItem(c, m, p, raw, jwtPayload, test)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeInvalid {
			// n8n: a body it cannot parse is 422.
			s.writeErrorStatus(c, http.StatusUnprocessableEntity, err)
			return
		}
		s.writeError(c, err)
		return
	}
	if test {
		won, err := s.db.ClaimTestWebhooks(ctx, w.ID)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if !won {
			s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "The requested webhook \"%s %s\" is not registered.", method, path))
			return
		}
	}
	mode := nodes.ModeWebhook
	if test {
		mode = nodes.ModeManual
	}
	e := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: w.OwnerID, Mode: mode}
	req := StartRequest{Execution: e, WorkflowName: w.Name, Definition: withoutAuthData(w.Definition),
		TriggerItems: []nodes.Item{item}, StartNode: node.Name,
		Webhook: &temporal.WebhookTrigger{Node: node.Name, Method: method, ResponseMode: p.ResponseMode}}
	switch p.ResponseMode {
	case nodes.ResponseNode:
		s.respondFromNode(c, req)
	case nodes.ResponseLastNode:
		s.respondLastNode(c, req, p)
	default:
		if err := s.startWebhookExecution(ctx, req, func(ctx context.Context) error { return s.runner.Start(ctx, req) }); err != nil {
			s.writeError(c, err)
			return
		}
		s.respondOnReceived(c, p)
	}
}

// startWebhookExecution writes the execution row, then starts it with
// start. If that fails the row is marked failed, as start in
// executions.go does.
func (s *Server) startWebhookExecution(ctx context.Context, req StartRequest, start func(context.Context) error) error {
	if err := s.db.CreateExecution(ctx, req.Execution); err != nil {
		return err
	}
	if err := start(ctx); err != nil {
		msg := "execution could not be started: " + nodes.ErrorMessage(err)
		s.log.Error("start webhook execution", zap.String("execution_id", req.Execution.ID), zap.Error(err))
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if uerr := s.db.UpdateExecution(wctx, req.Execution.ID, persistence.ExecutionUpdate{Status: nodes.StatusError, Error: &msg}); uerr != nil {
			s.log.Error("mark unstarted execution failed", zap.String("execution_id", req.Execution.ID), zap.Error(uerr))
		}
		return nodes.Errorf(nodes.CodeInternal, "%s", msg)
	}
	return nil
}

// withoutAuthData returns def without the credential data configured on
// Webhook nodes, so it never reaches Temporal's history.
func withoutAuthData(def *nodes.Workflow) *nodes.Workflow {
	strip := false
	for _, n := range def.Nodes {
		if n.Type == nodes.WebhookType && hasAuthData(n) {
			strip = true
		}
	}
	if !strip {
		return def
	}
	def = def.Clone()
	for _, n := range def.Nodes {
		if n.Type == nodes.WebhookType && hasAuthData(n) {
			params := make(map[string]any, len(n.Parameters))
			for k, v := range n.Parameters {
				if k != "httpBasicAuth" && k != "httpHeaderAuth" && k != "jwtAuth" {
					params[k] = v
				}
			}
			n.Parameters = params
		}
	}
	return def
}

func hasAuthData(n *nodes.NodeInstance) bool {
	for _, k := range []string{"httpBasicAuth", "httpHeaderAuth", "jwtAuth"} {
		if _, ok := n.Parameters[k]; ok {
			return true
		}
	}
	return false
}

func (s *Server) respondOnReceived(c *gin.Context, p *nodes.WebhookParams) {
	code := p.Code()
	setHeaders(c, p.Options.ResponseHeaders)
	switch {
	case p.Options.NoResponseBody || p.ResponseData == nodes.ResponseNoData:
		writeBody(c, code, "application/json; charset=utf-8", nil)
	case p.Options.ResponseData != "":
		writeBody(c, code, "text/html; charset=utf-8", []byte(p.Options.ResponseData))
	case p.ResponseData != "" && p.ResponseData != nodes.ResponseFirstJSON && p.ResponseData != nodes.ResponseAllEntries:
		// typeVersion 1 kept a custom text in responseData.
		writeBody(c, code, "text/html; charset=utf-8", []byte(p.ResponseData))
	default:
		writeBody(c, code, "application/json; charset=utf-8", []byte(`{"message":"Workflow was started"}`))
	}
}

// respondLastNode starts the execution, waits for it to end and answers
// with the last node's data.
func (s *Server) respondLastNode(c *gin.Context, req StartRequest, p *nodes.WebhookParams) {
	ctx := c.Request.Context()
	var await func(context.Context) error
	err := s.startWebhookExecution(ctx, req, func(ctx context.Context) error {
		var err error
		await, err = s.runner.StartForEnd(ctx, req)
		return err
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	id := req.Execution.ID
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WebhookTimeout)
	defer cancel()
	if err := await(wctx); err != nil {
		s.webhookWaitFailed(c, wctx, id, err)
		return
	}
	e, err := s.db.GetExecution(ctx, persistence.Scope{Admin: true}, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if e.Status != nodes.StatusSuccess {
		s.writeErrorStatus(c, http.StatusInternalServerError, nodes.Errorf(nodes.CodeExecutionFailed, "Error in workflow").
			WithDetail("execution_id", id).WithDetail("status", e.Status))
		return
	}
	var items []nodes.Item
	if e.LastNode != nil {
		rd, err := s.db.RunStore().LoadRunData(ctx, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if runs := rd[*e.LastNode]; len(runs) > 0 {
			items = runs[len(runs)-1].Output(0)
		}
	}
	code := p.Code()
	setHeaders(c, p.Options.ResponseHeaders)
	ctype := "application/json"
	if p.Options.ResponseContentType != "" {
		ctype = p.Options.ResponseContentType
	}
	ctype = nodes.WithCharset(ctype)
	switch p.ResponseData {
	case nodes.ResponseNoData:
		writeBody(c, code, ctype, nil)
	case nodes.ResponseAllEntries:
		parts := make([]json.RawMessage, len(items))
		for i, it := range items {
			parts[i] = itemJSON(it)
		}
		b, _ := json.Marshal(parts)
		writeBody(c, code, ctype, b)
	case nodes.ResponseFirstBinary:
		name := p.ResponseBinaryPropertyName
		if name == "" {
			name = "data"
		}
		if len(items) == 0 || items[0].Binary[name] == nil || items[0].Binary[name].Data == "" {
			s.writeErrorStatus(c, http.StatusInternalServerError, nodes.Errorf(nodes.CodeExecutionFailed, "The binary property %q which should be returned does not exist", name))
			return
		}
		bin := items[0].Binary[name]
		data, err := base64.StdEncoding.DecodeString(bin.Data)
		if err != nil {
			s.writeErrorStatus(c, http.StatusInternalServerError, nodes.Errorf(nodes.CodeExecutionFailed, "the binary property %q is not valid base64", name))
			return
		}
		mt := bin.MimeType
		if mt == "" {
			mt = "application/octet-stream"
		}
		writeBody(c, code, mt, data)
	default:
		if len(items) == 0 {
			s.writeErrorStatus(c, http.StatusInternalServerError, nodes.Errorf(nodes.CodeExecutionFailed, "No item to return was found"))
			return
		}
		body := itemJSON(items[0])
		if prop := p.Options.ResponsePropertyName; prop != "" {
			v, ok := lookupDotted(items[0].JSON, prop)
			if str, isStr := v.(string); ok && isStr {
				writeBody(c, code, "text/html; charset=utf-8", []byte(str))
				return
			}
			var fields map[string]json.RawMessage
			if json.Unmarshal(body, &fields) == nil && !strings.Contains(prop, ".") {
				body = fields[prop]
			} else {
				body, _ = json.Marshal(v)
			}
			if len(body) == 0 {
				body = nil
			}
		}
		writeBody(c, code, ctype, body)
	}
}

// respondFromNode starts the execution with Update-with-Start and answers
// with what its Respond to Webhook node gives.
func (s *Server) respondFromNode(c *gin.Context, req StartRequest) {
	ctx := c.Request.Context()
	var await func(context.Context) (*temporal.WebhookReply, error)
	err := s.startWebhookExecution(ctx, req, func(ctx context.Context) error {
		var err error
		await, err = s.runner.StartForResponse(ctx, req)
		return err
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.WebhookTimeout)
	defer cancel()
	reply, err := await(wctx)
	if err != nil {
		s.webhookWaitFailed(c, wctx, req.Execution.ID, err)
		return
	}
	if reply.Response == nil {
		// The execution ended and no Respond to Webhook node answered:
		// n8n answers 200 with an empty body, whether it failed or not.
		writeBody(c, http.StatusOK, "application/json; charset=utf-8", nil)
		return
	}
	r := reply.Response
	body, err := temporal.ResponseBody(ctx, s.db.RunStore(), r)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ctype := ""
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, "Content-Type") {
			ctype = h.Value
			continue
		}
		c.Writer.Header().Set(h.Name, h.Value)
	}
	writeBody(c, r.Status, ctype, body)
}

// webhookWaitFailed answers a call whose execution did not answer in time
// (504, the execution carries on) or could not be awaited.
//
// wctx is the wait's context: once its deadline has passed, whatever error
// the wait ended with (the SDK's, gRPC's) is the timeout.
func (s *Server) webhookWaitFailed(c *gin.Context, wctx context.Context, executionID string, err error) {
	if c.Request.Context().Err() == nil && (waitTimedOut(wctx) || isTimeout(err)) {
		s.writeErrorStatus(c, http.StatusGatewayTimeout, nodes.Errorf(codeTimeout, "the workflow did not answer within %s; execution %s carries on", s.cfg.WebhookTimeout, executionID).
			WithDetail("execution_id", executionID))
		return
	}
	s.log.Warn("await webhook execution", zap.String("execution_id", executionID), zap.Error(err))
	s.writeErrorStatus(c, http.StatusInternalServerError, nodes.Errorf(nodes.CodeExecutionFailed, "Error in workflow").WithDetail("execution_id", executionID))
}

// waitTimedOut reports whether a wait reached its deadline. The server may
// end a long poll at the deadline a moment before the context's own timer
// fires, so a wait that ends within a short margin of it counts too.
func waitTimedOut(wctx context.Context) bool {
	if errors.Is(wctx.Err(), context.DeadlineExceeded) {
		return true
	}
	dl, ok := wctx.Deadline()
	return ok && time.Until(dl) < 250*time.Millisecond
}

func isTimeout(err error) bool {
	var de *serviceerror.DeadlineExceeded
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &de) || status.Code(err) == codes.DeadlineExceeded ||
		strings.Contains(err.Error(), "context deadline exceeded") || strings.Contains(err.Error(), "DeadlineExceeded")
}

// writeBody writes a webhook answer. 204 and 304 carry no Content-Type, as
// in n8n.
func writeBody(c *gin.Context, code int, ctype string, body []byte) {
	h := c.Writer.Header()
	if code == http.StatusNoContent || code == http.StatusNotModified || ctype == "" && len(body) == 0 {
		h.Del("Content-Type")
	} else if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(code)
	c.Writer.WriteHeaderNow()
	if len(body) > 0 && c.Request.Method != http.MethodHead && code != http.StatusNoContent && code != http.StatusNotModified {
		_, _ = c.Writer.Write(body)
	}
}

func setHeaders(c *gin.Context, hs nodes.HeaderEntries) {
	for _, e := range hs.Entries {
		if e.Name != "" {
			c.Writer.Header().Set(e.Name, nodes.HeaderText(e.Value))
		}
	}
}

// itemJSON is an item's json in its key order.
func itemJSON(it nodes.Item) json.RawMessage {
	b, err := json.Marshal(it)
	if err != nil {
		return json.RawMessage("{}")
	}
	var x struct {
		JSON json.RawMessage `json:"json"`
	}
	if json.Unmarshal(b, &x) != nil || len(x.JSON) == 0 {
		return json.RawMessage("{}")
	}
	return x.JSON
}

func lookupDotted(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// ipAllowed checks n8n's IP allow list: comma-separated addresses or CIDR
// ranges; empty allows everyone.
func ipAllowed(list, ip string) bool {
	if strings.TrimSpace(list) == "" {
		return true
	}
	addr := net.ParseIP(ip)
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		if _, cidr, err := net.ParseCIDR(e); err == nil {
			if addr != nil && cidr.Contains(addr) {
				return true
			}
			continue
		}
		if e == ip || (addr != nil && addr.Equal(net.ParseIP(e))) {
			return true
		}
	}
	return false
}

// webhookCredential returns the credential data of type typ a Webhook node
// authenticates callers with: the credential the node references, through
// Config.WebhookCredentials, when both are set; else the data configured
// on the node itself under parameters.<typ> (the stopgap until stored
// credentials exist).
func (s *Server) webhookCredential(ctx context.Context, w *persistence.Workflow, n *nodes.NodeInstance, typ string) (map[string]any, error) {
	if ref, ok := n.Credentials[typ]; ok && (ref.ID != "" || ref.Name != "") && s.cfg.WebhookCredentials != nil {
		return s.cfg.WebhookCredentials.Credential(ctx, w.ID, typ, ref)
	}
	if m, ok := n.Parameters[typ].(map[string]any); ok {
		return m, nil
	}
	return nil, nodes.Errorf(nodes.CodeWorkflowInvalid, "No authentication data defined on node %q (credentials of type %s)", n.Name, typ)
}

// authenticateWebhook checks the caller against the node's authentication
// (n8n's codes: 401 when credentials are missing, 403 when they are
// wrong) and returns the JWT payload for jwtAuth. On refusal it has
// answered.
func (s *Server) authenticateWebhook(c *gin.Context, w *persistence.Workflow, n *nodes.NodeInstance, p *nodes.WebhookParams) (map[string]any, bool) {
	typ := nodes.WebhookCredentialType(p.Authentication)
	if typ == "" {
		return nil, true
	}
	cred, err := s.webhookCredential(c.Request.Context(), w, n, typ)
	if err != nil {
		s.writeErrorStatus(c, http.StatusInternalServerError, err)
		return nil, false
	}
	str := func(k string) string { v, _ := cred[k].(string); return v }
	unauthorized := func(msg string) (map[string]any, bool) {
		c.Header("WWW-Authenticate", `Basic realm="Webhook"`)
		s.writeError(c, nodes.Errorf(nodes.CodeUnauthorized, "%s", msg))
		return nil, false
	}
	forbidden := func() (map[string]any, bool) {
		s.writeError(c, nodes.Errorf(nodes.CodeForbidden, "Authorization data is wrong!"))
		return nil, false
	}
	switch p.Authentication {
	case nodes.WebhookAuthBasic:
		user, pass, ok := c.Request.BasicAuth()
		if !ok {
			return unauthorized("Authorization is required!")
		}
		// A credential with neither user nor password set would let an
		// empty "Basic Og==" in: refuse instead.
		if (str("user") == "" && str("password") == "") || !secretEqual(user, str("user")) || !secretEqual(pass, str("password")) {
			return forbidden()
		}
	case nodes.WebhookAuthHeader:
		name := str("name")
		if name == "" || !secretEqual(c.GetHeader(name), str("value")) || c.GetHeader(name) == "" {
			return forbidden()
		}
	case nodes.WebhookAuthJWT:
		tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok || strings.TrimSpace(tok) == "" {
			return unauthorized("No token provided")
		}
		claims, err := verifyWebhookJWT(strings.TrimSpace(tok), cred)
		if err != nil {
			return forbidden()
		}
		return claims, true
	}
	return nil, true
}

// secretEqual compares in constant time; comparing digests keeps the
// length of the expected secret from showing in the timing too.
func secretEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// verifyWebhookJWT checks a token with n8n's jwtAuth credential: keyType
// passphrase (secret, HS*) or pemKey (publicKey, RS*/ES*/PS*), algorithm
// (default HS256).
func verifyWebhookJWT(tok string, cred map[string]any) (map[string]any, error) {
	alg, _ := cred["algorithm"].(string)
	if alg == "" {
		alg = "HS256"
	}
	keyType, _ := cred["keyType"].(string)
	key := func(*jwt.Token) (any, error) {
		if keyType == "pemKey" {
			pub, _ := cred["publicKey"].(string)
			switch {
			case strings.HasPrefix(alg, "RS") || strings.HasPrefix(alg, "PS"):
				return jwt.ParseRSAPublicKeyFromPEM([]byte(pub))
			case strings.HasPrefix(alg, "ES"):
				return jwt.ParseECPublicKeyFromPEM([]byte(pub))
			}
			return nil, errors.New("unsupported algorithm")
		}
		secret, _ := cred["secret"].(string)
		return []byte(secret), nil
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(tok, claims, key, jwt.WithValidMethods([]string{alg})); err != nil {
		return nil, err
	}
	return claims, nil
}

// webhookItem builds the item n8n's Webhook node emits: {headers, params,
// query, body, webhookUrl, executionMode} in that key order, plus binary
// data for uploads, binary bodies and rawBody.
func (s *Server) webhookItem(c *gin.Context, m *persistence.WebhookMatch, p *nodes.WebhookParams, raw []byte, jwtPayload map[string]any, test bool) (nodes.Item, error) {
	r := c.Request
	headers := ordered{}
	names := make([]string, 0, len(r.Header)+1)
	for k := range r.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	headers = append(headers, kv{"host", r.Host})
	for _, k := range names {
		headers = append(headers, kv{strings.ToLower(k), strings.Join(r.Header.Values(k), ", ")})
	}
	params := ordered{}
	for seg := range strings.SplitSeq(m.Path, "/") {
		if name, ok := strings.CutPrefix(seg, ":"); ok {
			params = append(params, kv{name, m.Params[name]})
		}
	}
	binary := map[string]*nodes.Binary{}
	ctype := r.Header.Get("Content-Type")
	mt, mparams, _ := mime.ParseMediaType(ctype)
	var body any = ordered{}
	switch {
	case mt == "multipart/form-data":
		fields, err := multipartBody(raw, mparams["boundary"], p.Options.BinaryPropertyName, binary)
		if err != nil {
			return nodes.Item{}, webhookBodyError(err.Error())
		}
		body = fields
	case p.Options.BinaryData && len(raw) > 0:
		binary[binaryName(p)] = binaryOf(raw, ctype, "")
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		if len(strings.TrimSpace(string(raw))) > 0 {
			if !json.Valid(raw) {
				var v any
				err := json.Unmarshal(raw, &v)
				return nodes.Item{}, webhookBodyError(strings.TrimPrefix(err.Error(), "json: "))
			}
			body = json.RawMessage(raw)
		}
	case mt == "application/x-www-form-urlencoded":
		vals, err := parseQuery(string(raw), false)
		if err != nil {
			return nodes.Item{}, webhookBodyError(err.Error())
		}
		body = vals
	case strings.HasPrefix(mt, "text/") || mt == "application/xml":
		body = string(raw)
	case len(raw) > 0:
		binary[binaryName(p)] = binaryOf(raw, ctype, "")
	}
	if p.Options.RawBody && len(raw) > 0 {
		rt := ctype
		if rt == "" {
			rt = "application/json"
		}
		binary["data"] = &nodes.Binary{Data: base64.StdEncoding.EncodeToString(raw), MimeType: rt}
	}
	query, err := parseQuery(r.URL.RawQuery, true)
	if err != nil {
		return nodes.Item{}, invalid("the query string is not valid: %v", err)
	}
	base := s.cfg.WebhookURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host + "/"
	}
	prefix := "webhook/"
	mode := "production"
	if test {
		prefix, mode = "webhook-test/", "test"
	}
	j := ordered{{"headers", headers}, {"params", params}, {"query", query}, {"body", body},
		{"webhookUrl", base + prefix + m.Path}, {"executionMode", mode}}
	if jwtPayload != nil {
		j = append(j, kv{"jwtPayload", jwtPayload})
	}
	enc := map[string]any{"json": j}
	if len(binary) > 0 {
		enc["binary"] = binary
	}
	b, err := json.Marshal(enc)
	if err != nil {
		return nodes.Item{}, err
	}
	var it nodes.Item
	if err := json.Unmarshal(b, &it); err != nil {
		return nodes.Item{}, err
	}
	return it, nil
}

func webhookBodyError(hint string) error {
	return nodes.Errorf(nodes.CodeInvalid, "Failed to parse request body").WithDetail("hint", hint)
}

func binaryName(p *nodes.WebhookParams) string {
	if p.Options.BinaryPropertyName != "" {
		return p.Options.BinaryPropertyName
	}
	return "data"
}

func binaryOf(data []byte, ctype, name string) *nodes.Binary {
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	b := &nodes.Binary{Data: base64.StdEncoding.EncodeToString(data), MimeType: ctype, FileSize: humanSize(len(data))}
	if name != "" {
		b.FileName = name
		if i := strings.LastIndex(name, "."); i >= 0 {
			b.FileExtension = name[i+1:]
		}
	}
	return b
}

func humanSize(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " kB"
	}
	return strconv.Itoa(n) + " B"
}

// multipartBody reads a multipart/form-data body: fields into the body
// object (repeated fields as arrays), files into binary properties named
// after their field (or binaryPropertyName with a counter).
func multipartBody(raw []byte, boundary, propName string, binary map[string]*nodes.Binary) (ordered, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(strings.NewReader(string(raw)), boundary)
	fields := ordered{}
	count := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return fields, nil
		}
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, err
		}
		name := part.FormName()
		if part.FileName() != "" {
			key := strings.TrimSuffix(name, "[]")
			if propName != "" {
				key = propName + strconv.Itoa(count)
			} else if _, dup := binary[key]; dup {
				key += strconv.Itoa(count)
			}
			binary[key] = binaryOf(data, part.Header.Get("Content-Type"), safeFileName(part.FileName()))
			count++
			continue
		}
		fields = fields.add(name, string(data))
	}
}

// safeFileName keeps the last element of an uploaded file's name, whatever
// the separator (/ or \), without control characters; "." and ".." become
// empty. The name is only ever data, but a later node that writes files
// must not receive a path.
func safeFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if strings.Trim(name, ". ") == "" {
		return ""
	}
	return name
}

// kv and ordered encode JSON objects in a given key order.
type kv struct {
	k string
	v any
}

type ordered []kv

// MarshalJSON implements json.Marshaler.
func (o ordered) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, e := range o {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(e.k)
		buf = append(buf, k...)
		buf = append(buf, ':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}

func (o ordered) index(k string) int {
	for i, e := range o {
		if e.k == k {
			return i
		}
	}
	return -1
}

// add sets k, turning a repeated key into an array of its values.
func (o ordered) add(k string, v any) ordered {
	i := o.index(k)
	if i < 0 {
		return append(o, kv{k, v})
	}
	if list, ok := o[i].v.([]any); ok {
		o[i].v = append(list, v)
	} else {
		o[i].v = []any{o[i].v, v}
	}
	return o
}

// parseQuery parses a query string or form body. extended reads qs's
// brackets as Express's query parser does (a[]=1 gives an array, a[b]=1
// nests); otherwise keys stay as written. Repeated keys give arrays.
func parseQuery(q string, extended bool) (ordered, error) {
	out := ordered{}
	if q == "" {
		return out, nil
	}
	for pair := range strings.SplitSeq(q, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		if !extended {
			out = out.add(k, v)
			continue
		}
		out = setQS(out, k, v)
	}
	return out, nil
}

// setQS sets a qs-style key ("a", "a[]", "a[b][c]") in o.
func setQS(o ordered, key, v string) ordered {
	open := strings.IndexByte(key, '[')
	if open <= 0 || !strings.HasSuffix(key, "]") {
		return o.add(key, v)
	}
	head, rest := key[:open], key[open:]
	var segs []string
	for rest != "" {
		end := strings.IndexByte(rest, ']')
		if !strings.HasPrefix(rest, "[") || end < 0 {
			return o.add(key, v)
		}
		segs = append(segs, rest[1:end])
		rest = rest[end+1:]
	}
	i := o.index(head)
	var cur any
	if i >= 0 {
		cur = o[i].v
	}
	nv := setQSPath(cur, segs, v)
	if i >= 0 {
		o[i].v = nv
		return o
	}
	return append(o, kv{head, nv})
}

func setQSPath(cur any, segs []string, v string) any {
	if len(segs) == 0 {
		if cur == nil {
			return v
		}
		if list, ok := cur.([]any); ok {
			return append(list, v)
		}
		return []any{cur, v}
	}
	seg := segs[0]
	if seg == "" {
		list, _ := cur.([]any)
		if cur != nil && list == nil {
			list = []any{cur}
		}
		return append(list, setQSPath(nil, segs[1:], v))
	}
	obj, ok := cur.(ordered)
	if !ok {
		obj = ordered{}
	}
	i := obj.index(seg)
	if i < 0 {
		return append(obj, kv{seg, setQSPath(nil, segs[1:], v)})
	}
	obj[i].v = setQSPath(obj[i].v, segs[1:], v)
	return obj
}
