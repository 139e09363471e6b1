package nodes

import (
	"encoding/json"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// This file holds the small pieces of JavaScript and lodash semantics that
// n8n's data nodes (Merge, Sort, Remove Duplicates, Compare Datasets, ...)
// are built on: property paths, deep equality, the relational operators,
// deep merging and the engine's sort algorithm. The nodes need them to give
// the same answers as n8n, including in the corners (missing fields, mixed
// types, inconsistent comparators).

// jsUndefined is JavaScript's undefined, the value of a missing property. It
// never appears in item data: only lookups return it.
type jsUndefined struct{}

// undef is the undefined value.
var undef any = jsUndefined{}

func isUndef(v any) bool { _, ok := v.(jsUndefined); return ok }

// jsTypeof returns JavaScript's typeof for a value (null, arrays, objects
// and dates are "object"; any Go number is a "number").
func jsTypeof(v any) string {
	switch v.(type) {
	case jsUndefined:
		return "undefined"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	}
	if _, ok := condGoNumber(v); ok {
		return "number"
	}
	return "object"
}

// jsIsObject reports lodash's isObject: objects and arrays.
func jsIsObject(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// --- property paths (lodash get / set / unset) ---

// pathSegments splits a property path the way lodash's stringToPath does:
// "a.b[0].c", `a["x.y"]`, "a..b" (an empty key).
func pathSegments(s string) []string {
	var out []string
	if strings.HasPrefix(s, ".") {
		out = append(out, "")
	}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c != '.' && c != '[' && c != ']':
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' && s[j] != ']' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		case c == '[':
			if seg, n, ok := bracketSegment(s[i:]); ok {
				out = append(out, seg)
				i += n
				continue
			}
			if emptySegmentAt(s, i) {
				out = append(out, "")
			}
			i++
		case c == '.':
			if emptySegmentAt(s, i) {
				out = append(out, "")
			}
			i++
		default:
			i++
		}
	}
	return out
}

// emptySegmentAt is lodash's zero-width match for an empty key: at a "." or
// "[]" that is followed by another "." or "[]" or the end.
func emptySegmentAt(s string, i int) bool {
	var rest string
	switch {
	case strings.HasPrefix(s[i:], "."):
		rest = s[i+1:]
	case strings.HasPrefix(s[i:], "[]"):
		rest = s[i+2:]
	default:
		return false
	}
	return rest == "" || strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, "[]")
}

// bracketSegment parses `[12]`, `[-1.5]`, `["key"]` or `['key']` at the start
// of s and returns the key and the length consumed.
func bracketSegment(s string) (string, int, bool) {
	if len(s) < 3 {
		return "", 0, false
	}
	if q := s[1]; q == '"' || q == '\'' {
		var b strings.Builder
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				if i+1 < len(s) {
					i++
					b.WriteByte(s[i])
				}
			case q:
				if i+1 < len(s) && s[i+1] == ']' {
					return b.String(), i + 2, true
				}
				return "", 0, false
			default:
				b.WriteByte(s[i])
			}
		}
		return "", 0, false
	}
	j := 1
	if s[j] == '-' {
		j++
	}
	start := j
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == start {
		return "", 0, false
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j+1 {
			j = k
		}
	}
	if j < len(s) && s[j] == ']' {
		return s[1:j], j + 1, true
	}
	return "", 0, false
}

// isDeepPath reports whether a path string has dots or brackets (lodash's
// reIsDeepProp).
func isDeepPath(p string) bool {
	if strings.Contains(p, ".") {
		return true
	}
	if i := strings.Index(p, "["); i >= 0 && strings.Contains(p[i:], "]") {
		return true
	}
	return false
}

// castPath turns a path string into keys as lodash does: a path that is a
// key of obj as it stands is used as one key.
func castPath(obj any, p string) []string {
	if !isDeepPath(p) {
		return []string{p}
	}
	if m, ok := obj.(map[string]any); ok {
		if _, has := m[p]; has {
			return []string{p}
		}
	}
	return pathSegments(p)
}

