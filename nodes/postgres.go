package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// Postgres is n8n's Postgres node (v2): it runs queries, inserts, updates,
// upserts, selects and deletes against a PostgreSQL database named by a
// postgres credential.
//
// Values are written into the SQL text as literals, as n8n's pg-promise
// does, and statements run over the simple query protocol, so a query of
// several statements returns every statement's rows. Rows come back as
// node-postgres gives them: integers and floats as numbers, bigint and
// numeric as text (numbers with options.largeNumbersOutput=numbers), json
// parsed, dates and timestamps as ISO strings, everything else as text.
type Postgres struct{}

func init() {
	Register(Postgres{})
	RegisterCredentialType(CredentialType{
		Name:        "postgres",
		DisplayName: "Postgres",
		Fields: []CredentialField{
			{Name: "host", DisplayName: "Host", Type: "string", Default: "localhost", Required: true},
			{Name: "database", DisplayName: "Database", Type: "string", Default: "postgres", Required: true},
			{Name: "user", DisplayName: "User", Type: "string", Default: "postgres", Required: true},
			{Name: "password", DisplayName: "Password", Type: "string", Secret: true},
			{Name: "allowUnauthorizedCerts", DisplayName: "Ignore SSL Issues (Insecure)", Type: "boolean", Default: false},
			{Name: "ssl", DisplayName: "SSL", Type: "options", Default: "disable", Options: []string{"allow", "disable", "require"}},
			{Name: "port", DisplayName: "Port", Type: "number", Default: 5432},
			{Name: "maxConnections", DisplayName: "Maximum Number of Connections", Type: "number", Default: 100},
		},
		Test: testPostgresCredential,
	})
}

// Describe implements Node.
func (Postgres) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.postgres",
		DisplayName: "Postgres",
		Summary:     "Runs SQL against PostgreSQL: execute a query, insert, update, upsert, select or delete rows.",
		Versions:    []float64{2, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6},
		Kind:        KindIO,
		Params:      sqlParams{},
	}
}

// Validate implements Node.
func (Postgres) Validate(n *NodeInstance) error { return validateSQLParams(n) }

// pgQuery is one item's query: its template (for error descriptions) and
// the SQL sent, with the values written in.
type pgQuery struct {
	Template string
	SQL      string
}

// Execute implements Node.
func (Postgres) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items, p0, cred, err := sqlStart(ctx, in, "postgres")
	if err != nil {
		return nil, err
	}
	conn, err := pgConnect(ctx, cred, paramSeconds(p0.Options.ConnectionTimeout, 30))
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	pg := &pgRun{ctx: ctx, conn: conn, items: items, version: ctx.Node.TypeVersion, secret: credString(cred, "password"),
		numbers: p0.Options.LargeNumbersOutput == "numbers", types: pgtype.NewMap()}
	queries, err := sqlEachItem(ctx, len(items), pg.buildItem)
	if err != nil {
		return nil, err
	}
	out, err := pg.run(queries, p0.Options.QueryBatching, p0.Operation)
	if err != nil {
		return nil, err
	}
	return [][]Item{out}, nil
}

// pgRun is one execution of the Postgres node.
type pgRun struct {
	ctx     *Context
	conn    *pgconn.PgConn
	items   []Item
	version float64
	secret  string
	numbers bool
	types   *pgtype.Map
	schemas map[string][]pgColumn
}

type pgColumn struct {
	Name     string
	DataType string
	Nullable bool
}

