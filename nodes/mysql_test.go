package nodes_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/weft/weft/nodes"
)

const myType = "n8n-nodes-base.mySql"

// myCred returns mySql credential data for the test server, from
// WEFT_TEST_MYSQL_DSN (user[:password]@tcp(host:port)/database).
func myCred(t *testing.T) map[string]any {
	t.Helper()
	dsn := external(t, "WEFT_TEST_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/test")
	at := strings.LastIndex(dsn, "@")
	userpw, rest := dsn[:at], dsn[at+1:]
	user, pw, _ := strings.Cut(userpw, ":")
	addr := strings.TrimSuffix(strings.TrimPrefix(rest[:strings.Index(rest, "/")], "tcp("), ")")
	db := rest[strings.Index(rest, "/")+1:]
	db, _, _ = strings.Cut(db, "?")
	host, port, _ := net.SplitHostPort(addr)
	var n int
	_, _ = fmtSscan(port, &n)
	return map[string]any{"host": host, "port": float64(n), "database": db, "user": user, "password": pw}
}

func myExec(t *testing.T, creds credSource, sql string) []map[string]any {
	t.Helper()
	return mustSucceed(t, runIO(t, ioNode(myType, 2.4, "mySql", obj("operation", "executeQuery", "query", sql)), creds))
}

func TestMySQLOperations(t *testing.T) {
	creds := credSource{"mySql": myCred(t)}
	table := uniqueName("weft_my")
	myExec(t, creds, "CREATE TABLE "+table+" (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL, score DECIMAL(5,2), born DATE, at DATETIME)")
	t.Cleanup(func() { myExec(t, creds, "DROP TABLE IF EXISTS "+table) })
	node := func(params map[string]any) *nodes.NodeInstance {
		params["table"] = rl(table)
		return ioNode(myType, 2.4, "mySql", params)
	}

	t.Run("insert all items in one statement", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "insert", "dataMode", "autoMapInputData")), creds,
			obj("id", 1.0, "name", "ann", "score", 1.5, "born", "2024-02-03", "at", "2024-02-03 04:05:06"),
			obj("id", 2.0, "name", "bob")))
		if asJSON(t, out) != `[{"success":true}]` {
			t.Fatal(asJSON(t, out))
		}
		out = mustSucceed(t, runIO(t, node(obj("operation", "insert", "dataMode", "defineBelow",
			"valuesToSend", obj("values", []any{obj("column", "id", "value", "={{ $json.n }}"), obj("column", "name", "value", "c'3")}))), creds, obj("n", 3.0)))
		if asJSON(t, out) != `[{"success":true}]` {
			t.Fatal(asJSON(t, out))
		}
	})
	t.Run("select with where, sort and limit", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "select", "returnAll", true,
			"where", obj("values", []any{obj("column", "id", "condition", "equal", "value", "1")}))), creds))
		want := `[{"at":"2024-02-03T04:05:06.000Z","born":"2024-02-03T00:00:00.000Z","id":1,"name":"ann","score":"1.50"}]`
		if got := asJSON(t, out); got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
		out = mustSucceed(t, runIO(t, node(obj("operation", "select", "limit", 2.0,
			"where", obj("values", []any{obj("column", "id", "condition", ">", "value", 0.0)}),
			"sort", obj("values", []any{obj("column", "id", "direction", "DESC")}), "options", obj("outputColumns", []any{"id", "name"}))), creds))
		if got := asJSON(t, out); got != `[{"id":3,"name":"c'3"},{"id":2,"name":"bob"}]` {
			t.Fatal(got)
		}
	})
	t.Run("update and upsert", func(t *testing.T) {
		mustSucceed(t, runIO(t, node(obj("operation", "update", "dataMode", "autoMapInputData", "columnToMatchOn", "id")), creds, obj("id", 2.0, "name", "bobby")))
		mustSucceed(t, runIO(t, node(obj("operation", "upsert", "dataMode", "autoMapInputData", "columnToMatchOn", "id")), creds,
			obj("id", 3.0, "name", "cee"), obj("id", 4.0, "name", "dan")))
		out := myExec(t, creds, "SELECT id, name FROM "+table+" ORDER BY id")
		if got := asJSON(t, out); got != `[{"id":1,"name":"ann"},{"id":2,"name":"bobby"},{"id":3,"name":"cee"},{"id":4,"name":"dan"}]` {
			t.Fatal(got)
		}
	})
	t.Run("execute query with parameters", func(t *testing.T) {
		out := mustSucceed(t, runIO(t, node(obj("operation", "executeQuery",
			"query", "SELECT name FROM "+table+" WHERE id = $1 OR name = $2",
			"options", obj("queryReplacement", "={{ $json.id }},{{ $json.name }}"))), creds, obj("id", 4.0, "name", "x' OR '1'='1")))
		if got := asJSON(t, out); got != `[{"name":"dan"}]` {
			t.Fatal(got)
		}
		mustFail(t, runIO(t, node(obj("operation", "executeQuery", "query", "SELECT $2")), creds), "Parameter $2 referenced in query")
	})
	t.Run("transaction rolls back; independently continues", func(t *testing.T) {
		mustFail(t, runIO(t, node(obj("operation", "insert", "dataMode", "autoMapInputData", "options", obj("queryBatching", "transaction"))), creds,
			obj("id", 10.0, "name", "t"), obj("id", 10.0, "name", "dup")), "Duplicate entry")
		if n := myExec(t, creds, "SELECT COUNT(*) AS n FROM "+table+" WHERE id = 10"); n[0]["n"] != 0.0 {
			t.Fatalf("not rolled back: %v", n)
		}
		n := node(obj("operation", "insert", "dataMode", "autoMapInputData", "options", obj("queryBatching", "independently")))
		n.OnError = nodes.OnErrorContinueRegularOutput
		out := mustSucceed(t, runIO(t, n, creds, obj("id", 11.0, "name", "t"), obj("id", 11.0, "name", "dup")))
		if len(out) != 2 || out[0]["success"] != true || !strings.Contains(out[1]["message"].(string), "Duplicate entry") {
			t.Fatal(asJSON(t, out))
		}
	})
	t.Run("bad SQL is a node error", func(t *testing.T) {
		e := mustFail(t, runIO(t, node(obj("operation", "executeQuery", "query", "SELECT 1;\nSELEKT nothing")), creds),
			"You have an error in your SQL syntax on line 2 near 'SELEKT nothing'")
		if !strings.Contains(e.Description, "code: 1064") {
			t.Fatal(e.Description)
		}
	})
	t.Run("delete, truncate, drop", func(t *testing.T) {
		mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "delete",
			"where", obj("values", []any{obj("column", "id", "condition", "<=", "value", "2")}))), creds))
		if n := myExec(t, creds, "SELECT COUNT(*) AS n FROM "+table); n[0]["n"] != 3.0 {
			t.Fatalf("after delete: %v", n)
		}
		mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "truncate")), creds))
		if n := myExec(t, creds, "SELECT COUNT(*) AS n FROM "+table); n[0]["n"] != 0.0 {
			t.Fatalf("after truncate: %v", n)
		}
		mustSucceed(t, runIO(t, node(obj("operation", "deleteTable", "deleteCommand", "drop")), creds))
		mustFail(t, runIO(t, node(obj("operation", "select")), creds), "doesn't exist")
	})
}

