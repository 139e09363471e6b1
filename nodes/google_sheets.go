package nodes

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/weft/weft/nodes/expr"
)

// GoogleSheets is n8n's Google Sheets node (n8n-nodes-base.googleSheets,
// versions 4.x) for sheet append and read (Get Row(s)), on the Sheets API v4
// with a googleApi service account: the node signs a JWT (RS256) and
// exchanges it for an access token.
type GoogleSheets struct{}

// Base URL overrides (tests, proxies).
const (
	googleSheetsEnv = "WEFT_GOOGLE_SHEETS_URL"
	googleTokenEnv  = "WEFT_GOOGLE_TOKEN_URL"
	// googleTokenAudience is the audience Google requires in the JWT.
	googleTokenAudience = "https://oauth2.googleapis.com/token"
	googleSheetsScopes  = "https://www.googleapis.com/auth/drive.file https://www.googleapis.com/auth/spreadsheets"
)

// GoogleSheetsParams are the node's parameters weft reads.
type GoogleSheetsParams struct {
	Authentication string         `json:"authentication" doc:"serviceAccount (a googleApi credential); oAuth2, n8n's default, is not supported."`
	Resource       string         `json:"resource" doc:"sheet (the only resource weft runs)."`
	Operation      string         `json:"operation" doc:"append (values:append) or read (values.get, first row as column names)."`
	DocumentID     any            `json:"documentId" doc:"The spreadsheet: a resource locator (list, url or id mode) or an id."`
	SheetName      any            `json:"sheetName" doc:"The sheet: a resource locator (list/id: the gid; url: a URL with #gid=; name: the title)."`
	Columns        map[string]any `json:"columns" doc:"append: {mappingMode: autoMapInputData|defineBelow, value: {column: value}}."`
	FiltersUI      map[string]any `json:"filtersUI" doc:"read: {values: [{lookupColumn, lookupValue}]} rows must match."`
	CombineFilters string         `json:"combineFilters" doc:"read: AND (default) or OR."`
	Options        map[string]any `json:"options" doc:"append: cellFormat (RAW|USER_ENTERED), handlingExtraData, locationDefine.values.headerRow; read: dataLocationOnSheet, outputFormatting, returnFirstMatch."`
}

func init() {
	Register(GoogleSheets{})
	RegisterCredentialType(CredentialType{
		Name: "googleApi", DisplayName: "Google Service Account API",
		Fields: []CredentialField{
			{Name: "email", DisplayName: "Service Account Email", Type: "string", Required: true},
			{Name: "privateKey", DisplayName: "Private Key", Type: "string", Secret: true, Required: true},
			{Name: "impersonate", DisplayName: "Impersonate a User", Type: "boolean"},
			{Name: "delegatedEmail", DisplayName: "Email", Type: "string"},
		},
		Test: func(ctx context.Context, data map[string]any) error {
			_, err := googleAccessToken(ctx, data, googleSheetsScopes)
			return err
		},
	})
}

// Describe implements Node.
func (GoogleSheets) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.googleSheets",
		DisplayName: "Google Sheets",
		Summary:     "Appends rows to and reads rows from a Google Sheets sheet through the Sheets API v4.",
		Versions:    []float64{4, 4.1, 4.2, 4.3, 4.4, 4.5, 4.6, 4.7},
		Kind:        KindIO,
		Params:      GoogleSheetsParams{},
	}
}

// Validate implements Node.
func (GoogleSheets) Validate(n *NodeInstance) error {
	p := GoogleSheetsParams{Resource: "sheet", Operation: "read"}
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.Authentication != "" && p.Authentication != "serviceAccount" {
		return ParamErrorf("authentication", "only service account (googleApi) credentials are supported; set authentication to serviceAccount")
	}
	if p.Resource != "sheet" {
		return ParamErrorf("resource", "resource %q is not supported (sheet only)", p.Resource)
	}
	if p.Operation != "append" && p.Operation != "read" {
		return ParamErrorf("operation", "operation %q is not supported (append or read)", p.Operation)
	}
	return nil
}