func (pg *pgRun) buildItem(p *sqlParams, i int) (pgQuery, error) {
	op := p.operation()
	if op == "executeQuery" {
		return pg.executeQuery(p, i)
	}
	schema := rlString(p.Schema)
	if schema == "" {
		schema = "public"
	}
	table := rlString(p.Table)
	if table == "" {
		return pgQuery{}, NewNodeError("Table is required")
	}
	target := pgIdent(schema) + "." + pgIdent(table)
	switch op {
	case "select":
		q, err := pgSQL.selectRows(p, target, pgLiteral)
		if err != nil {
			return pgQuery{}, err
		}
		return pgQuery{Template: q, SQL: q}, nil
	case "deleteTable":
		cascade := ""
		if p.Options.Cascade {
			cascade = " CASCADE"
		}
		switch p.DeleteCommand {
		case "drop":
			q := "DROP TABLE IF EXISTS " + target + cascade
			return pgQuery{q, q}, nil
		case "", "truncate":
			q := "TRUNCATE TABLE " + target
			if p.RestartSeqs {
				q += " RESTART IDENTITY"
			}
			q += cascade
			return pgQuery{q, q}, nil
		case "delete":
			where, err := pgSQL.where(p, pgLiteral)
			if err != nil {
				return pgQuery{}, err
			}
			q := "DELETE FROM " + target + where
			return pgQuery{q, q}, nil
		}
		return pgQuery{}, NewNodeError("Invalid delete command, only drop, delete and truncate are supported ")
	}
	// insert, update, upsert
	values, cols := sqlMapping(p, pg.items[i], pg.version, pg.version >= 2.2)
	schemaCols, err := pg.tableSchema(schema, table)
	if err != nil {
		return pgQuery{}, err
	}
	if err := pgCheckItem(values, cols, schemaCols); err != nil {
		return pgQuery{}, err
	}
	returning := " RETURNING " + pgSQL.outputColumns(p)
	lit := func(col string) string { return pgColumnLiteral(values[col], schemaCols, col) }
	var match []string
	if op != "insert" {
		if pg.version < 2.2 || p.Columns == nil || len(p.Columns.MatchingColumns) == 0 {
			if p.ColumnToMatchOn != "" {
				match = []string{p.ColumnToMatchOn}
				if _, ok := values[p.ColumnToMatchOn]; !ok && p.ValueToMatchOn != nil {
					values[p.ColumnToMatchOn] = p.ValueToMatchOn
				}
			}
		} else {
			match = p.Columns.MatchingColumns
		}
		if len(match) == 0 {
			return pgQuery{}, NewNodeError("Columns to match on are required")
		}
	}
	update := sqlUpdateColumns(cols, match)
	switch op {
	case "insert":
		if len(cols) == 0 {
			return pgQuery{}, NewNodeError("No columns to insert: the item has no fields and no values are defined")
		}
		var lits []string
		for _, c := range cols {
			lits = append(lits, lit(c))
		}
		q := "INSERT INTO " + target + "(" + pgSQL.idents(cols) + ") VALUES(" + strings.Join(lits, ",") + ")"
		if p.Options.SkipOnConflict {
			q += " ON CONFLICT DO NOTHING"
		}
		return pgQuery{q + returning, q + returning}, nil
	case "update":
		var conds, desc []string
		for _, c := range match {
			v, ok := values[c]
			if !ok {
				return pgQuery{}, NewNodeError(sqlMatchColumnMissing)
			}
			conds = append(conds, pgCondition(c, v))
			desc = append(desc, fmt.Sprintf("%s=%v", c, v))
		}
		if len(update) == 0 {
			return pgQuery{}, NewNodeError(sqlNoValuesToUpdate)
		}
		if pg.version >= 2.2 {
			exists, err := pg.rowExists(target, strings.Join(conds, " AND "))
			if err != nil {
				return pgQuery{}, err
			}
			if !exists {
				return pgQuery{}, &NodeError{Name: "NodeOperationError", Message: "The row you are trying to update doesn't exist",
					Description: fmt.Sprintf("No rows matching the provided values (%s) were found in the table %q.", strings.Join(desc, ", "), table)}
			}
		}
		var sets []string
		for _, c := range update {
			sets = append(sets, pgIdent(c)+" = "+lit(c))
		}
		q := "UPDATE " + target + " SET " + strings.Join(sets, ", ") + " WHERE " + strings.Join(conds, " AND ") + returning
		return pgQuery{q, q}, nil
	default: // upsert
		for _, c := range match {
			if _, ok := values[c]; !ok {
				return pgQuery{}, NewNodeError(sqlMatchColumnMissing)
			}
		}
		if len(update) == 0 {
			return pgQuery{}, NewNodeError("Add values to update or insert to the input item or set the 'Data Mode' to 'Define Below' to define the values to insert or update.")
		}
		var lits, sets []string
		for _, c := range cols {
			lits = append(lits, lit(c))
		}
		for _, c := range update {
			sets = append(sets, pgIdent(c)+" = "+lit(c))
		}
		q := "INSERT INTO " + target + "(" + pgSQL.idents(cols) + ") VALUES(" + strings.Join(lits, ",") + ") ON CONFLICT (" +
			pgSQL.idents(match) + ") DO UPDATE  SET " + strings.Join(sets, ", ") + returning
		return pgQuery{q, q}, nil
	}
}

