package nodes

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/weft/weft/nodes/expr"
)

// This file holds what the Postgres and MySQL nodes share: their parameters
// (n8n's v2 database nodes have the same shape), the per-item statement
// lists they build and the way results become items. Its connection helpers
// (credAddress, serverTLS, serverError, connectionError) serve the Redis node
// too.

// sqlParams are the parameters of n8n's Postgres v2 and MySQL v2 nodes.
type sqlParams struct {
	Resource  string `json:"resource" doc:"Always database."`
	Operation string `json:"operation" doc:"executeQuery, insert, update, upsert, select or deleteTable."`
	Schema    any    `json:"schema" doc:"Postgres: the schema, a resource locator {__rl, value, mode} or a name (default public)."`
	Table     any    `json:"table" doc:"The table, a resource locator {__rl, value, mode} or a name."`
	Query     string `json:"query" doc:"executeQuery: the SQL to run; $1, $2, ... refer to options.queryReplacement."`
	// Columns is n8n's resource mapper (v2.2+ for Postgres, v2.5+ for MySQL).
	Columns *sqlColumns `json:"columns" doc:"insert/update/upsert: {mappingMode: autoMapInputData|defineBelow, value: {column: value}, matchingColumns: [...]}."`
	// DataMode and ValuesToSend are the older (v2, v2.1) spelling.
	DataMode        string        `json:"dataMode" doc:"Older versions: autoMapInputData or defineBelow."`
	ValuesToSend    sqlValueList  `json:"valuesToSend" doc:"Older versions, defineBelow: {values: [{column, value}]}."`
	ColumnToMatchOn string        `json:"columnToMatchOn" doc:"Older versions, update/upsert: the column rows are matched on."`
	ValueToMatchOn  any           `json:"valueToMatchOn" doc:"Older versions, update defineBelow: the value to match."`
	Where           sqlWhereList  `json:"where" doc:"select/deleteTable delete: {values: [{column, condition, value}]}; condition is equal, !=, LIKE, >, <, >=, <=, IS NULL, IS NOT NULL."`
	Combine         string        `json:"combineConditions" doc:"AND (default) or OR."`
	Sort            sqlSortList   `json:"sort" doc:"select: {values: [{column, direction: ASC|DESC}]}."`
	ReturnAll       bool          `json:"returnAll" doc:"select: return every row instead of up to limit."`
	Limit           any           `json:"limit" doc:"select: most rows to return (default 50)."`
	DeleteCommand   string        `json:"deleteCommand" doc:"deleteTable: truncate (default), delete or drop."`
	RestartSeqs     bool          `json:"restartSequences" doc:"Postgres truncate: restart identity columns."`
	Options         sqlNodeOption `json:"options" doc:"queryBatching (single, independently, transaction), queryReplacement, outputColumns, largeNumbersOutput, skipOnConflict, replaceEmptyStrings, cascade, connectionTimeout, detailedOutput, priority."`
}

type sqlColumns struct {
	MappingMode     string         `json:"mappingMode"`
	Value           map[string]any `json:"value"`
	MatchingColumns []string       `json:"matchingColumns"`
}

type sqlValueList struct {
	Values []struct {
		Column string `json:"column"`
		Value  any    `json:"value"`
	} `json:"values"`
}

type sqlWhere struct {
	Column    string `json:"column"`
	Condition string `json:"condition"`
	Value     any    `json:"value"`
}

type sqlWhereList struct {
	Values []sqlWhere `json:"values"`
}

type sqlSortList struct {
	Values []struct {
		Column    string `json:"column"`
		Direction string `json:"direction"`
	} `json:"values"`
}

type sqlNodeOption struct {
	QueryBatching       string   `json:"queryBatching"`
	QueryReplacement    any      `json:"queryReplacement"`
	OutputColumns       []string `json:"outputColumns"`
	LargeNumbersOutput  string   `json:"largeNumbersOutput"`
	SkipOnConflict      bool     `json:"skipOnConflict"`
	ReplaceEmptyStrings bool     `json:"replaceEmptyStrings"`
	Cascade             bool     `json:"cascade"`
	ConnectionTimeout   any      `json:"connectionTimeout"`
	DetailedOutput      bool     `json:"detailedOutput"`
	Priority            string   `json:"priority"`
}

