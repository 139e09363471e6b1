package nodes

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"

	"github.com/weft/weft/nodes/expr"
)

// FilterValue is n8n's filter parameter (the "conditions" of If 2, Filter 2
// and Switch 3 rules): conditions joined by a combinator, evaluated under
// options. Nodes resolve its expressions for an item (Context.Param), decode
// it with DecodeFilter and evaluate it with Evaluate.
type FilterValue struct {
	// Options configure type validation and case sensitivity.
	Options FilterOptions `json:"options" doc:"How values are compared."`
	// Conditions are the comparisons.
	Conditions []FilterCondition `json:"conditions" doc:"The comparisons."`
	// Combinator is "and" (every condition) or "or" (any condition).
	Combinator string `json:"combinator" doc:"and (every condition must pass) or or (one must)." options:"and,or" default:"and"`
}

// FilterOptions are the filter parameter's options.
type FilterOptions struct {
	// CaseSensitive compares strings as they are; false lowercases both
	// sides (regex patterns get the i flag instead).
	CaseSensitive bool `json:"caseSensitive" doc:"Compare strings as they are; false lowercases them." default:"true"`
	// TypeValidation is "strict" (a value of the wrong type is an error) or
	// "loose" (values are converted where they can be).
	TypeValidation string `json:"typeValidation" doc:"strict: a value of the wrong type fails the node; loose: values are converted where they can be." options:"strict,loose" default:"strict"`
	// Version is the filter semantics version: 1 (If 2.0/2.1, Filter
	// 2.0/2.1, Switch 3.0/3.1), 2 (If 2.2, Filter 2.2, Switch 3.2) or 3. It
	// changes loose booleans (1: JavaScript truthiness; 2+: "false", "0"
	// are false) and empty numbers (3: "" and [] are empty, not 0).
	Version int `json:"version" doc:"Filter semantics version (1: If 2.0/2.1, 2: If 2.2)." options:"1,2,3"`
	// Location is the zone dates without an offset are read in (the
	// workflow's timezone); nil is UTC.
	Location *time.Location `json:"-"`
}

// FilterCondition is one comparison.
type FilterCondition struct {
	// ID identifies the condition in the editor.
	ID string `json:"id,omitempty" doc:"The condition's id."`
	// LeftValue is the value tested (usually an expression).
	LeftValue any `json:"leftValue" doc:"The value tested, usually an expression."`
	// RightValue is the value compared with.
	RightValue any `json:"rightValue" doc:"The value compared with (unused by single-value operations)."`
	// Operator names the comparison.
	Operator FilterOperator `json:"operator" doc:"The comparison."`
}

// FilterOperator names a comparison: the type both values are validated
// as, and the operation.
type FilterOperator struct {
	// Type is string, number, boolean, dateTime, array or object.
	Type string `json:"type" doc:"The type both values are validated as." options:"string,number,boolean,dateTime,array,object"`
	// Operation is the comparison, e.g. equals, gt, contains, exists.
	Operation string `json:"operation" doc:"The comparison: exists, notExists, empty, notEmpty, equals, notEquals; string: contains, startsWith, endsWith, regex and their negations; number: gt, lt, gte, lte; dateTime: after, before, afterOrEquals, beforeOrEquals; boolean: true, false; array: contains, notContains, lengthEquals, lengthNotEquals, lengthGt, lengthLt, lengthGte, lengthLte."`
	// SingleValue marks operations that ignore the right value.
	SingleValue bool `json:"singleValue,omitempty" doc:"Whether the operation ignores the right value."`
	// RightType is the type the right value is validated as when it
	// differs from Type (array length operations take a number, array
	// contains takes any).
	RightType string `json:"rightType,omitempty" doc:"The right value's type when it differs (number for array lengths, any for array contains)." options:"string,number,boolean,dateTime,array,object,any"`
}

