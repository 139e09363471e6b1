package persistence

import (
	"encoding/base64"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/weft/weft/nodes"
)

// encodeCursor makes an opaque keyset cursor from the sort column's value
// and the row id.
func encodeCursor(t time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(t.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", nodes.Errorf(nodes.CodeInvalid, "invalid cursor")
	}
	ts, id, ok := strings.Cut(string(b), "|")
	if !ok {
		return time.Time{}, "", nodes.Errorf(nodes.CodeInvalid, "invalid cursor")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, "", nodes.Errorf(nodes.CodeInvalid, "invalid cursor")
	}
	return t, id, nil
}

// applyCursor continues a "column DESC, id DESC" listing after the cursor.
func applyCursor(q *gorm.DB, cursor, column string) (*gorm.DB, error) {
	if cursor == "" {
		return q, nil
	}
	t, id, err := decodeCursor(cursor)
	if err != nil {
		return nil, err
	}
	return q.Where("("+column+" < ?) OR ("+column+" = ? AND id < ?)", t, t, id), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func itoa(i int) string { return strconv.Itoa(i) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