// operation is the operation parameter, insert (n8n's default) when unset.
func (p *sqlParams) operation() string {
	if p.Operation == "" {
		return "insert"
	}
	return p.Operation
}

var sqlOperations = []string{"executeQuery", "insert", "update", "upsert", "select", "deleteTable"}

// validateSQLParams checks the static parameters both database nodes share.
func validateSQLParams(n *NodeInstance) error {
	var p sqlParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	op := p.operation()
	if !slices.Contains(sqlOperations, op) {
		return ParamErrorf("operation", "%q is not one of %s", op, strings.Join(sqlOperations, ", "))
	}
	if r := p.Resource; r != "" && r != "database" {
		return ParamErrorf("resource", "%q is not supported (only database)", r)
	}
	switch p.Options.QueryBatching {
	case "", "single", "independently", "transaction":
	default:
		return ParamErrorf("options.queryBatching", "%q is not one of single, independently, transaction", p.Options.QueryBatching)
	}
	switch p.DeleteCommand {
	case "", "truncate", "delete", "drop":
	default:
		return ParamErrorf("deleteCommand", "%q is not one of truncate, delete, drop", p.DeleteCommand)
	}
	if op == "executeQuery" {
		if _, set := n.Parameters["query"]; set && strings.TrimSpace(fmt.Sprint(n.Parameters["query"])) == "" {
			return ParamErrorf("query", "is empty")
		}
	}
	for i, w := range p.Where.Values {
		if !slices.Contains([]string{"", "equal", "=", "!=", "LIKE", ">", "<", ">=", "<=", "IS NULL", "IS NOT NULL"}, w.Condition) {
			return ParamErrorf(fmt.Sprintf("where.values[%d].condition", i), "%q is not a supported operator", w.Condition)
		}
	}
	return nil
}

// rlString returns the value of an n8n resource locator ({__rl, value,
// mode}) or of a plain parameter as a string.
func rlString(v any) string {
	x := resourceLocatorValue(v)
	if m, ok := x.(map[string]any); ok {
		return rlString(m["value"])
	}
	return plainText(x)
}

