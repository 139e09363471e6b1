package persistence

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// Roles.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// User is a person who logs in.
type User struct {
	ID           string    `gorm:"primaryKey" json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Role         string    `json:"role"`
	Active       bool      `json:"active"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TableName implements gorm's Tabler.
func (User) TableName() string { return "users" }

// NormalizeEmail lowercases and trims an address, the form emails are
// stored and looked up in.
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser inserts a user. The first user of an empty database becomes an
// admin, whatever role was asked for, in the same transaction that counts, so
// two concurrent first registrations cannot both become admins. Returns
// CONFLICT if the email is taken.
func (db *DB) CreateUser(ctx context.Context, u *User) error {
	u.Email = NormalizeEmail(u.Email)
	return db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := db.lockTx(tx, lockUsers); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&User{}).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			u.Role = RoleAdmin
		} else if u.Role == "" {
			u.Role = RoleMember
		}
		if u.ID == "" {
			u.ID = newID()
		}
		t := now()
		u.CreatedAt, u.UpdatedAt = t, t
		if err := tx.Create(u).Error; err != nil {
			return translate(err, "user with this email")
		}
		return nil
	})
}

// UserByEmail returns the user with the email; NOT_FOUND if none.
func (db *DB) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := db.gorm.WithContext(ctx).Where("email = ?", NormalizeEmail(email)).Take(&u).Error
	if err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// UserByID returns a user; NOT_FOUND if none.
func (db *DB) UserByID(ctx context.Context, id string) (*User, error) {
	var u User
	if err := db.reads().WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// ListUsers returns users ordered by email.
func (db *DB) ListUsers(ctx context.Context, page Page) ([]User, string, error) {
	var users []User
	q := db.gorm.WithContext(ctx).Model(&User{}).Order("email, id")
	if page.Cursor != "" {
		q = q.Where("email > ?", page.Cursor)
	}
	if err := q.Limit(page.limit() + 1).Find(&users).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(users) > page.limit() {
		users = users[:page.limit()]
		next = users[len(users)-1].Email
	}
	return users, next, nil
}

// UpdateUser saves a user's name, role, active flag and password hash.
func (db *DB) UpdateUser(ctx context.Context, u *User) error {
	u.UpdatedAt = now()
	res := db.gorm.WithContext(ctx).Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{
		"name": u.Name, "role": u.Role, "active": u.Active, "password_hash": u.PasswordHash, "updated_at": u.UpdatedAt,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return notFound("user")
	}
	return nil
}

// Page asks for one page of a list.
type Page struct {
	// Limit is the page size: default 50, at most 250.
	Limit int
	// Cursor is the next_cursor of the previous page.
	Cursor string
}

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return 50
	case p.Limit > 250:
		return 250
	}
	return p.Limit
}

// ValidatePage checks a page request from a client.
func ValidatePage(limit int) error {
	if limit < 0 || limit > 250 {
		return nodes.Errorf(nodes.CodeInvalid, "limit must be between 1 and 250").WithDetail("limit", limit)
	}
	return nil
}
