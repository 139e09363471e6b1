package nodes

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/weft/weft/nodes/expr"
)

// Code is n8n's Code node (n8n-nodes-base.code): JavaScript run once for
// all items or once for each item, with the workflow data proxy ($input,
// $json, $('Node'), ...) in scope. Results are validated and normalised as
// n8n's task runner and Code node do.
type Code struct{}

// Code node modes.
const (
	codeAllItems  = "runOnceForAllItems"
	codeEachItem  = "runOnceForEachItem"
	codeLangJS    = "javaScript"
	codeTypeName  = "n8n-nodes-base.code"
	maxConsoleLog = 200
	maxConsoleLen = 1 << 20
)

// CodeParams are the Code node's parameters.
type CodeParams struct {
	Mode       string `json:"mode" doc:"runOnceForAllItems (default): the code runs once and returns the output items; runOnceForEachItem: it runs once per input item and returns that item's output."`
	Language   string `json:"language" doc:"javaScript (the default, run in-process), python or pythonNative (run by python3 in a sandboxed subprocess, as an activity)."`
	JSCode     string `json:"jsCode" doc:"The JavaScript code: the body of an async function whose return value is the output."`
	PythonCode string `json:"pythonCode,omitempty" doc:"The Python code: the body of a function whose return value is the output; _items/items (all items) or _item/_json (each item) and _input hold the input."`
}

func init() { Register(Code{}) }

// Describe implements Node.
func (Code) Describe() Description {
	return Description{
		Name:        codeTypeName,
		DisplayName: "Code",
		Summary:     "Runs JavaScript or Python code over the input items.",
		Versions:    []float64{1, 2},
		Kind:        KindPure,
		KindFor: func(n *NodeInstance) Kind {
			if codeIsPython(n) {
				return KindIO
			}
			return KindPure
		},
		Params: CodeParams{},
	}
}

// Validate implements Node.
func (Code) Validate(n *NodeInstance) error {
	var p CodeParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.Mode {
	case "", codeAllItems, codeEachItem:
	default:
		return ParamErrorf("mode", "unknown mode %q (runOnceForAllItems or runOnceForEachItem)", p.Mode)
	}
	if n.TypeVersion >= 2 {
		switch p.Language {
		case "", codeLangJS, "python", "pythonNative":
		default:
			return ParamErrorf("language", "unknown language %q", p.Language)
		}
	}
	return nil
}

// Execute implements Node.
func (Code) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	if codeIsPython(ctx.Node) {
		return runPython(ctx)
	}
	if lang, _ := ctx.RawParam("language"); ctx.Node.TypeVersion >= 2 && lang != nil && lang != codeLangJS {
		return nil, &NodeError{Name: "NodeOperationError", Node: ctx.Node.Name,
			Message: fmt.Sprintf("Unsupported language: %v", lang), Description: "weft runs JavaScript and Python code only"}
	}
	mode, _ := ctx.RawParam("mode")
	code, _ := ctx.RawParam("jsCode")
	src, _ := code.(string)
	s := &codeRun{ctx: ctx, code: src}
	var (
		out []Item
		err error
	)
	if mode == codeEachItem {
		out, err = s.eachItem()
	} else {
		out, err = s.allItems()
	}
	if err != nil {
		return nil, err
	}
	return [][]Item{out}, nil
}

// codeRun is one execution of a script node.
type codeRun struct {
	ctx  *Context
	code string
	// logs counts console.log lines and bytes passed on.
	logLines, logBytes int
}

// allItems runs the script once with every input item.
func (s *codeRun) allItems() ([]Item, error) {
	env := s.env(0)
	env["items"] = s.inputs()
	res, err := s.run(env, codeAllItems, -1)
	if err != nil {
		if s.ctx.ContinueOnFail() {
			return []Item{NewItem(map[string]any{"error": err.Error()})}, nil
		}
		return nil, err
	}
	return validateAllItems(res)
}

