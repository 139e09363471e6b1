package nodes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes/expr"
)

// The Code, Function and Function Item nodes under attack: each attack ends
// within its limit with a node error, and the same engine then runs an
// ordinary script. The engine-level attacks are in nodes/expr's
// security_test.go; these check what a node makes of them.

const secNodeTimeout = 300 * time.Millisecond

// scriptNodes builds a context for each JavaScript node type running code.
var scriptNodes = []struct {
	name  string
	build func(t *testing.T, code string) *Context
}{
	{"Code all items", func(t *testing.T, code string) *Context { return codeNode(t, "", code, abc()) }},
	{"Code each item", func(t *testing.T, code string) *Context { return codeNode(t, codeEachItem, code, abc()) }},
	{"Function", func(t *testing.T, code string) *Context {
		return legacyNode(t, "n8n-nodes-base.function", code, abc())
	}},
	{"Function Item", func(t *testing.T, code string) *Context {
		return legacyNode(t, "n8n-nodes-base.functionItem", code, abc())
	}},
}

func runScriptNode(ctx *Context) ([][]Item, error) {
	return Lookup(ctx.Node.Type).Node.Execute(ctx, ctx.Inputs)
}

func TestSecurityScriptNodes(t *testing.T) {
	engine := expr.New(expr.Options{Timeout: secNodeTimeout, MaxMemory: 64 << 20})
	attacks := []struct {
		name, code, msg string
		within          time.Duration
	}{
		{"infinite loop", "while (true) {}", "timed out", secNodeTimeout},
		{"loop swallowing errors", "for (;;) { try { for (;;) {} } catch (e) {} }", "timed out", secNodeTimeout},
		{"deep recursion", "function f() { return f() }\nreturn f()", "Maximum call stack size exceeded", secNodeTimeout},
		{"huge string", "return [{json: {s: 'x'.repeat(2**30)}}]", "memory limit", secNodeTimeout},
		{"constructor escape", "return [{json: {p: this.constructor.constructor('return process')().env}}]", "process is not defined", secNodeTimeout},
		{"template literal escape", "return [{json: {p: `${(() => {}).constructor('return require')()('fs')}`}}]", "require is not defined", secNodeTimeout},
		{"env access", "return [{json: {p: $env.HOME}}]", "access to env vars denied", secNodeTimeout},
		{"eval", "return [{json: {p: eval('1')}}]", "eval is not allowed", secNodeTimeout},
		{"deep JSON", "return [{json: JSON.parse('['.repeat(1e6) + ']'.repeat(1e6))}]", "Maximum call stack size exceeded", secNodeTimeout},
	}
	for _, n := range scriptNodes {
		for _, a := range attacks {
			t.Run(n.name+"/"+a.name, func(t *testing.T) {
				ctx := n.build(t, a.code)
				ctx.Expr = engine
				start := time.Now()
				_, err := runScriptNode(ctx)
				var ne *NodeError
				if !errors.As(err, &ne) {
					t.Fatalf("Execute = %v; want a node error", err)
				}
				if !strings.Contains(ne.Message, a.msg) {
					t.Fatalf("node error %q; want it to say %q", ne.Message, a.msg)
				}
				if took := time.Since(start); took > 3*a.within+2*time.Second {
					t.Fatalf("took %v", took)
				}
				// The engine keeps serving: an ordinary script on it works.
				ok := n.build(t, "return items")
				if n.name == "Function Item" || n.name == "Code each item" {
					ok = n.build(t, "return {json: {ok: true}}")
				}
				ok.Expr = engine
				out, err := runScriptNode(ok)
				if err != nil || len(out) != 1 || len(out[0]) != 3 {
					t.Fatalf("follow-up run: %v, %v", out, err)
				}
			})
		}
	}
}

