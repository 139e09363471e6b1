package nodes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQL is n8n's MySQL node (v2): it runs queries, inserts, updates,
// upserts, selects and deletes against a MySQL or MariaDB database named by
// a mySql credential.
//
// Values travel as the driver's client-side interpolated literals (as
// n8n's mysql2 formats them) over one connection with multi-statement
// queries allowed. Rows come back as mysql2 gives them: integer and float
// columns as numbers, DECIMAL as text, DATE/DATETIME/TIMESTAMP as ISO
// strings (UTC), JSON parsed (MySQL; MariaDB stores JSON as text).
type MySQL struct{}

func init() {
	Register(MySQL{})
	RegisterCredentialType(CredentialType{
		Name:        "mySql",
		DisplayName: "MySQL",
		Fields: []CredentialField{
			{Name: "host", DisplayName: "Host", Type: "string", Default: "localhost", Required: true},
			{Name: "database", DisplayName: "Database", Type: "string", Default: "mysql", Required: true},
			{Name: "user", DisplayName: "User", Type: "string", Default: "mysql", Required: true},
			{Name: "password", DisplayName: "Password", Type: "string", Secret: true},
			{Name: "port", DisplayName: "Port", Type: "number", Default: 3306},
			{Name: "connectTimeout", DisplayName: "Connect Timeout", Type: "number", Default: 10000},
			{Name: "ssl", DisplayName: "SSL", Type: "boolean", Default: false},
		},
		Test: testMySQLCredential,
	})
}

// Describe implements Node.
func (MySQL) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.mySql",
		DisplayName: "MySQL",
		Summary:     "Runs SQL against MySQL or MariaDB: execute a query, insert, update, upsert, select or delete rows.",
		Versions:    []float64{2, 2.1, 2.2, 2.3, 2.4, 2.5},
		Kind:        KindIO,
		Params:      sqlParams{},
	}
}

// Validate implements Node.
func (MySQL) Validate(n *NodeInstance) error { return validateSQLParams(n) }

// Execute implements Node.
func (MySQL) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items, p0, cred, err := sqlStart(ctx, in, "mySql")
	if err != nil {
		return nil, err
	}
	db, conn, err := mysqlConnect(ctx, cred, paramSeconds(p0.Options.ConnectionTimeout, 30))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	defer conn.Close()
	m := &myRun{ctx: ctx, conn: conn, items: items, version: ctx.Node.TypeVersion, secret: credString(cred, "password")}
	queries, err := m.build(p0.Options.QueryBatching)
	if err != nil {
		return nil, err
	}
	out, err := m.run(queries, p0.Options.QueryBatching)
	if err != nil {
		return nil, err
	}
	return [][]Item{out}, nil
}

type myRun struct {
	ctx     *Context
	conn    *sql.Conn
	items   []Item
	version float64
	secret  string
}

type myQuery struct {
	SQL    string
	Values []any
}

func (m *myRun) build(batching string) ([]myQuery, error) {
	if batching == "" {
		batching = "single"
	}
	// A single-batch insert writes every item in one statement.
	var p0 sqlParams
	if err := m.ctx.Decode(0, &p0); err != nil {
		return nil, err
	}
	if p0.Operation == "insert" && batching == "single" {
		var rows []map[string]any
		var cols []string
		for i := range m.items {
			var p sqlParams
			if err := m.ctx.Decode(i, &p); err != nil {
				return nil, err
			}
			vals, order := sqlMapping(&p, m.items[i], m.version, m.version >= 2.5 && p.Columns != nil)
			for _, c := range order {
				if !slices.Contains(cols, c) {
					cols = append(cols, c)
				}
			}
			rows = append(rows, vals)
		}
		if len(cols) == 0 {
			return nil, NewNodeError("No columns to insert: the items have no fields and no values are defined")
		}
		ph := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
		var values []any
		var phs []string
		for _, r := range rows {
			for _, c := range cols {
				values = append(values, myValue(r[c]))
			}
			phs = append(phs, ph)
		}
		return []myQuery{{SQL: m.insertHead(&p0, rlString(p0.Table), cols) + " VALUES " + strings.Join(phs, ","), Values: values}}, nil
	}
	return sqlEachItem(m.ctx, len(m.items), m.buildItem)
}