// condOperations lists the operations of each operator type.
var condOperations = map[string][]string{
	"string": {"exists", "notExists", "empty", "notEmpty", "equals", "notEquals", "contains", "notContains",
		"startsWith", "notStartsWith", "endsWith", "notEndsWith", "regex", "notRegex"},
	"number":   {"exists", "notExists", "empty", "notEmpty", "equals", "notEquals", "gt", "lt", "gte", "lte"},
	"dateTime": {"exists", "notExists", "empty", "notEmpty", "equals", "notEquals", "after", "before", "afterOrEquals", "beforeOrEquals"},
	"boolean":  {"exists", "notExists", "empty", "notEmpty", "true", "false", "equals", "notEquals"},
	"array": {"exists", "notExists", "empty", "notEmpty", "contains", "notContains", "lengthEquals",
		"lengthNotEquals", "lengthGt", "lengthLt", "lengthGte", "lengthLte"},
	"object": {"exists", "notExists", "empty", "notEmpty"},
}

func condKnownOperation(typ, op string) bool {
	for _, o := range condOperations[typ] {
		if o == op {
			return true
		}
	}
	return false
}

// DecodeFilter reads a filter parameter value (its expressions already
// resolved) into a FilterValue. Options the value does not carry are taken
// from defaults: the ones the node's editor would have written (n8n's
// typeOptions.filter for the node version). A nil value is an empty filter.
func DecodeFilter(v any, defaults FilterOptions) (*FilterValue, error) {
	f := &FilterValue{Options: defaults, Combinator: "and"}
	if v == nil {
		return f, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("conditions must be an object, not %s", jsTypeof(v))
	}
	if o, ok := m["options"].(map[string]any); ok {
		if cs, ok := o["caseSensitive"]; ok && cs != nil {
			f.Options.CaseSensitive = condTruthy(cs)
		}
		if tv, ok := o["typeValidation"].(string); ok && tv != "" {
			f.Options.TypeValidation = tv
		}
		if ver, ok := o["version"]; ok && ver != nil {
			if n := jsNumber(ver); !math.IsNaN(n) {
				f.Options.Version = int(n)
			}
		}
	}
	if c, ok := m["combinator"].(string); ok && c != "" {
		f.Combinator = c
	}
	raw, _ := m["conditions"].([]any)
	if m["conditions"] != nil && raw == nil {
		return nil, fmt.Errorf("conditions.conditions must be a list")
	}
	for i, rc := range raw {
		cm, ok := rc.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("condition %d must be an object", i)
		}
		c := FilterCondition{LeftValue: condNormalize(cm["leftValue"]), RightValue: condNormalize(cm["rightValue"])}
		c.ID, _ = cm["id"].(string)
		op, ok := cm["operator"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("condition %d has no operator", i)
		}
		c.Operator.Type, _ = op["type"].(string)
		c.Operator.Operation, _ = op["operation"].(string)
		c.Operator.RightType, _ = op["rightType"].(string)
		c.Operator.SingleValue = condTruthy(op["singleValue"])
		f.Conditions = append(f.Conditions, c)
	}
	return f, nil
}