// pgParam matches pg-promise's variables $1, $2:name, $3:raw.
var pgParam = regexp.MustCompile(`\$(\d+)(:name|:raw|:json|\^|#)?`)

func (pg *pgRun) executeQuery(p *sqlParams, i int) (pgQuery, error) {
	query := p.Query
	if strings.TrimSpace(query) == "" {
		return pgQuery{}, NewNodeError("Query is required")
	}
	values, err := queryReplacements(pg.ctx, i)
	if err != nil {
		return pgQuery{}, err
	}
	var ferr error
	sql := pgParam.ReplaceAllStringFunc(query, func(m string) string {
		sub := pgParam.FindStringSubmatch(m)
		n, _ := strconv.Atoi(sub[1])
		if n < 1 || n > len(values) {
			if ferr == nil {
				ferr = NewNodeError("Variable $%d out of range. Parameters array length: %d", n, len(values))
			}
			return m
		}
		v := values[n-1]
		switch sub[2] {
		case ":name":
			return pgIdent(fmt.Sprint(v))
		case ":raw", "^", "#":
			return fmt.Sprint(v)
		case ":json":
			b, _ := json.Marshal(NormalizeJSON(v))
			return pgQuote(string(b))
		}
		return pgLiteral(v)
	})
	if ferr != nil {
		return pgQuery{}, ferr
	}
	return pgQuery{Template: query, SQL: sql}, nil
}

// queryReplacements reads options.queryReplacement for item i as n8n does:
// a comma-separated list in which each {{ }} is evaluated on its own (so a
// value may contain commas and keeps its type), or an array.
func queryReplacements(ctx *Context, i int) ([]any, error) {
	raw, ok := ctx.RawParam("options.queryReplacement")
	if !ok || raw == nil {
		return nil, nil
	}
	switch x := raw.(type) {
	case []any:
		v, err := ctx.Evaluate(x, i)
		if err != nil {
			return nil, err
		}
		return v.([]any), nil
	case string:
		s := strings.TrimLeft(x, "=")
		if s == "" {
			return nil, nil
		}
		var out []any
		for _, entry := range strings.Split(s, ",") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			res := resolvablePattern.FindAllString(entry, -1)
			if len(res) == 0 {
				out = append(out, entry)
				continue
			}
			for _, r := range res {
				v, err := ctx.Evaluate("="+r, i)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
		}
		return out, nil
	}
	v, err := ctx.Evaluate(raw, i)
	if err != nil {
		return nil, err
	}
	if arr, ok := v.([]any); ok {
		return arr, nil
	}
	return nil, NewNodeError("Query Parameters must be a string of comma-separated values or an array of values").AtItem(i)
}

// resolvablePattern finds {{ ... }} expressions in a parameter.
var resolvablePattern = regexp.MustCompile(`\{\{[\s\S]*?\}\}`)

// pgCondition is "col = value", or "col IS NULL" for a null value.
func pgCondition(col string, v any) string {
	if v == nil {
		return pgIdent(col) + " IS NULL"
	}
	return pgIdent(col) + " = " + pgLiteral(v)
}

