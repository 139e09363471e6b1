package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/weft/weft/migrations"
)

// CredentialRow is a credentials row: the data is AES-256-GCM ciphertext
// under the key whose version is beside it.
type CredentialRow struct {
	ID         string `gorm:"primaryKey"`
	OwnerID    string
	Name       string
	Type       string
	Data       string
	KeyVersion int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TableName implements gorm's Tabler.
func (CredentialRow) TableName() string { return "credentials" }

// Credential is a stored credential with its data decrypted (Data is nil
// in lists, which do not decrypt).
type Credential struct {
	ID        string
	OwnerID   string
	Name      string
	Type      string
	Data      map[string]any
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Credentials is the credential store: the database and the keyring that
// encrypts data at rest. Decrypted data leaves it only as return values;
// it never logs.
type Credentials struct {
	db   *DB
	keys *Keyring
}

// Credentials returns the credential store encrypting with keys.
func (db *DB) Credentials(keys *Keyring) *Credentials { return &Credentials{db: db, keys: keys} }

// Keys returns the store's keyring.
func (cs *Credentials) Keys() *Keyring { return cs.keys }

func (cs *Credentials) seal(row *CredentialRow, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	plain, err := json.Marshal(data)
	if err != nil {
		return err
	}
	row.Data, row.KeyVersion, err = cs.keys.Encrypt(plain, row.ID)
	return err
}

func (cs *Credentials) open(row *CredentialRow) (*Credential, error) {
	plain, err := cs.keys.Decrypt(row.Data, row.KeyVersion, row.ID)
	if err != nil {
		return nil, credentialDataError(row.ID, err)
	}
	var data map[string]any
	if err := json.Unmarshal(plain, &data); err != nil {
		return nil, credentialDataError(row.ID, errors.New("decrypted data is not a JSON object"))
	}
	c := meta(row)
	c.Data = data
	return c, nil
}

func meta(row *CredentialRow) *Credential {
	return &Credential{ID: row.ID, OwnerID: row.OwnerID, Name: row.Name, Type: row.Type,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt}
}

// Create stores a new credential owned by ownerID. Data must already be
// validated against the type.
func (cs *Credentials) Create(ctx context.Context, ownerID, name, typ string, data map[string]any) (*Credential, error) {
	t := now()
	row := CredentialRow{ID: newID(), OwnerID: ownerID, Name: name, Type: typ, CreatedAt: t, UpdatedAt: t}
	if err := cs.seal(&row, data); err != nil {
		return nil, err
	}
	if err := cs.db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return nil, translate(err, "credential")
	}
	c := meta(&row)
	c.Data = data
	return c, nil
}

// Get returns a credential with its data decrypted; NOT_FOUND outside the
// scope. A row that does not decrypt is an internal error naming only the
// credential id.
func (cs *Credentials) Get(ctx context.Context, s Scope, id string) (*Credential, error) {
	var row CredentialRow
	if err := s.apply(cs.db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Take(&row).Error; err != nil {
		return nil, translate(err, "credential")
	}
	return cs.open(&row)
}

// CredentialFilter narrows List.
type CredentialFilter struct {
	// Type keeps credentials of one type.
	Type string
	// Search matches names containing it, case-insensitively.
	Search string
	Page
}

// List returns a page of credentials without their data, newest update
// first, and the next page's cursor.
func (cs *Credentials) List(ctx context.Context, s Scope, f CredentialFilter) ([]*Credential, string, error) {
	q := s.apply(cs.db.gorm.WithContext(ctx).Model(&CredentialRow{}), "owner_id").Omit("data")
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	if f.Search != "" {
		q = q.Where("LOWER(name) LIKE ? ESCAPE '\\'", "%"+escapeLike(strings.ToLower(f.Search))+"%")
	}
	q, err := applyCursor(q, f.Cursor, "updated_at")
	if err != nil {
		return nil, "", err
	}
	var rows []CredentialRow
	if err := q.Select("id, owner_id, name, type, key_version, created_at, updated_at").
		Order("updated_at DESC, id DESC").Limit(f.limit() + 1).Find(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > f.limit() {
		rows = rows[:f.limit()]
		last := rows[len(rows)-1]
		next = encodeCursor(last.UpdatedAt, last.ID)
	}
	out := make([]*Credential, len(rows))
	for i := range rows {
		out[i] = meta(&rows[i])
	}
	return out, next, nil
}

// Update loads a credential in scope, lets fn change its name and data,
// and stores the result encrypted under the current key, all in one
// transaction (so two updates of one credential do not lose each other's
// changes). An error from fn is returned as it is and nothing is written.
func (cs *Credentials) Update(ctx context.Context, s Scope, id string, fn func(c *Credential) error) (*Credential, error) {
	var out *Credential
	err := cs.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row CredentialRow
		if err := cs.db.lockRow(s.apply(tx.Where("id = ?", id), "owner_id")).Take(&row).Error; err != nil {
			return translate(err, "credential")
		}
		c, err := cs.open(&row)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		row.Name = c.Name
		row.UpdatedAt = now()
		if err := cs.seal(&row, c.Data); err != nil {
			return err
		}
		if err := tx.Model(&CredentialRow{}).Where("id = ?", id).Updates(map[string]any{
			"name": row.Name, "data": row.Data, "key_version": row.KeyVersion, "updated_at": row.UpdatedAt,
		}).Error; err != nil {
			return err
		}
		c.UpdatedAt = row.UpdatedAt
		out = c
		return nil
	})
	return out, err
}

// Delete removes a credential; NOT_FOUND outside the scope. Workflows that
// reference it keep the reference: their nodes fail with NOT_FOUND when
// they run (n8n's behaviour).
func (cs *Credentials) Delete(ctx context.Context, s Scope, id string) error {
	res := s.apply(cs.db.gorm.WithContext(ctx).Where("id = ?", id), "owner_id").Delete(&CredentialRow{})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound("credential")
	}
	return nil
}

