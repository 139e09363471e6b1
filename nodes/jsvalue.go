package nodes

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/weft/weft/nodes/expr/luxon"
)

// This file holds the JavaScript value semantics that n8n's condition
// operators and Edit Fields rely on beyond jslib.go's (typeof, String() and
// Number() are there): Boolean(), JSON.stringify and n8n's validateFieldType
// conversions, applied to the
// Go values items and resolved parameters hold: nil, bool, float64 (or
// another Go number), string, []any, map[string]any and time.Time for dates.

// condNormalize converts Go integers into float64 throughout a value, the
// number type JavaScript has, keeping NaN (unlike NormalizeJSON, which turns
// it into null) because n8n's operators tell the two apart.
func condNormalize(v any) any {
	switch x := v.(type) {
	case nil, bool, string, float64, time.Time:
		return x
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = condNormalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = condNormalize(e)
		}
		return s
	}
	if f, ok := condGoNumber(v); ok {
		return f
	}
	return NormalizeJSON(v)
}

func condGoNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// condIsNaN is Number.isNaN: true only for the number NaN.
func condIsNaN(v any) bool {
	f, ok := condGoNumber(v)
	return ok && math.IsNaN(f)
}

// condJSONText is JSON.stringify(value) (object keys sorted, as Go maps
// keep no order).
func condJSONText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NormalizeJSON(CloneJSON(v))); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// condTruthy is JavaScript's Boolean(value).
func condTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if f, ok := condGoNumber(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	return true
}

// condParseBoolean is n8n's tryToParseBoolean: booleans, "true"/"false" in
// any case, and whatever Number() turns into 0 or 1 (but not a blank
// string).
func condParseBoolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		if strings.TrimFunc(x, isJSSpace) == "" {
			return false, false
		}
	}
	switch jsNumber(v) {
	case 0:
		return false, true
	case 1:
		return true, true
	}
	return false, false
}

// condParseArray is n8n's tryToParseArray.
func condParseArray(v any) ([]any, bool) {
	if a, ok := v.([]any); ok {
		return a, true
	}
	s := jsToString(v)
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		if err := json.Unmarshal([]byte(strings.ReplaceAll(s, "'", `"`)), &out); err != nil {
			return nil, false
		}
	}
	a, ok := out.([]any)
	return a, ok
}

var (
	condObjectKey   = regexp.MustCompile(`([{,]\s*)([A-Za-z_$][\w$]*)(\s*:)`)
	condSingleQuote = regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)
)

// condParseObject is n8n's tryToParseObject: an object as it is, or a JSON
// (or relaxed JavaScript object literal) text of one.
func condParseObject(v any) (map[string]any, bool) {
	if m, ok := v.(map[string]any); ok {
		return m, true
	}
	s := jsToString(v)
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		relaxed := condSingleQuote.ReplaceAllStringFunc(s, func(q string) string {
			inner := q[1 : len(q)-1]
			b, _ := json.Marshal(strings.ReplaceAll(inner, `\'`, `'`))
			return string(b)
		})
		relaxed = condObjectKey.ReplaceAllString(relaxed, `$1"$2"$3`)
		if err := json.Unmarshal([]byte(relaxed), &out); err != nil {
			return nil, false
		}
	}
	m, ok := out.(map[string]any)
	return m, ok
}

// condParseDateTime is n8n's tryToParseDateTime: a date value as it is, or
// the text read by luxon.ParseToDateTime (ISO 8601, HTTP, RFC 2822, SQL,
// then what Date.parse accepts), texts without an offset in loc.
func condParseDateTime(v any, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if t, ok := v.(time.Time); ok {
		return t, true
	}
	t, err := luxon.ParseToDateTime(jsToString(v), loc)
	return t, err == nil
}

// condFieldType names the value types of n8n's validateFieldType.
type condFieldType string

const (
	condFieldString   condFieldType = "string"
	condFieldNumber   condFieldType = "number"
	condFieldBoolean  condFieldType = "boolean"
	condFieldDateTime condFieldType = "dateTime"
	condFieldArray    condFieldType = "array"
	condFieldObject   condFieldType = "object"
	condFieldAny      condFieldType = "any"
)

// condFieldValidation configures condValidateField.
type condFieldValidation struct {
	strict       bool
	parseStrings bool
	loc          *time.Location
}

// condValidateField is n8n's validateFieldType: it converts value to the
// type, or reports that it cannot. null (nil) is always valid and stays
// nil. Types it does not know pass values through.
func condValidateField(value any, t condFieldType, o condFieldValidation) (any, bool) {
	if value == nil {
		return nil, true
	}
	switch t {
	case condFieldString:
		if !o.parseStrings {
			return value, true
		}
		if o.strict && jsTypeof(value) != "string" {
			return nil, false
		}
		switch value.(type) {
		case map[string]any, []any:
			return condJSONText(value), true
		}
		return jsToString(value), true
	case condFieldNumber:
		if o.strict && jsTypeof(value) != "number" {
			return nil, false
		}
		f := jsNumber(value)
		if math.IsNaN(f) {
			return nil, false
		}
		return f, true
	case condFieldBoolean:
		if o.strict && jsTypeof(value) != "boolean" {
			return nil, false
		}
		return condParseBoolean(value)
	case condFieldDateTime:
		return condParseDateTime(value, o.loc)
	case condFieldArray:
		if o.strict {
			if _, ok := value.([]any); !ok {
				return nil, false
			}
		}
		return condParseArray(value)
	case condFieldObject:
		if o.strict {
			switch value.(type) {
			case map[string]any, []any, time.Time:
			default:
				return nil, false
			}
		}
		return condParseObject(value)
	}
	return value, true
}

// condValueDescription is n8n's getValueDescription, used in conversion
// error messages: 'text' for scalars, array or object for the rest.
func condValueDescription(v any) string {
	switch v.(type) {
	case nil:
		return "'null'"
	case []any:
		return "array"
	case map[string]any, time.Time:
		return "object"
	}
	return "'" + jsToString(v) + "'"
}
