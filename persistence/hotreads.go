package persistence

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/weft/weft/migrations"
)

// The reads every API request makes, authenticating (SessionUser) and
// reading workflows (GetWorkflowHead, ListWorkflowHeads), are written by
// hand: plain database/sql, statements prepared once per connection, rows
// scanned into fields directly, and a workflow's tags aggregated into its
// row, so a list or a get is one statement. Through GORM, building the
// statements and scanning by reflection were a third of the CPU of serving
// them under load (weft bench scenarios, scenario 4). Everything else,
// writes included, stays with GORM.

// maxHotStmts bounds the prepared statements kept. The texts are a small
// set in practice: the list's filter combinations times the page sizes
// clients use; beyond the bound, statements are prepared per query.
const maxHotStmts = 128

// hotReads holds the prepared statements of the hand-written reads, shared
// by a DB and its transaction copies.
type hotReads struct {
	pool    *sql.DB
	dialect string
	texts   *hotTexts

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// observe, when set, sees the text of every hand-written statement
	// (GORM's callbacks see the others): tests count statements with it.
	observe atomic.Pointer[func(string)]
}

func newHotReads(pool *sql.DB, dialect string) *hotReads {
	return &hotReads{pool: pool, dialect: dialect, texts: newHotTexts(dialect), stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement of q (written with ? placeholders),
// or nil when the cache is full. Nothing is evicted: a statement in hand
// must not be closed under its caller.
func (h *hotReads) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	h.mu.RLock()
	st := h.stmts[q]
	h.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if st := h.stmts[q]; st != nil {
		return st, nil
	}
	if len(h.stmts) >= maxHotStmts {
		return nil, nil
	}
	st, err := h.pool.PrepareContext(ctx, h.rebind(q))
	if err != nil {
		return nil, err
	}
	h.stmts[q] = st
	return st, nil
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …. The statements
// here have no ? anywhere else.
func (h *hotReads) rebind(q string) string {
	if h.dialect != migrations.Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (h *hotReads) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for q, st := range h.stmts {
		_ = st.Close()
		delete(h.stmts, q)
	}
}

// ObserveStatements calls fn with the text of each statement the
// hand-written reads run, until the returned function is called; GORM's
// callbacks see all other statements. For tests that count statements
// (dbtest.CountQueries); one observer at a time.
func (db *DB) ObserveStatements(fn func(sql string)) (stop func()) {
	db.hot.observe.Store(&fn)
	return func() { db.hot.observe.CompareAndSwap(&fn, nil) }
}

// query runs a hand-written read: a prepared statement on the pool, or on
// the transaction when db is a transaction's copy.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	h := db.hot
	if f := h.observe.Load(); f != nil {
		(*f)(q)
	}
	if db.tx {
		return db.gorm.Statement.ConnPool.QueryContext(ctx, h.rebind(q), args...)
	}
	st, err := h.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return h.pool.QueryContext(ctx, h.rebind(q), args...)
	}
	return st.QueryContext(ctx, args...)
}

// SessionUser returns, in one query, the user by id and whether the token
// family (session) familyID is live: what authenticating a request needs.
// NOT_FOUND when the user does not exist.
func (db *DB) SessionUser(ctx context.Context, userID, familyID string) (*User, bool, error) {
	rows, err := db.query(ctx, db.hot.texts.session, familyID, userID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
		return nil, false, notFound("user")
	}
	var (
		u    User
		live bool
	)
	if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.Active, storedTime{&u.CreatedAt}, storedTime{&u.UpdatedAt}, &live); err != nil {
		return nil, false, err
	}
	return &u, live, rows.Close()
}

// tagsJSON is the expression of a workflow's (w) tags as a JSON array:
// [] or NULL when it has none. PostgreSQL orders them in the database's
// collation; SQLite's order is arbitrary and scanHeads sorts them
// by bytes, which is SQLite's BINARY collation (an ORDER BY inside the
// aggregate built a temporary b-tree for every workflow read: 5 % of all
// CPU under load).
func tagsJSON(dialect string) string {
	if dialect == migrations.Postgres {
		return "(SELECT json_agg(tag ORDER BY tag) FROM workflow_tags WHERE workflow_id = w.id)"
	}
	return "(SELECT json_group_array(tag) FROM workflow_tags WHERE workflow_id = w.id)"
}