func (m *myRun) insertHead(p *sqlParams, table string, cols []string) string {
	head := "INSERT"
	if pr := p.Options.Priority; pr == "LOW_PRIORITY" || pr == "HIGH_PRIORITY" {
		head += " " + pr
	}
	if p.Options.SkipOnConflict {
		head += " IGNORE"
	}
	return head + " INTO " + myIdent(table) + " (" + mySQL.idents(cols) + ")"
}

func (m *myRun) buildItem(p *sqlParams, i int) (myQuery, error) {
	op := p.operation()
	if op == "executeQuery" {
		return m.executeQuery(p, i)
	}
	table := rlString(p.Table)
	if table == "" {
		return myQuery{}, NewNodeError("Table is required")
	}
	target := myIdent(table)
	// bind writes a placeholder for a where value and keeps the value.
	var whereVals []any
	bind := func(v any) string {
		whereVals = append(whereVals, myValue(v))
		return "?"
	}
	switch op {
	case "select":
		q, err := mySQL.selectRows(p, target, bind)
		if err != nil {
			return myQuery{}, err
		}
		return myQuery{q, whereVals}, nil
	case "deleteTable":
		switch p.DeleteCommand {
		case "drop":
			return myQuery{SQL: "DROP TABLE IF EXISTS " + target}, nil
		case "", "truncate":
			return myQuery{SQL: "TRUNCATE TABLE " + target}, nil
		case "delete":
			where, err := mySQL.where(p, bind)
			if err != nil {
				return myQuery{}, err
			}
			return myQuery{"DELETE FROM " + target + where, whereVals}, nil
		}
		return myQuery{}, NewNodeError("Invalid delete command, only drop, delete and truncate are supported ")
	}
	values, cols := sqlMapping(p, m.items[i], m.version, m.version >= 2.5 && p.Columns != nil)
	if op == "insert" {
		if len(cols) == 0 {
			return myQuery{}, NewNodeError("No columns to insert: the item has no fields and no values are defined")
		}
		var vals []any
		for _, c := range cols {
			vals = append(vals, myValue(values[c]))
		}
		return myQuery{m.insertHead(p, table, cols) + " VALUES (" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")", vals}, nil
	}
	var match []string
	if p.Columns != nil && len(p.Columns.MatchingColumns) > 0 {
		match = p.Columns.MatchingColumns
	} else if p.ColumnToMatchOn != "" {
		match = []string{p.ColumnToMatchOn}
		if _, ok := values[p.ColumnToMatchOn]; !ok && p.ValueToMatchOn != nil {
			values[p.ColumnToMatchOn] = p.ValueToMatchOn
			cols = append(cols, p.ColumnToMatchOn)
		}
	}
	if len(match) == 0 {
		return myQuery{}, NewNodeError("Columns to match on are required")
	}
	for _, c := range match {
		if _, ok := values[c]; !ok {
			return myQuery{}, NewNodeError(sqlMatchColumnMissing)
		}
	}
	update := sqlUpdateColumns(cols, match)
	if len(update) == 0 {
		return myQuery{}, NewNodeError(sqlNoValuesToUpdate)
	}
	var sets []string
	var vals []any
	if op == "update" {
		for _, c := range update {
			sets = append(sets, myIdent(c)+" = ?")
			vals = append(vals, myValue(values[c]))
		}
		var conds []string
		for _, c := range match {
			conds = append(conds, myIdent(c)+" = ?")
			vals = append(vals, myValue(values[c]))
		}
		return myQuery{"UPDATE " + target + " SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(conds, " AND "), vals}, nil
	}
	for _, c := range cols {
		vals = append(vals, myValue(values[c]))
	}
	for _, c := range update {
		sets = append(sets, myIdent(c)+" = ?")
		vals = append(vals, myValue(values[c]))
	}
	return myQuery{"INSERT INTO " + target + "(" + mySQL.idents(cols) + ") VALUES(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") +
		") ON DUPLICATE KEY UPDATE " + strings.Join(sets, ", "), vals}, nil
}

var myParam = regexp.MustCompile(`\$(\d+)(:name)?`)

