package persistence

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// WorkflowRow is a workflow's row; its definition lives in the version the
// row points at.
type WorkflowRow struct {
	ID        string `gorm:"primaryKey"`
	OwnerID   string
	Name      string
	Active    bool
	VersionID string
	Settings  string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
}

// TableName implements gorm's Tabler.
func (WorkflowRow) TableName() string { return "workflows" }

// WorkflowVersion is an immutable snapshot of a workflow's definition.
type WorkflowVersion struct {
	ID         string `gorm:"primaryKey"`
	WorkflowID string
	Number     int64
	Definition string
	CreatedBy  string
	CreatedAt  time.Time
}

// TableName implements gorm's Tabler.
func (WorkflowVersion) TableName() string { return "workflow_versions" }

type workflowTag struct {
	WorkflowID string `gorm:"primaryKey"`
	Tag        string `gorm:"primaryKey"`
}

func (workflowTag) TableName() string { return "workflow_tags" }

// NodeRow is one node of a workflow's current version.
type NodeRow struct {
	ID          string `gorm:"primaryKey"`
	WorkflowID  string
	NodeID      string
	Name        string
	Type        string
	TypeVersion float64
	PositionX   float64
	PositionY   float64
	Parameters  string
	Credentials string
	Settings    string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName implements gorm's Tabler.
func (NodeRow) TableName() string { return "nodes" }

// ConnectionRow is one edge of a workflow's current version.
type ConnectionRow struct {
	ID           string `gorm:"primaryKey"`
	WorkflowID   string
	SourceNodeID string
	SourceOutput int
	TargetNodeID string
	TargetInput  int
	Type         string
	Position     int
	CreatedAt    time.Time
}

// TableName implements gorm's Tabler.
func (ConnectionRow) TableName() string { return "node_connections" }

// Workflow is a stored workflow: its row, tags and current definition.
type Workflow struct {
	ID        string
	OwnerID   string
	Name      string
	Active    bool
	VersionID string
	Tags      []string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Definition is the current version's n8n-shaped definition, with ID,
	// Name and Active set from the row.
	Definition *nodes.Workflow
}

// nodeRowID derives a stable row id for a node of a workflow, so that node
// ids in the API survive re-saves of the graph.
func nodeRowID(workflowID, nodeID string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("weft:node:"+workflowID+":"+nodeID)).String()
}

// NodeRowID returns the API id of a node of a workflow.
func NodeRowID(workflowID, nodeID string) string { return nodeRowID(workflowID, nodeID) }

// prepareDefinition gives every node an id (n8n's editor does the same)
// and fills defaults, so rows and versions agree.
func prepareDefinition(def *nodes.Workflow) {
	for _, n := range def.Nodes {
		if n.ID == "" {
			n.ID = newID()
		}
		if n.Parameters == nil {
			n.Parameters = map[string]any{}
		}
	}
	if def.Connections == nil {
		def.Connections = nodes.Connections{}
	}
}

// CreateWorkflow stores a new workflow owned by ownerID with its first
// version, its graph rows and its tags, in one transaction. The definition
// must already be validated.
func (db *DB) CreateWorkflow(ctx context.Context, ownerID string, def *nodes.Workflow, tags []string) (*Workflow, error) {
	def = def.Clone()
	prepareDefinition(def)
	row := WorkflowRow{ID: newID(), OwnerID: ownerID, Name: def.Name}
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t := now()
		row.CreatedAt, row.UpdatedAt = t, t
		row.VersionID = newID()
		settings, _ := json.Marshal(def.Settings)
		row.Settings = string(settings)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return writeVersion(tx, &row, ownerID, def, 1, tags)
	})
	if err != nil {
		return nil, err
	}
	return db.GetWorkflow(ctx, Scope{Admin: true}, row.ID)
}

