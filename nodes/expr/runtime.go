package expr

import (
	_ "embed"
	"errors"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dop251/goja"
)

//go:embed prelude.js
var preludeSource string

var preludeProgram = goja.MustCompile("prelude.js", preludeSource, true)

// exprDenied are the globals n8n replaces with an empty object in
// expressions (Expression.initializeGlobalContext).
var exprDenied = []string{
	"document", "global", "window", "Window", "self", "alert", "prompt", "confirm",
	"eval", "uneval", "setTimeout", "setInterval", "setImmediate", "clearImmediate",
	"queueMicrotask", "Function", "require", "module", "Buffer", "__dirname", "__filename",
	"fetch", "XMLHttpRequest", "Promise", "Generator", "GeneratorFunction", "AsyncFunction",
	"AsyncGenerator", "AsyncGeneratorFunction", "WebAssembly", "Reflect", "Proxy", "escape", "unescape",
}

// vm is one pooled goja runtime with its frozen base globals.
type vm struct {
	e        *Engine
	rt       *goja.Runtime
	baseCode *goja.Object // the runtime's own global object, for scripts
	baseExpr *goja.Object // inherits baseCode, with n8n's expression globals
	names    map[string]bool
	errCtor  goja.Value
	objProto *goja.Object
	dates    *dates
	// thrown maps the error objects thrown for Go errors (Env functions,
	// extension errors) to those errors; reset per evaluation.
	thrown map[*goja.Object]error
	// seen maps the Go maps and slices converted in this evaluation to
	// their JavaScript values; reset per evaluation.
	seen identities
	// wantOrder asks the evaluation to record the key order of its
	// result in order.
	wantOrder bool
	order     *KeyOrder
	broken    bool

	mu       sync.Mutex
	running  bool
	started  time.Time
	heapBase uint64
	timer    *time.Timer
	sample   []metrics.Sample
}

func (e *Engine) get() *vm {
	select {
	case v := <-e.pool:
		return v
	default:
		return newVM(e)
	}
}

func (e *Engine) put(v *vm) {
	if v.broken {
		return
	}
	v.thrown = nil
	v.seen = nil
	v.wantOrder, v.order = false, nil
	select {
	case e.pool <- v:
	default:
	}
}

func newVM(e *Engine) *vm {
	rt := goja.New()
	rt.SetMaxCallStackSize(e.opts.MaxCallStack)
	rt.SetTimeSource(e.opts.Now)
	v := &vm{e: e, rt: rt, baseCode: rt.GlobalObject(), names: map[string]bool{}}
	v.sample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
	v.timer = time.AfterFunc(time.Hour, v.tick)
	v.timer.Stop()
	v.errCtor = rt.Get("Error")
	v.objProto = rt.Get("Object").(*goja.Object).Get("prototype").(*goja.Object)
	v.dates = newDates(rt, e.opts.Location, e.opts.Now)

	natives := rt.NewObject()
	v.installNatives(natives)
	v.installDateNatives(natives)
	v.installLimitNatives(natives)
	fn, err := rt.RunProgram(preludeProgram)
	if err != nil {
		panic("expr: prelude: " + err.Error())
	}
	setup, _ := goja.AssertFunction(fn)
	apiVal, err := setup(goja.Undefined(), natives, v.baseCode)
	if err != nil {
		panic("expr: prelude: " + err.Error())
	}
	api := apiVal.(*goja.Object)

	hidden := func(o *goja.Object, name string, val goja.Value) {
		if err := o.DefineDataProperty(name, val, goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_FALSE); err != nil {
			panic("expr: define " + name + ": " + err.Error())
		}
	}
	globals := api.Get("globals").(*goja.Object)
	for _, k := range globals.Keys() {
		hidden(v.baseCode, k, globals.Get(k))
	}
	hidden(v.baseCode, "eval", rt.ToValue(func(goja.FunctionCall) goja.Value {
		panic(rt.NewTypeError("eval is not allowed"))
	}))
	fixDateToString(rt)

	v.baseExpr = rt.CreateObject(v.baseCode)
	hidden(v.baseExpr, helperExt, api.Get("ext"))
	hidden(v.baseExpr, helperExtOpt, api.Get("extOpt"))
	hidden(v.baseExpr, helperSanitize, api.Get("sanitize"))
	for _, k := range exprDenied {
		hidden(v.baseExpr, k, rt.NewObject())
	}
	hidden(v.baseExpr, "Object", api.Get("SafeObject"))

	harden, _ := goja.AssertFunction(api.Get("harden"))
	roots := rt.NewArray(v.baseExpr, v.baseCode, api.Get("intrinsics"))
	if _, err := harden(goja.Undefined(), roots); err != nil {
		panic("expr: harden: " + err.Error())
	}
	for _, k := range v.baseCode.GetOwnPropertyNames() {
		v.names[k] = true
	}
	for _, k := range v.baseExpr.GetOwnPropertyNames() {
		v.names[k] = true
	}
	return v
}