// executeQuery turns $1, $2:name ... outside quotes into placeholders and
// identifiers (n8n's v2.5 prepareQueryAndReplacements).
func (m *myRun) executeQuery(p *sqlParams, i int) (myQuery, error) {
	if strings.TrimSpace(p.Query) == "" {
		return myQuery{}, NewNodeError("Query is required")
	}
	repl, err := queryReplacements(m.ctx, i)
	if err != nil {
		return myQuery{}, err
	}
	query := p.Query
	var b strings.Builder
	var vals []any
	last := 0
	for _, loc := range myParam.FindAllStringSubmatchIndex(query, -1) {
		before := query[:loc[0]]
		if strings.Count(before, "'")%2 != 0 || strings.Count(before, `"`)%2 != 0 {
			continue
		}
		n, _ := strconv.Atoi(query[loc[2]:loc[3]])
		if n < 1 || n > len(repl) {
			return myQuery{}, NewNodeError("Parameter $%d referenced in query but no replacement value provided at index %d", n, n)
		}
		b.WriteString(query[last:loc[0]])
		if loc[4] >= 0 {
			b.WriteString(myIdent(fmt.Sprint(repl[n-1])))
		} else {
			b.WriteString("?")
			vals = append(vals, myValue(repl[n-1]))
		}
		last = loc[1]
	}
	b.WriteString(query[last:])
	return myQuery{b.String(), vals}, nil
}

// myValue converts an item value for the driver: objects and arrays as
// JSON text, whole numbers as integers.
func myValue(v any) any {
	switch x := v.(type) {
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	}
	return v
}

// myIdent quotes an identifier with backticks; a dotted name is quoted
// part by part (db.table), as n8n's escapeSqlIdentifier does.
func myIdent(s string) string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if len(p) >= 2 && strings.HasPrefix(p, "`") && strings.HasSuffix(p, "`") {
			p = p[1 : len(p)-1]
		}
		parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(parts, ".")
}

// mySQL writes MySQL's identifiers.
var mySQL = sqlDialect{ident: myIdent, listSep: ", "}

// run sends the queries as options.queryBatching says.
func (m *myRun) run(queries []myQuery, batching string) ([]Item, error) {
	cont := m.ctx.ContinueOnFail()
	if batching == "transaction" || batching == "independently" {
		tx := batching == "transaction"
		if tx {
			if _, err := m.conn.ExecContext(m.ctx, "START TRANSACTION"); err != nil {
				return nil, m.queryError(err, "", 0)
			}
		}
		var out []Item
		for i, q := range queries {
			rows, sets, err := m.query(q)
			if err != nil {
				ne := m.queryError(err, q.SQL, i).AtItem(i)
				if tx {
					_, _ = m.conn.ExecContext(context.Background(), "ROLLBACK")
				}
				if !cont {
					return nil, ne
				}
				out = append(out, Item{JSON: map[string]any{"message": ne.Message, "item": map[string]any{"query": q.SQL, "values": NormalizeJSON(q.Values)},
					"itemIndex": float64(i), "error": nodeErrorJSON(ne)}, PairedItem: PairedItems{{Item: i}}})
				if tx {
					return out, nil
				}
				continue
			}
			for _, set := range sets {
				for _, r := range set {
					r.PairedItem = PairedItems{{Item: i}}
					out = append(out, r)
				}
			}
			if rows == 0 && !isSelectQuery(q.SQL) {
				out = append(out, Item{JSON: map[string]any{"success": true}, PairedItem: PairedItems{{Item: i}}})
			}
		}
		if tx {
			if _, err := m.conn.ExecContext(m.ctx, "COMMIT"); err != nil {
				return nil, m.queryError(err, "", 0)
			}
		}
		return out, nil
	}
	// single: one request for every item's query.
	var sqls []string
	var vals []any
	for _, q := range queries {
		sqls = append(sqls, strings.TrimSuffix(strings.TrimSpace(q.SQL), ";"))
		vals = append(vals, q.Values...)
	}
	one := myQuery{SQL: strings.Join(sqls, ";"), Values: vals}
	rows, sets, err := m.query(one)
	if err != nil {
		ne := m.queryError(err, one.SQL, 0)
		if !cont {
			return nil, ne
		}
		return []Item{NewItem(map[string]any{"message": ne.Message, "error": nodeErrorJSON(ne)})}, nil
	}
	var out []Item
	for s, set := range sets {
		for _, r := range set {
			r.PairedItem = PairedItems{{Item: min(s, max(len(m.items)-1, 0))}}
			out = append(out, r)
		}
	}
	if rows == 0 && !isSelectQuery(one.SQL) {
		out = append(out, Item{JSON: map[string]any{"success": true}, PairedItem: allPaired(len(m.items))})
	}
	return out, nil
}