// hotTexts are the texts of the hand-written reads of a dialect.
type hotTexts struct {
	// session reads a user and whether a token family has an unrevoked
	// token.
	session string
	// get reads one live workflow, for an admin [0] and for its owner [1].
	get [2]string
	// list holds the list statement of each combination of conditions
	// (list* bits), up to its LIMIT's value: a page of live workflows,
	// newest update first. The limit is written into the text, not bound:
	// SQLite plans with a bound LIMIT's value, and so prepares such a
	// statement again at every execution with a new binding.
	list [listKinds]string
	// sortTags is set when the tags come unordered (SQLite).
	sortTags bool
}

// The conditions a workflow list may have, as bits of its statement's
// index in hotTexts.list; arguments follow in this order.
const (
	listOwner  = 1 << iota // owner_id = ?
	listSearch             // name contains ?
	listTag                // has tag ?
	listActive             // active = ?
	listCursor             // after the cursor (updated_at, updated_at, id)
	listKinds
)

func newHotTexts(dialect string) *hotTexts {
	// SQLite's timestamps are read as the text they are: storedTime
	// parses the form the driver writes faster than the driver does.
	ts := func(col string) string { return col }
	if dialect != migrations.Postgres {
		ts = func(col string) string { return "CAST(" + col + " AS TEXT)" }
	}
	sel := "SELECT w.id, w.owner_id, w.name, w.active, w.version_id, " + ts("w.created_at") + ", " + ts("w.updated_at") + ", " +
		tagsJSON(dialect) + " FROM workflows w WHERE w.deleted_at IS NULL"
	h := &hotTexts{
		session: "SELECT id, email, name, password_hash, role, active, " + ts("created_at") + ", " + ts("updated_at") +
			", EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NULL) FROM users WHERE id = ?",
		get:      [2]string{sel + " AND w.id = ?", sel + " AND w.id = ? AND w.owner_id = ?"},
		sortTags: dialect != migrations.Postgres,
	}
	for k := range h.list {
		var b strings.Builder
		b.WriteString(sel)
		if k&listOwner != 0 {
			b.WriteString(" AND w.owner_id = ?")
		}
		if k&listSearch != 0 {
			b.WriteString(` AND LOWER(w.name) LIKE ? ESCAPE '\'`)
		}
		if k&listTag != 0 {
			b.WriteString(" AND w.id IN (SELECT workflow_id FROM workflow_tags WHERE tag = ?)")
		}
		if k&listActive != 0 {
			b.WriteString(" AND w.active = ?")
		}
		if k&listCursor != 0 {
			b.WriteString(" AND (w.updated_at < ? OR (w.updated_at = ? AND w.id < ?))")
		}
		b.WriteString(" ORDER BY w.updated_at DESC, w.id DESC LIMIT ")
		h.list[k] = b.String()
	}
	return h
}