// TestSecurityCodeConsoleFlood: console.log is capped per run (lines and
// bytes); a flood neither grows memory nor blocks the node beyond its time
// limit.
func TestSecurityCodeConsoleFlood(t *testing.T) {
	engine := expr.New(expr.Options{Timeout: secNodeTimeout})
	cases := []struct{ name, code string }{
		{"many lines", "for (let i = 0; i < 100000; i++) console.log('line', i);\nreturn [];"},
		{"huge lines", "const s = 'x'.repeat(1 << 20);\nfor (let i = 0; i < 50; i++) console.log(s);\nreturn [];"},
		{"forever", "for (;;) console.log('spam');"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := codeNode(t, "", c.code, abc())
			ctx.Expr = engine
			lines, bytes := 0, 0
			ctx.Console = func(l string) { lines++; bytes += len(l) }
			_, err := runScriptNode(ctx)
			if c.name == "forever" {
				var ne *NodeError
				if !errors.As(err, &ne) || !strings.Contains(ne.Message, "timed out") {
					t.Fatalf("Execute = %v; want the time limit", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if lines > maxConsoleLog || bytes > maxConsoleLen {
				t.Fatalf("%d lines, %d bytes passed on; caps are %d and %d", lines, bytes, maxConsoleLog, maxConsoleLen)
			}
		})
	}
}

// secretSource is a credential source holding a secret.
type secretSource struct{}

const testSecret = "s3cr3t-Value-never-shown"

func (secretSource) Credential(context.Context, string, string, CredentialRef) (map[string]any, error) {
	return map[string]any{"password": testSecret}, nil
}

// TestSecurityNoSecretsInScope: nothing a script or expression can reach
// holds a credential or the process environment: $env is refused (as n8n
// does with N8N_BLOCK_ENV_ACCESS_IN_NODE, its default), $execution and
// $workflow carry ids, names and modes only, and the credentials of the
// workflow's nodes are never in scope.
func TestSecurityNoSecretsInScope(t *testing.T) {
	t.Setenv("WEFT_TEST_SECRET_ENV", testSecret)
	var sb strings.Builder
	sb.WriteString("const out = {};\n")
	for _, k := range []string{"$execution", "$workflow", "$node", "$parameter", "$rawParameter", "$vars", "$self", "$input.all()", "$json", "$('Start').all()", "Object.keys($env)", "$env.WEFT_TEST_SECRET_ENV", "Object.getOwnPropertyNames(globalThis)"} {
		fmt.Fprintf(&sb, "try { out[%q] = JSON.parse(JSON.stringify(%s)) } catch (e) { out[%q] = e.message }\n", k, k, k)
	}
	sb.WriteString("return [{json: {dump: JSON.stringify(out)}}];")
	dump := sb.String()
	ctx := codeNode(t, "", dump, abc())
	ctx.Workflow.Node("Start").Credentials = map[string]CredentialRef{"httpBasicAuth": {ID: "1", Name: "basic"}}
	ctx.Node.Credentials = map[string]CredentialRef{"httpBasicAuth": {ID: "1", Name: "basic"}}
	ctx.Credentials = secretSource{}
	out, err := runScriptNode(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := out[0][0].JSON["dump"].(string)
	if got == "" || strings.Contains(got, testSecret) {
		t.Fatalf("a secret is in scope: %s", got)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(got), &d); err != nil {
		t.Fatal(err)
	}
	if d["$env.WEFT_TEST_SECRET_ENV"] != "access to env vars denied" || d["Object.keys($env)"] != "access to env vars denied" {
		t.Fatalf("$env: %s", got)
	}
	// In an expression too.
	v, err := ctx.Evaluate("={{ $env.WEFT_TEST_SECRET_ENV }}", 0)
	var ne *NodeError
	if !errors.As(err, &ne) || !strings.Contains(ne.Message, "access to env vars denied") {
		t.Fatalf("$env in an expression = %#v, %v", v, err)
	}
	v, err = ctx.Evaluate("={{ JSON.stringify([$execution, $workflow, $vars, $parameter]) }}", 0)
	if err != nil || strings.Contains(v.(string), testSecret) {
		t.Fatalf("expression scope = %#v, %v", v, err)
	}
}