// query runs one request and returns its result sets as items (statements
// without a result set have none) and the number of rows.
func (m *myRun) query(q myQuery) (int, [][]Item, error) {
	rows, err := m.conn.QueryContext(m.ctx, q.SQL, q.Values...)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	var sets [][]Item
	n := 0
	for {
		cols, err := rows.ColumnTypes()
		if err != nil {
			return 0, nil, err
		}
		if len(cols) > 0 {
			var set []Item
			keys := make([]string, 0, len(cols))
			for _, c := range cols {
				if !slices.Contains(keys, c.Name()) {
					keys = append(keys, c.Name())
				}
			}
			order := &KeyOrder{Keys: keys}
			for rows.Next() {
				raw := make([]sql.RawBytes, len(cols))
				dst := make([]any, len(cols))
				for i := range raw {
					dst[i] = &raw[i]
				}
				if err := rows.Scan(dst...); err != nil {
					return 0, nil, err
				}
				j := make(map[string]any, len(cols))
				for i, c := range cols {
					j[c.Name()] = myColumnValue(c.DatabaseTypeName(), raw[i])
				}
				set = append(set, NewItem(j).WithKeyOrder(order))
				n++
			}
			sets = append(sets, set)
		}
		if !rows.NextResultSet() {
			break
		}
	}
	return n, sets, rows.Err()
}

// myColumnValue converts a text-protocol value the way mysql2 types it.
func myColumnValue(typ string, b sql.RawBytes) any {
	if b == nil {
		return nil
	}
	s := string(b)
	typ = strings.TrimPrefix(typ, "UNSIGNED ")
	switch typ {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR", "FLOAT", "DOUBLE":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case "JSON":
		var v any
		if json.Unmarshal(b, &v) == nil {
			return v
		}
	case "DATE":
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return t
		}
	case "DATETIME", "TIMESTAMP":
		if t, err := time.Parse("2006-01-02 15:04:05.999999", s); err == nil {
			return t
		}
	}
	return s
}

var mySyntaxNear = regexp.MustCompile(`near '([\s\S]*?)' at line`)

// queryError is n8n's parseMySqlError.
func (m *myRun) queryError(err error, query string, item int) *NodeError {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return connectionError(err, m.secret)
	}
	msg := me.Message
	if strings.Contains(strings.ToLower(msg), "you have an error in your sql syntax") {
		if sm := mySyntaxNear.FindStringSubmatch(msg); sm != nil {
			failed := strings.Split(sm[1], ";")[0]
			for i, line := range strings.Split(query, "\n") {
				if failed != "" && strings.Contains(line, failed) {
					msg = fmt.Sprintf("You have an error in your SQL syntax on line %d near '%s'", i+1, failed)
					break
				}
			}
		}
	}
	return &NodeError{Name: "NodeOperationError", Message: redactSecrets(msg, m.secret),
		Description: redactSecrets(fmt.Sprintf("sql: %s, code: %d", query, me.Number), m.secret)}
}

// mysqlConnect opens one connection from a mySql credential. Errors carry
// no secret.
func mysqlConnect(ctx context.Context, cred map[string]any, timeoutSeconds float64) (*sql.DB, *sql.Conn, error) {
	cfg := mysql.NewConfig()
	cfg.User = credString(cred, "user")
	cfg.Passwd = credString(cred, "password")
	cfg.Net = "tcp"
	host, addr := credAddress(cred, 3306)
	cfg.Addr = addr
	cfg.DBName = credString(cred, "database")
	cfg.MultiStatements = true
	cfg.InterpolateParams = true
	cfg.Timeout = time.Duration(timeoutSeconds * float64(time.Second))
	if ms := credInt(cred, "connectTimeout", 0); ms > 0 {
		cfg.Timeout = time.Duration(ms) * time.Millisecond
	}
	if credBool(cred, "ssl") {
		cfg.TLS = serverTLS(host, false)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, nil, NewNodeError("invalid mySql credential: %s", redactSecrets(err.Error(), cfg.Passwd))
	}
	fail := func(err error) *NodeError {
		var me *mysql.MySQLError
		if errors.As(err, &me) {
			return serverError(me.Message, cfg.Passwd)
		}
		return connectionError(err, cfg.Passwd)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, fail(err)
	}
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		db.Close()
		return nil, nil, fail(err)
	}
	return db, conn, nil
}

// testMySQLCredential connects and pings.
func testMySQLCredential(ctx context.Context, data map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	db, conn, err := mysqlConnect(ctx, data, 10)
	if err != nil {
		return err
	}
	conn.Close()
	db.Close()
	return nil
}

var _ Node = MySQL{}
