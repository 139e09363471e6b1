package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

func (s *Server) nodeRoutes(r *gin.RouterGroup) {
	r.GET("/nodes/types", s.nodeTypes)
	r.GET("/nodes/:id", s.getNode)
	r.PUT("/nodes/:id", s.updateNode)
	r.DELETE("/nodes/:id", s.deleteNode)
	r.POST("/nodes/:id/test", s.testNode)
	r.DELETE("/connections/:id", s.deleteConnection)
}

// nodeView is a node as the node endpoints show it: n8n's node shape plus
// its API id and workflow.
type nodeView struct {
	ID         string `json:"id"`
	WorkflowID string `json:"workflow_id"`
	*nodes.NodeInstance
	NodeID string `json:"node_id"`
}

// MarshalJSON puts the API id over the n8n node id (which moves to node_id).
func (v nodeView) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(v.NodeInstance)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["id"], m["workflow_id"], m["node_id"] = v.ID, v.WorkflowID, v.NodeID
	return json.Marshal(m)
}

func viewNode(workflowID string, n *nodes.NodeInstance) nodeView {
	return nodeView{ID: persistence.NodeRowID(workflowID, n.ID), WorkflowID: workflowID, NodeInstance: n, NodeID: n.ID}
}

func (s *Server) listWorkflowNodes(c *gin.Context) {
	w, err := s.db.GetWorkflow(c.Request.Context(), scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := list[nodeView]{Data: make([]nodeView, 0, len(w.Definition.Nodes))}
	for _, n := range w.Definition.Nodes {
		out.Data = append(out.Data, viewNode(w.ID, n))
	}
	c.JSON(http.StatusOK, out)
}

// nodeOwner loads the node a request names and its workflow.
func (s *Server) nodeOwner(c *gin.Context) (*persistence.Workflow, *nodes.NodeInstance, bool) {
	ctx := c.Request.Context()
	row, err := s.db.NodeByID(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), row.WorkflowID)
	if err != nil {
		s.writeError(c, err)
		return nil, nil, false
	}
	for _, n := range w.Definition.Nodes {
		if n.ID == row.NodeID {
			return w, n, true
		}
	}
	s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "node not found"))
	return nil, nil, false
}

func (s *Server) getNode(c *gin.Context) {
	w, n, ok := s.nodeOwner(c)
	if ok {
		c.JSON(http.StatusOK, viewNode(w.ID, n))
	}
}

// nodeBody reads a node object from the request, without the API's own
// fields.
func nodeBody(c *gin.Context) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSON(c.Request.Body, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, invalid("request body must be a node object")
	}
	delete(raw, "id")
	delete(raw, "workflow_id")
	delete(raw, "node_id")
	return raw, nil
}