// eachItem runs the script once per input item.
func (s *codeRun) eachItem() ([]Item, error) {
	if err := checkEachItemCode(s.code); err != nil {
		return nil, err
	}
	items, _ := s.ctx.ConnectionInput()
	var results []codeResult
	for i := range items {
		env := s.env(i)
		env["item"] = s.inputs()[i]
		res, err := s.run(env, codeEachItem, i)
		if err != nil {
			if !s.ctx.ContinueOnFail() {
				return nil, err
			}
			res = codeResult{json: map[string]any{"error": err.Error()}, hasJSON: true}
		}
		if res.skip {
			continue
		}
		res.paired = i
		results = append(results, res)
	}
	out := make([]Item, 0, len(results))
	for i, r := range results {
		it, err := r.eachItemOutput(i)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// env is the data proxy for item i plus the script globals.
func (s *codeRun) env(i int) expr.Env {
	env := s.ctx.exprEnv(i, envOptions{runIndex: -1, lenient: true})
	env["console"] = s.console()
	return env
}

// inputs returns the array $input.all() returns, so that `items` and
// $input.all() are one array in the script, as in n8n.
func (s *codeRun) inputs() []any {
	p := &proxy{c: s.ctx, cache: s.ctx.proxyCache()}
	return p.inputWrappers()
}

// consoleMethods are the console methods scripts may call; only log
// produces output, as in n8n.
var consoleMethods = []string{"log", "warn", "error", "info", "debug", "trace", "dir", "time",
	"timeEnd", "timeLog", "assert", "clear", "count", "countReset", "group", "groupEnd",
	"groupCollapsed", "table", "dirxml", "profile", "profileEnd", "timeStamp"}

func (s *codeRun) console() expr.Object {
	o := expr.Object{}
	noop := expr.Func(func(...any) (any, error) { return nil, nil })
	for _, m := range consoleMethods {
		o[m] = noop
	}
	o["log"] = expr.Func(func(args ...any) (any, error) {
		if s.ctx.Console == nil || s.logLines >= maxConsoleLog || s.logBytes >= maxConsoleLen {
			return nil, nil
		}
		parts := make([]string, len(args))
		for i, a := range args {
			if str, ok := a.(string); ok {
				parts[i] = str // as Node's console.log prints a string argument
				continue
			}
			b, err := json.Marshal(NormalizeJSON(a))
			if err != nil {
				b = []byte(fmt.Sprint(a))
			}
			parts[i] = string(b)
		}
		line := strings.Join(parts, " ")
		if room := maxConsoleLen - s.logBytes; len(line) > room {
			line = line[:room]
		}
		s.logLines++
		s.logBytes += len(line)
		s.ctx.Console(line)
		return nil, nil
	})
	return o
}

// wrapCode puts the user's code in a function named as n8n's runner names
// it (an async one when the code awaits) and passes its value to enc, a
// statement that returns what the engine hands back. The wrapper's head
// stays on the code's first line so that error lines are the user's.
func wrapCode(code, enc string) string {
	head := "const __weftR = (function VmCodeWrapper() {"
	if strings.Contains(code, "await") {
		head = "const __weftR = await (async function VmCodeWrapper() {"
	}
	return head + code + "\n})();\n" + enc
}

// undefinedMark is what the all-items encoder returns for undefined, which
// the engine would otherwise hand back as nil, like null.
const undefinedMark = "\x00weft:undefined"

const (
	// encodeAll hands the result back as n8n's runner does: it travels
	// as JSON (dates become ISO text, undefined fields disappear), null
	// means no items.
	encodeAll = "return __weftR === undefined ? '\\x00weft:undefined' : JSON.stringify(__weftR);\n"
	// encodeEach picks an item's json and binary as n8n's runner does;
	// a falsy result drops the item.
	encodeEach = `if (!__weftR) { return undefined; }
var __weftJ = __weftR, __weftB;
if (typeof __weftR === 'object' || typeof __weftR === 'function') {
  if ('json' in __weftR) { __weftJ = __weftR.json; }
  else if ('binary' in __weftR) { __weftJ = __weftR.json === undefined || __weftR.json === null ? {} : __weftR.json; }
  __weftB = __weftR.binary;
}
return JSON.stringify({json: __weftJ, binary: __weftB ? __weftB : undefined});
`
)

// codeResult is what one run of the script returned.
type codeResult struct {
	// skip: the each-item result was falsy; the item is dropped.
	skip bool
	// value is the all-items result decoded from JSON (nil for null,
	// undefinedResult for undefined).
	value any
	// json, binary: the each-item result's parts.
	json    any
	hasJSON bool
	// order is the key order of value, or of json in each-item mode.
	order  *KeyOrder
	binary any
	paired int
}

// script runs the wrapped code and returns the encoder's text (ok false when
// it returned something else, e.g. undefined).
func (s *codeRun) script(env expr.Env, enc string) (out string, ok bool, err error) {
	v, err := s.ctx.Expr.Run(wrapCode(s.code, enc), env)
	if err != nil {
		return "", false, err
	}
	out, ok = v.(string)
	return out, ok, nil
}

// run runs the Code node's script for one env. itemIndex is -1 in
// all-items mode.
func (s *codeRun) run(env expr.Env, mode string, itemIndex int) (codeResult, error) {
	enc := encodeAll
	if mode == codeEachItem {
		enc = encodeEach
	}
	out, ok, err := s.script(env, enc)
	if err != nil {
		return codeResult{}, s.scriptError(err, itemIndex)
	}
	if mode == codeEachItem {
		if !ok {
			return codeResult{skip: true}, nil
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			return codeResult{}, err
		}
		j, has := m["json"]
		return codeResult{json: j, hasJSON: has, binary: m["binary"], order: JSONKeyOrder([]byte(out)).Field("json")}, nil
	}
	if !ok || out == undefinedMark {
		return codeResult{value: undefinedResult{}}, nil
	}
	var r any
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		return codeResult{}, err
	}
	return codeResult{value: r, order: JSONKeyOrder([]byte(out))}, nil
}

// undefinedResult stands for a script that returned undefined (or
// something JSON cannot carry).
type undefinedResult struct{}

// scriptError formats a failed run as n8n's ExecutionError does: the
// message is the last colon-separated part of the error's "Name: message"
// line (the part before it, unless plain "Error", becomes the
// description), followed by the script line that threw and the item.
// Errors raised by the data proxy keep their message, as n8n's do.
func (s *codeRun) scriptError(err error, itemIndex int) error {
	ee, ok := err.(*expr.Error)
	if !ok {
		return err
	}
	if ne, ok := ee.Err.(*NodeError); ok {
		c := *ne
		return &c
	}
	if ee.Err != nil {
		return ee.Err
	}
	ne := &NodeError{Name: "NodeOperationError", Node: s.ctx.Node.Name, LineNumber: ee.Line}
	if itemIndex >= 0 {
		ne.AtItem(itemIndex)
	}
	if ee.Kind == expr.KindSyntax {
		// V8 reports a syntax error without a stack line in the code,
		// so n8n's message names no line.
		ne.Message, ne.Description = syntaxMessage(ee.Message), "SyntaxError"
		return ne
	}
	display := ""
	if ee.Line > 0 {
		display = lineDisplay(ee.Line, itemIndex)
	}
	segs := strings.Split(ee.Message, ":")
	details := strings.TrimSpace(segs[len(segs)-1])
	if len(segs) > 1 {
		if typ := strings.TrimSpace(segs[len(segs)-2]); typ != "Error" {
			ne.Description = typ
		}
	}
	if details == "" {
		details = "Unknown error"
	}
	ne.Message = details + display
	return ne
}

var syntaxNoise = regexp.MustCompile(`^(?:invalid syntax: )?(?:[^\s:]+: )?(?:Line \d+:\d+ )?(.*?)(?: \(and \d+ more errors?\))?$`)

// syntaxMessage is the parser's message without the engine's framing
// (file, position, error count), which refer to the wrapped script.
func syntaxMessage(msg string) string {
	if m := syntaxNoise.FindStringSubmatch(msg); m != nil && m[1] != "" {
		return m[1]
	}
	return msg
}

// lineDisplay is the " [line N]" or " [line N, for item I]" suffix.
func lineDisplay(line, itemIndex int) string {
	if itemIndex < 0 {
		return fmt.Sprintf(" [line %d]", line)
	}
	return fmt.Sprintf(" [line %d, for item %d]", line, itemIndex)
}

// validationError is n8n's Code ValidationError: the message gets the line
// and item it concerns appended.
func validationError(msg, desc string, itemIndex, line int) *NodeError {
	ne := &NodeError{Name: "NodeOperationError", Description: desc, LineNumber: line}
	switch {
	case line > 0 && itemIndex >= 0:
		msg = fmt.Sprintf("%s [line %d, for item %d]", msg, line, itemIndex)
	case line > 0:
		msg = fmt.Sprintf("%s [line %d]", msg, line)
	case itemIndex >= 0:
		msg = fmt.Sprintf("%s [item %d]", msg, itemIndex)
	}
	ne.Message = msg
	if itemIndex >= 0 {
		ne.AtItem(itemIndex)
	}
	return ne
}

var disallowedEachItem = regexp.MustCompile(`\$input\.(first|last|all|itemMatching)`)

// checkEachItemCode refuses $input.first(), .last(), .all() and
// .itemMatching() in each-item mode, as n8n does before running the code.
func checkEachItemCode(code string) error {
	m := disallowedEachItem.FindStringSubmatch(code)
	if m == nil {
		return nil
	}
	for i, l := range strings.Split(code, "\n") {
		if strings.Contains(l, m[1]) && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, "*") {
			return validationError(fmt.Sprintf("Can't use .%s() here", m[1]),
				"This is only available in 'Run Once for All Items' mode", 0, i+1)
		}
	}
	return nil
}