func (pg *pgRun) rowExists(target, cond string) (bool, error) {
	res, err := pg.exec("SELECT EXISTS(SELECT 1 FROM " + target + " WHERE " + cond + ")")
	if err != nil {
		return false, pg.queryError(err, "")
	}
	return len(res) == 1 && len(res[0].Rows) == 1 && string(res[0].Rows[0][0]) == "t", nil
}

func (pg *pgRun) tableSchema(schema, table string) ([]pgColumn, error) {
	key := schema + "\x00" + table
	if cols, ok := pg.schemas[key]; ok {
		return cols, nil
	}
	res, err := pg.exec("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = " +
		pgQuote(schema) + " AND table_name = " + pgQuote(table))
	if err != nil {
		return nil, pg.queryError(err, "")
	}
	var cols []pgColumn
	for _, r := range res {
		for _, row := range r.Rows {
			cols = append(cols, pgColumn{Name: string(row[0]), DataType: string(row[1]), Nullable: string(row[2]) == "YES"})
		}
	}
	if pg.schemas == nil {
		pg.schemas = map[string][]pgColumn{}
	}
	pg.schemas[key] = cols
	return cols, nil
}

// pgCheckItem is n8n's checkItemAgainstSchema.
func pgCheckItem(values map[string]any, cols []string, schema []pgColumn) error {
	if len(schema) == 0 {
		return nil
	}
	for _, c := range cols {
		var col *pgColumn
		for i := range schema {
			if schema[i].Name == c {
				col = &schema[i]
				break
			}
		}
		if col == nil {
			return NewNodeError("Column '%s' does not exist in selected table", c)
		}
		if values[c] == nil && !col.Nullable {
			return NewNodeError("Column '%s' is not nullable", c)
		}
	}
	return nil
}

// pgColumnLiteral writes a value for a column: json columns get JSON text.
func pgColumnLiteral(v any, schema []pgColumn, col string) string {
	for _, c := range schema {
		if c.Name == col && (c.DataType == "json" || c.DataType == "jsonb") && v != nil {
			if s, ok := v.(string); ok && json.Valid([]byte(s)) {
				return pgQuote(s)
			}
			b, _ := json.Marshal(NormalizeJSON(v))
			return pgQuote(string(b))
		}
	}
	return pgLiteral(v)
}

func (pg *pgRun) exec(sql string) ([]*pgconn.Result, error) {
	return pg.conn.Exec(pg.ctx, sql).ReadAll()
}

// run sends the queries as options.queryBatching says.
func (pg *pgRun) run(queries []pgQuery, batching, op string) ([]Item, error) {
	cont := pg.ctx.ContinueOnFail()
	switch batching {
	case "transaction", "independently":
		tx := batching == "transaction"
		if tx {
			if _, err := pg.exec("BEGIN"); err != nil {
				return nil, pg.queryError(err, "")
			}
		}
		var out []Item
		for i, q := range queries {
			res, err := pg.exec(q.SQL)
			if err != nil {
				ne := pg.queryError(err, q.Template).AtItem(i)
				if tx {
					_, _ = pg.exec("ROLLBACK")
				}
				if !cont {
					return nil, ne
				}
				out = append(out, sqlErrorItem(pg.items, ne, i))
				if tx {
					return out, nil
				}
				continue
			}
			rows, err := pg.rows(res)
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 && !isSelectQuery(q.Template) {
				rows = []Item{NewItem(map[string]any{"success": true})}
			}
			for _, r := range rows {
				r.PairedItem = PairedItems{{Item: i}}
				out = append(out, r)
			}
		}
		if tx {
			if _, err := pg.exec("COMMIT"); err != nil {
				return nil, pg.queryError(err, "")
			}
		}
		return out, nil
	}
	// single: every item's query in one round trip.
	sqls := make([]string, len(queries))
	for i, q := range queries {
		sqls[i] = strings.TrimRight(strings.TrimSpace(q.SQL), ";")
	}
	res, err := pg.exec(strings.Join(sqls, ";"))
	if err != nil {
		tmpl := ""
		if len(queries) > 0 {
			tmpl = queries[0].Template
		}
		ne := pg.queryError(err, tmpl)
		if !cont {
			return nil, ne
		}
		return []Item{NewItem(map[string]any{"message": ne.Message, "error": nodeErrorJSON(ne)})}, nil
	}
	var out []Item
	set := 0
	for _, r := range res {
		if len(r.FieldDescriptions) == 0 {
			continue
		}
		rows, err := pg.rows([]*pgconn.Result{r})
		if err != nil {
			return nil, err
		}
		paired := min(set, max(len(pg.items)-1, 0))
		for _, row := range rows {
			row.PairedItem = PairedItems{{Item: paired}}
			out = append(out, row)
		}
		set++
	}
	if len(out) == 0 {
		selects := true
		for _, q := range queries {
			selects = selects && isSelectQuery(q.Template)
		}
		if pg.version < 2.3 {
			selects = op == "select"
		}
		if !selects {
			out = []Item{{JSON: map[string]any{"success": true}, PairedItem: allPaired(len(queries))}}
		}
	}
	return out, nil
}