// ValidateFilterParam checks a filter parameter's static shape at save time:
// an object whose conditions each name a known operator type and operation,
// a known combinator and type validation. Values holding expressions are
// not judged. path is the parameter's path for the error.
func ValidateFilterParam(v any, path string) error {
	if v == nil || expr.IsExpression(v) {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ParamErrorf(path, "must be an object with conditions and a combinator")
	}
	if o, ok := m["options"]; ok && o != nil && !expr.IsExpression(o) {
		om, ok := o.(map[string]any)
		if !ok {
			return ParamErrorf(path+".options", "must be an object")
		}
		if tv, ok := om["typeValidation"].(string); ok && !expr.IsExpression(tv) && tv != "strict" && tv != "loose" {
			return ParamErrorf(path+".options.typeValidation", "%q is not strict or loose", tv)
		}
	}
	if c, ok := m["combinator"]; ok && c != nil && !expr.IsExpression(c) {
		if s, _ := c.(string); s != "and" && s != "or" {
			return ParamErrorf(path+".combinator", "%v is not and or or", c)
		}
	}
	conds, ok := m["conditions"]
	if !ok || conds == nil || expr.IsExpression(conds) {
		return nil
	}
	list, ok := conds.([]any)
	if !ok {
		return ParamErrorf(path+".conditions", "must be a list")
	}
	for i, rc := range list {
		cp := fmt.Sprintf("%s.conditions[%d]", path, i)
		cm, ok := rc.(map[string]any)
		if !ok {
			return ParamErrorf(cp, "must be an object")
		}
		op, ok := cm["operator"].(map[string]any)
		if !ok {
			return ParamErrorf(cp+".operator", "must be an object with type and operation")
		}
		typ, _ := op["type"].(string)
		operation, _ := op["operation"].(string)
		if _, known := condOperations[typ]; !known {
			return ParamErrorf(cp+".operator.type", "unknown operator type %q", typ)
		}
		if !condKnownOperation(typ, operation) {
			return ParamErrorf(cp+".operator.operation", "unknown %s operation %q", typ, operation)
		}
		if rt, ok := op["rightType"]; ok && rt != nil {
			s, _ := rt.(string)
			if _, known := condOperations[s]; !known && s != "any" {
				return ParamErrorf(cp+".operator.rightType", "unknown type %v", rt)
			}
		}
	}
	return nil
}

