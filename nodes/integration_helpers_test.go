package nodes_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
)

// The database, Redis and email nodes are tested against real servers:
// PostgreSQL (WEFT_TEST_POSTGRES_URL), MariaDB (WEFT_TEST_MYSQL_DSN) and
// Redis (WEFT_TEST_REDIS_ADDR), each defaulting to the standard local
// address. A server that does not answer fails the test; set
// WEFT_TEST_SKIP_EXTERNAL=1 to skip these tests instead.

// external returns the env variable's value or def, and skips the test only
// when WEFT_TEST_SKIP_EXTERNAL=1.
func external(t *testing.T, env, def string) string {
	t.Helper()
	if os.Getenv("WEFT_TEST_SKIP_EXTERNAL") == "1" {
		t.Skip("WEFT_TEST_SKIP_EXTERNAL=1")
	}
	if v := os.Getenv(env); v != "" {
		return v
	}
	return def
}

// credSource is a CredentialSource holding plain data by type.
type credSource map[string]map[string]any

func (s credSource) Credential(_ context.Context, _, typ string, ref nodes.CredentialRef) (map[string]any, error) {
	d, ok := s[typ]
	if !ok {
		return nil, fmt.Errorf("no credential %s", typ)
	}
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	return out, nil
}

var uniq atomic.Int64

// uniqueName returns a table or key name no other test uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, time.Now().UnixNano()%1_000_000_000, uniq.Add(1))
}

// ioNode is a node instance with a credential of type credType.
func ioNode(typ string, version float64, credType string, params map[string]any) *nodes.NodeInstance {
	return &nodes.NodeInstance{Name: "DB", Type: typ, TypeVersion: version, Parameters: params,
		Credentials: map[string]nodes.CredentialRef{credType: {ID: "1", Name: "test"}}}
}

// runIO validates and runs n with nodes.RunNode on the items, with creds.
func runIO(t *testing.T, n *nodes.NodeInstance, creds credSource, in ...map[string]any) *nodes.NodeRun {
	t.Helper()
	reg := nodes.Lookup(n.Type)
	if reg == nil {
		t.Fatalf("%s is not registered", n.Type)
	}
	if err := reg.Node.Validate(n); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if len(in) == 0 {
		in = []map[string]any{{}}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := nodes.RunNode(&nodes.Context{
		Context: ctx, Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{n}}, Node: n,
		Inputs: [][]nodes.Item{items(in...)}, Expr: expr.New(expr.Options{}), Credentials: creds,
		Location: time.UTC,
	})
	if run == nil {
		t.Fatal("no run")
	}
	return run
}

// mustSucceed returns the json of output 0 of a successful run.
func mustSucceed(t *testing.T, run *nodes.NodeRun) []map[string]any {
	t.Helper()
	if run.Error != nil {
		t.Fatalf("node failed: %s (%s)", run.Error.Message, run.Error.Description)
	}
	var out []map[string]any
	for _, it := range run.Main()[0] {
		out = append(out, it.JSON)
	}
	return out
}

// mustFail returns the error of a failed run.
func mustFail(t *testing.T, run *nodes.NodeRun, contains string) *nodes.NodeError {
	t.Helper()
	if run.Error == nil {
		t.Fatalf("node succeeded, want an error containing %q; output %v", contains, run.Main())
	}
	if !strings.Contains(run.Error.Message+" "+run.Error.Description, contains) {
		t.Fatalf("error %q (%s), want it to contain %q", run.Error.Message, run.Error.Description, contains)
	}
	return run.Error
}

func rl(v string) map[string]any { return map[string]any{"__rl": true, "value": v, "mode": "name"} }

func fmtSscan(s string, n *int) (int, error) { return fmt.Sscan(s, n) }

func exprEngine() *expr.Engine { return expr.New(expr.Options{}) }