// itemKeys are the keys of n8n's item objects.
var itemKeys = map[string]bool{"json": true, "binary": true, "pairedItem": true, "error": true, "metadata": true, "index": true}

const notItemsMsg = "Code doesn't return items properly"

// validateAllItems checks and normalises an all-items result as n8n's
// validateRunCodeAllItems and normalizeItems do.
func validateAllItems(res codeResult) ([]Item, error) {
	notItems := func() error {
		return validationError(notItemsMsg, "Please return an array of objects, one for each item you would like to output.", -1, 0)
	}
	var list []any
	var orders []*KeyOrder // the key order of each element of list
	switch v := res.value.(type) {
	case nil:
		return []Item{}, nil
	case map[string]any:
		if jsTruthy(v["json"]) {
			list, orders = []any{v}, []*KeyOrder{res.order}
		} else {
			list = []any{map[string]any{"json": v}}
			orders = []*KeyOrder{{Keys: []string{"json"}, Fields: map[string]*KeyOrder{"json": res.order}}}
		}
	case []any:
		for _, e := range v {
			if _, ok := e.(map[string]any); !ok {
				return nil, notItems()
			}
		}
		mustBeItems := false
		for _, e := range v {
			for k := range e.(map[string]any) {
				if itemKeys[k] {
					mustBeItems = true
				}
			}
		}
		if mustBeItems {
			for i, e := range v {
				if err := checkItemKeys(e.(map[string]any), i); err != nil {
					return nil, err
				}
			}
		}
		list = v
		orders = make([]*KeyOrder, len(v))
		for i := range v {
			orders[i] = res.order.Elem(i)
		}
	default:
		return nil, notItems()
	}
	norm, jsonOrders, err := normalizeItems(list, orders)
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(norm))
	for i, m := range norm {
		it, err := itemFromJS(m, i)
		if err != nil {
			return nil, err
		}
		out[i] = it.WithKeyOrder(scriptOrder(jsonOrders[i]))
	}
	return out, nil
}

