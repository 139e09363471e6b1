package nodes

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/weft/weft/nodes/expr/luxon"
)

// This file holds the JavaScript value semantics that n8n's condition
// operators and Edit Fields rely on (typeof, String(), Number(), Boolean(),
// JSON.stringify) and n8n's validateFieldType conversions, applied to the
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

// condTypeOf is JavaScript's typeof for a value (null is "object").
func condTypeOf(v any) string {
	switch v.(type) {
	case nil:
		return "object"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any, []any, time.Time:
		return "object"
	}
	if _, ok := condGoNumber(v); ok {
		return "number"
	}
	return "object"
}

// condIsNaN is Number.isNaN: true only for the number NaN.
func condIsNaN(v any) bool {
	f, ok := condGoNumber(v)
	return ok && math.IsNaN(f)
}

// condNumberString formats a number as JavaScript's String(number) does.
func condNumberString(f float64) string {
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
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	if exp == "" {
		exp = "0"
	}
	return mant + "e" + sign + exp
}

// condString is JavaScript's String(value).
func condString(v any) string {
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
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = condString(e)
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	case time.Time:
		return FormatISO(x)
	}
	if f, ok := condGoNumber(v); ok {
		return condNumberString(f)
	}
	return condJSONText(v)
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

// condDecimal matches the decimal literals JavaScript's Number() accepts.
var condDecimal = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// condStringNumber is Number(string).
func condStringNumber(s string) float64 {
	s = strings.TrimFunc(s, condIsSpace)
	switch s {
	case "":
		return 0
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
			if err != nil || strings.Contains(s, "_") {
				return math.NaN()
			}
			return float64(n)
		}
	}
	if !condDecimal.MatchString(s) {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range values parse to ±Inf with an error; JavaScript
		// gives the same infinities.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f
		}
		return math.NaN()
	}
	return f
}

func condIsSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// condNumber is JavaScript's Number(value).
func condNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case string:
		return condStringNumber(x)
	case []any:
		// Number([]) is 0, Number([x]) is Number(String(x)).
		return condStringNumber(condString(x))
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
		if strings.TrimFunc(x, condIsSpace) == "" {
			return false, false
		}
	}
	switch condNumber(v) {
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
	s := condString(v)
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
	s := condString(v)
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
	t, err := luxon.ParseToDateTime(condString(v), loc)
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
		if o.strict && condTypeOf(value) != "string" {
			return nil, false
		}
		switch value.(type) {
		case map[string]any, []any:
			return condJSONText(value), true
		}
		return condString(value), true
	case condFieldNumber:
		if o.strict && condTypeOf(value) != "number" {
			return nil, false
		}
		f := condNumber(value)
		if math.IsNaN(f) {
			return nil, false
		}
		return f, true
	case condFieldBoolean:
		if o.strict && condTypeOf(value) != "boolean" {
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
	return "'" + condString(v) + "'"
}
