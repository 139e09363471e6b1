package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

func (s *Server) workflowRoutes(r *gin.RouterGroup) {
	w := r.Group("/workflows")
	w.GET("", s.listWorkflows)
	w.POST("", s.createWorkflow)
	w.GET("/:id", s.getWorkflow)
	w.PUT("/:id", s.updateWorkflow)
	w.PATCH("/:id", s.updateWorkflow)
	w.DELETE("/:id", s.deleteWorkflow)
	w.POST("/:id/activate", s.activateWorkflow)
	w.POST("/:id/deactivate", s.deactivateWorkflow)
	w.POST("/:id/duplicate", s.duplicateWorkflow)
	w.GET("/:id/nodes", s.listWorkflowNodes)
	w.POST("/:id/nodes", s.createNode)
	w.POST("/:id/connections", s.createConnection)
	w.POST("/:id/execute", s.executeWorkflow)
	w.GET("/:id/executions", s.listWorkflowExecutions)
}

// workflowView is a workflow as the API shows it: n8n's export shape plus
// id, active, version_id, timestamps and tags.
type workflowView struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Nodes       []*nodes.NodeInstance `json:"nodes"`
	Connections nodes.Connections     `json:"connections"`
	Settings    nodes.Settings        `json:"settings"`
	PinData     json.RawMessage       `json:"pinData,omitempty"`
	Meta        json.RawMessage       `json:"meta,omitempty"`
	StaticData  json.RawMessage       `json:"staticData,omitempty"`
	Active      bool                  `json:"active"`
	VersionID   string                `json:"version_id"`
	Tags        []string              `json:"tags"`
	CreatedAt   time.Time             `json:"created_at"`
	UpdatedAt   time.Time             `json:"updated_at"`
}

func viewWorkflow(w *persistence.Workflow) workflowView {
	v := workflowView{ID: w.ID, Name: w.Name, Active: w.Active, VersionID: w.VersionID, Tags: w.Tags,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Nodes: []*nodes.NodeInstance{}, Connections: nodes.Connections{}}
	if d := w.Definition; d != nil {
		if d.Nodes != nil {
			v.Nodes = d.Nodes
		}
		if d.Connections != nil {
			v.Connections = d.Connections
		}
		v.Settings, v.PinData, v.Meta, v.StaticData = d.Settings, d.PinData, d.Meta, d.StaticData
	}
	return v
}

// workflowBody is a create or update body: an n8n export as it is. Fields
// weft owns (id, active, owner, versions, timestamps) are ignored.
type workflowBody struct {
	def  *nodes.Workflow
	tags []string
	// has records which top-level keys the body carried (for partial
	// updates).
	has map[string]bool
}

func parseWorkflowBody(c *gin.Context) (*workflowBody, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSON(c.Request.Body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, invalid("request body must be a workflow object")
	}
	b := &workflowBody{has: map[string]bool{}}
	for k := range raw {
		b.has[k] = true
	}
	// Keep only what n8n's export shape defines.
	keep := map[string]json.RawMessage{}
	for _, k := range []string{"name", "nodes", "connections", "settings", "pinData", "meta", "staticData"} {
		if v, ok := raw[k]; ok && string(v) != "null" {
			keep[k] = v
		}
	}
	enc, _ := json.Marshal(keep)
	def, err := nodes.ParseWorkflow(enc)
	if err != nil {
		return nil, err
	}
	b.def = def
	if t, ok := raw["tags"]; ok && string(t) != "null" {
		tags, err := parseTags(t)
		if err != nil {
			return nil, err
		}
		b.tags = tags
	}
	return b, nil
}

