package nodes

// Helpers the data-transformation nodes (Aggregate, Split Out, Summarize,
// Rename Keys, Item Lists) add to jslib.go: field access with n8n's
// "disable dot notation" switch, JavaScript's relational operator on any
// JSON values, object key order and spreading.

import (
	"sort"
	"strconv"
	"time"
	"unicode/utf16"
)

// orUndef is v, or undef when it is not defined.
func orUndef(v any, defined bool) any {
	if !defined {
		return undef
	}
	return v
}

// lodashGet reads a field of item json: a lodash path, or the key as it
// stands when dot notation is off; ok is false when it is undefined.
func lodashGet(obj map[string]any, path string, dotNotation bool) (any, bool) {
	v := fieldValue(obj, path, !dotNotation)
	if isUndef(v) {
		return nil, false
	}
	return v, true
}

// lodashSet writes a field of item json (lodash's set, or the key as it
// stands when dot notation is off).
func lodashSet(obj map[string]any, path string, value any, dotNotation bool) {
	if !dotNotation {
		obj[path] = value
		return
	}
	loSet(obj, path, value)
}

// lodashUnset removes a field of item json (lodash's unset, or the key as
// it stands when dot notation is off).
func lodashUnset(obj map[string]any, path string, dotNotation bool) {
	if !dotNotation {
		delete(obj, path)
		return
	}
	loUnset(obj, path)
}

// jsEmpty is n8n's isEmpty for summaries: undefined, null or "".
func jsEmpty(v any, defined bool) bool {
	if !defined || v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// jsLess is JavaScript's a < b on JSON values (undefined when !defined):
// objects and arrays become strings first, two strings compare by UTF-16
// code units, anything else as numbers. (lodash's lt, loLess, differs for
// objects and arrays.)
func jsLess(a any, aDef bool, b any, bDef bool) bool {
	pa, pb := jsPrimitive(a, aDef), jsPrimitive(b, bDef)
	sa, aStr := pa.(string)
	sb, bStr := pb.(string)
	if aStr && bStr {
		return jsStringLess(sa, sb)
	}
	return jsNumber(pa) < jsNumber(pb)
}

// jsPrimitive is ToPrimitive with the number hint: objects and arrays
// become their string forms, dates their epoch milliseconds, a missing
// value undef.
func jsPrimitive(v any, defined bool) any {
	if !defined {
		return undef
	}
	switch v.(type) {
	case map[string]any, []any:
		return jsToString(v)
	case time.Time:
		return jsNumber(v)
	}
	return v
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
