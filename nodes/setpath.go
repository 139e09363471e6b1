package nodes

import (
	"regexp"
	"strconv"
	"strings"
)

// setPathHelper reads and writes item fields by name the way Edit Fields
// does: with dot notation, lodash's get/set/unset paths ("a.b", "a[0].b",
// `a["b.c"]`); without, literal keys (where Edit Fields 3+ also accepts a
// bracketed ['key'] for an existing key).
type setPathHelper struct {
	dots bool
	// literal disables the bracket form without dot notation (Set 1–2).
	literal bool
}

func (p setPathHelper) key(obj map[string]any, key string) string {
	if p.literal {
		return key
	}
	if _, ok := obj[key]; ok {
		return key
	}
	if len(key) >= 4 && (strings.HasPrefix(key, "['") && strings.HasSuffix(key, "']") ||
		strings.HasPrefix(key, `["`) && strings.HasSuffix(key, `"]`)) {
		if inner := key[2 : len(key)-2]; obj[inner] != nil {
			return inner
		}
	}
	return key
}

// path splits a field name into lodash path segments; a name that is a
// key of obj or has no path syntax is one segment.
func (p setPathHelper) path(obj map[string]any, key string) []string {
	if _, ok := obj[key]; ok || !setDeepProp.MatchString(key) {
		return []string{key}
	}
	return setLodashPath(key)
}

func (p setPathHelper) get(obj map[string]any, key string) any {
	if !p.dots {
		return obj[p.key(obj, key)]
	}
	var cur any = obj
	for _, seg := range p.path(obj, key) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			n, ok := setArrayIndex(seg)
			if !ok || n >= len(c) {
				return nil
			}
			cur = c[n]
		case string:
			n, ok := setArrayIndex(seg)
			r := []rune(c)
			if !ok || n >= len(r) {
				return nil
			}
			cur = string(r[n])
		default:
			return nil
		}
	}
	return cur
}

func (p setPathHelper) set(obj map[string]any, key string, v any) {
	if !p.dots {
		obj[p.key(obj, key)] = v
		return
	}
	setPathSet(obj, p.path(obj, key), v)
}

func (p setPathHelper) unset(obj map[string]any, key string) {
	if !p.dots {
		delete(obj, p.key(obj, key))
		return
	}
	path := p.path(obj, key)
	var cur any = obj
	for i, seg := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				delete(c, seg)
				return
			}
			cur = c[seg]
		case []any:
			n, ok := setArrayIndex(seg)
			if !ok || n >= len(c) {
				return
			}
			if last {
				c[n] = nil
				return
			}
			cur = c[n]
		default:
			return
		}
	}
}

// setPathSet sets value at path inside container, creating objects (or arrays
// where the next segment is an index) where the way is missing or not an
// object, and returns the container (a new slice when an array grew).
func setPathSet(container any, path []string, value any) any {
	seg := path[0]
	next := func(cur any) any {
		if len(path) == 1 {
			return value
		}
		switch cur.(type) {
		case map[string]any, []any:
		default:
			if _, ok := setArrayIndex(path[1]); ok {
				cur = []any{}
			} else {
				cur = map[string]any{}
			}
		}
		return setPathSet(cur, path[1:], value)
	}
	switch c := container.(type) {
	case map[string]any:
		if seg == "__proto__" || seg == "constructor" || seg == "prototype" {
			return c
		}
		c[seg] = next(c[seg])
		return c
	case []any:
		n, ok := setArrayIndex(seg)
		if !ok {
			// A named property on an array does not survive JSON.
			return c
		}
		for len(c) <= n {
			c = append(c, nil)
		}
		c[n] = next(c[n])
		return c
	}
	return container
}

func setArrayIndex(s string) (int, bool) {
	if !setIndexPattern.MatchString(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n < 1<<24
}

// setDeepProp matches names with lodash path syntax (dots or brackets).
var setDeepProp = regexp.MustCompile(`\.|\[(?:[^\[\]]*|(["'])(?:[^\\]|\\.)*?["'])\]`)

// setLodashPath is lodash's stringToPath: "a.b[0]['c.d']" is a, b, 0, c.d;
// empty names between dots ("a..b", "a.") are empty segments.
func setLodashPath(s string) []string {
	var out []string
	if strings.HasPrefix(s, ".") {
		out = append(out, "")
	}
	emptyAt := func(pos int) bool {
		// An empty segment where "." or "[]" is followed by ".", "[]" or
		// the end.
		n := 0
		switch {
		case s[pos] == '.':
			n = 1
		case strings.HasPrefix(s[pos:], "[]"):
			n = 2
		default:
			return false
		}
		rest := s[pos+n:]
		return rest == "" || rest[0] == '.' || strings.HasPrefix(rest, "[]")
	}
	for pos := 0; pos < len(s); {
		if end := strings.IndexAny(s[pos:], ".[]"); end != 0 {
			if end < 0 {
				end = len(s) - pos
			}
			out = append(out, s[pos:pos+end])
			pos += end
			continue
		}
		if s[pos] == '[' {
			if seg, n, ok := setBracketSegment(s[pos:]); ok {
				out = append(out, seg)
				pos += n
				continue
			}
		}
		if emptyAt(pos) {
			out = append(out, "")
		}
		pos++
	}
	return out
}

var setBracketNumber = regexp.MustCompile(`^\[(-?\d+(?:\.\d+)?)\]`)

// setBracketSegment reads a [number] or a quoted ['name'] at the start of s,
// returning the segment and the bytes it spans.
func setBracketSegment(s string) (string, int, bool) {
	if m := setBracketNumber.FindStringSubmatch(s); m != nil {
		return m[1], len(m[0]), true
	}
	if len(s) < 4 || (s[1] != '"' && s[1] != '\'') {
		return "", 0, false
	}
	q := s[1]
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case q:
			if i+1 < len(s) && s[i+1] == ']' {
				return setUnescape(s[2:i]), i + 2, true
			}
			return "", 0, false
		}
	}
	return "", 0, false
}

func setUnescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