// checkItemKeys is n8n's validateTopLevelKeys.
func checkItemKeys(m map[string]any, i int) error {
	reserved, unknown := "", ""
	for _, k := range sortedKeys(m) {
		if itemKeys[k] {
			if reserved == "" {
				reserved = k
			}
		} else if unknown == "" {
			unknown = k
		}
	}
	if unknown == "" {
		return nil
	}
	if reserved != "" {
		return validationError("Invalid output format",
			"An output item contains the reserved key <code>"+reserved+"</code>. To get around this, please wrap each item in an object, under a key called <code>json</code>.", i, 0)
	}
	return validationError("Unknown top-level item key: "+unknown,
		"Access the properties of an item under `.json`, e.g. `item.json`", i, 0)
}

// scriptOrder is the hint of an item's JSON a script returned: nil (keys in
// sorted order) becomes an empty hint, so that the runner does not give
// the item its input item's order.
func scriptOrder(o *KeyOrder) *KeyOrder {
	if o == nil {
		return &KeyOrder{}
	}
	return o
}

// normalizeItems is n8n's helpers.normalizeItems over a list of objects.
// orders holds the key order of each element of list; it returns the
// items and the key order of each item's json.
func normalizeItems(list []any, orders []*KeyOrder) ([]map[string]any, []*KeyOrder, error) {
	has := func(key string) (all, some bool) {
		all = true
		for _, e := range list {
			_, ok := e.(map[string]any)[key]
			all = all && ok
			some = some || ok
		}
		return all, some
	}
	out := make([]map[string]any, len(list))
	jsonOrders := make([]*KeyOrder, len(list))
	if all, some := has("json"); all {
		for i, e := range list {
			out[i] = e.(map[string]any)
			jsonOrders[i] = orders[i].Field("json")
		}
		return out, jsonOrders, nil
	} else if some {
		return nil, nil, NewNodeError("Inconsistent item format")
	}
	if all, some := has("binary"); all {
		for i, e := range list {
			m := e.(map[string]any)
			j := map[string]any{}
			for k, v := range m {
				if k != "binary" {
					j[k] = v
				}
			}
			out[i] = map[string]any{"json": j, "binary": m["binary"]}
			jsonOrders[i] = orders[i]
		}
		return out, jsonOrders, nil
	} else if some {
		return nil, nil, NewNodeError("Inconsistent item format")
	}
	for i, e := range list {
		out[i] = map[string]any{"json": e}
	}
	return out, orders, nil
}