// Evaluate runs the filter for one item: every condition with "and", any
// with "or" (stopping at the first that decides, as n8n does). itemIndex
// appears in error messages. An unknown combinator is false.
func (f *FilterValue) Evaluate(itemIndex int) (bool, error) {
	switch f.Combinator {
	case "and":
		for i, c := range f.Conditions {
			ok, err := EvaluateCondition(c, f.Options, i, itemIndex)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case "or":
		for i, c := range f.Conditions {
			ok, err := EvaluateCondition(c, f.Options, i, itemIndex)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

// condFilterError is a failed condition as n8n reports it.
func condFilterError(itemIndex int, description, format string, args ...any) *NodeError {
	e := NewNodeError(format, args...)
	e.Description = description
	return e.AtItem(itemIndex)
}

func condWithArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// condParseFilterValue is n8n's parseSingleFilterValue.
func condParseFilterValue(v any, typ string, strict bool, version int, loc *time.Location) (any, bool) {
	if typ == "any" || v == nil {
		return v, true
	}
	if typ == "boolean" && !strict {
		if version >= 2 {
			if b, ok := condParseBoolean(v); ok {
				return b, true
			}
		}
		return condTruthy(v), true
	}
	if typ == "number" {
		if condIsNaN(v) {
			return v, true
		}
		empty := false
		switch x := v.(type) {
		case string:
			empty = strings.TrimFunc(x, isJSSpace) == ""
		case []any:
			empty = len(x) == 0
		}
		if empty && version >= 3 {
			return nil, true
		}
	}
	return condValidateField(v, condFieldType(typ), condFieldValidation{strict: strict, parseStrings: true, loc: loc})
}

// EvaluateCondition is n8n's executeFilterCondition: it validates (and in
// loose mode converts) both values to the operator's types, then compares.
// index is the condition's position, itemIndex the item's; both appear in
// type errors ("Wrong type: '15' is a string but was expecting a number
// [condition 0, item 1]"). An unknown operation is false.
func EvaluateCondition(c FilterCondition, opts FilterOptions, index, itemIndex int) (bool, error) {
	strict := opts.TypeValidation == "strict"
	version := opts.Version
	if version == 0 {
		version = 1
	}
	op := c.Operator
	rightType := op.RightType
	if rightType == "" {
		rightType = op.Type
	}
	left, leftValid := condParseFilterValue(c.LeftValue, op.Type, strict, version, opts.Location)
	right, rightValid := condParseFilterValue(c.RightValue, rightType, strict, version, opts.Location)
	if !rightValid {
		right = nil
	}
	rightOK := rightValid || op.SingleValue
	if !leftValid || !rightOK {
		return false, condTypeError(c, opts, rightType, leftValid, rightOK, index, itemIndex)
	}
	ignoreCase := !opts.CaseSensitive

	exists := left != nil && !condIsNaN(left)
	switch op.Operation {
	case "exists":
		return exists, nil
	case "notExists":
		return !exists, nil
	}

	switch op.Type {
	case "string":
		l, _ := left.(string)
		r, _ := right.(string)
		isRegex := op.Operation == "regex" || op.Operation == "notRegex"
		// n8n 1.123 lowercases the text but not a regex pattern, and
		// gives the pattern no i flag: "^R.M" does not match "Rome" when
		// ignoring case. Later n8n (filter version 3) flags the pattern
		// instead and leaves the text alone.
		regexFlag := ignoreCase && isRegex && version >= 3
		if ignoreCase && !regexFlag {
			l = strings.ToLower(l)
			if !isRegex {
				r = strings.ToLower(r)
			}
		}
		switch op.Operation {
		case "empty":
			return l == "", nil
		case "notEmpty":
			return l != "", nil
		case "equals":
			return l == r, nil
		case "notEquals":
			return l != r, nil
		case "contains":
			return strings.Contains(l, r), nil
		case "notContains":
			return !strings.Contains(l, r), nil
		case "startsWith":
			return strings.HasPrefix(l, r), nil
		case "notStartsWith":
			return !strings.HasPrefix(l, r), nil
		case "endsWith":
			return strings.HasSuffix(l, r), nil
		case "notEndsWith":
			return !strings.HasSuffix(l, r), nil
		case "regex", "notRegex":
			ok, err := condRegexTest(r, regexFlag, l)
			if err != nil {
				return false, AsNodeError(err).AtItem(itemIndex)
			}
			return ok == (op.Operation == "regex"), nil
		}
	case "number":
		switch op.Operation {
		case "empty":
			return !exists, nil
		case "notEmpty":
			return exists, nil
		case "equals":
			return condStrictEqual(left, right), nil
		case "notEquals":
			return !condStrictEqual(left, right), nil
		case "gt", "lt", "gte", "lte":
			return condCompareNumbers(left, right, op.Operation), nil
		}
	case "dateTime":
		switch op.Operation {
		case "empty":
			return !exists, nil
		case "notEmpty":
			return exists, nil
		}
		l, lok := left.(time.Time)
		r, rok := right.(time.Time)
		if !lok || !rok {
			return false, nil
		}
		lm, rm := l.UnixMilli(), r.UnixMilli()
		switch op.Operation {
		case "equals":
			return lm == rm, nil
		case "notEquals":
			return lm != rm, nil
		case "after":
			return lm > rm, nil
		case "before":
			return lm < rm, nil
		case "afterOrEquals":
			return lm >= rm, nil
		case "beforeOrEquals":
			return lm <= rm, nil
		}
	case "boolean":
		switch op.Operation {
		case "empty":
			return !exists, nil
		case "notEmpty":
			return exists, nil
		case "true":
			return condTruthy(left), nil
		case "false":
			return !condTruthy(left), nil
		case "equals":
			return condStrictEqual(left, right), nil
		case "notEquals":
			return !condStrictEqual(left, right), nil
		}
	case "array":
		l, _ := left.([]any)
		n := float64(len(l))
		switch op.Operation {
		case "contains":
			return condArrayContains(l, right, ignoreCase), nil
		case "notContains":
			return !condArrayContains(l, right, ignoreCase), nil
		case "lengthEquals":
			return condStrictEqual(n, right), nil
		case "lengthNotEquals":
			return !condStrictEqual(n, right), nil
		case "lengthGt":
			return condCompareNumbers(n, right, "gt"), nil
		case "lengthLt":
			return condCompareNumbers(n, right, "lt"), nil
		case "lengthGte":
			return condCompareNumbers(n, right, "gte"), nil
		case "lengthLte":
			return condCompareNumbers(n, right, "lte"), nil
		case "empty":
			return len(l) == 0, nil
		case "notEmpty":
			return len(l) != 0, nil
		}
	case "object":
		var size int
		switch x := left.(type) {
		case map[string]any:
			size = len(x)
		case []any:
			size = len(x)
		case string:
			size = len([]rune(x))
		}
		switch op.Operation {
		case "empty":
			return !condTruthy(left) || size == 0, nil
		case "notEmpty":
			return condTruthy(left) && size != 0, nil
		}
	}
	return false, nil
}

func condTypeError(c FilterCondition, opts FilterOptions, rightType string, leftValid, rightValid bool, index, itemIndex int) error {
	strict := opts.TypeValidation == "strict"
	suffix := fmt.Sprintf("[condition %d, item %d]", index, itemIndex)
	typeHint := "Try changing the type of the comparison."
	if strict {
		typeHint = "Try changing the type of comparison. Alternatively you can enable 'Convert types where required'."
	}
	leftType, rightTypeOf := jsTypeof(c.LeftValue), jsTypeof(c.RightValue)
	if !leftValid && !rightValid && leftType == rightTypeOf {
		return condFilterError(itemIndex, typeHint, "Comparison type expects %s but both fields are %s",
			condWithArticle(c.Operator.Type), condWithArticle(leftType))
	}
	message := func(typ, from, value string) string {
		if strict {
			return fmt.Sprintf("Wrong type: '%s' is %s but was expecting %s %s", value, condWithArticle(from), condWithArticle(typ), suffix)
		}
		return fmt.Sprintf("Conversion error: the %s '%s' can't be converted to %s %s", from, value, condWithArticle(typ), suffix)
	}
	description := func(typ, position string) string {
		conv := map[string]string{"string": ".toString()", "number": ".toNumber()", "boolean": ".toBoolean()"}[typ]
		if strict && conv != "" {
			return fmt.Sprintf("Try either enabling 'Convert types where required' or converting the %s field to %s by adding %s.",
				position, condWithArticle(typ), conv)
		}
		return typeHint
	}
	if !leftValid {
		return condFilterError(itemIndex, description(c.Operator.Type, "first"), "%s",
			message(c.Operator.Type, leftType, jsToString(c.LeftValue)))
	}
	return condFilterError(itemIndex, description(rightType, "second"), "%s",
		message(rightType, rightTypeOf, jsToString(c.RightValue)))
}

// condStrictEqual is === on JSON scalars; objects and arrays are compared by
// identity in JavaScript, so two of them are never equal here.
func condStrictEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	}
	if x, ok := condGoNumber(a); ok {
		y, ok := condGoNumber(b)
		return ok && x == y
	}
	return false
}

// condCompareNumbers is JavaScript's relational comparison of two validated
// number values; a missing value (undefined) compares false.
func condCompareNumbers(a, b any, op string) bool {
	x, ok1 := condGoNumber(a)
	y, ok2 := condGoNumber(b)
	if !ok1 || !ok2 {
		return false
	}
	switch op {
	case "gt":
		return x > y
	case "lt":
		return x < y
	case "gte":
		return x >= y
	case "lte":
		return x <= y
	}
	return false
}

// condArrayContains is n8n's arrayContainsValue: case-insensitive for a string
// value when asked, otherwise Array.prototype.includes (SameValueZero).
func condArrayContains(list []any, v any, ignoreCase bool) bool {
	if s, ok := v.(string); ok && ignoreCase {
		ls := strings.ToLower(s)
		for _, e := range list {
			if es, ok := e.(string); ok && strings.ToLower(es) == ls {
				return true
			}
		}
		return false
	}
	for _, e := range list {
		if condStrictEqual(e, v) || (condIsNaN(e) && condIsNaN(v)) {
			return true
		}
	}
	return false
}

var condRegexLiteral = regexp.MustCompile(`^/(.*?)/([gimusy]*)$`)

// condRegexCache keeps compiled patterns, since a filter runs the same pattern
// for every item; it stops growing at condRegexCacheSize entries.
var condRegexCache = struct {
	sync.Mutex
	m map[string]*regexp2.Regexp
}{m: map[string]*regexp2.Regexp{}}

const condRegexCacheSize = 512

// condRegexTimeout bounds one match against catastrophic backtracking.
const condRegexTimeout = time.Second

// condRegexTest is n8n's parseRegexPattern(pattern, ignoreCase).test(text):
// "/body/flags" or a bare pattern, with JavaScript regular expression
// semantics.
func condRegexTest(pattern string, ignoreCase bool, text string) (bool, error) {
	body, flags := pattern, ""
	if m := condRegexLiteral.FindStringSubmatch(pattern); m != nil {
		body, flags = m[1], m[2]
	}
	if ignoreCase && !strings.Contains(flags, "i") {
		flags += "i"
	}
	key := flags + "/" + body
	condRegexCache.Lock()
	re := condRegexCache.m[key]
	condRegexCache.Unlock()
	if re == nil {
		opts := regexp2.ECMAScript
		for _, f := range flags {
			switch f {
			case 'i':
				opts |= regexp2.IgnoreCase
			case 'm':
				opts |= regexp2.Multiline
			case 's':
				opts |= regexp2.Singleline
			case 'u':
				opts |= regexp2.Unicode
			}
		}
		var err error
		re, err = regexp2.Compile(body, opts)
		if err != nil {
			// Some patterns only compile outside ECMAScript mode (e.g.
			// with the u flag); try once more before giving up.
			re, err = regexp2.Compile(body, opts&^regexp2.ECMAScript)
			if err != nil {
				return false, NewNodeError("Invalid regular expression: /%s/%s: %v", body, flags, err)
			}
		}
		re.MatchTimeout = condRegexTimeout
		condRegexCache.Lock()
		if len(condRegexCache.m) < condRegexCacheSize {
			condRegexCache.m[key] = re
		}
		condRegexCache.Unlock()
	}
	return re.MatchString(text)
}

// legacyDataTypes are the sections of the version-1 condition collection
// (If 1, Filter 1), evaluated in this order whatever the editor showed.
var legacyDataTypes = []string{"boolean", "dateTime", "number", "string"}

// legacyOperations lists the operations of each legacy data type.
var legacyOperations = map[string][]string{
	"boolean":  {"equal", "notEqual"},
	"dateTime": {"after", "before"},
	"number":   {"smaller", "smallerEqual", "equal", "notEqual", "larger", "largerEqual", "isEmpty", "isNotEmpty"},
	"string": {"contains", "notContains", "endsWith", "notEndsWith", "equal", "notEqual", "regex", "notRegex",
		"startsWith", "notStartsWith", "isEmpty", "isNotEmpty"},
}

// validateLegacyConditions checks the static shape of a version-1
// condition collection: {boolean: [{value1, operation, value2}], ...}.
func validateLegacyConditions(v any, path string) error {
	if v == nil || expr.IsExpression(v) {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ParamErrorf(path, "must be an object of boolean, dateTime, number and string conditions")
	}
	for _, k := range sortedKeys(m) {
		ops, known := legacyOperations[k]
		if !known {
			return ParamErrorf(path+"."+k, "unknown condition type %q", k)
		}
		list, ok := m[k].([]any)
		if !ok {
			if expr.IsExpression(m[k]) || m[k] == nil {
				continue
			}
			return ParamErrorf(path+"."+k, "must be a list")
		}
		for i, e := range list {
			cm, ok := e.(map[string]any)
			if !ok {
				return ParamErrorf(fmt.Sprintf("%s.%s[%d]", path, k, i), "must be an object")
			}
			op, present := cm["operation"]
			if !present || expr.IsExpression(op) {
				continue
			}
			s, _ := op.(string)
			found := false
			for _, o := range ops {
				found = found || o == s
			}
			if !found {
				return ParamErrorf(fmt.Sprintf("%s.%s[%d].operation", path, k, i), "unknown %s operation %v", k, op)
			}
		}
	}
	return nil
}

// legacyDefaultOperation is the editor's default operation per data type,
// used when a stored condition leaves it out.
var legacyDefaultOperation = map[string]string{"boolean": "equal", "dateTime": "after", "number": "smaller", "string": "equal"}

// evaluateLegacyConditions runs a resolved version-1 condition collection
// for one item. all selects "every condition" (If's "all", Filter's "AND")
// over "any condition".
func evaluateLegacyConditions(v any, all bool, loc *time.Location) (bool, error) {
	m, _ := v.(map[string]any)
	for _, dataType := range legacyDataTypes {
		list, _ := m[dataType].([]any)
		for _, e := range list {
			cm, _ := e.(map[string]any)
			op, _ := cm["operation"].(string)
			if op == "" {
				op = legacyDefaultOperation[dataType]
			}
			v1, v2 := condNormalize(cm["value1"]), condNormalize(cm["value2"])
			if dataType == "dateTime" {
				var err error
				if v1, err = legacyDateTime(v1, loc); err != nil {
					return false, err
				}
				if v2, err = legacyDateTime(v2, loc); err != nil {
					return false, err
				}
			}
			ok, err := legacyCompare(op, v1, v2)
			if err != nil {
				return false, err
			}
			if ok && !all {
				return true, nil
			}
			if !ok && all {
				return false, nil
			}
		}
	}
	return all, nil
}

// legacyDateTime is the legacy nodes' convertDateTime: date texts and
// values become milliseconds, numbers stay, anything else is an error.
func legacyDateTime(v any, loc *time.Location) (any, error) {
	var ms float64
	valid := false
	switch x := v.(type) {
	case string:
		if t, ok := condParseDateTime(x, loc); ok {
			ms, valid = float64(t.UnixMilli()), true
		}
	case time.Time:
		ms, valid = float64(x.UnixMilli()), true
	default:
		if f, ok := condGoNumber(v); ok && !math.IsNaN(f) {
			ms, valid = f, true
		}
	}
	if !valid {
		text := jsToString(v)
		if v == nil {
			text = "undefined"
		}
		return nil, NewNodeError("The value \"%s\" is not a valid DateTime.", text)
	}
	return ms, nil
}

// legacyCompare is one comparison of the legacy nodes, with JavaScript's
// loose semantics: `(a || 0) > (b || 0)`, `(a || ”).toString().includes(…)`,
// `===` for equality.
func legacyCompare(op string, v1, v2 any) (bool, error) {
	orZero := func(v any) any {
		if !condTruthy(v) {
			return 0.0
		}
		return v
	}
	orEmpty := func(v any) string {
		if !condTruthy(v) {
			return ""
		}
		return jsToString(v)
	}
	stringMethod := func(name string) (string, string, error) {
		s, ok := v1.(string)
		if !ok {
			if v1 == nil {
				return "", "", NewNodeError("Cannot read properties of undefined (reading '%s')", name)
			}
			return "", "", NewNodeError("value1.%s is not a function", name)
		}
		t := "undefined"
		if v2 != nil {
			t = jsToString(v2)
		}
		return s, t, nil
	}
	switch op {
	case "after", "larger":
		return jsLess(orZero(v2), true, orZero(v1), true), nil
	case "before", "smaller":
		return jsLess(orZero(v1), true, orZero(v2), true), nil
	case "largerEqual":
		return condLessOrEqual(orZero(v2), orZero(v1)), nil
	case "smallerEqual":
		return condLessOrEqual(orZero(v1), orZero(v2)), nil
	case "contains":
		return strings.Contains(orEmpty(v1), orEmpty(v2)), nil
	case "notContains":
		return !strings.Contains(orEmpty(v1), orEmpty(v2)), nil
	case "endsWith", "notEndsWith":
		s, t, err := stringMethod("endsWith")
		if err != nil {
			return false, err
		}
		return strings.HasSuffix(s, t) == (op == "endsWith"), nil
	case "startsWith", "notStartsWith":
		s, t, err := stringMethod("startsWith")
		if err != nil {
			return false, err
		}
		return strings.HasPrefix(s, t) == (op == "startsWith"), nil
	case "equal":
		return condStrictEqual(v1, v2), nil
	case "notEqual":
		return !condStrictEqual(v1, v2), nil
	case "isEmpty":
		return legacyEmpty(v1), nil
	case "isNotEmpty":
		return !legacyEmpty(v1), nil
	case "regex", "notRegex":
		ok, err := condRegexTest(orEmpty(v2), false, orEmpty(v1))
		if err != nil {
			return false, err
		}
		return ok == (op == "regex"), nil
	}
	return false, NewNodeError("compareOperationFunctions[compareData.operation] is not a function")
}

func legacyEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case map[string]any:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return condIsNaN(v)
}

// condLessOrEqual is JavaScript's a <= b (false when either side is NaN);
// a < b is jsLess.
func condLessOrEqual(a, b any) bool {
	a, b = jsPrimitive(a, true), jsPrimitive(b, true)
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			return !jsStringLess(bs, as)
		}
	}
	return jsNumber(a) <= jsNumber(b)
}

