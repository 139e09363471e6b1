package nodes

// Helpers shared by the data-transformation nodes (Aggregate, Split Out,
// Summarize, Rename Keys, Item Lists): n8n reads and writes item fields with
// lodash's get/set/unset and compares values with JavaScript's rules, so these
// reproduce both on weft's JSON values.

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// fieldPath splits a field path the way lodash does ("a.b[0]['c.d']" →
// a, b, 0, c.d). A path naming an existing key of obj ("a.b" when obj has
// that literal key) is taken whole, as lodash's castPath does.
func fieldPath(obj any, path string) []string {
	if m, ok := obj.(map[string]any); ok {
		if _, has := m[path]; has {
			return []string{path}
		}
	}
	if !strings.ContainsAny(path, ".[") {
		return []string{path}
	}
	return splitFieldPath(path)
}

// splitFieldPath is lodash's stringToPath: runs of characters other than
// '.', '[' and ']'; bracketed numbers or quoted strings; and an empty key
// between consecutive separators.
func splitFieldPath(s string) []string {
	var out []string
	if strings.HasPrefix(s, ".") {
		out = append(out, "")
	}
	isSep := func(c byte) bool { return c == '.' || c == '[' || c == ']' }
	// emptyAhead reports whether s[p:] starts with '.' or "[]" followed by
	// '.', "[]" or the end: lodash's zero-width empty-key match.
	emptyAhead := func(p int) bool {
		skip := func(p int) int {
			switch {
			case p < len(s) && s[p] == '.':
				return p + 1
			case strings.HasPrefix(s[p:], "[]"):
				return p + 2
			}
			return -1
		}
		q := skip(p)
		if q < 0 {
			return false
		}
		return q == len(s) || skip(q) >= 0
	}
	for p := 0; p < len(s); {
		c := s[p]
		if !isSep(c) {
			q := p
			for q < len(s) && !isSep(s[q]) {
				q++
			}
			out = append(out, s[p:q])
			p = q
			continue
		}
		if c == '[' {
			if key, next, ok := bracketKey(s, p); ok {
				out = append(out, key)
				p = next
				continue
			}
		}
		if emptyAhead(p) {
			out = append(out, "")
		}
		p++
	}
	return out
}

// bracketKey reads "[123]", "[-1.5]", "['x']" or "[\"x\"]" at s[p].
func bracketKey(s string, p int) (string, int, bool) {
	q := p + 1
	if q < len(s) && (s[q] == '"' || s[q] == '\'') {
		quote := s[q]
		var b strings.Builder
		for i := q + 1; i < len(s); i++ {
			switch {
			case s[i] == '\\' && i+1 < len(s):
				i++
				b.WriteByte(s[i])
			case s[i] == quote && i+1 < len(s) && s[i+1] == ']':
				return b.String(), i + 2, true
			default:
				b.WriteByte(s[i])
			}
		}
		return "", 0, false
	}
	i := q
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return "", 0, false
	}
	if i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 {
			i = j
		}
	}
	if i < len(s) && s[i] == ']' {
		return s[q:i], i + 1, true
	}
	return "", 0, false
}