// scanHeads reads rows of the head statements into workflows
// without definitions.
func (h *hotTexts) scanHeads(rows *sql.Rows) ([]*Workflow, error) {
	defer rows.Close()
	var out []*Workflow
	for rows.Next() {
		w := &Workflow{}
		var tags []byte
		if err := rows.Scan(&w.ID, &w.OwnerID, &w.Name, &w.Active, &w.VersionID, storedTime{&w.CreatedAt}, storedTime{&w.UpdatedAt}, &tags); err != nil {
			return nil, err
		}
		var err error
		if w.Tags, err = parseStrings(tags); err != nil {
			return nil, err
		}
		if h.sortTags {
			slices.Sort(w.Tags)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, rows.Close()
}

// parseStrings decodes a JSON array of strings (empty or null: none).
func parseStrings(b []byte) ([]string, error) {
	if len(b) == 0 {
		return []string{}, nil
	}
	if out, ok := cutStrings(b); ok {
		return out, nil
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("workflow tags: %w", err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// cutStrings decodes a JSON array of strings without escapes, the usual
// tags, by cutting them out; ok is false for anything else.
func cutStrings(b []byte) (out []string, ok bool) {
	if bytes.IndexByte(b, '\\') >= 0 {
		return nil, false
	}
	p := bytes.TrimSpace(b)
	if len(p) < 2 || p[0] != '[' || p[len(p)-1] != ']' {
		return nil, false
	}
	p = bytes.TrimSpace(p[1 : len(p)-1])
	out = []string{}
	for len(p) > 0 {
		if p[0] != '"' {
			return nil, false
		}
		end := bytes.IndexByte(p[1:], '"')
		if end < 0 {
			return nil, false
		}
		out = append(out, string(p[1:1+end]))
		p = bytes.TrimSpace(p[2+end:])
		if len(p) == 0 {
			break
		}
		if p[0] != ',' || len(bytes.TrimSpace(p[1:])) == 0 {
			return nil, false
		}
		p = bytes.TrimSpace(p[1:])
	}
	return out, true
}

// storedTime scans a timestamp column: a time.Time from PostgreSQL, or
// from SQLite the text the driver wrote (time.Time.String() of a UTC time,
// "2006-01-02 15:04:05.999999999 +0000 UTC"). That form is parsed here
// directly; anything else as the driver would (parseDriverTime).
type storedTime struct{ t *time.Time }

func (s storedTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v
		return nil
	case string:
		t, err := parseStoredTime(v)
		*s.t = t
		return err
	case []byte:
		t, err := parseStoredTime(string(v))
		*s.t = t
		return err
	}
	return fmt.Errorf("timestamp: unsupported value %T", v)
}

// parseStoredTime parses a timestamp SQLite holds; what time.Parse would
// give for the driver's layouts, UTC times without parsing layouts.
func parseStoredTime(s string) (time.Time, error) {
	const utc = " +0000 UTC"
	if len(s) >= 19+len(utc) && s[4] == '-' && s[7] == '-' && s[10] == ' ' && s[13] == ':' && s[16] == ':' && strings.HasSuffix(s, utc) {
		frac := s[19 : len(s)-len(utc)]
		year, ok1 := digits(s[0:4])
		month, ok2 := digits(s[5:7])
		day, ok3 := digits(s[8:10])
		hour, ok4 := digits(s[11:13])
		minute, ok5 := digits(s[14:16])
		sec, ok6 := digits(s[17:19])
		nsec, ok7 := 0, true
		if frac != "" {
			// time.Parse accepts 1 to 9 digits after the point.
			if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
				ok7 = false
			} else {
				nsec, ok7 = digits(frac[1:])
				for range 10 - len(frac) {
					nsec *= 10
				}
			}
		}
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && month >= 1 && month <= 12 && day >= 1 &&
			day <= daysIn(time.Month(month), year) && hour < 24 && minute < 60 && sec < 60 {
			return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), nil
		}
	}
	return parseDriverTime(s)
}

// digits parses a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// driverTimeLayouts are the layouts the SQLite driver tries on a
// timestamp's text, in its order, after time.Time.String()'s.
var driverTimeLayouts = [...]string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseDriverTime parses a timestamp's text as the modernc SQLite driver
// does (it opens the app database without a location of its own):
// time.Time.String()'s form, with a monotonic reading cut off, or one of
// the layouts above, a trailing Z meaning UTC.
func parseDriverTime(s string) (time.Time, error) {
	str := s
	if i := strings.Index(str, "m="); i > 0 {
		str = str[:i]
	}
	if t, err := time.Parse("2006-01-02 15:04:05.999999999 -0700 MST", strings.TrimSpace(str)); err == nil {
		return t, nil
	}
	ts := strings.TrimSuffix(s, "Z")
	for _, layout := range driverTimeLayouts {
		if t, err := time.Parse(layout, ts); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q: not a time", s)
}