// itemFromJS checks one normalised item (n8n's validateItem) and converts
// it.
func itemFromJS(m map[string]any, i int) (Item, error) {
	j, ok := m["json"].(map[string]any)
	if !ok {
		return Item{}, validationError("A 'json' property isn't an object",
			"In the returned data, every key named 'json' must point to an object.", i, 0)
	}
	it := Item{JSON: j}
	if b, present := m["binary"]; present {
		bm, ok := b.(map[string]any)
		if !ok {
			return Item{}, validationError("A 'binary' property isn't an object",
				"In the returned data, every key named 'binary' must point to an object.", i, 0)
		}
		bin, err := decodeBinary(bm)
		if err != nil {
			return Item{}, err
		}
		it.Binary = bin
	}
	if pi, present := m["pairedItem"]; present {
		p, err := ParsePairedItems(pi)
		if err == nil {
			it.PairedItem = p
		}
	}
	if e, present := m["error"]; present && e != nil {
		it.Error = itemError(e)
	}
	return it, nil
}

func decodeBinary(m map[string]any) (map[string]*Binary, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	var out map[string]*Binary
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, validationError("A 'binary' property isn't an object",
			"In the returned data, every key named 'binary' must point to an object.", -1, 0)
	}
	return out, nil
}

// itemError converts an item's error value as a script set it.
func itemError(e any) *NodeError {
	switch x := e.(type) {
	case string:
		return &NodeError{Message: x}
	case map[string]any:
		msg, _ := x["message"].(string)
		ne := &NodeError{Message: msg}
		ne.Description, _ = x["description"].(string)
		return ne
	}
	return &NodeError{Message: fmt.Sprint(e)}
}

// eachItemOutput checks one each-item result (n8n's validateRunCodeEachItem
// on the item the runner built) and converts it; i is the result's position
// among the results, which n8n reports as the item.
func (r codeResult) eachItemOutput(i int) (Item, error) {
	m := map[string]any{}
	if r.hasJSON {
		m["json"] = r.json
	}
	if r.binary != nil {
		m["binary"] = r.binary
	}
	it, err := itemFromJS(m, i)
	if err != nil {
		return Item{}, err
	}
	it.PairedItem = PairedItems{{Item: r.paired}}
	return it.WithKeyOrder(scriptOrder(r.order)), nil
}

var _ Node = Code{}