// sqlMapping returns the columns and values an item writes: the item's json
// (autoMapInputData) or the parameters' mapping (defineBelow), in a stable
// column order.
func sqlMapping(p *sqlParams, item Item, version float64, newStyle bool) (map[string]any, []string) {
	mode := p.DataMode
	if newStyle && p.Columns != nil && p.Columns.MappingMode != "" {
		mode = p.Columns.MappingMode
	}
	if mode == "" {
		mode = "autoMapInputData"
		if newStyle {
			mode = "defineBelow"
		}
	}
	vals := map[string]any{}
	var order []string
	if mode == "autoMapInputData" {
		for k, v := range item.JSON {
			vals[k] = v
		}
		order = expr.OrderedKeys(item.JSON, item.order)
	} else if newStyle && p.Columns != nil {
		for k, v := range p.Columns.Value {
			vals[k] = v
		}
	} else {
		for _, e := range p.ValuesToSend.Values {
			if _, dup := vals[e.Column]; !dup {
				order = append(order, e.Column)
			}
			vals[e.Column] = e.Value
		}
	}
	if len(order) != len(vals) {
		order = order[:0]
		for k := range vals {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	return vals, order
}

// n8n's messages for an update or upsert that cannot be written.
const (
	sqlMatchColumnMissing = "Column to match on not found in input item. Add a column to match on or set the 'Data Mode' to 'Define Below' to define the value to match on."
	sqlNoValuesToUpdate   = "Add values to update to the input item or set the 'Data Mode' to 'Define Below' to define the values to update."
)

// sqlUpdateColumns are the columns an update or upsert sets: those of cols
// not in match.
func sqlUpdateColumns(cols, match []string) []string {
	var update []string
	for _, c := range cols {
		if !slices.Contains(match, c) {
			update = append(update, c)
		}
	}
	return update
}

// replaceEmptyStrings turns "" values of items' json into null
// (options.replaceEmptyStrings).
func replaceEmptyStrings(items []Item) {
	for _, it := range items {
		for k, v := range it.JSON {
			if v == "" {
				it.JSON[k] = nil
			}
		}
	}
}

// whereNumber converts the value of a numeric comparison the way n8n does
// (Number(value)) and fails when it is not a number.
func whereNumber(w sqlWhere, index int) (any, error) {
	switch x := w.Value.(type) {
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	case nil:
		return 0.0, nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0.0, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
	}
	return nil, NewNodeError("Operator in entry %d of 'Select Rows' works with numbers, but value %v is not a number", index+1, w.Value)
}

// isSelectQuery reports whether every statement of query is a SELECT, as
// n8n decides whether an empty result means {success: true}.
var sqlBlockComment = regexp.MustCompile(`(?s)/\*.*?\*/`)

func isSelectQuery(query string) bool {
	q := strings.ReplaceAll(sqlBlockComment.ReplaceAllString(query, ""), "\n", "")
	for _, st := range strings.Split(q, ";") {
		if st == "" || strings.HasPrefix(st, "--") {
			continue
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(st)), "select") {
			return false
		}
	}
	return true
}

// sqlErrorItem is n8n's output item for a failed query under
// continueOnFail with per-item batching: the message, the input item and
// the error.
func sqlErrorItem(in []Item, err *NodeError, i int) Item {
	var item map[string]any
	if i < len(in) {
		item = CloneJSON(in[i].JSON).(map[string]any)
	}
	return Item{JSON: map[string]any{"message": err.Message, "item": item, "error": nodeErrorJSON(err)}, PairedItem: PairedItems{{Item: i}}}
}

// nodeErrorJSON is the error object n8n spreads into error items.
func nodeErrorJSON(err *NodeError) map[string]any {
	m := map[string]any{"message": err.Message, "name": err.Name}
	if err.Description != "" {
		m["description"] = err.Description
	}
	if err.ItemIndex != nil {
		m["itemIndex"] = float64(*err.ItemIndex)
	}
	return m
}

// redactSecrets removes every non-empty secret value from s.
func redactSecrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	return s
}

// serverError is a failure the server reported (a wrong password, an
// unknown database, ...): its message, secrets removed.
func serverError(msg string, secrets ...string) *NodeError {
	return &NodeError{Name: "NodeOperationError", Message: redactSecrets(msg, secrets...)}
}

// connectionError turns a failure to reach a server into n8n's wording:
// "Connection refused", "Host not found", "Connection timed out", keeping
// the cause as the description. Secrets are removed from both.
func connectionError(err error, secrets ...string) *NodeError {
	msg := redactSecrets(err.Error(), secrets...)
	ne := &NodeError{Name: "NodeOperationError", Message: msg, Retryable: true}
	var dns *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		ne.Message, ne.Description = "Connection refused", msg
	case errors.As(err, &dns) || strings.Contains(msg, "no such host"):
		ne.Message, ne.Description = "Host not found", msg
	case errors.Is(err, syscall.ETIMEDOUT) || strings.Contains(msg, "i/o timeout") || strings.Contains(msg, "timeout"):
		ne.Message, ne.Description = "Connection timed out", msg
	case errors.As(err, &opErr):
	default:
		ne.Retryable = false
	}
	return ne
}

// credAddress reads a server credential's host (localhost when unset) and
// port (defPort when unset) and returns the host and host:port.
func credAddress(cred map[string]any, defPort int) (host, addr string) {
	host = credString(cred, "host")
	if host == "" {
		host = "localhost"
	}
	return host, net.JoinHostPort(host, strconv.Itoa(credInt(cred, "port", defPort)))
}

// serverTLS is the TLS configuration of a connection to a database server;
// insecure skips the certificate check (the credential's choice).
func serverTLS(host string, insecure bool) *tls.Config {
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // the user's choice
}

// credInt reads a numeric credential field, def when unset.
func credInt(data map[string]any, key string, def int) int {
	switch x := data[key].(type) {
	case float64:
		return int(x)
	case int:
		return x
	case int64:
		return int(x)
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return n
		}
	}
	return def
}