// Execute implements Node.
func (GoogleSheets) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	raw, _ := ctx.RawParam("authentication")
	if raw != "serviceAccount" {
		return nil, &NodeError{Name: "NodeOperationError", Node: ctx.Node.Name,
			Message:     "Google Sheets needs a service account credential in weft",
			Description: "Set authentication to serviceAccount and select a googleApi credential; OAuth2 is not supported."}
	}
	s := &sheetsRun{ctx: ctx, cred: &svcCredential{ctx: ctx, typ: "googleApi"}, titles: map[string]string{}}
	if op, _ := ctx.RawParam("operation"); op == "append" {
		return s.append()
	}
	return svcEachItem(ctx, s.read)
}

// sheetsRun is one run of the node: the token and sheet titles are fetched
// once.
type sheetsRun struct {
	ctx    *Context
	cred   *svcCredential
	token  string
	titles map[string]string
}

func (s *sheetsRun) params(i int) (*GoogleSheetsParams, error) {
	p := &GoogleSheetsParams{CombineFilters: "AND"}
	if err := s.ctx.Decode(i, p); err != nil {
		return nil, err
	}
	return p, nil
}

// call sends a Sheets API request and decodes the JSON answer into dst.
func (s *sheetsRun) call(method, path string, qs url.Values, body, dst any) error {
	if s.token == "" {
		data, err := s.cred.get()
		if err != nil {
			return err
		}
		if s.token, err = googleAccessToken(s.ctx, data, googleSheetsScopes); err != nil {
			return err
		}
	}
	u := svcEnvURL(googleSheetsEnv, "https://sheets.googleapis.com") + path
	if len(qs) > 0 {
		u += "?" + qs.Encode()
	}
	req, err := svcNewRequest(s.ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := svcDo(req)
	if err != nil {
		return err
	}
	if resp.Status >= 300 {
		return svcAPIError(resp.Status, svcJSONMessage(resp.Body))
	}
	if dst == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, dst); err != nil {
		return &NodeError{Name: "NodeApiError", Message: "Google Sheets answered with something that is not JSON"}
	}
	return nil
}

var (
	sheetsDocURL = regexp.MustCompile(`/spreadsheets/d/([0-9a-zA-Z\-_]+)`)
	sheetsGidURL = regexp.MustCompile(`[#&?]gid=([0-9]+)`)
)

// target resolves the spreadsheet id and the sheet's title.
func (s *sheetsRun) target(p *GoogleSheetsParams) (doc, title string, err error) {
	doc, mode := rlValue(p.DocumentID)
	if mode == "url" || strings.HasPrefix(doc, "https://") {
		m := sheetsDocURL.FindStringSubmatch(doc)
		if m == nil {
			return "", "", NewNodeError("cannot find a spreadsheet id in the URL %q", doc)
		}
		doc = m[1]
	}
	if doc == "" {
		return "", "", NewNodeError("no spreadsheet (documentId) given")
	}
	sheet, smode := rlValue(p.SheetName)
	if smode == "name" {
		if sheet == "" {
			return "", "", NewNodeError("no sheet (sheetName) given")
		}
		return doc, sheet, nil
	}
	gid := strings.TrimPrefix(sheet, "gid=")
	if smode == "url" || strings.HasPrefix(sheet, "https://") {
		m := sheetsGidURL.FindStringSubmatch(sheet)
		if m == nil {
			gid = "0"
		} else {
			gid = m[1]
		}
	}
	if _, err := strconv.Atoi(gid); err != nil {
		// Not a gid: take it as the title, as n8n does for a plain string.
		return doc, sheet, nil
	}
	key := doc + "\x00" + gid
	if t, ok := s.titles[key]; ok {
		return doc, t, nil
	}
	var meta struct {
		Sheets []struct {
			Properties struct {
				SheetID float64 `json:"sheetId"`
				Title   string  `json:"title"`
			} `json:"properties"`
		} `json:"sheets"`
	}
	if err := s.call(http.MethodGet, "/v4/spreadsheets/"+url.PathEscape(doc), url.Values{"fields": {"sheets.properties"}}, nil, &meta); err != nil {
		return "", "", err
	}
	for _, sh := range meta.Sheets {
		if strconv.FormatFloat(sh.Properties.SheetID, 'f', -1, 64) == gid {
			s.titles[key] = sh.Properties.Title
			return doc, sh.Properties.Title, nil
		}
	}
	return "", "", NewNodeError("Sheet with ID %s not found", gid)
}

