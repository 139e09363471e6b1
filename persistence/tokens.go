package persistence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// RefreshToken is a stored refresh token: only its SHA-256 is kept. Tokens
// of one login form a family; each refresh uses one up and issues the next.
type RefreshToken struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	FamilyID  string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (RefreshToken) TableName() string { return "refresh_tokens" }

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SaveRefreshToken stores a new token of a family (a new family when
// familyID is empty) and returns the family id.
func (db *DB) SaveRefreshToken(ctx context.Context, userID, familyID, token string, expires time.Time) (string, error) {
	if familyID == "" {
		familyID = newID()
	}
	rt := RefreshToken{ID: newID(), UserID: userID, FamilyID: familyID, TokenHash: HashToken(token), ExpiresAt: expires.UTC(), CreatedAt: now()}
	return familyID, db.gorm.WithContext(ctx).Create(&rt).Error
}

// ErrTokenReused is returned by UseRefreshToken when a token that was
// already used comes back: its whole family has been revoked.
var ErrTokenReused = nodes.Errorf(nodes.CodeUnauthorized, "refresh token reuse detected: all sessions of this login were revoked")

// UseRefreshToken marks a valid token used and returns it. An unknown,
// expired or revoked token is UNAUTHORIZED. A token used before is reuse:
// the family is revoked and ErrTokenReused returned. The check and the mark
// happen in one transaction, so two concurrent refreshes with the same token
// cannot both succeed.
func (db *DB) UseRefreshToken(ctx context.Context, token string) (*RefreshToken, error) {
	var out RefreshToken
	reused := false
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("token_hash = ?", HashToken(token)).Take(&out).Error; err != nil {
			return nodes.Errorf(nodes.CodeUnauthorized, "invalid refresh token")
		}
		t := now()
		if out.RevokedAt != nil {
			return nodes.Errorf(nodes.CodeUnauthorized, "refresh token revoked")
		}
		if out.UsedAt != nil {
			reused = true
			return tx.Model(&RefreshToken{}).Where("family_id = ? AND revoked_at IS NULL", out.FamilyID).Update("revoked_at", t).Error
		}
		if t.After(out.ExpiresAt) {
			return nodes.Errorf(nodes.CodeUnauthorized, "refresh token expired")
		}
		res := tx.Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", out.ID).Update("used_at", t)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return nodes.Errorf(nodes.CodeUnauthorized, "refresh token already used")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if reused {
		return nil, ErrTokenReused
	}
	return &out, nil
}

// RevokeFamily revokes every token of the family that token belongs to
// (logout). Unknown tokens are ignored.
func (db *DB) RevokeFamily(ctx context.Context, token string) error {
	var rt RefreshToken
	if err := db.gorm.WithContext(ctx).Where("token_hash = ?", HashToken(token)).Take(&rt).Error; err != nil {
		return nil
	}
	return db.gorm.WithContext(ctx).Model(&RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", rt.FamilyID).Update("revoked_at", now()).Error
}

// RevokeUserTokens revokes all of a user's refresh tokens (deactivation).
func (db *DB) RevokeUserTokens(ctx context.Context, userID string) error {
	return db.gorm.WithContext(ctx).Model(&RefreshToken{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Update("revoked_at", now()).Error
}

// FamilyActive reports whether a token family still has an unrevoked token;
// access tokens carry their family so logout ends them too.
func (db *DB) FamilyActive(ctx context.Context, familyID string) (bool, error) {
	var n int64
	err := db.reads().WithContext(ctx).Model(&RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Count(&n).Error
	return n > 0, err
}

// RevokeSession revokes a token family by id.
func (db *DB) RevokeSession(ctx context.Context, familyID string) error {
	return db.gorm.WithContext(ctx).Model(&RefreshToken{}).
		Where("family_id = ? AND revoked_at IS NULL", familyID).Update("revoked_at", now()).Error
}