// fixDateToString makes Date's text form name the zone as V8 does
// ("GMT+0000 (Coordinated Universal Time)").
func fixDateToString(rt *goja.Runtime) {
	proto := rt.Get("Date").(*goja.Object).Get("prototype").(*goja.Object)
	for _, name := range []string{"toString", "toTimeString"} {
		orig, _ := goja.AssertFunction(proto.Get(name))
		fn := rt.ToValue(func(call goja.FunctionCall) goja.Value {
			s, err := orig(call.This)
			if err != nil {
				panic(err)
			}
			return rt.ToValue(longZoneName(s.String()))
		})
		_ = proto.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
}

var zoneAbbrRe = regexp.MustCompile(`\(([A-Z]{2,5})\)$`)

var longZoneNames = map[string]string{
	"UTC": "Coordinated Universal Time", "GMT": "Greenwich Mean Time",
	"CET": "Central European Standard Time", "CEST": "Central European Summer Time",
	"EET": "Eastern European Standard Time", "EEST": "Eastern European Summer Time",
	"WET": "Western European Standard Time", "WEST": "Western European Summer Time",
	"BST": "British Summer Time", "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
	"CST": "Central Standard Time", "CDT": "Central Daylight Time", "MST": "Mountain Standard Time",
	"MDT": "Mountain Daylight Time", "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
	"JST": "Japan Standard Time", "IST": "India Standard Time",
}

func longZoneName(s string) string {
	return zoneAbbrRe.ReplaceAllStringFunc(s, func(m string) string {
		if long, ok := longZoneNames[m[1:len(m)-1]]; ok {
			return "(" + long + ")"
		}
		return m
	})
}

// begin prepares an evaluation: a fresh global object inheriting base, the
// Env bound on it, and the watchdog armed.
func (v *vm) begin(base *goja.Object, idents []string, env Env, undefinedForUnknown bool) (*goja.Object, error) {
	v.thrown = map[*goja.Object]error{}
	v.seen = identities{}
	g := v.rt.CreateObject(base)
	for _, name := range idents {
		if val, ok := env[name]; ok {
			if err := v.bindEnv(g, name, val); err != nil {
				return nil, err
			}
			continue
		}
		if undefinedForUnknown && !v.names[name] {
			// n8n resolves unknown identifiers to undefined, not a
			// ReferenceError.
			_ = g.DefineDataProperty(name, goja.Undefined(), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE)
		}
	}
	v.rt.SetGlobalObject(g)
	v.arm()
	return g, nil
}

func (v *vm) end() {
	v.disarm()
	v.rt.SetGlobalObject(v.baseCode)
}

func (v *vm) resolve(t *tmpl, env Env) (result any, err error) {
	defer v.recoverPanic(&err)
	if _, err := v.begin(v.baseExpr, t.idents, env, true); err != nil {
		return nil, err
	}
	defer v.end()
	if t.raw {
		val, err := v.rt.RunProgram(t.parts[0].prog)
		if err != nil {
			if ferr := v.fatal(err); ferr != nil {
				return nil, ferr
			}
			return nil, nil
		}
		if obj, ok := val.(*goja.Object); ok {
			if _, isFn := goja.AssertFunction(obj); isFn {
				if obj.SameAs(v.baseCode.Get("DateTime")) {
					return nil, &Error{Kind: KindRuntime, Message: "this is a DateTime, please access its methods"}
				}
				return nil, &Error{Kind: KindRuntime, Message: "this is a function, please add ()"}
			}
		}
		return v.result(val)
	}
	var sb strings.Builder
	for _, p := range t.parts {
		if p.prog == nil {
			sb.WriteString(p.text)
			continue
		}
		val, err := v.rt.RunProgram(p.prog)
		if err != nil {
			if ferr := v.fatal(err); ferr != nil {
				return nil, ferr
			}
			continue
		}
		s, ok, err := v.render(val)
		if err != nil {
			return nil, err
		}
		if !ok {
			// n8n's join of the parts threw (e.g. an object without
			// toString): the whole value is null.
			return nil, nil
		}
		sb.WriteString(s)
	}
	return sb.String(), nil
}

// render turns a block's value into text as n8n's template does:
// `v || v === 0 || v === false ? v : ”` joined with Array.prototype.join.
func (v *vm) render(val goja.Value) (s string, ok bool, err error) {
	if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
		return "", true, nil
	}
	switch x := val.Export().(type) {
	case string:
		return x, true, nil
	case bool:
		return strconv.FormatBool(x), true, nil
	case int64:
		return strconv.FormatInt(x, 10), true, nil
	case float64:
		if x != x {
			return "", true, nil
		}
	}
	ex := v.rt.Try(func() { s = val.String() })
	if ex != nil {
		if ferr := v.fatal(ex); ferr != nil {
			return "", false, ferr
		}
		return "", false, nil
	}
	return s, true, nil
}

