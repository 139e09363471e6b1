package nodes

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/weft/weft/nodes/expr"
)

// envCounter is the data proxy as an expr.Scope that counts how often the
// JavaScript environment was asked for.
type envCounter struct {
	*proxy
	envs int
}

func (s *envCounter) Env() expr.Env {
	s.envs++
	return s.proxy.Env()
}

// TestProxyFastPath evaluates expressions through Context.Evaluate with the
// expression engine's fast path and without it: values and errors must be
// the same, and the simple ones must not build the JavaScript environment.
func TestProxyFastPath(t *testing.T) {
	w, runs, ctx := filterChain(t)
	ordered := NewItem(map[string]any{"b": 2.0, "a": 1.0, "s": "7", "n": nil, "x": 0.5}).
		WithKeyOrder(&KeyOrder{Keys: []string{"b", "a", "s", "n", "x"}})
	ctx.Inputs[0] = append(ctx.Inputs[0], ordered)
	noInput := testContext(w, "Back", runs, nil)

	cases := []struct {
		expr string
		fast bool // answered without JavaScript for item 0
	}{
		{"$json.id", true}, {"$json.id + 1", true}, {"$json.id * 10 + ' items'", true}, {"$json.missing", true},
		{"$data.id", true}, {"$json.b + $json.a", true}, {"$json.s * 2", true}, {"$json.x + $json.n", true},
		{"$input.item.json.id", true}, {"$input.item.json.id * 10", true}, {"$input.item.json", false},
		{"$('Data').item.json.name", true}, {"$('Data').item.json.name + '!'", true}, {"$('Slim').item.json.id", true},
		{"$('Start').item.json.x", true}, {"$('Data').item.json", false}, {"$('Data').item.binary", false},
		{"$('Nope').item.json.id", false}, {"$('').item.json.id", false}, {"$('Unrun').item.json.id", false},
		{"$('Back').item.json.id", false}, {"$('Data').first().json.id", false},
		{"$itemIndex", true}, {"$itemIndex + 1", true}, {"$runIndex", true}, {"$position", true},
		{"$thisItemIndex * 2", true}, {"$thisRunIndex", true}, {"$json", false}, {"$json.id.toFixed(2)", false},
		{"$input.first().json.id", false}, {"$json.id === 2", true}, {"$json.id > 1 ", true},
	}
	fast, slow := expr.New(expr.Options{}), expr.New(expr.Options{NoFastPath: true})
	for _, c := range cases {
		for _, src := range []string{"={{ " + c.expr + " }}", "=id: {{ " + c.expr + " }}!"} {
			for _, cx := range []*Context{ctx, noInput} {
				for _, i := range []int{0, 1, 2, 5} {
					got, gerr := evaluateWith(cx, fast, src, i)
					want, werr := evaluateWith(cx, slow, src, i)
					if !sameValue(got, want) || errorJSON(gerr) != errorJSON(werr) {
						t.Errorf("%s, item %d: %#v, %v; JavaScript alone: %#v, %v", src, i, got, gerr, want, werr)
					}
				}
			}
			s := &envCounter{proxy: ctx.newProxy(0, envOptions{runIndex: -1})}
			if _, err := ctx.Expr.ResolveScope(src, s); err != nil && c.fast {
				t.Errorf("%s: %v", src, err)
			}
			if answered := s.envs == 0; answered != c.fast {
				t.Errorf("%s: answered without JavaScript %v, want %v", src, answered, c.fast)
			}
		}
	}
}

// evaluateWith is ctx.Evaluate with engine e, on a copy of ctx with a
// proxy cache of its own.
func evaluateWith(ctx *Context, e *expr.Engine, src string, i int) (any, error) {
	c := *ctx
	c.proxy = nil
	c.Expr = e
	return c.Evaluate(src, i)
}

// sameValue is reflect.DeepEqual where NaN equals NaN and -0 differs from 0.
func sameValue(a, b any) bool {
	fa, ok1 := a.(float64)
	fb, ok2 := b.(float64)
	if ok1 && ok2 {
		if fa != fa || fb != fb {
			return fa != fa && fb != fb
		}
		return fa == fb && math.Signbit(fa) == math.Signbit(fb)
	}
	return reflect.DeepEqual(a, b)
}

func errorJSON(err error) string {
	if err == nil {
		return ""
	}
	b, _ := json.Marshal(AsNodeError(err))
	return fmt.Sprintf("%s %s", err, b)
}

// TestProxyFastPathNumbers: numbers the fast path computes come back as
// goja's do, -0 and NaN included.
func TestProxyFastPathNumbers(t *testing.T) {
	_, _, ctx := filterChain(t)
	for src, want := range map[string]float64{
		"={{ $json.id * 0 - 0 }}": 0, "={{ -($json.id - $json.id) }}": math.Copysign(0, -1),
	} {
		got, err := ctx.Evaluate(src, 0)
		if f, ok := got.(float64); err != nil || !ok || f != want || math.Signbit(f) != math.Signbit(want) {
			t.Errorf("%s = %#v, %v; want %v", src, got, err, want)
		}
	}
}