// UpdateWorkflow saves a new version of a workflow: the definition becomes
// current, the graph rows are rewritten, and tags replaced when tags is not
// nil. Returns NOT_FOUND outside the scope.
func (db *DB) UpdateWorkflow(ctx context.Context, s Scope, id, editorID string, def *nodes.Workflow, tags []string) (*Workflow, error) {
	def = def.Clone()
	prepareDefinition(def)
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row WorkflowRow
		if err := s.apply(tx.Where("id = ?", id), "owner_id").Take(&row).Error; err != nil {
			return translate(err, "workflow")
		}
		var last int64
		if err := tx.Model(&WorkflowVersion{}).Where("workflow_id = ?", id).Select("COALESCE(MAX(number), 0)").Scan(&last).Error; err != nil {
			return err
		}
		settings, _ := json.Marshal(def.Settings)
		row.Name = def.Name
		row.Settings = string(settings)
		row.VersionID = newID()
		row.UpdatedAt = now()
		if err := tx.Model(&WorkflowRow{}).Where("id = ?", id).Updates(map[string]any{
			"name": row.Name, "settings": row.Settings, "version_id": row.VersionID, "updated_at": row.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		if err := tx.Where("workflow_id = ?", id).Delete(&ConnectionRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("workflow_id = ?", id).Delete(&NodeRow{}).Error; err != nil {
			return err
		}
		if tags != nil {
			if err := tx.Where("workflow_id = ?", id).Delete(&workflowTag{}).Error; err != nil {
				return err
			}
		}
		return writeVersion(tx, &row, editorID, def, last+1, tags)
	})
	if err != nil {
		return nil, err
	}
	return db.GetWorkflow(ctx, s, id)
}

// writeVersion inserts the version row, the graph rows and the tags.
func writeVersion(tx *gorm.DB, row *WorkflowRow, editorID string, def *nodes.Workflow, number int64, tags []string) error {
	def.ID, def.Active = "", false
	b, err := json.Marshal(def)
	if err != nil {
		return err
	}
	t := row.UpdatedAt
	v := WorkflowVersion{ID: row.VersionID, WorkflowID: row.ID, Number: number, Definition: string(b), CreatedBy: editorID, CreatedAt: t}
	if err := tx.Create(&v).Error; err != nil {
		return err
	}
	if len(def.Nodes) > 0 {
		rows := make([]NodeRow, 0, len(def.Nodes))
		for _, n := range def.Nodes {
			rows = append(rows, nodeToRow(row.ID, n, t))
		}
		if err := tx.CreateInBatches(rows, 100).Error; err != nil {
			return translate(err, "node")
		}
	}
	if conns := connectionRows(row.ID, def, t); len(conns) > 0 {
		if err := tx.CreateInBatches(conns, 100).Error; err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, tag := range tags {
		tag = strings.TrimSpace(tag)
		if tag == "" || seen[tag] {
			continue
		}
		seen[tag] = true
		if err := tx.Create(&workflowTag{WorkflowID: row.ID, Tag: tag}).Error; err != nil {
			return err
		}
	}
	return nil
}

// nodeSettings are the per-node settings kept in the nodes row's settings
// column.
type nodeSettings struct {
	WebhookID        string `json:"webhookId,omitempty"`
	Disabled         bool   `json:"disabled,omitempty"`
	Notes            string `json:"notes,omitempty"`
	RetryOnFail      bool   `json:"retryOnFail,omitempty"`
	MaxTries         int    `json:"maxTries,omitempty"`
	WaitBetweenTries int    `json:"waitBetweenTries,omitempty"`
	OnError          string `json:"onError,omitempty"`
	ContinueOnFail   bool   `json:"continueOnFail,omitempty"`
	AlwaysOutputData bool   `json:"alwaysOutputData,omitempty"`
	ExecuteOnce      bool   `json:"executeOnce,omitempty"`
}

func nodeToRow(workflowID string, n *nodes.NodeInstance, t time.Time) NodeRow {
	params, _ := json.Marshal(n.Parameters)
	creds, _ := json.Marshal(n.Credentials)
	if n.Credentials == nil {
		creds = []byte("{}")
	}
	settings, _ := json.Marshal(nodeSettings{
		WebhookID: n.WebhookID, Disabled: n.Disabled, Notes: n.Notes, RetryOnFail: n.RetryOnFail,
		MaxTries: n.MaxTries, WaitBetweenTries: n.WaitBetweenTries, OnError: n.OnError,
		ContinueOnFail: n.ContinueOnFail, AlwaysOutputData: n.AlwaysOutputData, ExecuteOnce: n.ExecuteOnce,
	})
	return NodeRow{
		ID: nodeRowID(workflowID, n.ID), WorkflowID: workflowID, NodeID: n.ID, Name: n.Name, Type: n.Type,
		TypeVersion: n.TypeVersion, PositionX: n.Position[0], PositionY: n.Position[1],
		Parameters: string(params), Credentials: string(creds), Settings: string(settings), CreatedAt: t, UpdatedAt: t,
	}
}

func connectionRows(workflowID string, def *nodes.Workflow, t time.Time) []ConnectionRow {
	idByName := map[string]string{}
	for _, n := range def.Nodes {
		idByName[n.Name] = nodeRowID(workflowID, n.ID)
	}
	var out []ConnectionRow
	for _, src := range sortedKeys(def.Connections) {
		for ctype, outs := range def.Connections[src] {
			for oi, targets := range outs {
				for pos, tg := range targets {
					s, d := idByName[src], idByName[tg.Node]
					if s == "" || d == "" {
						continue
					}
					key := strings.Join([]string{workflowID, s, ctype, itoa(oi), d, itoa(tg.Index)}, ":")
					out = append(out, ConnectionRow{
						ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("weft:conn:"+key)).String(), WorkflowID: workflowID,
						SourceNodeID: s, SourceOutput: oi, TargetNodeID: d, TargetInput: tg.Index, Type: ctype, Position: pos, CreatedAt: t,
					})
				}
			}
		}
	}
	return out
}

// GetWorkflow returns a workflow with its current definition; NOT_FOUND
// outside the scope or when deleted.
func (db *DB) GetWorkflow(ctx context.Context, s Scope, id string) (*Workflow, error) {
	w, err := db.GetWorkflowHead(ctx, s, id)
	if err != nil {
		return nil, err
	}
	if err := db.withDefinitions(ctx, []*Workflow{w}); err != nil {
		return nil, err
	}
	return w, nil
}

// GetWorkflowHead is GetWorkflow without the definition (Definition is
// nil): the row and its tags, in one statement. VersionDefinitions loads
// definitions.
func (db *DB) GetWorkflowHead(ctx context.Context, s Scope, id string) (*Workflow, error) {
	q, args := db.hot.texts.get[0], []any{id}
	if !s.Admin {
		q, args = db.hot.texts.get[1], append(args, s.UserID)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	ws, err := db.hot.texts.scanHeads(rows)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, notFound("workflow")
	}
	return ws[0], nil
}

// VersionDefinitions returns the parsed definitions of versions by id, in
// one query; ids that do not exist are missing from the map.
func (db *DB) VersionDefinitions(ctx context.Context, versionIDs []string) (map[string]*nodes.Workflow, error) {
	defs := map[string]*nodes.Workflow{}
	if len(versionIDs) == 0 {
		return defs, nil
	}
	var versions []WorkflowVersion
	if err := db.gorm.WithContext(ctx).Select("id", "workflow_id", "definition").Where("id IN ?", versionIDs).Find(&versions).Error; err != nil {
		return nil, err
	}
	for _, v := range versions {
		def, err := nodes.ParseWorkflow([]byte(v.Definition))
		if err != nil {
			return nil, err
		}
		def.ID = v.WorkflowID
		defs[v.ID] = def
	}
	return defs, nil
}

// withDefinitions sets the definitions of workflows read without them, in
// one query; a workflow whose version is missing keeps a nil Definition.
func (db *DB) withDefinitions(ctx context.Context, ws []*Workflow) error {
	if len(ws) == 0 {
		return nil
	}
	versionIDs := make([]string, 0, len(ws))
	for _, w := range ws {
		versionIDs = append(versionIDs, w.VersionID)
	}
	defs, err := db.VersionDefinitions(ctx, versionIDs)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if def := defs[w.VersionID]; def != nil {
			// Two workflows never share a version, so no copy is needed.
			def.ID, def.Name, def.Active = w.ID, w.Name, w.Active
			w.Definition = def
		}
	}
	return nil
}