// Types returns the type of each of ids that exists and is owned by
// ownerID; ids missing from the result do not exist or belong to someone
// else.
func (cs *Credentials) Types(ctx context.Context, ownerID string, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []CredentialRow
	if err := cs.db.gorm.WithContext(ctx).Select("id, type").Where("owner_id = ? AND id IN ?", ownerID, ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID] = r.Type
	}
	return out, nil
}

// RotateResult says what Rotate did.
type RotateResult struct {
	// Rewritten rows were re-encrypted under the current key.
	Rewritten int
	// Current rows were already under it.
	Current int
}

// Rotate re-encrypts every credential not yet under the keyring's current
// key, one row per transaction, reading each with whichever configured key
// wrote it. It is safe to interrupt and run again: rows already rewritten
// are skipped, and every row stays readable by a keyring holding both the
// old and the new key. A row that does not decrypt stops the rotation with
// its id.
func (cs *Credentials) Rotate(ctx context.Context) (RotateResult, error) {
	var res RotateResult
	var ids []string
	if err := cs.db.gorm.WithContext(ctx).Model(&CredentialRow{}).Where("key_version <> ?", cs.keys.CurrentVersion()).
		Order("id").Pluck("id", &ids).Error; err != nil {
		return res, err
	}
	var total int64
	if err := cs.db.gorm.WithContext(ctx).Model(&CredentialRow{}).Count(&total).Error; err != nil {
		return res, err
	}
	for _, id := range ids {
		err := cs.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var row CredentialRow
			if err := cs.db.lockRow(tx.Where("id = ?", id)).Take(&row).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return nil // deleted meanwhile
				}
				return err
			}
			if row.KeyVersion == cs.keys.CurrentVersion() {
				return nil
			}
			c, err := cs.open(&row)
			if err != nil {
				return err
			}
			if err := cs.seal(&row, c.Data); err != nil {
				return err
			}
			res.Rewritten++
			return tx.Model(&CredentialRow{}).Where("id = ?", id).Updates(map[string]any{"data": row.Data, "key_version": row.KeyVersion}).Error
		})
		if err != nil {
			return res, err
		}
	}
	res.Current = int(total) - res.Rewritten
	return res, nil
}

// Row returns a credential's raw row (tests read the ciphertext).
func (cs *Credentials) Row(ctx context.Context, id string) (*CredentialRow, error) {
	var row CredentialRow
	if err := cs.db.gorm.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, translate(err, "credential")
	}
	return &row, nil
}

// lockRow locks the selected row for the transaction on PostgreSQL; SQLite
// write transactions are exclusive already.
func (db *DB) lockRow(q *gorm.DB) *gorm.DB {
	if db.dialect != migrations.Postgres {
		return q
	}
	return q.Clauses(clause.Locking{Strength: "UPDATE"})
}