// paramSeconds reads a number-of-seconds option, def when unset.
func paramSeconds(v any, def float64) float64 {
	if f, ok := toNumberParam(v); ok && f > 0 {
		return f
	}
	return def
}

// sqlDialect is how a database node writes identifiers: ident quotes one,
// listSep separates the names of a list.
type sqlDialect struct {
	ident   func(string) string
	listSep string
}

// idents quotes names and joins them into a list.
func (d sqlDialect) idents(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.ident(n)
	}
	return strings.Join(q, d.listSep)
}

// outputColumns is options.outputColumns as a column list, "*" for all.
func (d sqlDialect) outputColumns(p *sqlParams) string {
	if oc := p.Options.OutputColumns; len(oc) > 0 && !slices.Contains(oc, "*") {
		return d.idents(oc)
	}
	return "*"
}

// where writes the where parameters as " WHERE ...", "" when there are
// none. bind writes a value: a placeholder (the caller keeps the value) or
// a literal.
func (d sqlDialect) where(p *sqlParams, bind func(any) string) (string, error) {
	if len(p.Where.Values) == 0 {
		return "", nil
	}
	combine := " AND "
	if p.Combine == "OR" {
		combine = " OR "
	}
	var parts []string
	for i, w := range p.Where.Values {
		cond := w.Condition
		if cond == "" || cond == "equal" {
			cond = "="
		}
		v := w.Value
		if cond == ">" || cond == "<" || cond == ">=" || cond == "<=" {
			n, err := whereNumber(w, i)
			if err != nil {
				return "", err
			}
			v = n
		}
		part := d.ident(w.Column) + " " + cond
		if cond != "IS NULL" && cond != "IS NOT NULL" {
			part += " " + bind(v)
		}
		parts = append(parts, part)
	}
	return " WHERE " + strings.Join(parts, combine), nil
}

// selectRows writes the select operation's statement on target: the output
// columns, the where conditions (values written by bind), the sort and the
// limit (50 unless returnAll).
func (d sqlDialect) selectRows(p *sqlParams, target string, bind func(any) string) (string, error) {
	where, err := d.where(p, bind)
	if err != nil {
		return "", err
	}
	q := "SELECT " + d.outputColumns(p) + " FROM " + target + where
	if len(p.Sort.Values) > 0 {
		var parts []string
		for _, s := range p.Sort.Values {
			dir := "ASC"
			if s.Direction == "DESC" {
				dir = "DESC"
			}
			parts = append(parts, d.ident(s.Column)+" "+dir)
		}
		q += " ORDER BY " + strings.Join(parts, ", ")
	}
	if !p.ReturnAll {
		limit := 50.0
		if f, ok := toNumberParam(p.Limit); ok {
			limit = f
		}
		q += " LIMIT " + strconv.FormatFloat(math.Max(0, math.Trunc(limit)), 'f', -1, 64)
	}
	return q, nil
}

// sqlStart begins a database node's execution: the input items, the first
// item's parameters (options.replaceEmptyStrings applied to the items) and
// the decrypted credential of type credType.
func sqlStart(ctx *Context, in [][]Item, credType string) ([]Item, *sqlParams, map[string]any, error) {
	items := pairedInputs(in, 1)[0]
	var p0 sqlParams
	if err := ctx.Decode(0, &p0); err != nil {
		return nil, nil, nil, err
	}
	if p0.Options.ReplaceEmptyStrings && p0.Operation != "select" && p0.Operation != "deleteTable" {
		replaceEmptyStrings(items)
	}
	cred, err := ctx.Credential(credType)
	if err != nil {
		return nil, nil, nil, err
	}
	return items, &p0, cred, nil
}

// sqlEachItem builds one query per item from that item's parameters; an
// error without an item index gets the item's.
func sqlEachItem[Q any](ctx *Context, items int, build func(p *sqlParams, i int) (Q, error)) ([]Q, error) {
	var queries []Q
	for i := range items {
		var p sqlParams
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		q, err := build(&p, i)
		if err != nil {
			if ne, ok := err.(*NodeError); ok && ne.ItemIndex == nil {
				ne.AtItem(i)
			}
			return nil, err
		}
		queries = append(queries, q)
	}
	return queries, nil
}