func (v *vm) run(s *script, env Env) (result any, err error) {
	defer v.recoverPanic(&err)
	g, err := v.begin(v.baseCode, s.idents, env, false)
	if err != nil {
		return nil, err
	}
	defer v.end()
	_ = g.DefineDataProperty("globalThis", g, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	fnv, err := v.rt.RunProgram(s.prog)
	if err != nil {
		return nil, v.scriptError(err)
	}
	fn, _ := goja.AssertFunction(fnv)
	val, err := fn(goja.Undefined())
	if err != nil {
		return nil, v.scriptError(err)
	}
	if s.async {
		p, ok := val.Export().(*goja.Promise)
		if !ok {
			return v.result(val)
		}
		switch p.State() {
		case goja.PromiseStateFulfilled:
			return v.result(p.Result())
		case goja.PromiseStateRejected:
			return nil, v.rejection(p.Result())
		default:
			return nil, &Error{Kind: KindRuntime, Message: "the script awaited a promise that never settled"}
		}
	}
	return v.result(val)
}

// result converts an evaluation's result, recording its key order in
// v.order when v.wantOrder is set.
func (v *vm) result(val goja.Value) (any, error) {
	res, order, err := v.fromJSOrdered(val, v.wantOrder)
	v.order = order
	return res, err
}

var stackLineRe = regexp.MustCompile(regexp.QuoteMeta(scriptName) + `:(\d+):`)

// rejection converts the reason of a rejected async script into an error.
func (v *vm) rejection(reason goja.Value) error {
	out := &Error{Kind: KindRuntime, Message: exceptionMessage(reason)}
	if obj, ok := reason.(*goja.Object); ok {
		if ge, ok := v.thrown[obj]; ok {
			return v.goError(ge)
		}
		if st := obj.Get("stack"); st != nil {
			if m := stackLineRe.FindStringSubmatch(st.String()); m != nil {
				n, _ := strconv.Atoi(m[1])
				out.Line = n - scriptLineOffset
			}
		}
	}
	return out
}

func (v *vm) goError(ge error) *Error {
	var xe *Error
	if errors.As(ge, &xe) {
		c := *xe
		return &c
	}
	return &Error{Kind: KindRuntime, Message: ge.Error(), Err: ge}
}

// fatal returns the error that must fail an expression, or nil for an
// exception n8n swallows (anything the expression's own JavaScript threw).
func (v *vm) fatal(err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		if obj, ok := ex.Value().(*goja.Object); ok {
			if ge, ok := v.thrown[obj]; ok {
				return v.goError(ge)
			}
		}
		return nil
	}
	return v.convert(err)
}

// scriptError converts a script failure, with the script's line.
func (v *vm) scriptError(err error) error {
	var ex *goja.Exception
	if errors.As(err, &ex) {
		var out *Error
		if obj, ok := ex.Value().(*goja.Object); ok {
			if ge, ok := v.thrown[obj]; ok {
				out = v.goError(ge)
			}
		}
		if out == nil {
			out = &Error{Kind: KindRuntime, Message: exceptionMessage(ex.Value())}
		}
		for _, f := range ex.Stack() {
			if f.SrcName() == scriptName {
				out.Line = f.Position().Line - scriptLineOffset
				break
			}
		}
		return out
	}
	return v.convert(err)
}

// convert handles the uncatchable failures: interrupts and stack overflow.
// The runtime is retired after either: goja may leave an interrupted
// runtime's call stack and job queue half unwound (promise jobs would then
// never run again), and nothing of an aborted evaluation may reach the
// next one.
func (v *vm) convert(err error) error {
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		v.broken = true
		if le, ok := ie.Value().(*Error); ok {
			return le
		}
		return &Error{Kind: KindTimeout, Message: "expression timed out"}
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		v.broken = true
		return &Error{Kind: KindRuntime, Message: "Maximum call stack size exceeded"}
	}
	var se *goja.CompilerSyntaxError
	if errors.As(err, &se) {
		return syntaxError(err)
	}
	return &Error{Kind: KindRuntime, Message: err.Error()}
}

// recoverPanic turns an unexpected Go panic during an evaluation into an
// error and retires the runtime.
func (v *vm) recoverPanic(err *error) {
	if r := recover(); r != nil {
		v.broken = true
		if e, ok := r.(error); ok {
			*err = v.convert(e)
			return
		}
		*err = &Error{Kind: KindRuntime, Message: "internal error"}
		_ = r
	}
}

