package api

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// maxResumeBodyBytes bounds the body of a resume call: the call's item
// travels to the waiting execution inside a Temporal signal.
const maxResumeBodyBytes = 1 << 20

// resumer resumes executions waiting for a call of their resume URL;
// TemporalRunner implements it through its temporal.Client.
type resumer interface {
	Resume(ctx context.Context, executionID string, s temporal.ResumeSignal) error
}

// waitingRoutes serves the resume URLs of executions whose Wait node waits
// for a call (n8n's /webhook-waiting/:executionId, with the node's
// optional suffix). They are public, as n8n's are: the execution id is the
// secret.
func (s *Server) waitingRoutes(r *gin.Engine) {
	r.Any("/webhook-waiting/:id", s.resumeExecution)
	r.Any("/webhook-waiting/:id/*suffix", s.resumeExecution)
}

// resumeExecution answers a call of a resume URL: it checks that the
// execution waits for this call (method and suffix of its Wait node) and
// signals it with the call's item {headers, params, query, body}.
func (s *Server) resumeExecution(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	suffix := strings.Trim(c.Param("suffix"), "/")
	rs, ok := s.runner.(resumer)
	if !ok {
		s.writeError(c, nodes.Errorf(nodes.CodeInternal, "this server cannot resume executions"))
		return
	}
	e, err := s.db.GetExecution(ctx, persistence.Scope{Admin: true}, id)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			err = nodes.Errorf(nodes.CodeNotFound, "The execution %q does not exist", id)
		}
		s.writeError(c, err)
		return
	}
	if persistence.Final(e.Status) {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "The execution %q has finished already (%s)", id, e.Status).
			WithDetail("status", e.Status))
		return
	}
	// The interpreter records what its Wait node waits for with the
	// waiting status, so a call is answered from the database whether or
	// not a worker runs right now; the signal waits for one in Temporal.
	var w temporal.ResumeWait
	if e.Status != nodes.StatusWaiting || e.WaitResume == nil || json.Unmarshal([]byte(*e.WaitResume), &w) != nil {
		s.writeError(c, nodes.Errorf(nodes.CodeConflict, "The execution %q is not waiting for a call of its resume URL (it is %s)", id, e.Status).
			WithDetail("status", e.Status))
		return
	}
	if w.Suffix != suffix {
		s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "The execution %q waits for a call of another resume URL", id).
			WithDetail("suffix", w.Suffix))
		return
	}
	if c.Request.Method != w.Method {
		c.Header("Allow", w.Method)
		s.writeErrorStatus(c, http.StatusMethodNotAllowed, invalid("The execution %q waits for a %s request, not %s", id, w.Method, c.Request.Method))
		return
	}
	item, err := resumeItem(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := rs.Resume(ctx, id, temporal.ResumeSignal{Key: w.Key, Item: item}); err != nil {
		s.writeError(c, err)
		return
	}
	code := w.ResponseCode
	if code == 0 {
		code = http.StatusOK
	}
	if w.ResponseData != "" {
		c.String(code, "%s", w.ResponseData)
		return
	}
	c.JSON(code, gin.H{"message": "Workflow was started"})
}

// resumeItem is the call as n8n's Wait node outputs it.
func resumeItem(c *gin.Context) (nodes.Item, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxResumeBodyBytes))
	if err != nil {
		return nodes.Item{}, err
	}
	headers := map[string]any{}
	for k, v := range c.Request.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	if c.Request.Host != "" {
		headers["host"] = c.Request.Host
	}
	query := map[string]any{}
	for k, v := range c.Request.URL.Query() {
		if len(v) == 1 {
			query[k] = v[0]
		} else {
			query[k] = v
		}
	}
	body, err := parseBody(c.GetHeader("Content-Type"), raw)
	if err != nil {
		return nodes.Item{}, err
	}
	b, err := json.Marshal(map[string]any{"json": struct {
		Headers map[string]any `json:"headers"`
		Params  map[string]any `json:"params"`
		Query   map[string]any `json:"query"`
		Body    any            `json:"body"`
	}{headers, map[string]any{}, query, body}})
	if err != nil {
		return nodes.Item{}, err
	}
	var it nodes.Item
	err = json.Unmarshal(b, &it)
	return it, err
}

// parseBody reads a body as n8n's webhooks do: JSON and form bodies
// become objects, anything else a string; no body is {}.
func parseBody(contentType string, raw []byte) (any, error) {
	if len(raw) == 0 {
		return map[string]any{}, nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, invalid("the request body is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return v, nil
	case mt == "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, invalid("the request body is not a valid form: %v", err)
		}
		m := map[string]any{}
		for k, v := range vals {
			if len(v) == 1 {
				m[k] = v[0]
			} else {
				m[k] = v
			}
		}
		return m, nil
	}
	return string(raw), nil
}