// queryError is n8n's parsePostgresError: a syntax error names the line,
// the server's detail or hint (or the failed query) is the description.
func (pg *pgRun) queryError(err error, template string) *NodeError {
	var pe *pgconn.PgError
	if !asPgError(err, &pe) {
		return connectionError(err, pg.secret)
	}
	msg := pe.Message
	if m := regexp.MustCompile(`syntax error at or near "(.*)"`).FindStringSubmatch(msg); m != nil && template != "" {
		for i, line := range strings.Split(template, "\n") {
			if strings.Contains(line, m[1]) {
				msg = fmt.Sprintf("Syntax error at line %d near %q", i+1, m[1])
				break
			}
		}
	}
	desc := pe.Detail
	if desc == "" {
		desc = pe.Hint
	}
	if desc == "" && template != "" {
		desc = "Failed query: " + template
	}
	return &NodeError{Name: "NodeOperationError", Message: redactSecrets(msg, pg.secret), Description: redactSecrets(desc, pg.secret)}
}

func asPgError(err error, target **pgconn.PgError) bool {
	for e := err; e != nil; {
		if pe, ok := e.(*pgconn.PgError); ok {
			*target = pe
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// rows turns result sets into items, one per row, keys in column order.
func (pg *pgRun) rows(res []*pgconn.Result) ([]Item, error) {
	var out []Item
	for _, r := range res {
		if len(r.FieldDescriptions) == 0 {
			continue
		}
		keys := make([]string, 0, len(r.FieldDescriptions))
		for _, f := range r.FieldDescriptions {
			if !slices.Contains(keys, f.Name) {
				keys = append(keys, f.Name)
			}
		}
		order := &KeyOrder{Keys: keys}
		for _, row := range r.Rows {
			j := make(map[string]any, len(row))
			for c, f := range r.FieldDescriptions {
				j[f.Name] = pg.value(f.DataTypeOID, row[c])
			}
			out = append(out, NewItem(j).WithKeyOrder(order))
		}
	}
	return out, nil
}

// value decodes one text-format column value the way node-postgres does.
func (pg *pgRun) value(oid uint32, b []byte) any {
	if b == nil {
		return nil
	}
	s := string(b)
	switch oid {
	case pgtype.BoolOID:
		return s == "t"
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.OIDOID, pgtype.Float4OID, pgtype.Float8OID:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		return f
	case pgtype.Int8OID, pgtype.NumericOID:
		if pg.numbers {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f
			}
		}
		return s
	case pgtype.JSONOID, pgtype.JSONBOID:
		var v any
		if json.Unmarshal(b, &v) == nil {
			return v
		}
		return s
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID,
		pgtype.BoolArrayOID, pgtype.Int2ArrayOID, pgtype.Int4ArrayOID, pgtype.Float4ArrayOID, pgtype.Float8ArrayOID,
		pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.JSONBArrayOID, pgtype.JSONArrayOID:
		t, ok := pg.types.TypeForOID(oid)
		if !ok {
			return s
		}
		v, err := t.Codec.DecodeValue(pg.types, oid, pgtype.TextFormatCode, b)
		if err != nil {
			return s
		}
		if tm, ok := v.(time.Time); ok {
			return tm.UTC()
		}
		if _, ok := v.(pgtype.InfinityModifier); ok {
			return s
		}
		return NormalizeJSON(v)
	}
	return s
}

// pgLiteral writes a value as a PostgreSQL literal, as pg-promise formats
// query values.
func pgLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		switch {
		case math.IsNaN(x):
			return "'NaN'"
		case math.IsInf(x, 1):
			return "'+Infinity'"
		case math.IsInf(x, -1):
			return "'-Infinity'"
		}
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if x < 0 {
			return " " + s // never "--": a comment
		}
		return s
	case string:
		return pgQuote(x)
	case []any:
		if len(x) == 0 {
			return "'{}'"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pgLiteral(e)
		}
		return "array[" + strings.Join(parts, ",") + "]"
	case map[string]any:
		b, _ := json.Marshal(x)
		return pgQuote(string(b))
	case time.Time:
		return pgQuote(x.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
	}
	switch n := NormalizeJSON(v).(type) {
	case nil, bool, float64, string, []any, map[string]any:
		return pgLiteral(n)
	}
	return pgQuote(fmt.Sprint(v))
}

// pgQuote writes a string literal (standard_conforming_strings on: only
// quotes are doubled). NUL bytes, which PostgreSQL cannot store, are
// dropped.
func pgQuote(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// pgIdent quotes an identifier.
func pgIdent(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// pgSQL writes PostgreSQL's identifiers.
var pgSQL = sqlDialect{ident: pgIdent, listSep: ","}

// pgConnect opens one connection from a postgres credential. Its errors
// carry no secret.
func pgConnect(ctx context.Context, cred map[string]any, timeoutSeconds float64) (*pgconn.PgConn, error) {
	password := credString(cred, "password")
	_, addr := credAddress(cred, 5432)
	db := credString(cred, "database")
	if db == "" {
		db = "postgres"
	}
	user := credString(cred, "user")
	if user == "" {
		user = "postgres"
	}
	mode := credString(cred, "ssl")
	switch mode {
	case "", "disable":
		mode = "disable"
	case "allow", "prefer", "require", "verify-ca", "verify-full":
	default:
		return nil, NewNodeError("SSL mode %q is not one of allow, disable, require", mode)
	}
	if credBool(cred, "allowUnauthorizedCerts") {
		mode = "require"
	}
	u := url.URL{Scheme: "postgres", User: url.User(user), Host: addr, Path: "/" + db}
	q := url.Values{}
	q.Set("sslmode", mode)
	q.Set("connect_timeout", strconv.Itoa(int(math.Max(1, math.Ceil(timeoutSeconds)))))
	u.RawQuery = q.Encode()
	cfg, err := pgconn.ParseConfig(u.String())
	if err != nil {
		return nil, NewNodeError("invalid postgres credential: %s", redactSecrets(err.Error(), password))
	}
	cfg.Password = password
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		var pe *pgconn.PgError
		if asPgError(err, &pe) {
			return nil, serverError(pe.Message, password)
		}
		return nil, connectionError(err, password)
	}
	if conn.ParameterStatus("standard_conforming_strings") != "on" {
		conn.Close(ctx)
		return nil, NewNodeError("the server has standard_conforming_strings off, which weft does not support")
	}
	return conn, nil
}

// testPostgresCredential connects and runs SELECT 1.
func testPostgresCredential(ctx context.Context, data map[string]any) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgConnect(ctx, data, 10)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT 1").ReadAll(); err != nil {
		return connectionError(err, credString(data, "password"))
	}
	return nil
}

var _ Node = Postgres{}