// throw throws a JavaScript Error for a Go error; the evaluation fails with
// that error even if an expression would otherwise swallow it.
func (v *vm) throw(err error) {
	msg := err.Error()
	obj, nerr := v.rt.New(v.errCtor, v.rt.ToValue(msg))
	if nerr != nil {
		panic(v.rt.NewTypeError(msg))
	}
	if v.thrown == nil {
		v.thrown = map[*goja.Object]error{}
	}
	v.thrown[obj] = err
	panic(obj)
}

// --- watchdog -------------------------------------------------------------

const watchdogTick = 10 * time.Millisecond

// guardCollecting is set while a collection a memory guard started runs;
// the process has one heap, so one such collection at a time serves all.
var guardCollecting atomic.Bool

func (v *vm) arm() {
	v.mu.Lock()
	v.running = true
	v.started = time.Now()
	// The memory guard's baseline is the heap as the evaluation starts
	// (~0.3 µs to read): taken at the first tick instead, it would count
	// what the evaluation allocated until then (all of it, when the tick
	// comes late on a busy machine) as baseline.
	v.heapBase = v.heap().objects
	v.mu.Unlock()
	d := watchdogTick
	if v.e.opts.Timeout < d {
		d = v.e.opts.Timeout
	}
	v.timer.Reset(d)
}

func (v *vm) disarm() {
	v.mu.Lock()
	v.running = false
	v.mu.Unlock()
	v.timer.Stop()
	v.rt.ClearInterrupt()
}

// tick runs on the timer goroutine while an evaluation is running: it
// enforces the time limit and the memory guard.
//
// The memory guard watches the process heap (runtime/metrics, which does
// not stop the world). Its base is the heap's size when the evaluation
// starts, or the lowest size seen since, when a collection freed older
// garbage. The evaluation is interrupted as soon as the heap marked live
// by the latest collection exceeds the base by more than MaxMemory. When
// the heap (live and garbage) has grown that much but no collection has
// confirmed it, the guard starts one in the background and keeps ticking
// instead of waiting for it: a collection takes up to seconds when a
// script allocates huge strings, and a script that doubles a string in a
// loop gets a doubling further for each one it is left to run. So the
// guard also interrupts, unconfirmed, when the heap has grown past what
// garbage explains: the collector's headroom (GOGC percent of the live
// heap, what garbage reaches before the next collection starts) plus
// MaxMemory, and at least twice MaxMemory.
//
// It is process-wide, so heavy allocation by other goroutines during a long
// evaluation counts against it; MaxMemory should be generous. Builtins that
// build a large value in one native call (String.prototype.repeat, padStart,
// padEnd, Array.prototype.fill and join, Array.from) are capped directly,
// since no interrupt can stop them midway.
func (v *vm) tick() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.running {
		return
	}
	if time.Since(v.started) >= v.e.opts.Timeout {
		v.rt.Interrupt(&Error{Kind: KindTimeout, Message: "expression timed out after " + v.e.opts.Timeout.String()})
		return
	}
	m := v.heap()
	budget := uint64(v.e.opts.MaxMemory)
	limit := v.heapBase + budget
	runaway := v.heapBase + max(2*budget, m.headroom()+budget)
	switch {
	case v.heapBase == 0 || m.objects < v.heapBase:
		// The lowest heap seen is the base: a collection during the
		// evaluation frees what earlier work left behind.
		v.heapBase = m.objects
	case m.live > limit || m.objects > runaway:
		v.rt.Interrupt(memoryError())
		return
	case m.objects > limit && guardCollecting.CompareAndSwap(false, true):
		// The goroutine must not hold v: a retired runtime and all it
		// allocated would stay reachable until the collection ends.
		go func() {
			runtime.GC()
			guardCollecting.Store(false)
		}()
	}
	v.timer.Reset(watchdogTick)
}

// heapSizes are the runtime's heap figures the memory guard reads.
type heapSizes struct {
	objects uint64 // bytes in heap objects, live or not yet collected
	live    uint64 // bytes the latest collection marked live
	gogc    int64  // GOGC: how far, in percent of live, the heap grows between collections
}

// headroom is how much garbage the heap may gather before the collector
// starts a cycle; none when GOGC is off (collections then come only from
// GOMEMLIMIT, which the guard cannot size).
func (m heapSizes) headroom() uint64 {
	if m.gogc <= 0 {
		return 0
	}
	return m.live / 100 * uint64(m.gogc)
}

func (v *vm) heap() heapSizes {
	metrics.Read(v.sample)
	var got [3]uint64
	for i, s := range v.sample {
		if s.Value.Kind() == metrics.KindUint64 {
			got[i] = s.Value.Uint64()
		}
	}
	return heapSizes{objects: got[0], live: got[1], gogc: int64(got[2])}
}

func memoryError() *Error {
	return &Error{Kind: KindMemory, Message: "expression exceeded the memory limit"}
}