// arrayIndex parses a canonical array index ("0", "12").
func arrayIndex(k string) (int, bool) {
	if k == "" || len(k) > 15 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n := 0
	for _, c := range k {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// propOf reads one property of a JSON value as JavaScript would.
func propOf(v any, k string) any {
	switch x := v.(type) {
	case map[string]any:
		if e, ok := x[k]; ok {
			return e
		}
	case []any:
		if k == "length" {
			return float64(len(x))
		}
		if i, ok := arrayIndex(k); ok && i < len(x) {
			return x[i]
		}
	case string:
		u := utf16.Encode([]rune(x))
		if k == "length" {
			return float64(len(u))
		}
		if i, ok := arrayIndex(k); ok && i < len(u) {
			return string(utf16.Decode(u[i : i+1]))
		}
	}
	return undef
}

// loGet is lodash's get(obj, path): undef when the path leads nowhere.
func loGet(obj any, p string) any {
	keys := castPath(obj, p)
	cur := obj
	for _, k := range keys {
		if cur == nil || isUndef(cur) {
			return undef
		}
		cur = propOf(cur, k)
	}
	return cur
}

// fieldValue reads a field of an item's json: a lodash path, or the key as
// it stands when dot notation is disabled.
func fieldValue(j map[string]any, field string, disableDotNotation bool) any {
	if disableDotNotation {
		if v, ok := j[field]; ok {
			return v
		}
		return undef
	}
	return loGet(j, field)
}

// loSet is lodash's set on a JSON object: intermediate objects (or arrays,
// when the next key is an index) are created as needed.
func loSet(obj map[string]any, p string, v any) {
	keys := castPath(obj, p)
	if len(keys) == 0 {
		return
	}
	setIn(obj, keys, v)
}

func setIn(container any, keys []string, v any) any {
	k := keys[0]
	if k == "__proto__" || k == "constructor" || k == "prototype" {
		return container
	}
	if len(keys) == 1 {
		return assignProp(container, k, v)
	}
	next := propOf(container, k)
	if !jsIsObject(next) {
		if _, ok := arrayIndex(keys[1]); ok {
			next = []any{}
		} else {
			next = map[string]any{}
		}
	}
	return assignProp(container, k, setIn(next, keys[1:], v))
}

// assignProp sets container[k] and returns the container (arrays may grow).
// A value of undef creates nothing.
func assignProp(container any, k string, v any) any {
	if isUndef(v) {
		return container
	}
	switch x := container.(type) {
	case map[string]any:
		x[k] = v
	case []any:
		i, ok := arrayIndex(k)
		if !ok {
			return x
		}
		for len(x) <= i {
			x = append(x, nil)
		}
		x[i] = v
		return x
	}
	return container
}

// loUnset is lodash's unset: it removes the property a path names.
func loUnset(obj any, p string) {
	keys := castPath(obj, p)
	if len(keys) == 0 {
		return
	}
	parent := obj
	for _, k := range keys[:len(keys)-1] {
		parent = propOf(parent, k)
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

// loPick is lodash's pick(obj, ...paths): a new object with only the named
// paths.
func loPick(obj map[string]any, paths []string) map[string]any {
	out := map[string]any{}
	for _, p := range paths {
		v := loGet(obj, p)
		if isUndef(v) {
			continue
		}
		if _, direct := obj[p]; direct {
			out[p] = CloneJSON(v)
			continue
		}
		loSet(out, p, CloneJSON(v))
	}
	return out
}

// flattenKeys lists the leaf paths of a JSON object joined with dots, as
// n8n's flattenKeys does (empty objects and arrays have none).
func flattenKeys(j map[string]any) []string {
	var out []string
	var walk func(v any, prefix string)
	walk = func(v any, prefix string) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(x[k], joinPath(prefix, k))
			}
		case []any:
			for i, e := range x {
				walk(e, joinPath(prefix, strconv.Itoa(i)))
			}
		default:
			out = append(out, prefix)
		}
	}
	for _, k := range sortedKeys(j) {
		walk(j[k], k)
	}
	return out
}

func joinPath(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// --- equality and ordering ---

// jsEqual is lodash's isEqual on JSON values (undef equals only undef).
func jsEqual(a, b any) bool {
	switch x := a.(type) {
	case jsUndefined:
		return isUndef(b)
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			f, ok := y[k]
			if !ok || !jsEqual(e, f) {
				return false
			}
		}
		return true
	}
	return false
}

// jsToString is JavaScript's String(v): for arrays the elements' strings
// joined by commas (null and undefined as ""), "[object Object]" for
// objects, ISO text for dates, and for another Go value its JSON text.
func jsToString(v any) string {
	switch x := v.(type) {
	case jsUndefined:
		return "undefined"
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return jsNumberString(x)
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e == nil || isUndef(e) {
				continue
			}
			parts[i] = jsToString(e)
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	case time.Time:
		return FormatISO(x)
	}
	if f, ok := condGoNumber(v); ok {
		return jsNumberString(f)
	}
	return condJSONText(v)
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
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[0]
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return mant + "e" + string(sign) + exp
}

// jsNumber is JavaScript's Number(v), which lodash's toNumber agrees with
// on these values (a date is its epoch milliseconds, any Go number its
// value).
func jsNumber(v any) float64 {
	switch x := v.(type) {
	case jsUndefined:
		return math.NaN()
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
		// Number([]) is 0, Number([x]) is Number(String(x)).
		return jsStringToNumber(jsToString(x))
	case map[string]any:
		return math.NaN()
	case time.Time:
		return float64(x.UnixMilli())
	}
	if f, ok := condGoNumber(v); ok {
		return f
	}
	return math.NaN()
}

// jsStringToNumber is JavaScript's Number(string) (lodash's toNumber):
// decimal literals, Infinity, and unsigned 0b, 0o and 0x literals, after
// trimming white space; "" is 0, anything else NaN.
func jsStringToNumber(s string) float64 {
	s = strings.TrimFunc(s, isJSSpace)
	if s == "" {
		return 0
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "0b"), strings.HasPrefix(lower, "0o"), strings.HasPrefix(lower, "0x"):
		base := map[byte]int{'b': 2, 'o': 8, 'x': 16}[lower[1]]
		n, err := strconv.ParseUint(s[2:], base, 64)
		if err == nil {
			return float64(n)
		}
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			// Beyond 64 bits: the digits are valid, the value
			// rounds to the nearest float64 (±Inf past its range).
			b, _ := new(big.Int).SetString(s[2:], base)
			f, _ := new(big.Float).SetInt(b).Float64()
			return f
		}
		return math.NaN()
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "Infinity" {
		if s[0] == '-' {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	if !isDecimalLiteral(body) {
		return math.NaN()
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

// isDecimalLiteral matches JavaScript's StrUnsignedDecimalLiteral: digits
// with an optional fraction and exponent, at least one digit.
func isDecimalLiteral(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

func isJSSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// jsStringLess compares two strings by UTF-16 code units, as JavaScript's <.
func jsStringLess(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// loLess is lodash's lt(a, b): strings compare as strings, anything else as
// numbers (NaN compares false).
func loLess(a, b any) bool {
	sa, aok := a.(string)
	sb, bok := b.(string)
	if aok && bok {
		return jsStringLess(sa, sb)
	}
	return jsNumber(a) < jsNumber(b)
}

// --- fuzzy comparison (n8n's fuzzyCompare) ---

func jsIsFalsyish(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	}
	return false
}

// fuzzyComparer returns n8n's fuzzyCompare(useFuzzy, compareVersion): strict
// deep equality, or a tolerant one where 3 equals "3", null equals "" and
// [], true equals "true" and 1, and objects equal their JSON text.
func fuzzyComparer(useFuzzy bool, compareVersion float64) func(a, b any) bool {
	if !useFuzzy {
		return jsEqual
	}
	return func(a, b any) bool {
		if a != nil && b != nil && jsTypeof(a) == jsTypeof(b) {
			return jsEqual(a, b)
		}
		if compareVersion >= 2 {
			zeroish := func(v any) bool { return v == nil || v == float64(0) || v == "0" }
			if (a == nil && zeroish(b)) || (b == nil && zeroish(a)) {
				return true
			}
		}
		if jsIsFalsyish(a) && jsIsFalsyish(b) {
			return true
		}
		if (jsIsFalsyish(a) && isUndef(b)) || (isUndef(a) && jsIsFalsyish(b)) {
			return true
		}
		switch x := a.(type) {
		case float64:
			if s, ok := b.(string); ok {
				return jsNumberString(x) == s
			}
		case string:
			switch y := b.(type) {
			case float64:
				return x == jsNumberString(y)
			case map[string]any, []any:
				return jsonTextEqual(x, y)
			case bool:
				if boolStringEqual(y, x) {
					return true
				}
			}
		case map[string]any, []any:
			if s, ok := b.(string); ok {
				return jsonTextEqual(s, x)
			}
		case bool:
			switch y := b.(type) {
			case string:
				if boolStringEqual(x, y) {
					return true
				}
			case float64:
				if (x && y == 1) || (!x && y == 0) {
					return true
				}
			}
		}
		if y, ok := b.(bool); ok {
			if x, ok := a.(float64); ok && ((y && x == 1) || (!y && x == 0)) {
				return true
			}
		}
		return jsEqual(a, b)
	}
}

func boolStringEqual(b bool, s string) bool {
	l := strings.ToLower(s)
	if b {
		return l == "true" || s == "1"
	}
	return l == "false" || s == "0"
}

func jsonTextEqual(text string, v any) bool {
	var parsed any
	if err := json.Unmarshal([]byte(text), &parsed); err != nil {
		return false
	}
	return jsEqual(parsed, v)
}

// --- deep merge (lodash merge, mergeWith, assign, assignWith) ---

// mergeCustomizer may return a value to use for a key instead of merging;
// returning undef keeps lodash's default behaviour.
type mergeCustomizer func(objValue, srcValue any) any

// keepUnlessEmpty is n8n's "minimize empty fields" customizer: a source
// value that is null, undefined or "" does not replace a present value.
func keepUnlessEmpty(objValue, srcValue any) any {
	if srcValue == nil || isUndef(srcValue) || srcValue == "" {
		return objValue
	}
	return undef
}

// loMerge merges sources into dst deeply, as lodash's merge/mergeWith: nested
// objects are merged key by key, arrays index by index, and everything else
// from a later source replaces the earlier value. dst is changed; sources are
// not.
func loMerge(dst map[string]any, cust mergeCustomizer, sources ...map[string]any) map[string]any {
	for _, src := range sources {
		if src == nil {
			continue
		}
		dst = mergeInto(dst, src, cust).(map[string]any)
	}
	return dst
}

func mergeInto(obj any, src any, cust mergeCustomizer) any {
	each := func(k string, srcValue any) {
		objValue := propOf(obj, k)
		var newValue any = undef
		if cust != nil {
			newValue = cust(objValue, srcValue)
		}
		if isUndef(newValue) {
			switch s := srcValue.(type) {
			case []any:
				base, ok := objValue.([]any)
				if !ok {
					base = []any{}
				}
				newValue = mergeInto(base, s, cust)
			case map[string]any:
				var base any = objValue
				if !jsIsObject(objValue) {
					base = map[string]any{}
				}
				newValue = mergeInto(base, s, cust)
			default:
				newValue = srcValue
			}
		}
		obj = assignProp(obj, k, newValue)
	}
	switch s := src.(type) {
	case map[string]any:
		for _, k := range sortedKeys(s) {
			each(k, s[k])
		}
	case []any:
		for i, e := range s {
			each(strconv.Itoa(i), e)
		}
	}
	return obj
}

// loAssign is lodash's assign/assignWith: top-level keys of later sources
// replace earlier ones.
func loAssign(dst map[string]any, cust mergeCustomizer, sources ...map[string]any) map[string]any {
	for _, src := range sources {
		for k, v := range src {
			nv := undef
			if cust != nil {
				old, ok := dst[k]
				if !ok {
					old = undef
				}
				nv = cust(old, v)
			}
			if isUndef(nv) {
				nv = CloneJSON(v)
			}
			if !isUndef(nv) {
				dst[k] = nv
			}
		}
	}
	return dst
}

// --- V8's Array.prototype.sort ---

// jsSort returns the order in which V8's Array.prototype.sort (TimSort) puts
// n elements given a comparator that returns a negative number, zero or a
// positive number. For consistent comparators this is any stable sort's
// order; for inconsistent ones (mixed types, NaN) it is V8's exact answer,
// which is what n8n's users see.
func jsSort(n int, cmp func(a, b int) float64) []int {
	s := &timSort{a: make([]int, n), cmp: cmp, minGallop: 7}
	for i := range s.a {
		s.a[i] = i
	}
	s.sort()
	return s.a
}

type timSort struct {
	a         []int
	cmp       func(a, b int) float64
	minGallop int
	runBase   []int
	runLen    []int
}

func (s *timSort) order(x, y int) float64 {
	v := s.cmp(x, y)
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func (s *timSort) sort() {
	n := len(s.a)
	if n < 2 {
		return
	}
	remaining, low := n, 0
	minRun := minRunLength(n)
	for remaining != 0 {
		run := s.countAndMakeRun(low, low+remaining)
		if run < minRun {
			forced := min(minRun, remaining)
			s.binaryInsertionSort(low, low+run, low+forced)
			run = forced
		}
		s.runBase = append(s.runBase, low)
		s.runLen = append(s.runLen, run)
		s.mergeCollapse()
		low += run
		remaining -= run
	}
	s.mergeForceCollapse()
}

func minRunLength(n int) int {
	r := 0
	for n >= 64 {
		r |= n & 1
		n >>= 1
	}
	return n + r
}

func (s *timSort) countAndMakeRun(lowArg, high int) int {
	low := lowArg + 1
	if low == high {
		return 1
	}
	run := 2
	desc := s.order(s.a[low], s.a[low-1]) < 0
	prev := s.a[low]
	for i := low + 1; i < high; i++ {
		cur := s.a[i]
		o := s.order(cur, prev)
		if desc {
			if o >= 0 {
				break
			}
		} else if o < 0 {
			break
		}
		prev = cur
		run++
	}
	if desc {
		for i, j := lowArg, lowArg+run-1; i < j; i, j = i+1, j-1 {
			s.a[i], s.a[j] = s.a[j], s.a[i]
		}
	}
	return run
}

func (s *timSort) binaryInsertionSort(low, startArg, high int) {
	start := startArg
	if low == startArg {
		start++
	}
	for ; start < high; start++ {
		left, right := low, start
		pivot := s.a[start]
		for left < right {
			mid := left + (right-left)>>1
			if s.order(pivot, s.a[mid]) < 0 {
				right = mid
			} else {
				left = mid + 1
			}
		}
		copy(s.a[left+1:start+1], s.a[left:start])
		s.a[left] = pivot
	}
}

func (s *timSort) invariant(n int) bool {
	if n < 2 {
		return true
	}
	return s.runLen[n-2] > s.runLen[n-1]+s.runLen[n]
}

func (s *timSort) mergeCollapse() {
	for len(s.runLen) > 1 {
		n := len(s.runLen) - 2
		if !s.invariant(n+1) || !s.invariant(n) {
			if s.runLen[n-1] < s.runLen[n+1] {
				n--
			}
			s.mergeAt(n)
		} else if s.runLen[n] <= s.runLen[n+1] {
			s.mergeAt(n)
		} else {
			break
		}
	}
}

func (s *timSort) mergeForceCollapse() {
	for len(s.runLen) > 1 {
		n := len(s.runLen) - 2
		if n > 0 && s.runLen[n-1] < s.runLen[n+1] {
			n--
		}
		s.mergeAt(n)
	}
}

func (s *timSort) mergeAt(i int) {
	baseA, lenA := s.runBase[i], s.runLen[i]
	baseB, lenB := s.runBase[i+1], s.runLen[i+1]
	s.runLen[i] = lenA + lenB
	s.runBase = append(s.runBase[:i+1], s.runBase[i+2:]...)
	s.runLen = append(s.runLen[:i+1], s.runLen[i+2:]...)
	k := s.gallopRight(s.a, s.a[baseB], baseA, lenA, 0)
	baseA += k
	lenA -= k
	if lenA == 0 {
		return
	}
	lenB = s.gallopLeft(s.a, s.a[baseA+lenA-1], baseB, lenB, lenB-1)
	if lenB == 0 {
		return
	}
	if lenA <= lenB {
		s.mergeLow(baseA, lenA, baseB, lenB)
	} else {
		s.mergeHigh(baseA, lenA, baseB, lenB)
	}
}

// gallopLeft finds where key goes in arr[base:base+length], leftmost among
// equals, starting the search at hint.
func (s *timSort) gallopLeft(arr []int, key, base, length, hint int) int {
	lastOfs, offset := 0, 1
	if s.order(arr[base+hint], key) < 0 {
		maxOfs := length - hint
		for offset < maxOfs {
			if s.order(arr[base+hint+offset], key) >= 0 {
				break
			}
			lastOfs = offset
			offset = offset<<1 + 1
		}
		offset = min(offset, maxOfs)
		lastOfs += hint
		offset += hint
	} else {
		maxOfs := hint + 1
		for offset < maxOfs {
			if s.order(arr[base+hint-offset], key) < 0 {
				break
			}
			lastOfs = offset
			offset = offset<<1 + 1
		}
		offset = min(offset, maxOfs)
		lastOfs, offset = hint-offset, hint-lastOfs
	}
	lastOfs++
	for lastOfs < offset {
		m := lastOfs + (offset-lastOfs)>>1
		if s.order(arr[base+m], key) < 0 {
			lastOfs = m + 1
		} else {
			offset = m
		}
	}
	return offset
}

// gallopRight finds where key goes in arr[base:base+length], rightmost among
// equals, starting the search at hint.
func (s *timSort) gallopRight(arr []int, key, base, length, hint int) int {
	lastOfs, offset := 0, 1
	if s.order(key, arr[base+hint]) < 0 {
		maxOfs := hint + 1
		for offset < maxOfs {
			if s.order(key, arr[base+hint-offset]) >= 0 {
				break
			}
			lastOfs = offset
			offset = offset<<1 + 1
		}
		offset = min(offset, maxOfs)
		lastOfs, offset = hint-offset, hint-lastOfs
	} else {
		maxOfs := length - hint
		for offset < maxOfs {
			if s.order(key, arr[base+hint+offset]) < 0 {
				break
			}
			lastOfs = offset
			offset = offset<<1 + 1
		}
		offset = min(offset, maxOfs)
		lastOfs += hint
		offset += hint
	}
	lastOfs++
	for lastOfs < offset {
		m := lastOfs + (offset-lastOfs)>>1
		if s.order(key, arr[base+m]) < 0 {
			offset = m
		} else {
			lastOfs = m + 1
		}
	}
	return offset
}

const minGallopWins = 7

func (s *timSort) mergeLow(baseA, lenA, baseB, lenB int) {
	a := s.a
	tmp := append([]int(nil), a[baseA:baseA+lenA]...)
	dest, cTmp, cB := baseA, 0, baseB
	a[dest] = a[cB]
	dest++
	cB++
	copyB := func() {
		copy(a[dest:dest+lenB], a[cB:cB+lenB])
		a[dest+lenB] = tmp[cTmp]
	}
	succeed := func() {
		if lenA > 0 {
			copy(a[dest:dest+lenA], tmp[cTmp:cTmp+lenA])
		}
	}
	lenB--
	if lenB == 0 {
		succeed()
		return
	}
	if lenA == 1 {
		copyB()
		return
	}
	minGallop := s.minGallop
	for {
		winsA, winsB := 0, 0
		for {
			if s.order(a[cB], tmp[cTmp]) < 0 {
				a[dest] = a[cB]
				dest++
				cB++
				winsB++
				lenB--
				winsA = 0
				if lenB == 0 {
					succeed()
					return
				}
				if winsB >= minGallop {
					break
				}
			} else {
				a[dest] = tmp[cTmp]
				dest++
				cTmp++
				winsA++
				lenA--
				winsB = 0
				if lenA == 1 {
					copyB()
					return
				}
				if winsA >= minGallop {
					break
				}
			}
		}
		minGallop++
		first := true
		for winsA >= minGallopWins || winsB >= minGallopWins || first {
			first = false
			minGallop = max(1, minGallop-1)
			s.minGallop = minGallop
			winsA = s.gallopRight(tmp, a[cB], cTmp, lenA, 0)
			if winsA > 0 {
				copy(a[dest:dest+winsA], tmp[cTmp:cTmp+winsA])
				dest += winsA
				cTmp += winsA
				lenA -= winsA
				if lenA == 1 {
					copyB()
					return
				}
				if lenA == 0 {
					succeed()
					return
				}
			}
			a[dest] = a[cB]
			dest++
			cB++
			lenB--
			if lenB == 0 {
				succeed()
				return
			}
			winsB = s.gallopLeft(a, tmp[cTmp], cB, lenB, 0)
			if winsB > 0 {
				copy(a[dest:dest+winsB], a[cB:cB+winsB])
				dest += winsB
				cB += winsB
				lenB -= winsB
				if lenB == 0 {
					succeed()
					return
				}
			}
			a[dest] = tmp[cTmp]
			dest++
			cTmp++
			lenA--
			if lenA == 1 {
				copyB()
				return
			}
		}
		minGallop++
		s.minGallop = minGallop
	}
}

func (s *timSort) mergeHigh(baseA, lenA, baseB, lenB int) {
	a := s.a
	tmp := append([]int(nil), a[baseB:baseB+lenB]...)
	dest, cTmp, cA := baseB+lenB-1, lenB-1, baseA+lenA-1
	a[dest] = a[cA]
	dest--
	cA--
	copyA := func() {
		dest -= lenA
		cA -= lenA
		copy(a[dest+1:dest+1+lenA], a[cA+1:cA+1+lenA])
		a[dest] = tmp[cTmp]
	}
	succeed := func() {
		if lenB > 0 {
			copy(a[dest-(lenB-1):dest+1], tmp[:lenB])
		}
	}
	lenA--
	if lenA == 0 {
		succeed()
		return
	}
	if lenB == 1 {
		copyA()
		return
	}
	minGallop := s.minGallop
	for {
		winsA, winsB := 0, 0
		for {
			if s.order(tmp[cTmp], a[cA]) < 0 {
				a[dest] = a[cA]
				dest--
				cA--
				winsA++
				lenA--
				winsB = 0
				if lenA == 0 {
					succeed()
					return
				}
				if winsA >= minGallop {
					break
				}
			} else {
				a[dest] = tmp[cTmp]
				dest--
				cTmp--
				winsB++
				lenB--
				winsA = 0
				if lenB == 1 {
					copyA()
					return
				}
				if winsB >= minGallop {
					break
				}
			}
		}
		minGallop++
		first := true
		for winsA >= minGallopWins || winsB >= minGallopWins || first {
			first = false
			minGallop = max(1, minGallop-1)
			s.minGallop = minGallop
			k := s.gallopRight(a, tmp[cTmp], baseA, lenA, lenA-1)
			winsA = lenA - k
			if winsA > 0 {
				dest -= winsA
				cA -= winsA
				copy(a[dest+1:dest+1+winsA], a[cA+1:cA+1+winsA])
				lenA -= winsA
				if lenA == 0 {
					succeed()
					return
				}
			}
			a[dest] = tmp[cTmp]
			dest--
			cTmp--
			lenB--
			if lenB == 1 {
				copyA()
				return
			}
			k = s.gallopLeft(tmp, a[cA], 0, lenB, lenB-1)
			winsB = lenB - k
			if winsB > 0 {
				dest -= winsB
				cTmp -= winsB
				copy(a[dest+1:dest+1+winsB], tmp[cTmp+1:cTmp+1+winsB])
				lenB -= winsB
				if lenB == 1 {
					copyA()
					return
				}
				if lenB == 0 {
					succeed()
					return
				}
			}
			a[dest] = a[cA]
			dest--
			cA--
			lenA--
			if lenA == 0 {
				succeed()
				return
			}
		}
		minGallop++
		s.minGallop = minGallop
	}
}

// --- items ---

// pairedInputs returns copies of the inputs whose items are paired with their
// own position ({item: i, input: k}), as n8n marks a node's input items before
// the node runs, so that items passed through keep pointing at their origin.
func pairedInputs(in [][]Item, n int) [][]Item {
	out := make([][]Item, max(n, len(in)))
	for k := range out {
		if k >= len(in) {
			out[k] = []Item{}
			continue
		}
		items := make([]Item, len(in[k]))
		for i, it := range in[k] {
			it.PairedItem = PairedItems{{Item: i, Input: k}}
			if it.JSON == nil {
				it.JSON = map[string]any{}
			}
			items[i] = it
		}
		out[k] = items
	}
	return out
}

// mergeBinary merges binary maps key by key; later maps win field by field,
// as lodash's merge does on n8n's binary objects.
func mergeBinary(maps ...map[string]*Binary) map[string]*Binary {
	var out map[string]*Binary
	for _, m := range maps {
		for k, b := range m {
			if b == nil {
				continue
			}
			if out == nil {
				out = map[string]*Binary{}
			}
			cur, ok := out[k]
			if !ok {
				c := *b
				out[k] = &c
				continue
			}
			mergeBinaryFields(cur, b)
		}
	}
	return out
}

func mergeBinaryFields(dst, src *Binary) {
	set := func(d *string, s string) {
		if s != "" {
			*d = s
		}
	}
	set(&dst.Data, src.Data)
	set(&dst.MimeType, src.MimeType)
	set(&dst.FileType, src.FileType)
	set(&dst.FileName, src.FileName)
	set(&dst.FileExtension, src.FileExtension)
	set(&dst.FileSize, src.FileSize)
	set(&dst.Directory, src.Directory)
	set(&dst.ID, src.ID)
}

// splitFieldList splits a comma-separated list of field names, trimming
// blanks and dropping empty entries (n8n's prepareFieldsArray). An array
// parameter is taken as it is.
func splitFieldList(v any) []string {
	switch x := v.(type) {
	case string:
		var out []string
		for _, f := range strings.Split(x, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		return out
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, jsToString(e))
		}
		return out
	}
	return nil
}

// toNumberParam converts a number parameter (a number, or a numeric string
// from an expression).
func toNumberParam(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		f := jsStringToNumber(x)
		if math.IsNaN(f) || strings.TrimSpace(x) == "" {
			return 0, false
		}
		return f, true
	}
	return 0, false
}