// nodeFilterDefaults returns the filter options n8n's editor derives for
// If 2, Filter 2 and Switch 3 (typeOptions.filter): case sensitive unless
// options.ignoreCase, loose when looseTypeValidation is on (a node
// parameter from version looseSince, an option before), and semantics
// version 2 from version2Since.
func nodeFilterDefaults(ctx *Context, itemIndex int, looseSince, version2Since float64) (FilterOptions, error) {
	o, err := ctx.Param("options", itemIndex, nil)
	if err != nil {
		return FilterOptions{}, err
	}
	om, _ := o.(map[string]any)
	loose := condTruthy(om["looseTypeValidation"])
	if ctx.Node.TypeVersion >= looseSince {
		v, err := ctx.Param("looseTypeValidation", itemIndex, false)
		if err != nil {
			return FilterOptions{}, err
		}
		loose = condTruthy(v)
	}
	opts := FilterOptions{CaseSensitive: !condTruthy(om["ignoreCase"]), TypeValidation: "strict", Version: 1, Location: ctx.Location}
	if loose {
		opts.TypeValidation = "loose"
	}
	if ctx.Node.TypeVersion >= version2Since {
		opts.Version = 2
	}
	return opts, nil
}

// evaluateFilterParam resolves the filter parameter at path for an item and
// evaluates it.
func evaluateFilterParam(ctx *Context, path string, itemIndex int, defaults FilterOptions) (bool, error) {
	raw, err := ctx.Param(path, itemIndex, nil)
	if err != nil {
		return false, err
	}
	f, err := DecodeFilter(raw, defaults)
	if err != nil {
		return false, NewNodeError("parameter %s: %v", path, err)
	}
	return f.Evaluate(itemIndex)
}

// condItemError turns an error met while processing item i into the node's
// failure: a *NodeError naming the node and the item.
func condItemError(ctx *Context, err error, i int) *NodeError {
	ne := AsNodeError(err)
	if ne.Node == "" {
		ne.Node = ctx.Node.Name
	}
	if ne.ItemIndex == nil {
		ne.AtItem(i)
	}
	return ne
}

// condFirstInput returns the items of a node's only input.
func condFirstInput(in [][]Item) []Item {
	if len(in) == 0 {
		return nil
	}
	return in[0]
}
