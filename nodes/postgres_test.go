package nodes_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
)

const pgType = "n8n-nodes-base.postgres"

// pgCred returns postgres credential data for the test server.
func pgCred(t *testing.T) map[string]any {
	t.Helper()
	u, err := url.Parse(external(t, "WEFT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	port := 5432.0
	if p := u.Port(); p != "" {
		var n int
		_, _ = fmtSscan(p, &n)
		port = float64(n)
	}
	return map[string]any{"host": u.Hostname(), "port": port, "database": strings.TrimPrefix(u.Path, "/"),
		"user": u.User.Username(), "password": pw, "ssl": "disable"}
}

// pgExec runs SQL on the test server through the node itself.
func pgExec(t *testing.T, creds credSource, sql string) []map[string]any {
	t.Helper()
	return mustSucceed(t, runIO(t, ioNode(pgType, 2.5, "postgres", obj("operation", "executeQuery", "query", sql)), creds))
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPostgresOperations(t *testing.T) {
	creds := credSource{"postgres": pgCred(t)}
	table := uniqueName("weft_pg")
	pgExec(t, creds, `CREATE TABLE `+table+` (id integer PRIMARY KEY, name text NOT NULL, score numeric, big bigint, meta jsonb, born date, at timestamptz)`)
	t.Cleanup(func() { pgExec(t, creds, `DROP TABLE IF EXISTS `+table) })
	node := func(params map[string]any) *nodes.NodeInstance {
		params["schema"] = rl("public")
		params["table"] = rl(table)
		return ioNode(pgType, 2.5, "postgres", params)
	}

	t.Run("insert auto-maps items and returns the rows", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "insert", "columns", obj("mappingMode", "autoMapInputData", "value", obj()))), creds,
			obj("id", 1.0, "name", "ann", "score", 1.5, "big", "9007199254740993", "meta", obj("a", 1.0), "born", "2024-02-03", "at", "2024-02-03T04:05:06Z"),
			obj("id", 2.0, "name", "bob", "score", nil, "big", 2.0, "meta", []any{1.0, "x"}, "born", nil, "at", nil)))
		want := `[{"at":"2024-02-03T04:05:06.000Z","big":"9007199254740993","born":"2024-02-03T00:00:00.000Z","id":1,"meta":{"a":1},"name":"ann","score":"1.5"},` +
			`{"at":null,"big":"2","born":null,"id":2,"meta":[1,"x"],"name":"bob","score":null}]`
		if got := asJSON(t, out); got != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
	t.Run("insert defineBelow with output columns", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "insert",
			"columns", obj("mappingMode", "defineBelow", "value", obj("id", "={{ $json.n }}", "name", "=it's {{ $json.n }}")),
			"options", obj("outputColumns", []any{"id", "name"}))), creds, obj("n", 3.0)))
		if got := asJSON(t, out); got != `[{"id":3,"name":"it's 3"}]` {
			t.Fatal(got)
		}
	})
	t.Run("insert refuses unknown columns", func(t *testing.T) {
		mustFail(t, runIO(t, node(obj("operation", "insert", "columns", obj("mappingMode", "autoMapInputData"))), creds, obj("id", 9.0, "nope", 1.0)),
			"Column 'nope' does not exist in selected table")
	})
	t.Run("select with where, sort and limit", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "select", "limit", 2.0,
			"where", obj("values", []any{obj("column", "id", "condition", ">=", "value", "1")}),
			"sort", obj("values", []any{obj("column", "id", "direction", "DESC")}),
			"options", obj("outputColumns", []any{"id"}))), creds))
		if got := asJSON(t, out); got != `[{"id":3},{"id":2}]` {
			t.Fatal(got)
		}
		out = mustSucceed(t, runIO(t, node(obj("operation", "select", "returnAll", true, "combineConditions", "OR",
			"where", obj("values", []any{obj("column", "name", "condition", "LIKE", "value", "a%"), obj("column", "score", "condition", "IS NULL")}),
			"sort", obj("values", []any{obj("column", "id")}), "options", obj("outputColumns", []any{"id"}))), creds))
		if got := asJSON(t, out); got != `[{"id":1},{"id":2},{"id":3}]` {
			t.Fatal(got)
		}
		mustFail(t, runIO(t, node(obj("operation", "select", "where", obj("values", []any{obj("column", "id", "condition", ">", "value", "x")}))), creds),
			"works with numbers, but value x is not a number")
	})
	t.Run("update matches rows and refuses missing ones", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "update",
			"columns", obj("mappingMode", "autoMapInputData", "matchingColumns", []any{"id"}),
			"options", obj("outputColumns", []any{"id", "name"}))), creds, obj("id", 2.0, "name", "bobby")))
		if got := asJSON(t, out); got != `[{"id":2,"name":"bobby"}]` {
			t.Fatal(got)
		}
		e := mustFail(t, runIO(t, node(obj("operation", "update",
			"columns", obj("mappingMode", "autoMapInputData", "matchingColumns", []any{"id"}))), creds, obj("id", 99.0, "name", "x")),
			"The row you are trying to update doesn't exist")
		if !strings.Contains(e.Description, "id=99") {
			t.Fatal(e.Description)
		}
	})
	t.Run("upsert inserts or updates", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "upsert",
			"columns", obj("mappingMode", "autoMapInputData", "matchingColumns", []any{"id"}),
			"options", obj("outputColumns", []any{"id", "name"}))), creds, obj("id", 1.0, "name", "anne"), obj("id", 4.0, "name", "dan")))
		if got := asJSON(t, out); got != `[{"id":1,"name":"anne"},{"id":4,"name":"dan"}]` {
			t.Fatal(got)
		}
	})
	t.Run("execute query with parameters", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "executeQuery",
			"query", "SELECT id, name FROM "+table+" WHERE id = $1 OR name = $2 ORDER BY id",
			"options", obj("queryReplacement", "={{ $json.id }}, {{ $json.name }}"))), creds, obj("id", 4.0, "name", "x'; DROP TABLE "+table+"; --")))
		if got := asJSON(t, out); got != `[{"id":4,"name":"dan"}]` {
			t.Fatal(got)
		}
		// A statement without rows answers success; a select without rows nothing.
		out = mustSucceed(t, runIO(t, node(obj("operation", "executeQuery", "query", "UPDATE "+table+" SET score = 2 WHERE id = 4")), creds))
		if got := asJSON(t, out); got != `[{"success":true}]` {
			t.Fatal(got)
		}
		out = mustSucceed(t, runIO(t, node(obj("operation", "executeQuery", "query", "SELECT * FROM "+table+" WHERE id < 0")), creds))
		if len(out) != 0 {
			t.Fatal(out)
		}
	})
	t.Run("transaction rolls back on error", func(t *testing.T) {
		run := runIO(t, node(obj("operation", "insert", "columns", obj("mappingMode", "autoMapInputData"),
			"options", obj("queryBatching", "transaction"))), creds, obj("id", 10.0, "name", "t"), obj("id", 10.0, "name", "dup"))
		mustFail(t, run, "duplicate key")
		if n := pgExec(t, creds, "SELECT count(*)::int AS n FROM "+table+" WHERE id = 10"); n[0]["n"] != 0.0 {
			t.Fatalf("transaction not rolled back: %v", n)
		}
		// independently: the first insert stays, the second becomes an error item.
		n := node(obj("operation", "insert", "columns", obj("mappingMode", "autoMapInputData"),
			"options", obj("queryBatching", "independently", "outputColumns", []any{"id"})))
		n.OnError = nodes.OnErrorContinueRegularOutput
		out := mustSucceed(t, runIO(t, n, creds, obj("id", 11.0, "name", "t"), obj("id", 11.0, "name", "dup")))
		if len(out) != 2 || out[0]["id"] != 11.0 || !strings.Contains(out[1]["message"].(string), "duplicate key") {
			t.Fatal(asJSON(t, out))
		}
	})
	t.Run("bad SQL is a node error naming the line", func(t *testing.T) {
		mustFail(t, runIO(t, node(obj("operation", "executeQuery", "query", "SELECT 1;\nFROMM oops")), creds), `Syntax error at line 2 near "FROMM"`)
	})
	t.Run("delete, truncate, drop", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "delete",
			"where", obj("values", []any{obj("column", "id", "condition", "equal", "value", "4")}))), creds))
		if asJSON(t, out) != `[{"success":true}]` {
			t.Fatal(asJSON(t, out))
		}
		if n := pgExec(t, creds, "SELECT count(*)::int AS n FROM "+table); n[0]["n"] != 4.0 {
			t.Fatalf("after delete: %v", n)
		}
		mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "truncate", "restartSequences", true)), creds))
		if n := pgExec(t, creds, "SELECT count(*)::int AS n FROM "+table); n[0]["n"] != 0.0 {
			t.Fatalf("after truncate: %v", n)
		}
		mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "drop")), creds))
		if n := pgExec(t, creds, "SELECT to_regclass('public."+table+"')::text AS t"); n[0]["t"] != nil {
			t.Fatalf("after drop: %v", n)
		}
	})
}