// WorkflowFilter narrows ListWorkflows.
type WorkflowFilter struct {
	// Search matches names containing it, case-insensitively.
	Search string
	// Tag keeps workflows carrying the tag.
	Tag string
	// Active keeps active (true) or inactive (false) workflows.
	Active *bool
	Page
}

// ListWorkflows returns a page of workflows, newest update first, with their
// definitions, and the cursor of the next page ("" at the end).
func (db *DB) ListWorkflows(ctx context.Context, s Scope, f WorkflowFilter) ([]*Workflow, string, error) {
	ws, next, err := db.ListWorkflowHeads(ctx, s, f)
	if err != nil {
		return nil, "", err
	}
	return ws, next, db.withDefinitions(ctx, ws)
}

// ListWorkflowHeads is ListWorkflows without definitions (Definition is
// nil): rows and tags, in one statement.
func (db *DB) ListWorkflowHeads(ctx context.Context, s Scope, f WorkflowFilter) ([]*Workflow, string, error) {
	kind, args := 0, make([]any, 0, 8)
	if !s.Admin {
		kind |= listOwner
		args = append(args, s.UserID)
	}
	if f.Search != "" {
		kind |= listSearch
		args = append(args, "%"+escapeLike(strings.ToLower(f.Search))+"%")
	}
	if f.Tag != "" {
		kind |= listTag
		args = append(args, f.Tag)
	}
	if f.Active != nil {
		kind |= listActive
		args = append(args, *f.Active)
	}
	if f.Cursor != "" {
		t, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		kind |= listCursor
		args = append(args, t, t, id)
	}
	limit := f.limit()
	rows, err := db.query(ctx, db.hot.texts.list[kind]+strconv.Itoa(limit+1), args...)
	if err != nil {
		return nil, "", err
	}
	ws, err := db.hot.texts.scanHeads(rows)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ws) > limit {
		ws = ws[:limit]
		last := ws[len(ws)-1]
		next = encodeCursor(last.UpdatedAt, last.ID)
	}
	return ws, next, nil
}

