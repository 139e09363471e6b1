package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

func (s *Server) executionRoutes(r *gin.RouterGroup) {
	e := r.Group("/executions")
	e.GET("", s.listExecutions)
	e.GET("/:id", s.getExecution)
	e.GET("/:id/data", s.executionData)
	e.POST("/:id/stop", s.stopExecution)
	e.POST("/:id/retry", s.retryExecution)
	e.DELETE("/:id", s.deleteExecution)
}

// executionView is an execution as the API shows it.
type executionView struct {
	persistence.Execution
	// TemporalURL links to the execution's page in the Temporal Web UI.
	TemporalURL string `json:"temporal_ui_url,omitempty"`
}

func (s *Server) viewExecution(e *persistence.Execution) executionView {
	v := executionView{Execution: *e}
	if s.cfg.TemporalUIURL != "" {
		v.TemporalURL = s.cfg.TemporalUIURL + "/namespaces/" + url.PathEscape(s.cfg.TemporalNamespace) +
			"/workflows/" + url.PathEscape(WorkflowIDFor(e.ID))
	}
	return v
}

// WorkflowIDFor is the Temporal workflow id of an execution.
func WorkflowIDFor(executionID string) string { return "weft-exec-" + executionID }

// executeBody is the optional body of POST /workflows/:id/execute: input
// items for the trigger, as n8n items ({"json": …}) or plain objects.
type executeBody struct {
	Items []json.RawMessage `json:"items"`
}

func parseItems(raw []json.RawMessage) ([]nodes.Item, error) {
	out := make([]nodes.Item, 0, len(raw))
	for i, r := range raw {
		var obj map[string]any
		if err := json.Unmarshal(r, &obj); err != nil || obj == nil {
			return nil, invalid("items[%d] must be an object", i)
		}
		if j, ok := obj["json"].(map[string]any); ok {
			var it nodes.Item
			if err := json.Unmarshal(r, &it); err != nil {
				return nil, invalid("items[%d] is not a valid item: %v", i, err)
			}
			it.JSON = j
			out = append(out, it)
			continue
		}
		out = append(out, nodes.NewItem(obj))
	}
	return out, nil
}

func (s *Server) executeWorkflow(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	wait, err := s.waitFor(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body executeBody
	if !s.bind(c, &body) {
		return
	}
	items, err := parseItems(body.Items)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if len(w.Definition.Nodes) == 0 {
		s.writeError(c, nodes.Errorf(nodes.CodeWorkflowInvalid, "the workflow has no nodes to execute"))
		return
	}
	e := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: w.OwnerID, Mode: nodes.ModeManual}
	await, err := s.start(ctx, e, w.Name, w.Definition, items, "", wait > 0)
	c.Set(logExecutionKey, e.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerExecution(c, e.ID, http.StatusCreated, wait, await)
}

// start writes the execution row, then starts it on Temporal. If Temporal
// refuses, the row is marked failed with the reason, so no execution stays
// "new" for a run that never began. With wait, it returns the function
// that waits for the execution's end (Runner.StartForEnd: from the worker
// in this process when there is one).
func (s *Server) start(ctx context.Context, e *persistence.Execution, name string, def *nodes.Workflow, items []nodes.Item, retryOf string, wait bool) (func(context.Context) error, error) {
	if retryOf != "" {
		e.RetryOf = &retryOf
	}
	if err := s.db.CreateExecution(ctx, e); err != nil {
		return nil, err
	}
	req := StartRequest{Execution: e, WorkflowName: name, Definition: def, TriggerItems: items, RetryOf: retryOf}
	var await func(context.Context) error
	var err error
	if wait {
		await, err = s.runner.StartForEnd(ctx, req)
	} else {
		err = s.runner.Start(ctx, req)
	}
	if err != nil {
		msg := "execution could not be started: " + nodes.ErrorMessage(err)
		s.log.Error("start execution", zap.String("execution_id", e.ID), zap.Error(err))
		// A fresh context: the request's may be what failed.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if uerr := s.db.UpdateExecution(wctx, e.ID, persistence.ExecutionUpdate{Status: nodes.StatusError, Error: &msg}); uerr != nil {
			s.log.Error("mark unstarted execution failed", zap.String("execution_id", e.ID), zap.Error(uerr))
		}
		return nil, nodes.Errorf(nodes.CodeInternal, "%s", msg)
	}
	return await, nil
}

// waitFor reads ?wait=true and ?timeout= (seconds; default and cap
// ExecuteWaitTimeout): how long to wait for an execution to finish before
// answering, 0 for not at all. Handlers that start an execution call it
// first, so a bad query starts nothing.
func (s *Server) waitFor(c *gin.Context) (time.Duration, error) {
	if c.Query("wait") != "true" {
		return 0, nil
	}
	timeout := s.cfg.ExecuteWaitTimeout
	if t := c.Query("timeout"); t != "" {
		n, err := atoi(t)
		if err != nil || n < 1 {
			return 0, invalid("timeout must be a positive number of seconds")
		}
		timeout = min(time.Duration(n)*time.Second, timeout)
	}
	return timeout, nil
}