// sheetsRange quotes a sheet title for A1 notation and adds a range.
func sheetsRange(title, a1 string) string {
	r := "'" + strings.ReplaceAll(title, "'", "''") + "'"
	if a1 != "" {
		r += "!" + a1
	}
	return r
}

// sheetsColumn is the A1 letter of a 1-based column.
func sheetsColumn(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

type sheetsValues struct {
	Range  string  `json:"range"`
	Values [][]any `json:"values"`
}

func (s *sheetsRun) getValues(doc, rng string, qs url.Values) ([][]any, error) {
	var v sheetsValues
	err := s.call(http.MethodGet, "/v4/spreadsheets/"+url.PathEscape(doc)+"/values/"+url.PathEscape(rng), qs, nil, &v)
	return v.Values, err
}

// sheetsCell turns an item value into a cell value: objects as JSON.
func sheetsCell(v any) any {
	switch x := v.(type) {
	case nil:
		return ""
	case map[string]any, []any:
		b, _ := json.Marshal(NormalizeJSON(x))
		return string(b)
	}
	return v
}

// optAt returns the value at path in nested option objects, nil when a
// step is missing or not an object.
func optAt(m map[string]any, path ...string) any {
	var cur any = m
	for _, k := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

// optInt reads a whole number at path (a number or numeric text), def when
// there is none.
func optInt(m map[string]any, def int, path ...string) int {
	switch x := optAt(m, path...).(type) {
	case float64:
		return int(x)
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return def
}

// optString reads a non-empty string at path, def when there is none.
func optString(m map[string]any, def string, path ...string) string {
	if s, ok := optAt(m, path...).(string); ok && s != "" {
		return s
	}
	return def
}

// append writes every input item as a row under the sheet's header row,
// adding columns for new keys (handlingExtraData insertInNewColumn, the
// default; ignoreIt drops them, error refuses them).
func (s *sheetsRun) append() ([][]Item, error) {
	items := s.ctx.InputItems(0)
	if len(items) == 0 {
		return [][]Item{{}}, nil
	}
	fail := func(err error) ([][]Item, error) {
		ne := AsNodeError(err)
		ne.Node = s.ctx.Node.Name
		if s.ctx.ContinueOnFail() {
			return [][]Item{{failedItem(ne, 0)}}, nil
		}
		return nil, ne
	}
	p, err := s.params(0)
	if err != nil {
		return fail(err)
	}
	doc, title, err := s.target(p)
	if err != nil {
		return fail(err)
	}
	mode := optString(p.Columns, "autoMapInputData", "mappingMode")
	if mode == "nothing" {
		return [][]Item{{}}, nil
	}
	keyRow := optInt(p.Options, 1, "locationDefine", "values", "headerRow")
	data, err := s.getValues(doc, sheetsRange(title, ""), url.Values{"valueRenderOption": {"FORMATTED_VALUE"}})
	if err != nil {
		return fail(err)
	}
	var header []string
	if keyRow-1 < len(data) {
		for _, c := range data[keyRow-1] {
			header = append(header, fmt.Sprint(c))
		}
	}
	if len(data) == 0 {
		mode = "autoMapInputData"
	}
	if mode != "autoMapInputData" && header == nil && s.ctx.Node.TypeVersion >= 4.4 {
		return fail(NewNodeError("Could not retrieve the column names from row %d", keyRow))
	}
	// The rows' objects, in input order.
	rows := make([]map[string]any, len(items))
	var keys []string
	for i, it := range items {
		if mode == "autoMapInputData" {
			rows[i] = it.JSON
			keys = append(keys, expr.OrderedKeys(it.JSON, it.KeyOrder())...)
			continue
		}
		pi, err := s.params(i)
		if err != nil {
			return fail(err)
		}
		v, _ := pi.Columns["value"].(map[string]any)
		row := map[string]any{}
		for _, k := range sheetsSchemaOrder(pi.Columns, v) {
			row[k] = v[k]
			keys = append(keys, k)
		}
		rows[i] = row
	}
	known := map[string]bool{}
	for _, h := range header {
		known[h] = true
	}
	extra := optString(p.Options, "insertInNewColumn", "handlingExtraData")
	newHeader := append([]string(nil), header...)
	for _, k := range keys {
		if known[k] {
			continue
		}
		known[k] = true
		if mode == "autoMapInputData" && header != nil {
			switch extra {
			case "ignoreIt":
				continue
			case "error":
				return fail(NewNodeError("Unexpected fields in node input"))
			}
		}
		newHeader = append(newHeader, k)
	}
	if len(newHeader) != len(header) {
		hdr := make([]any, len(newHeader))
		for i, h := range newHeader {
			hdr[i] = h
		}
		rng := sheetsRange(title, fmt.Sprintf("A%d:%s%d", keyRow, sheetsColumn(len(newHeader)), keyRow))
		body := map[string]any{"range": rng, "majorDimension": "ROWS", "values": []any{hdr}}
		if err := s.call(http.MethodPut, "/v4/spreadsheets/"+url.PathEscape(doc)+"/values/"+url.PathEscape(rng),
			url.Values{"valueInputOption": {"RAW"}}, body, nil); err != nil {
			return fail(err)
		}
	}
	values := make([]any, len(rows))
	for i, r := range rows {
		cells := make([]any, len(newHeader))
		for j, h := range newHeader {
			v, ok := r[h]
			if !ok {
				cells[j] = ""
				continue
			}
			cells[j] = sheetsCell(v)
		}
		values[i] = cells
	}
	format := optString(p.Options, "USER_ENTERED", "cellFormat")
	if s.ctx.Node.TypeVersion < 4.1 && optString(p.Options, "", "cellFormat") == "" {
		format = "RAW"
	}
	rng := sheetsRange(title, fmt.Sprintf("A%d:%s%d", keyRow, sheetsColumn(len(newHeader)), keyRow))
	body := map[string]any{"range": rng, "majorDimension": "ROWS", "values": values}
	if err := s.call(http.MethodPost, "/v4/spreadsheets/"+url.PathEscape(doc)+"/values/"+url.PathEscape(rng)+":append",
		url.Values{"valueInputOption": {format}, "insertDataOption": {"INSERT_ROWS"}}, body, nil); err != nil {
		return fail(err)
	}
	out := make([]Item, len(items))
	for i, it := range items {
		if mode == "autoMapInputData" {
			out[i] = it
			out[i].PairedItem = PairedItems{{Item: i}}
			continue
		}
		out[i] = NewItem(rows[i])
		out[i].PairedItem = PairedItems{{Item: i}}
	}
	return [][]Item{out}, nil
}

// sheetsSchemaOrder lists the keys of v in the resource mapper schema's
// order, then the others sorted.
func sheetsSchemaOrder(columns map[string]any, v map[string]any) []string {
	var keys []string
	seen := map[string]bool{}
	schema, _ := columns["schema"].([]any)
	for _, f := range schema {
		m, _ := f.(map[string]any)
		id, _ := m["id"].(string)
		if _, ok := v[id]; ok && !seen[id] {
			keys = append(keys, id)
			seen[id] = true
		}
	}
	for _, k := range sortedKeys(v) {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

var a1Start = regexp.MustCompile(`^[A-Za-z]*([0-9]+)`)

// read returns the sheet's data rows (the header row's names as keys,
// row_number first) that match the filters, for input item i.
func (s *sheetsRun) read(i int, _ Item) ([]Item, error) {
	p, err := s.params(i)
	if err != nil {
		return nil, err
	}
	doc, title, err := s.target(p)
	if err != nil {
		return nil, err
	}
	loc, _ := p.Options["dataLocationOnSheet"].(map[string]any)
	loc, _ = loc["values"].(map[string]any)
	rng := sheetsRange(title, "")
	startRow, headerRow, firstData := 1, 1, 2
	switch optString(loc, "detectAutomatically", "rangeDefinition") {
	case "specifyRangeA1":
		a1 := optString(loc, "", "range")
		if a1 != "" {
			rng = sheetsRange(title, a1)
			if m := a1Start.FindStringSubmatch(a1); m != nil {
				startRow, _ = strconv.Atoi(m[1])
			}
			headerRow, firstData = startRow, startRow+1
		}
	case "specifyRange":
		headerRow = optInt(loc, 1, "headerRow")
		firstData = optInt(loc, headerRow+1, "firstDataRow")
	}
	qs := url.Values{
		"valueRenderOption":    {optString(p.Options, "UNFORMATTED_VALUE", "outputFormatting", "values", "general")},
		"dateTimeRenderOption": {optString(p.Options, "FORMATTED_STRING", "outputFormatting", "values", "date")},
	}
	data, err := s.getValues(doc, rng, qs)
	if err != nil {
		return nil, err
	}
	hi := headerRow - startRow
	if hi < 0 || hi >= len(data) {
		return nil, nil
	}
	header := make([]string, len(data[hi]))
	for j, c := range data[hi] {
		header[j] = fmt.Sprint(c)
	}
	var filters []map[string]any
	if fu, ok := p.FiltersUI["values"].([]any); ok {
		for _, f := range fu {
			if m, ok := f.(map[string]any); ok {
				if col, _ := rlValue(m["lookupColumn"]); col != "" {
					filters = append(filters, m)
				}
			}
		}
	}
	firstOnly, _ := p.Options["returnFirstMatch"].(bool)
	var out []Item
	for r := firstData - startRow; r < len(data); r++ {
		if r < 0 || r == hi {
			continue
		}
		row := data[r]
		if len(row) == 0 {
			continue
		}
		j := map[string]any{"row_number": float64(r + startRow)}
		order := []string{"row_number"}
		for c, h := range header {
			if h == "" {
				continue
			}
			var v any = ""
			if c < len(row) && row[c] != nil {
				v = row[c]
			}
			j[h] = v
			order = append(order, h)
		}
		if len(filters) > 0 && !sheetsMatch(j, filters, p.CombineFilters) {
			continue
		}
		out = append(out, NewItem(j).WithKeyOrder(&KeyOrder{Keys: order}))
		if firstOnly && len(filters) > 0 {
			break
		}
	}
	return out, nil
}

func sheetsMatch(row map[string]any, filters []map[string]any, combine string) bool {
	for _, f := range filters {
		col, _ := rlValue(f["lookupColumn"])
		want, _ := rlValue(f["lookupValue"])
		got, ok := row[col]
		ok = ok && plainText(got) == want
		if combine == "OR" && ok {
			return true
		}
		if combine != "OR" && !ok {
			return false
		}
	}
	return combine != "OR"
}

// googleAccessToken exchanges a signed service-account JWT for an access
// token (Google's OAuth 2.0 JWT bearer flow).
func googleAccessToken(ctx context.Context, cred map[string]any, scopes string) (string, error) {
	email := strings.TrimSpace(credString(cred, "email"))
	pemKey := strings.ReplaceAll(credString(cred, "privateKey"), `\n`, "\n")
	if email == "" || pemKey == "" {
		return "", NewNodeError("the googleApi credential needs the service account email and private key")
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(pemKey))
	if err != nil {
		return "", NewNodeError("the googleApi credential's private key is not a PEM RSA key")
	}
	return googleExchange(ctx, key, email, credString(cred, "delegatedEmail"), credBool(cred, "impersonate"), scopes)
}

func googleExchange(ctx context.Context, key *rsa.PrivateKey, email, delegated string, impersonate bool, scopes string) (string, error) {
	now := time.Now()
	sub := email
	if impersonate && delegated != "" {
		sub = delegated
	}
	claims := jwt.MapClaims{
		"iss": email, "sub": sub, "scope": scopes, "aud": googleTokenAudience,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		return "", NewNodeError("cannot sign the service account token: %v", err)
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {signed}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, svcEnvURL(googleTokenEnv, googleTokenAudience), strings.NewReader(form.Encode()))
	if err != nil {
		return "", NewNodeError("invalid token URL: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := svcDo(req)
	if err != nil {
		return "", err
	}
	if resp.Status >= 300 {
		ne := svcAPIError(resp.Status, svcJSONMessage(resp.Body))
		ne.Message = "Google refused the service account: " + ne.Message
		return "", ne
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(resp.Body, &tok) != nil || tok.AccessToken == "" {
		return "", &NodeError{Name: "NodeApiError", Message: "Google's token answer has no access_token"}
	}
	return tok.AccessToken, nil
}