// mergeNode applies the body's fields over base (nil for a new node).
func mergeNode(base *nodes.NodeInstance, body map[string]json.RawMessage) (*nodes.NodeInstance, error) {
	merged := map[string]json.RawMessage{}
	if base != nil {
		b, _ := json.Marshal(base)
		_ = json.Unmarshal(b, &merged)
	}
	for k, v := range body {
		merged[k] = v
	}
	b, _ := json.Marshal(merged)
	var n nodes.NodeInstance
	if err := json.Unmarshal(b, &n); err != nil {
		return nil, invalid("node is not valid: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if base != nil {
		n.ID = base.ID
	}
	if n.Parameters == nil {
		n.Parameters = map[string]any{}
	}
	return &n, nil
}

func (s *Server) createNode(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	body, err := nodeBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	n, err := mergeNode(nil, body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if n.Name == "" || n.Type == "" {
		s.writeError(c, invalid("name and type are required"))
		return
	}
	n.ID = persistence.NewNodeID()
	def := w.Definition
	def.Nodes = append(def.Nodes, n)
	saved, ok := s.saveGraph(c, w, def)
	if ok {
		c.JSON(http.StatusCreated, viewNode(saved.ID, findNode(saved.Definition, n.ID)))
	}
}

// saveGraph validates and stores an edited graph as a new version.
func (s *Server) saveGraph(c *gin.Context, w *persistence.Workflow, def *nodes.Workflow) (*persistence.Workflow, bool) {
	if err := checkWorkflow(def); err != nil {
		s.writeError(c, err)
		return nil, false
	}
	if err := s.checkCredentialRefs(c.Request.Context(), w.OwnerID, def); err != nil {
		s.writeError(c, err)
		return nil, false
	}
	saved, err := s.db.UpdateWorkflow(c.Request.Context(), scopeOf(c), w.ID, currentUser(c).ID, def, nil)
	if err != nil {
		s.writeError(c, err)
		return nil, false
	}
	s.workflowChanged(c.Request.Context(), saved.ID)
	return saved, true
}

func findNode(def *nodes.Workflow, nodeID string) *nodes.NodeInstance {
	for _, n := range def.Nodes {
		if n.ID == nodeID {
			return n
		}
	}
	return nil
}

// updateNode changes the fields the body carries; renaming a node renames
// it in the connections too.
func (s *Server) updateNode(c *gin.Context) {
	w, cur, ok := s.nodeOwner(c)
	if !ok {
		return
	}
	body, err := nodeBody(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	n, err := mergeNode(cur, body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	oldName := cur.Name
	*cur = *n
	def := w.Definition
	if n.Name != oldName {
		renameInConnections(def, oldName, n.Name)
	}
	saved, ok := s.saveGraph(c, w, def)
	if ok {
		c.JSON(http.StatusOK, viewNode(saved.ID, findNode(saved.Definition, n.ID)))
	}
}

func renameInConnections(def *nodes.Workflow, from, to string) {
	if outs, ok := def.Connections[from]; ok {
		delete(def.Connections, from)
		def.Connections[to] = outs
	}
	for _, byType := range def.Connections {
		for _, outs := range byType {
			for _, targets := range outs {
				for i := range targets {
					if targets[i].Node == from {
						targets[i].Node = to
					}
				}
			}
		}
	}
}

func (s *Server) deleteNode(c *gin.Context) {
	w, cur, ok := s.nodeOwner(c)
	if !ok {
		return
	}
	def := w.Definition
	kept := def.Nodes[:0]
	for _, n := range def.Nodes {
		if n.ID != cur.ID {
			kept = append(kept, n)
		}
	}
	def.Nodes = kept
	delete(def.Connections, cur.Name)
	for src, byType := range def.Connections {
		for ctype, outs := range byType {
			for oi, targets := range outs {
				keep := targets[:0]
				for _, t := range targets {
					if t.Node != cur.Name {
						keep = append(keep, t)
					}
				}
				def.Connections[src][ctype][oi] = keep
			}
		}
	}
	if _, ok := s.saveGraph(c, w, def); ok {
		c.Status(http.StatusNoContent)
	}
}

// connectionView is one edge with its API id.
type connectionView struct {
	ID           string    `json:"id"`
	WorkflowID   string    `json:"workflow_id"`
	SourceNodeID string    `json:"source_node_id"`
	SourceOutput int       `json:"source_output"`
	TargetNodeID string    `json:"target_node_id"`
	TargetInput  int       `json:"target_input"`
	Type         string    `json:"type"`
	CreatedAt    time.Time `json:"created_at"`
}

type connectionBody struct {
	SourceNodeID string `json:"source_node_id" validate:"required"`
	SourceOutput int    `json:"source_output" validate:"min=0,max=64"`
	TargetNodeID string `json:"target_node_id" validate:"required"`
	TargetInput  int    `json:"target_input" validate:"min=0,max=64"`
	Type         string `json:"type" validate:"omitempty,oneof=main"`
}

func (s *Server) createConnection(c *gin.Context) {
	ctx := c.Request.Context()
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body connectionBody
	if !s.bind(c, &body) {
		return
	}
	def := w.Definition
	src, dst := nodeByAPIID(w.ID, def, body.SourceNodeID), nodeByAPIID(w.ID, def, body.TargetNodeID)
	if src == nil || dst == nil {
		s.writeError(c, invalid("source_node_id and target_node_id must name nodes of this workflow"))
		return
	}
	byType := def.Connections[src.Name]
	if byType == nil {
		byType = map[string][][]nodes.Connection{}
		def.Connections[src.Name] = byType
	}
	outs := byType[nodes.ConnectionMain]
	for len(outs) <= body.SourceOutput {
		outs = append(outs, []nodes.Connection{})
	}
	for _, t := range outs[body.SourceOutput] {
		if t.Node == dst.Name && t.Index == body.TargetInput {
			s.writeError(c, nodes.Errorf(nodes.CodeConflict, "this connection already exists"))
			return
		}
	}
	outs[body.SourceOutput] = append(outs[body.SourceOutput], nodes.Connection{Node: dst.Name, Type: nodes.ConnectionMain, Index: body.TargetInput})
	byType[nodes.ConnectionMain] = outs
	saved, ok := s.saveGraph(c, w, def)
	if !ok {
		return
	}
	rows, err := s.db.WorkflowConnections(ctx, saved.ID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	srcID, dstID := persistence.NodeRowID(w.ID, src.ID), persistence.NodeRowID(w.ID, dst.ID)
	for _, r := range rows {
		if r.SourceNodeID == srcID && r.TargetNodeID == dstID && r.SourceOutput == body.SourceOutput && r.TargetInput == body.TargetInput {
			c.JSON(http.StatusCreated, connectionView{ID: r.ID, WorkflowID: r.WorkflowID, SourceNodeID: r.SourceNodeID,
				SourceOutput: r.SourceOutput, TargetNodeID: r.TargetNodeID, TargetInput: r.TargetInput, Type: r.Type, CreatedAt: r.CreatedAt})
			return
		}
	}
	s.writeError(c, errConnectionLost)
}

var errConnectionLost = &nodes.Error{Code: nodes.CodeInternal, Message: "connection was not stored"}

func nodeByAPIID(workflowID string, def *nodes.Workflow, id string) *nodes.NodeInstance {
	for _, n := range def.Nodes {
		if persistence.NodeRowID(workflowID, n.ID) == id || n.ID == id {
			return n
		}
	}
	return nil
}

func (s *Server) deleteConnection(c *gin.Context) {
	ctx := c.Request.Context()
	row, err := s.db.ConnectionByID(ctx, scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	w, err := s.db.GetWorkflow(ctx, scopeOf(c), row.WorkflowID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	def := w.Definition
	src, dst := nodeByAPIID(w.ID, def, row.SourceNodeID), nodeByAPIID(w.ID, def, row.TargetNodeID)
	if src == nil || dst == nil {
		s.writeError(c, nodes.Errorf(nodes.CodeNotFound, "connection not found"))
		return
	}
	outs := def.Connections[src.Name][row.Type]
	if row.SourceOutput < len(outs) {
		keep := outs[row.SourceOutput][:0]
		for _, t := range outs[row.SourceOutput] {
			if !(t.Node == dst.Name && t.Index == row.TargetInput) {
				keep = append(keep, t)
			}
		}
		outs[row.SourceOutput] = keep
	}
	if _, ok := s.saveGraph(c, w, def); ok {
		c.Status(http.StatusNoContent)
	}
}

// nodeTypeView describes a node type for the editor.
type nodeTypeView struct {
	Name        string      `json:"name"`
	DisplayName string      `json:"display_name"`
	Description string      `json:"description"`
	Versions    []float64   `json:"versions"`
	Kind        string      `json:"kind"`
	Trigger     bool        `json:"trigger"`
	Parameters  []paramView `json:"parameters"`
}

// paramView documents one parameter, generated from the node's parameter
// struct.
type paramView struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Description string      `json:"description,omitempty"`
	Options     []string    `json:"options,omitempty"`
	Default     string      `json:"default,omitempty"`
	Fields      []paramView `json:"fields,omitempty"`
}

func (s *Server) nodeTypes(c *gin.Context) {
	types := nodes.Types()
	out := list[nodeTypeView]{Data: make([]nodeTypeView, 0, len(types))}
	for _, t := range types {
		out.Data = append(out.Data, nodeTypeView{
			Name: t.Name, DisplayName: t.DisplayName, Description: t.Summary, Versions: t.Versions,
			Kind: t.Kind.String(), Trigger: t.Trigger, Parameters: describeParams(reflect.TypeOf(t.Params), 0),
		})
	}
	c.JSON(http.StatusOK, out)
}

// describeParams walks a parameter struct's fields: the json tag names the
// parameter, `doc` describes it, `options` lists allowed values and
// `default` gives the default.
func describeParams(t reflect.Type, depth int) []paramView {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || depth > 6 {
		return []paramView{}
	}
	out := []paramView{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := jsonName(f)
		if name == f.Name && f.Anonymous {
			out = append(out, describeParams(f.Type, depth+1)...)
			continue
		}
		if f.Tag.Get("json") == "-" {
			continue
		}
		p := paramView{Name: name, Type: paramType(f.Type), Description: f.Tag.Get("doc"), Default: f.Tag.Get("default")}
		if o := f.Tag.Get("options"); o != "" {
			p.Options = strings.Split(o, ",")
		}
		if p.Type == "object" || p.Type == "list" {
			p.Fields = describeParams(f.Type, depth+1)
		}
		out = append(out, p)
	}
	return out
}

func paramType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Float32:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Struct || t.Elem().Kind() == reflect.Pointer {
			return "list"
		}
		return "array"
	case reflect.Struct:
		return "object"
	}
	return "any"
}
