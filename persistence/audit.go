package persistence

import (
	"context"
	"encoding/json"
	"time"
)

// Audit actions: the names the audit log records critical operations
// under. Every writer uses these constants, so GET /api/audit?action=
// filters are stable.
const (
	AuditUserRegister    = "user.register"
	AuditUserLogin       = "user.login"
	AuditUserLoginFailed = "user.login_failed"
	AuditUserLogout      = "user.logout"
	AuditUserUpdate      = "user.update"
	AuditUserDelete      = "user.delete"
	// AuditTokenReuse is a replayed refresh token (its family is revoked).
	AuditTokenReuse = "token.reuse_detected"

	AuditCredentialCreate = "credential.create"
	// AuditCredentialUse is a credential decrypted for a node to use.
	AuditCredentialUse    = "credential.use"
	AuditCredentialUpdate = "credential.update"
	AuditCredentialDelete = "credential.delete"
	// AuditCredentialTest is a credential tried through the test endpoint.
	AuditCredentialTest = "credential.test"

	AuditWorkflowActivate   = "workflow.activate"
	AuditWorkflowDeactivate = "workflow.deactivate"
	AuditWorkflowDelete     = "workflow.delete"

	AuditExecutionStop   = "execution.stop"
	AuditExecutionDelete = "execution.delete"
)

// AuditActions lists every audit action, for documentation and checks.
var AuditActions = []string{
	AuditUserRegister, AuditUserLogin, AuditUserLoginFailed, AuditUserLogout, AuditUserUpdate, AuditUserDelete, AuditTokenReuse,
	AuditCredentialCreate, AuditCredentialUse, AuditCredentialUpdate, AuditCredentialDelete, AuditCredentialTest,
	AuditWorkflowActivate, AuditWorkflowDeactivate, AuditWorkflowDelete,
	AuditExecutionStop, AuditExecutionDelete,
}

// AuditEntry is one critical operation in the audit log.
type AuditEntry struct {
	ID         string  `gorm:"primaryKey" json:"id"`
	ActorID    *string `json:"actor_id"`
	Action     string  `json:"action"`
	ObjectType string  `json:"object_type"`
	ObjectID   string  `json:"object_id"`
	Details    string  `json:"-"`
	// DetailsJSON is Details as the API shows it.
	DetailsJSON json.RawMessage `gorm:"-" json:"details"`
	IP          string          `json:"ip"`
	CreatedAt   time.Time       `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (AuditEntry) TableName() string { return "audit_log" }

// Audit records an operation. details must hold no secrets.
func (db *DB) Audit(ctx context.Context, actorID, action, objectType, objectID, ip string, details map[string]any) error {
	b, _ := json.Marshal(details)
	if details == nil {
		b = []byte("{}")
	}
	e := AuditEntry{ID: newID(), Action: action, ObjectType: objectType, ObjectID: objectID, Details: string(b), IP: ip, CreatedAt: now()}
	if actorID != "" {
		e.ActorID = &actorID
	}
	return db.gorm.WithContext(ctx).Create(&e).Error
}

// AuditFilter narrows ListAudit; empty fields match everything.
type AuditFilter struct {
	Action     string
	ActorID    string
	ObjectType string
	ObjectID   string
	// Since and Until bound created_at (inclusive, exclusive).
	Since, Until *time.Time
	Page
}

// ListAudit returns a page of audit entries, newest first.
func (db *DB) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, string, error) {
	q := db.gorm.WithContext(ctx).Model(&AuditEntry{})
	for col, v := range map[string]string{"action": f.Action, "actor_id": f.ActorID, "object_type": f.ObjectType, "object_id": f.ObjectID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", f.Since.UTC())
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", f.Until.UTC())
	}
	page := f.Page
	q, err := applyCursor(q, page.Cursor, "created_at")
	if err != nil {
		return nil, "", err
	}
	var out []AuditEntry
	if err := q.Order("created_at DESC, id DESC").Limit(page.limit() + 1).Find(&out).Error; err != nil {
		return nil, "", err
	}
	for i := range out {
		out[i].DetailsJSON = json.RawMessage(out[i].Details)
		if !json.Valid(out[i].DetailsJSON) {
			out[i].DetailsJSON = json.RawMessage("{}")
		}
	}
	next := ""
	if len(out) > page.limit() {
		out = out[:page.limit()]
		last := out[len(out)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
}