// arrayIndex parses a canonical array index ("0", "12"; not "01" or "-1").
func arrayIndex(key string) (int, bool) {
	if key == "" || (len(key) > 1 && key[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < '0' || key[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(key)
	if err != nil || n > 1<<31 {
		return 0, false
	}
	return n, true
}

// childValue is JavaScript's v[key] on a JSON value.
func childValue(v any, key string) (any, bool) {
	switch x := v.(type) {
	case map[string]any:
		r, ok := x[key]
		return r, ok
	case []any:
		if key == "length" {
			return float64(len(x)), true
		}
		if i, ok := arrayIndex(key); ok && i < len(x) {
			return x[i], true
		}
	case string:
		u := utf16.Encode([]rune(x))
		if key == "length" {
			return float64(len(u)), true
		}
		if i, ok := arrayIndex(key); ok && i < len(u) {
			return string(utf16.Decode(u[i : i+1])), true
		}
	}
	return nil, false
}

// lodashGet returns the value at path in obj (lodash's get) and whether it
// is defined. With dot notation off the path is one literal key.
func lodashGet(obj map[string]any, path string, dotNotation bool) (any, bool) {
	if !dotNotation {
		v, ok := obj[path]
		return v, ok
	}
	var cur any = obj
	for _, k := range fieldPath(obj, path) {
		v, ok := childValue(cur, k)
		if !ok {
			return nil, false
		}
		cur = v
	}
	return cur, true
}

// unsafeKey reports keys lodash refuses to write through.
func unsafeKey(k string) bool {
	return k == "__proto__" || k == "constructor" || k == "prototype"
}

// lodashSet writes value at path in obj (lodash's set), creating objects, or
// arrays where the next key is an index, along the way and replacing
// non-object values in the way. With dot notation off the path is one
// literal key.
func lodashSet(obj map[string]any, path string, value any, dotNotation bool) {
	if !dotNotation {
		obj[path] = value
		return
	}
	keys := fieldPath(obj, path)
	for _, k := range keys {
		if unsafeKey(k) {
			return
		}
	}
	setIn(obj, keys, value)
}

// setIn sets keys in container c (a map or slice) and returns c, which may
// be a new slice when an array grew.
func setIn(c any, keys []string, value any) any {
	k := keys[0]
	var child any
	if len(keys) > 1 {
		old, _ := childValue(c, k)
		switch old.(type) {
		case map[string]any, []any:
			child = setIn(old, keys[1:], value)
		default:
			var fresh any = map[string]any{}
			if _, ok := arrayIndex(keys[1]); ok {
				fresh = []any{}
			}
			child = setIn(fresh, keys[1:], value)
		}
	} else {
		child = value
	}
	switch x := c.(type) {
	case map[string]any:
		x[k] = child
		return x
	case []any:
		i, ok := arrayIndex(k)
		if !ok {
			// A named property on an array does not survive JSON.
			return x
		}
		for len(x) <= i {
			x = append(x, nil)
		}
		x[i] = child
		return x
	}
	return c
}

// lodashUnset removes the value at path in obj (lodash's unset). An array
// element becomes a hole, which JSON shows as null.
func lodashUnset(obj map[string]any, path string, dotNotation bool) {
	if !dotNotation {
		delete(obj, path)
		return
	}
	keys := fieldPath(obj, path)
	var parent any = obj
	for _, k := range keys[:len(keys)-1] {
		v, ok := childValue(parent, k)
		if !ok {
			return
		}
		parent = v
	}
	last := keys[len(keys)-1]
	switch x := parent.(type) {
	case map[string]any:
		delete(x, last)
	case []any:
		if i, ok := arrayIndex(last); ok && i < len(x) {
			x[i] = nil
		}
	}
}

// splitFieldList is n8n's prepareFieldsArray: a comma-separated string or
// a list of names, trimmed, empty names dropped.
func splitFieldList(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		for _, f := range strings.Split(x, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	case []any:
		for _, f := range x {
			if s := jsString(f); s != "" {
				out = append(out, s)
			}
		}
	case []string:
		return x
	}
	return out
}

// jsEmpty is n8n's isEmpty for summaries: undefined, null or "".
func jsEmpty(v any, defined bool) bool {
	if !defined || v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// jsNumberString formats a number as JavaScript's Number#toString does.
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expPart, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expPart)
	k, n := len(digits), exp+1
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	es := "+"
	if n-1 < 0 {
		es = "-"
	}
	ev := strconv.Itoa(abs(n - 1))
	if k == 1 {
		return sign + digits + "e" + es + ev
	}
	return sign + digits[:1] + "." + digits[1:] + "e" + es + ev
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// jsString is JavaScript's String(v) for JSON values (objects print as
// "[object Object]", arrays as their elements joined by commas).
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return jsNumberString(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	return jsString(NormalizeJSON(v))
}

// jsonStringify is JSON.stringify for JSON values (keys sorted, since items
// do not keep key order; no HTML escaping).
func jsonStringify(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NormalizeJSON(CloneJSON(v))); err != nil {
		return "null"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// jsToNumber is JavaScript's Number(v).
func jsToNumber(v any, defined bool) float64 {
	if !defined {
		return math.NaN()
	}
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		return jsStringToNumber(x)
	case []any:
		return jsStringToNumber(jsString(x))
	}
	return math.NaN()
}

// jsStringToNumber is JavaScript's ToNumber on a string.
func jsStringToNumber(s string) float64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	switch s {
	case "Infinity", "+Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if len(s) > 2 && s[0] == '0' {
		base := 0
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 0 {
			n, err := strconv.ParseUint(s[2:], base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return math.NaN()
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}

// jsLess is JavaScript's a < b on JSON values (undefined when !defined).
func jsLess(a any, aDef bool, b any, bDef bool) bool {
	pa, pb := jsPrimitive(a, aDef), jsPrimitive(b, bDef)
	sa, aStr := pa.(string)
	sb, bStr := pb.(string)
	if aStr && bStr {
		return compareUTF16(sa, sb) < 0
	}
	na, nb := jsToNumber(pa, aDef), jsToNumber(pb, bDef)
	return na < nb
}

// jsPrimitive is ToPrimitive with the number hint for JSON values: objects
// and arrays become their string forms.
func jsPrimitive(v any, defined bool) any {
	if !defined {
		return nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return jsString(v)
	}
	return v
}

// compareUTF16 orders strings by UTF-16 code units, as JavaScript does.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	return len(ua) - len(ub)
}

// jsObjectKeyOrder sorts keys the way JavaScript orders an object's own
// string keys: array-index keys ascending first, then the others in the
// order given.
func jsObjectKeyOrder(keys []string) []string {
	var idx, other []string
	for _, k := range keys {
		if _, ok := arrayIndex(k); ok {
			idx = append(idx, k)
		} else {
			other = append(other, k)
		}
	}
	sort.SliceStable(idx, func(i, j int) bool {
		a, _ := arrayIndex(idx[i])
		b, _ := arrayIndex(idx[j])
		return a < b
	})
	return append(idx, other...)
}

// spreadObject is {...v} for a JSON value: objects copy their keys, arrays
// and strings their indexes, other values nothing.
func spreadObject(dst map[string]any, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			dst[k] = e
		}
	case []any:
		for i, e := range x {
			dst[strconv.Itoa(i)] = e
		}
	case string:
		for i, r := range utf16.Encode([]rune(x)) {
			dst[strconv.Itoa(i)] = string(utf16.Decode([]uint16{r}))
		}
	}
}