// answerExecution answers with the execution, first waiting up to wait
// for it to finish, with await when the start gave one, else Runner.Wait.
func (s *Server) answerExecution(c *gin.Context, id string, status int, wait time.Duration, await func(context.Context) error) {
	ctx := c.Request.Context()
	if wait > 0 {
		if await == nil {
			await = func(ctx context.Context) error { return s.runner.Wait(ctx, id) }
		}
		wctx, cancel := context.WithTimeout(ctx, wait)
		err := await(wctx)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			s.log.Warn("wait for execution", zap.String("execution_id", id), zap.Error(err))
		}
		// The read model is written by the interpreter's last activity,
		// which completes before the workflow does.
	}
	e, err := s.db.GetExecution(ctx, scopeOf(c), id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(status, s.viewExecution(e))
}

func (s *Server) listWorkflowExecutions(c *gin.Context) {
	if _, err := s.db.GetWorkflowRow(c.Request.Context(), scopeOf(c), c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	s.listExecutionsWhere(c, c.Param("id"))
}

func (s *Server) listExecutions(c *gin.Context) { s.listExecutionsWhere(c, c.Query("workflow_id")) }

func (s *Server) listExecutionsWhere(c *gin.Context, workflowID string) {
	page, err := pageOf(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := persistence.ExecutionFilter{WorkflowID: workflowID, Status: c.Query("status"), Mode: c.Query("mode"), Page: page}
	for param, dst := range map[string]**time.Time{"started_after": &f.StartedAfter, "started_before": &f.StartedBefore} {
		if v := c.Query(param); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(c, invalid("%s must be an RFC 3339 time", param))
				return
			}
			*dst = &t
		}
	}
	es, next, err := s.db.ListExecutions(c.Request.Context(), scopeOf(c), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := list[executionView]{Data: make([]executionView, len(es)), NextCursor: next}
	for i := range es {
		out.Data[i] = s.viewExecution(&es[i])
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) getExecution(c *gin.Context) {
	wait, err := s.waitFor(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerExecution(c, c.Param("id"), http.StatusOK, wait, nil)
}

// executionData answers n8n's run data shape, as `weft execute` prints it.
func (s *Server) executionData(c *gin.Context) {
	ctx := c.Request.Context()
	e, err := s.db.GetExecution(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	rd, err := s.db.RunStore().LoadRunData(ctx, e.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	res := nodes.ResultData{RunData: rd.StripState()}
	if e.LastNode != nil {
		res.LastNodeExecuted = *e.LastNode
	}
	if e.Error != nil && e.Status != nodes.StatusSuccess {
		res.Error = &nodes.NodeError{Message: *e.Error}
	}
	c.JSON(http.StatusOK, gin.H{"data": gin.H{"resultData": res}})
}

func (s *Server) stopExecution(c *gin.Context) {
	ctx := c.Request.Context()
	e, err := s.db.GetExecution(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if persistence.Final(e.Status) {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "execution has already finished (%s)", e.Status))
		return
	}
	if err := s.runner.Cancel(ctx, e.ID); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditExecutionStop, "execution", e.ID, nil)
	// Cancellation is asynchronous: give the interpreter a moment to
	// record it, then answer with what the read model says.
	s.answerExecution(c, e.ID, http.StatusOK, 10*time.Second, nil)
}

func (s *Server) retryExecution(c *gin.Context) {
	ctx := c.Request.Context()
	old, err := s.db.GetExecution(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	wait, err := s.waitFor(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if old.Status != nodes.StatusError && old.Status != nodes.StatusCrashed && old.Status != nodes.StatusCanceled {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "only failed or canceled executions can be retried (this one is %s)", old.Status))
		return
	}
	v, def, err := s.db.Version(ctx, old.VersionID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	row, err := s.db.GetWorkflowRow(ctx, persistence.Scope{Admin: true}, v.WorkflowID)
	name := def.Name
	if err == nil {
		name = row.Name
	}
	e := &persistence.Execution{WorkflowID: old.WorkflowID, VersionID: old.VersionID, OwnerID: old.OwnerID, Mode: nodes.ModeRetry}
	await, err := s.start(ctx, e, name, def, nil, old.ID, wait > 0)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.answerExecution(c, e.ID, http.StatusCreated, wait, await)
}

func (s *Server) deleteExecution(c *gin.Context) {
	ctx := c.Request.Context()
	e, err := s.db.GetExecution(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if !persistence.Final(e.Status) {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "stop the execution before deleting it (it is %s)", e.Status))
		return
	}
	if err := s.db.DeleteExecution(ctx, scopeOf(c), e.ID); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditExecutionDelete, "execution", e.ID, nil)
	c.Status(http.StatusNoContent)
}
