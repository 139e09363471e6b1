package persistence

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// Webhook is a registered webhook: method and path of one Webhook node of
// a workflow. Production webhooks (IsTest false) exist while the workflow
// is active; test webhooks live for one call within TestWebhookTTL.
type Webhook struct {
	ID         string    `gorm:"primaryKey" json:"id"`
	WorkflowID string    `json:"workflow_id"`
	OwnerID    string    `json:"-"`
	NodeName   string    `json:"node"`
	Method     string    `json:"method"`
	Path       string    `json:"path"`
	IsTest     bool      `json:"is_test"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName implements gorm's Tabler.
func (Webhook) TableName() string { return "webhooks" }

// TestWebhookTTL is how long a test webhook waits for its one call.
const TestWebhookTTL = 2 * time.Minute

// InsertWebhook registers a webhook. A method and path already taken (by
// any workflow, in the same production or test space) is CONFLICT naming
// the path, the method and the workflow holding it.
func (db *DB) InsertWebhook(ctx context.Context, w *Webhook) error {
	if w.ID == "" {
		w.ID = newID()
	}
	w.CreatedAt = now()
	q := db.gorm.WithContext(ctx)
	if w.IsTest {
		// An expired test webhook does not block anyone.
		if err := q.Where("method = ? AND path = ? AND is_test = ? AND created_at < ?", w.Method, w.Path, true, w.CreatedAt.Add(-TestWebhookTTL)).
			Delete(&Webhook{}).Error; err != nil {
			return err
		}
	}
	var other Webhook
	err := q.Where("method = ? AND path = ? AND is_test = ?", w.Method, w.Path, w.IsTest).Limit(1).Find(&other).Error
	if err != nil {
		return err
	}
	if other.ID != "" {
		return webhookConflict(w, &other)
	}
	if err := q.Create(w).Error; err != nil {
		if isUniqueViolation(err) {
			return webhookConflict(w, &Webhook{})
		}
		return err
	}
	return nil
}

func webhookConflict(w, other *Webhook) error {
	msg := "the webhook path \"" + w.Path + "\" with method " + w.Method + " is already used"
	if other.WorkflowID != "" {
		msg += " by workflow " + other.WorkflowID
	}
	return nodes.Errorf(nodes.CodeConflict, "%s", msg).
		WithDetail("path", w.Path).WithDetail("method", w.Method).WithDetail("workflow_id", other.WorkflowID)
}

// DeleteWebhooks removes a workflow's webhooks, production or test ones.
func (db *DB) DeleteWebhooks(ctx context.Context, workflowID string, test bool) error {
	return db.gorm.WithContext(ctx).Where("workflow_id = ? AND is_test = ?", workflowID, test).Delete(&Webhook{}).Error
}

// ListWebhooks lists the webhooks in scope, newest first.
func (db *DB) ListWebhooks(ctx context.Context, s Scope, workflowID string, p Page) ([]Webhook, string, error) {
	q := s.apply(db.gorm.WithContext(ctx).Model(&Webhook{}), "owner_id")
	if workflowID != "" {
		q = q.Where("workflow_id = ?", workflowID)
	}
	q, err := applyCursor(q, p.Cursor, "created_at")
	if err != nil {
		return nil, "", err
	}
	var out []Webhook
	if err := q.Order("created_at DESC, id DESC").Limit(p.limit() + 1).Find(&out).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > p.limit() {
		out = out[:p.limit()]
		last := out[len(out)-1]
		next = encodeCursor(last.CreatedAt, last.ID)
	}
	return out, next, nil
}

// GetWebhook returns one webhook in scope.
func (db *DB) GetWebhook(ctx context.Context, s Scope, id string) (*Webhook, error) {
	var w Webhook
	err := s.apply(db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Take(&w).Error
	if err != nil {
		return nil, translate(err, "webhook")
	}
	return &w, nil
}

// DeleteWebhook removes one webhook in scope.
func (db *DB) DeleteWebhook(ctx context.Context, s Scope, id string) error {
	res := s.apply(db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Delete(&Webhook{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound("webhook")
	}
	return nil
}

// WebhookMatch is the webhook a request path found, with the values of its
// path parameters.
type WebhookMatch struct {
	Webhook
	Params map[string]string
}

// FindWebhooks returns the webhooks registered for a request path (without
// slashes at the ends), one per method: those of a static path when there
// are any (a static path beats a parameterised one), else those of the
// parameterised path that matches, with its parameters. Test webhooks
// older than TestWebhookTTL are left out. None found is an empty list.
func (db *DB) FindWebhooks(ctx context.Context, path string, test bool) ([]WebhookMatch, error) {
	base := func() *gorm.DB {
		q := db.gorm.WithContext(ctx).Where("is_test = ?", test)
		if test {
			q = q.Where("created_at >= ?", now().Add(-TestWebhookTTL))
		}
		return q
	}
	var rows []Webhook
	if err := base().Where("path = ?", path).Order("method").Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		out := make([]WebhookMatch, len(rows))
		for i, r := range rows {
			out[i] = WebhookMatch{Webhook: r, Params: map[string]string{}}
		}
		return out, nil
	}
	// Parameterised paths start with their node's webhookId, a fixed
	// segment, which narrows the search.
	first, _, _ := strings.Cut(path, "/")
	rows = nil
	if err := base().Where("path LIKE ? ESCAPE '\\'", escapeLike(first)+"/%").Order("path, method").Find(&rows).Error; err != nil {
		return nil, err
	}
	var out []WebhookMatch
	var matched string
	for _, r := range rows {
		if matched != "" && r.Path != matched {
			continue
		}
		if params, ok := matchPath(r.Path, path); ok {
			matched = r.Path
			out = append(out, WebhookMatch{Webhook: r, Params: params})
		}
	}
	return out, nil
}

// ClaimTestWebhooks removes a workflow's test webhooks and reports whether
// this call removed them: of concurrent calls only one wins the one-shot.
func (db *DB) ClaimTestWebhooks(ctx context.Context, workflowID string) (bool, error) {
	res := db.gorm.WithContext(ctx).Where("workflow_id = ? AND is_test = ?", workflowID, true).Delete(&Webhook{})
	return res.RowsAffected > 0, res.Error
}

// matchPath matches a request path against a registered path with ':name'
// segments.
func matchPath(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(pattern, "/")
	xs := strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range ps {
		if name, ok := strings.CutPrefix(p, ":"); ok {
			if xs[i] == "" {
				return nil, false
			}
			params[name] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

// ReplaceTestWebhooks registers a workflow's test webhooks in place of its
// earlier ones, in one transaction: all of them, or none on a CONFLICT.
func (db *DB) ReplaceTestWebhooks(ctx context.Context, workflowID string, hooks []*Webhook) error {
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		t := db.inTx(tx)
		if err := t.DeleteWebhooks(ctx, workflowID, true); err != nil {
			return err
		}
		for _, h := range hooks {
			h.IsTest = true
			if err := t.InsertWebhook(ctx, h); err != nil {
				return err
			}
		}
		return nil
	})
}
