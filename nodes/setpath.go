package nodes

import "strings"

// setPathHelper reads and writes item fields by name the way Edit Fields
// does: with dot notation, lodash's get/set/unset paths ("a.b", "a[0].b",
// `a["b.c"]`, see jslib.go); without, literal keys (where Edit Fields 3+
// also accepts a bracketed ['key'] for an existing key). A missing field
// reads as undefined, and setting undefined creates nothing, as in n8n.
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

func (p setPathHelper) get(obj map[string]any, key string) any {
	if p.dots {
		return loGet(obj, key)
	}
	if v, ok := obj[p.key(obj, key)]; ok {
		return v
	}
	return undef
}

func (p setPathHelper) set(obj map[string]any, key string, v any) {
	if p.dots {
		loSet(obj, key, v)
		return
	}
	if !isUndef(v) {
		obj[p.key(obj, key)] = v
	}
}

func (p setPathHelper) unset(obj map[string]any, key string) {
	if p.dots {
		loUnset(obj, key)
		return
	}
	delete(obj, p.key(obj, key))
}