func TestMySQLCredentialTest(t *testing.T) {
	root := myCred(t)
	creds := credSource{"mySql": root}
	user := uniqueName("weft_u")
	myExec(t, creds, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'R1ght-pw'; CREATE USER '"+user+"'@'localhost' IDENTIFIED BY 'R1ght-pw'")
	t.Cleanup(func() {
		myExec(t, creds, "DROP USER IF EXISTS '"+user+"'@'%'; DROP USER IF EXISTS '"+user+"'@'localhost'")
	})
	ct := nodes.LookupCredentialType("mySql")
	good := map[string]any{"host": root["host"], "port": root["port"], "database": "", "user": user, "password": "R1ght-pw"}
	if err := ct.Test(context.Background(), good); err != nil {
		t.Fatalf("good password: %v", err)
	}
	bad := map[string]any{"host": root["host"], "port": root["port"], "database": "", "user": user, "password": "s3cr3t-Wr0ng"}
	err := ct.Test(context.Background(), bad)
	if err == nil || !strings.Contains(err.Error(), "Access denied") || strings.Contains(err.Error(), "s3cr3t-Wr0ng") {
		t.Fatalf("bad password: %v", err)
	}
	down := map[string]any{"host": "127.0.0.1", "port": 1.0, "user": "root", "password": "s3cr3t-Wr0ng"}
	e := mustFail(t, runIO(t, ioNode(myType, 2.4, "mySql", obj("operation", "executeQuery", "query", "SELECT 1")), credSource{"mySql": down}), "Connection refused")
	if strings.Contains(asJSON(t, e), "s3cr3t-Wr0ng") {
		t.Fatal("secret in error")
	}
}
