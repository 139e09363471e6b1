package persistence

import (
	"context"
	"encoding/json"
	"time"
)

// AuditEntry is one critical operation in the audit log.
type AuditEntry struct {
	ID         string    `gorm:"primaryKey" json:"id"`
	ActorID    *string   `json:"actor_id"`
	Action     string    `json:"action"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	Details    string    `json:"-"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
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

// ListAudit returns a page of audit entries, newest first.
func (db *DB) ListAudit(ctx context.Context, action string, page Page) ([]AuditEntry, string, error) {
	q := db.gorm.WithContext(ctx).Model(&AuditEntry{})
	if action != "" {
		q = q.Where("action = ?", action)
	}
	q, err := applyCursor(q, page.Cursor, "created_at")
	if err != nil {
		return nil, "", err
	}
	var out []AuditEntry
	if err := q.Order("created_at DESC, id DESC").Limit(page.limit() + 1).Find(&out).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > page.limit() {
		out = out[:page.limit()]
		last := out[len(out)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
}