func TestPostgresConnectionErrors(t *testing.T) {
	good := pgCred(t)
	ct := nodes.LookupCredentialType("postgres")
	if err := ct.Test(context.Background(), good); err != nil {
		t.Fatalf("good credential: %v", err)
	}
	bad := map[string]any{}
	for k, v := range good {
		bad[k] = v
	}
	bad["password"] = "s3cr3t-Pa55"
	bad["database"] = "no_such_db_weft"
	err := ct.Test(context.Background(), bad)
	if err == nil || !strings.Contains(err.Error(), "no_such_db_weft") || strings.Contains(err.Error(), "s3cr3t-Pa55") {
		t.Fatalf("bad credential: %v", err)
	}
	down := map[string]any{"host": "127.0.0.1", "port": 1.0, "database": "test", "user": "postgres", "password": "s3cr3t-Pa55"}
	run := runIO(t, ioNode(pgType, 2.5, "postgres", obj("operation", "executeQuery", "query", "SELECT 1")), credSource{"postgres": down})
	e := mustFail(t, run, "Connection refused")
	if strings.Contains(asJSON(t, e), "s3cr3t-Pa55") {
		t.Fatalf("secret in error: %s", asJSON(t, e))
	}
	if err := ct.Test(context.Background(), down); err == nil || !strings.Contains(err.Error(), "Connection refused") {
		t.Fatalf("down: %v", err)
	}
}