// DeleteWorkflow soft-deletes a workflow; NOT_FOUND outside the scope.
func (db *DB) DeleteWorkflow(ctx context.Context, s Scope, id string) error {
	res := s.apply(db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Delete(&WorkflowRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound("workflow")
	}
	return nil
}

// SetWorkflowActive sets a workflow's active flag. fn, when not nil, runs
// inside the same transaction after the flag is written; an error from it
// rolls the change back (activation registers triggers this way).
func (db *DB) SetWorkflowActive(ctx context.Context, s Scope, id string, active bool, fn func(tx *DB) error) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		res := s.apply(tx.Model(&WorkflowRow{}).Where("id = ?", id), "owner_id").Updates(map[string]any{"active": active, "updated_at": now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return notFound("workflow")
		}
		if fn != nil {
			return fn(db.inTx(tx))
		}
		return nil
	})
}

// Version returns a workflow version's definition by id (any owner: the
// interpreter's activities load the snapshot they run).
func (db *DB) Version(ctx context.Context, versionID string) (*WorkflowVersion, *nodes.Workflow, error) {
	var v WorkflowVersion
	if err := db.gorm.WithContext(ctx).Where("id = ?", versionID).Take(&v).Error; err != nil {
		return nil, nil, translate(err, "workflow version")
	}
	def, err := nodes.ParseWorkflow([]byte(v.Definition))
	if err != nil {
		return nil, nil, err
	}
	def.ID = v.WorkflowID
	return &v, def, nil
}

// WorkflowNodes returns the node rows of a workflow's current version.
func (db *DB) WorkflowNodes(ctx context.Context, s Scope, workflowID string) ([]NodeRow, error) {
	if _, err := db.GetWorkflowRow(ctx, s, workflowID); err != nil {
		return nil, err
	}
	var rows []NodeRow
	err := db.gorm.WithContext(ctx).Where("workflow_id = ?", workflowID).Order("position_y, position_x, name").Find(&rows).Error
	return rows, err
}

// NodeByID returns a node row and its workflow's id; NOT_FOUND outside the
// scope.
func (db *DB) NodeByID(ctx context.Context, s Scope, id string) (*NodeRow, error) {
	var row NodeRow
	q := db.gorm.WithContext(ctx).Where("nodes.id = ?", id)
	if !s.Admin {
		q = q.Joins("JOIN workflows ON workflows.id = nodes.workflow_id AND workflows.deleted_at IS NULL").Where("workflows.owner_id = ?", s.UserID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, translate(err, "node")
	}
	return &row, nil
}

// ConnectionByID returns a connection row; NOT_FOUND outside the scope.
func (db *DB) ConnectionByID(ctx context.Context, s Scope, id string) (*ConnectionRow, error) {
	var row ConnectionRow
	q := db.gorm.WithContext(ctx).Where("node_connections.id = ?", id)
	if !s.Admin {
		q = q.Joins("JOIN workflows ON workflows.id = node_connections.workflow_id AND workflows.deleted_at IS NULL").Where("workflows.owner_id = ?", s.UserID)
	}
	if err := q.Take(&row).Error; err != nil {
		return nil, translate(err, "connection")
	}
	return &row, nil
}

// GetWorkflowRow returns a workflow's row only; NOT_FOUND outside the scope.
func (db *DB) GetWorkflowRow(ctx context.Context, s Scope, id string) (*WorkflowRow, error) {
	var row WorkflowRow
	if err := s.apply(db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Take(&row).Error; err != nil {
		return nil, translate(err, "workflow")
	}
	return &row, nil
}

// WorkflowConnections returns a workflow's connection rows (unscoped: the
// caller has already loaded the workflow in scope).
func (db *DB) WorkflowConnections(ctx context.Context, workflowID string) ([]ConnectionRow, error) {
	var rows []ConnectionRow
	err := db.gorm.WithContext(ctx).Where("workflow_id = ?", workflowID).Order("source_node_id, source_output, position").Find(&rows).Error
	return rows, err
}

// NewNodeID returns a fresh n8n node id.
func NewNodeID() string { return newID() }