// parseTags accepts weft's ["a","b"] and n8n's [{"id":…,"name":"a"}].
func parseTags(raw json.RawMessage) ([]string, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, invalid("tags must be an array")
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		var name string
		if err := json.Unmarshal(it, &name); err != nil {
			var obj struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(it, &obj); err != nil || obj.Name == "" {
				return nil, invalid("each tag must be a string or an object with a name")
			}
			name = obj.Name
		}
		name = strings.TrimSpace(name)
		if len(name) > 64 {
			return nil, invalid("tag %q is longer than 64 characters", name[:64])
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out, nil
}

func checkWorkflow(def *nodes.Workflow) error {
	def.Name = strings.TrimSpace(def.Name)
	if def.Name == "" {
		return invalid("name is required").WithDetail("fields", map[string]any{"name": "is required"})
	}
	if len(def.Name) > 128 {
		return invalid("name must be at most 128 characters")
	}
	return nodes.ValidateWorkflow(def)
}

func (s *Server) listWorkflows(c *gin.Context) {
	page, err := pageOf(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	f := persistence.WorkflowFilter{Search: c.Query("search"), Tag: c.Query("tag"), Page: page}
	if a := c.Query("active"); a != "" {
		v := a == "true"
		if !v && a != "false" {
			s.writeError(c, invalid("active must be true or false"))
			return
		}
		f.Active = &v
	}
	ws, next, err := s.db.ListWorkflowHeads(c.Request.Context(), scopeOf(c), f)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeViews(c, ws, false, next)
}

func (s *Server) createWorkflow(c *gin.Context) {
	body, err := parseWorkflowBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if err := checkWorkflow(body.def); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.checkCredentialRefs(c.Request.Context(), currentUser(c).ID, body.def); err != nil {
		s.writeError(c, err)
		return
	}
	w, err := s.db.CreateWorkflow(c.Request.Context(), currentUser(c).ID, body.def, body.tags)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewWorkflow(w))
}

func (s *Server) getWorkflow(c *gin.Context) {
	w, err := s.db.GetWorkflowHead(c.Request.Context(), scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeViews(c, []*persistence.Workflow{w}, true, "")
}

// updateWorkflow saves a new version. Keys absent from the body keep their
// current values, so {"name": "…"} renames.
func (s *Server) updateWorkflow(c *gin.Context) {
	ctx := c.Request.Context()
	cur, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, err := parseWorkflowBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	def := cur.Definition
	if body.has["name"] {
		def.Name = body.def.Name
	}
	if body.has["nodes"] {
		def.Nodes = body.def.Nodes
	}
	if body.has["connections"] {
		def.Connections = body.def.Connections
	}
	if body.has["settings"] {
		def.Settings = body.def.Settings
	}
	if body.has["pinData"] {
		def.PinData = body.def.PinData
	}
	if body.has["meta"] {
		def.Meta = body.def.Meta
	}
	if body.has["staticData"] {
		def.StaticData = body.def.StaticData
	}
	s.saveDefinition(c, cur, def, body.tags)
}

// saveDefinition validates def and stores it as the workflow's new version.
func (s *Server) saveDefinition(c *gin.Context, cur *persistence.Workflow, def *nodes.Workflow, tags []string) {
	if err := checkWorkflow(def); err != nil {
		s.writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := s.checkCredentialRefs(ctx, cur.OwnerID, def); err != nil {
		s.writeError(c, err)
		return
	}
	w, err := s.db.UpdateWorkflow(ctx, scopeOf(c), cur.ID, currentUser(c).ID, def, tags)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if w.Active {
		// The triggers follow the saved version. If they cannot (a webhook
		// path another workflow holds), the save stands and the workflow
		// is deactivated, as n8n does, and the clash is the answer.
		if err := s.activate(ctx, scopeOf(c), w); err != nil {
			if derr := s.deactivate(ctx, scopeOf(c), w.ID); derr != nil {
				s.log.Error("deactivate after failed re-activation", zap.String("workflow_id", w.ID), zap.Error(derr))
			}
			s.writeError(c, err)
			return
		}
	}
	s.workflowChanged(c.Request.Context(), w.ID)
	c.JSON(http.StatusOK, viewWorkflow(w))
}

func (s *Server) deleteWorkflow(c *gin.Context) {
	id := c.Param("id")
	// Deactivating first removes the workflow's triggers (schedules,
	// webhooks): a deleted workflow answers no webhook.
	if err := s.deactivate(c.Request.Context(), scopeOf(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.db.DeleteWorkflow(c.Request.Context(), scopeOf(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditWorkflowDelete, "workflow", id, nil)
	c.Status(http.StatusNoContent)
}

func (s *Server) activateWorkflow(c *gin.Context)   { s.setActive(c, true) }
func (s *Server) deactivateWorkflow(c *gin.Context) { s.setActive(c, false) }

func (s *Server) setActive(c *gin.Context, active bool) {
	ctx := c.Request.Context()
	id := c.Param("id")
	var err error
	if active {
		var w *persistence.Workflow
		if w, err = s.db.GetWorkflow(ctx, scopeOf(c), id); err == nil {
			if len(w.Definition.Nodes) == 0 {
				err = nodes.Errorf(nodes.CodeWorkflowInvalid, "an empty workflow cannot be activated")
			} else {
				err = s.activate(ctx, scopeOf(c), w)
			}
		}
	} else {
		err = s.deactivate(ctx, scopeOf(c), id)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	action := persistence.AuditWorkflowDeactivate
	if active {
		action = persistence.AuditWorkflowActivate
	}
	s.audit(c, currentUser(c).ID, action, "workflow", id, nil)
	s.workflowChanged(ctx, id)
	s.getWorkflow(c)
}

func (s *Server) duplicateWorkflow(c *gin.Context) {
	ctx := c.Request.Context()
	cur, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body struct {
		Name string `json:"name" validate:"max=128"`
	}
	if !s.bind(c, &body) {
		return
	}
	def := cur.Definition.Clone()
	def.Name = body.Name
	if def.Name == "" {
		def.Name = cur.Name + " (copy)"
	}
	for _, n := range def.Nodes {
		n.ID = "" // fresh node ids for the copy
		n.WebhookID = ""
	}
	if err := checkWorkflow(def); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.checkCredentialRefs(ctx, currentUser(c).ID, def); err != nil {
		s.writeError(c, err)
		return
	}
	w, err := s.db.CreateWorkflow(ctx, currentUser(c).ID, def, cur.Tags)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, viewWorkflow(w))
}
