package nodes

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// sheetsServer is a Google token endpoint and a Sheets API v4 with one
// spreadsheet "doc1" holding sheets in memory.
type sheetsServer struct {
	*apiServer
	mu     sync.Mutex
	sheets map[string][][]any // title -> rows
	gids   map[string]string  // gid -> title
	calls  []string
}

func newSheetsServer(t *testing.T, pub *rsa.PublicKey) *sheetsServer {
	s := &sheetsServer{sheets: map[string][][]any{}, gids: map[string]string{}}
	s.apiServer = newAPIServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.URL.Path == "/token" {
			form, err := url.ParseQuery(string(body))
			if err != nil || r.Method != "POST" || form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
				return fmt.Errorf("token request %s %s", r.Method, body)
			}
			tok, err := jwt.Parse(form.Get("assertion"), func(*jwt.Token) (any, error) { return pub, nil },
				jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(googleTokenAudience), jwt.WithIssuer("bot@proj.iam.gserviceaccount.com"))
			if err != nil {
				return writeJSON(w, 400, map[string]any{"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
			}
			claims := tok.Claims.(jwt.MapClaims)
			if !strings.Contains(claims["scope"].(string), "https://www.googleapis.com/auth/spreadsheets") {
				return fmt.Errorf("scope %v", claims["scope"])
			}
			return writeJSON(w, 200, map[string]any{"access_token": "ya29.test-access", "expires_in": 3599, "token_type": "Bearer"})
		}
		if r.Header.Get("Authorization") != "Bearer ya29.test-access" {
			return writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 401, "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}})
		}
		const prefix = "/v4/spreadsheets/"
		if !strings.HasPrefix(r.URL.Path, prefix) {
			return fmt.Errorf("path %s", r.URL.Path)
		}
		rest := strings.TrimPrefix(r.URL.Path, prefix)
		doc, rest, _ := strings.Cut(rest, "/")
		if doc != "doc1" {
			return writeJSON(w, 404, map[string]any{"error": map[string]any{"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}})
		}
		s.calls = append(s.calls, r.Method+" "+rest+" "+r.URL.RawQuery)
		if rest == "" {
			var sheets []any
			for gid, title := range s.gids {
				id, _ := strconv.Atoi(gid)
				sheets = append(sheets, map[string]any{"properties": map[string]any{"sheetId": id, "title": title, "index": 0, "sheetType": "GRID"}})
			}
			return writeJSON(w, 200, map[string]any{"sheets": sheets})
		}
		rng, ok := strings.CutPrefix(rest, "values/")
		if !ok {
			return fmt.Errorf("path %s", r.URL.Path)
		}
		rng, isAppend := strings.CutSuffix(rng, ":append")
		quoted, a1, _ := strings.Cut(rng, "!")
		title := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(quoted, "'"), "'"), "''", "'")
		rows, ok := s.sheets[title]
		if !ok {
			return writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "message": "Unable to parse range: " + rng, "status": "INVALID_ARGUMENT"}})
		}
		switch {
		case r.Method == "GET":
			vals := rows
			if a1 != "" { // only "A<n>:<col><m>" row windows are needed
				from, to := a1Rows(a1)
				vals = nil
				for i := from - 1; i < to && i < len(rows); i++ {
					vals = append(vals, rows[i])
				}
			}
			return writeJSON(w, 200, map[string]any{"range": rng, "majorDimension": "ROWS", "values": vals})
		case r.Method == "PUT" || isAppend:
			var req struct {
				Values [][]any `json:"values"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				return err
			}
			if r.URL.Query().Get("valueInputOption") == "" {
				return fmt.Errorf("no valueInputOption")
			}
			if isAppend {
				s.sheets[title] = append(rows, req.Values...)
				return writeJSON(w, 200, map[string]any{"spreadsheetId": "doc1", "tableRange": rng,
					"updates": map[string]any{"spreadsheetId": "doc1", "updatedRows": len(req.Values)}})
			}
			from, _ := a1Rows(a1)
			for len(rows) < from {
				rows = append(rows, []any{})
			}
			rows[from-1] = req.Values[0]
			s.sheets[title] = rows
			return writeJSON(w, 200, map[string]any{"spreadsheetId": "doc1", "updatedRange": rng, "updatedRows": 1})
		}
		return fmt.Errorf("unexpected %s", r.Method)
	})
	return s
}

func a1Rows(a1 string) (int, int) {
	parts := strings.Split(a1, ":")
	num := func(s string) int {
		n, _ := strconv.Atoi(strings.TrimLeft(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
		return n
	}
	if len(parts) == 1 {
		return num(parts[0]), num(parts[0])
	}
	return num(parts[0]), num(parts[1])
}

func googleTestCreds(t *testing.T) (testCreds, *rsa.PublicKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	// n8n stores keys pasted with literal \n sequences too.
	pemKey = strings.ReplaceAll(pemKey, "\n", `\n`)
	return testCreds{"googleApi": {"email": "bot@proj.iam.gserviceaccount.com", "privateKey": pemKey}}, &key.PublicKey
}

func TestGoogleSheetsAppendAndRead(t *testing.T) {
	creds, pub := googleTestCreds(t)
	srv := newSheetsServer(t, pub)
	t.Setenv(googleSheetsEnv, srv.URL)
	t.Setenv(googleTokenEnv, srv.URL+"/token")
	srv.sheets["Sales 'Q1'"] = [][]any{{"name", "qty"}, {"pen", 3.0}}
	srv.gids["0"] = "Sales 'Q1'"

	out, err := runService(t, "n8n-nodes-base.googleSheets", 4.5, `{"authentication":"serviceAccount","resource":"sheet","operation":"append",
		"documentId":{"__rl":true,"mode":"url","value":"https://docs.google.com/spreadsheets/d/doc1/edit#gid=0"},
		"sheetName":{"__rl":true,"mode":"list","value":"gid=0"},
		"columns":{"mappingMode":"autoMapInputData","value":{}},"options":{}}`, creds, "",
		NewItem(map[string]any{"name": "ink", "qty": 5.0, "note": "new"}), NewItem(map[string]any{"qty": 1.0, "name": "cap", "tags": []any{"a"}}))
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0]) != 2 || out[0][0].JSON["name"] != "ink" || out[0][1].PairedItem[0].Item != 1 {
		t.Fatalf("append output %s", mustJSONText(t, out[0]))
	}
	want := `[["name","qty","note","tags"],["pen",3],["ink",5,"new",""],["cap",1,"","[\"a\"]"]]`
	if got := mustJSONText(t, srv.sheets["Sales 'Q1'"]); got != want {
		t.Fatalf("sheet %s\nwant %s", got, want)
	}
	if !strings.Contains(strings.Join(srv.calls, "\n"), "valueInputOption=USER_ENTERED") {
		t.Fatalf("calls %v", srv.calls)
	}

	out, err = runService(t, "n8n-nodes-base.googleSheets", 4.5, `{"authentication":"serviceAccount","resource":"sheet","operation":"append",
		"documentId":{"__rl":true,"mode":"id","value":"doc1"},"sheetName":{"__rl":true,"mode":"name","value":"Sales 'Q1'"},
		"columns":{"mappingMode":"defineBelow","value":{"qty":"={{ $json.n * 2 }}","name":"cup"},"schema":[{"id":"name"},{"id":"qty"}]}}`, creds, "",
		NewItem(map[string]any{"n": 4.0}))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSONText(t, out[0][0].JSON); got != `{"name":"cup","qty":8}` {
		t.Fatalf("defineBelow output %s", got)
	}

	out, err = runService(t, "n8n-nodes-base.googleSheets", 4.5, `{"authentication":"serviceAccount","resource":"sheet","operation":"read",
		"documentId":{"__rl":true,"mode":"id","value":"doc1"},"sheetName":{"__rl":true,"mode":"name","value":"Sales 'Q1'"}}`, creds, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0]) != 4 {
		t.Fatalf("read %s", mustJSONText(t, out[0]))
	}
	b, _ := out[0][1].MarshalJSON()
	if !strings.Contains(string(b), `"json":{"row_number":3,"name":"ink","qty":5,"note":"new","tags":""}`) {
		t.Fatalf("row %s", b)
	}
	out, err = runService(t, "n8n-nodes-base.googleSheets", 4.5, `{"authentication":"serviceAccount","resource":"sheet","operation":"read",
		"documentId":{"__rl":true,"mode":"id","value":"doc1"},"sheetName":{"__rl":true,"mode":"name","value":"Sales 'Q1'"},
		"filtersUI":{"values":[{"lookupColumn":"qty","lookupValue":"={{ $json.q }}"}]}}`, creds, "", NewItem(map[string]any{"q": "8"}))
	if err != nil || len(out[0]) != 1 || out[0][0].JSON["name"] != "cup" || out[0][0].JSON["row_number"] != 5.0 {
		t.Fatalf("filtered read %v %v", out, err)
	}

	// A missing spreadsheet is Google's 404; the credential test exchanges a token.
	_, err = runService(t, "n8n-nodes-base.googleSheets", 4.5, `{"authentication":"serviceAccount","operation":"read",
		"documentId":{"__rl":true,"mode":"id","value":"nope"},"sheetName":{"__rl":true,"mode":"name","value":"x"}}`, creds, "")
	if ne := AsNodeError(err); ne == nil || ne.HTTPCode != "404" || ne.Description != "Requested entity was not found." {
		t.Fatalf("404: %+v", ne)
	}
	ct := LookupCredentialType("googleApi")
	if err := ct.Test(testNetContext(), creds["googleApi"]); err != nil {
		t.Fatal(err)
	}
	other, _ := googleTestCreds(t)
	if err := ct.Test(testNetContext(), other["googleApi"]); err == nil || !strings.Contains(err.Error(), "Google refused") {
		t.Fatalf("a key Google does not know: %v", err)
	}
	// OAuth2 (n8n's default) is refused with a clear error.
	n := &NodeInstance{Name: "N", Type: "n8n-nodes-base.googleSheets", TypeVersion: 4.5, Parameters: map[string]any{"operation": "read"}}
	ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, [][]Item{{NewItem(nil)}})
	if _, err := (GoogleSheets{}).Execute(ctx, ctx.Inputs); err == nil || !strings.Contains(err.Error(), "service account") {
		t.Fatalf("oauth2: %v", err)
	}
}

// s3Server is an S3 endpoint (path-style) that checks every request's
// SigV4 signature by recomputing it from what it received.
type s3Server struct {
	*apiServer
	mu      sync.Mutex
	objects map[string][]byte // "bucket/key"
	types   map[string]string
	headers map[string]http.Header
}

const (
	awsKeyID  = "AKIAIOSFODNN7EXAMPLE"
	awsSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func verifySigV4(r *http.Request, body []byte, service string) error {
	auth := r.Header.Get("Authorization")
	re := strings.NewReplacer("AWS4-HMAC-SHA256 ", "", " ", "")
	parts := map[string]string{}
	for _, p := range strings.Split(re.Replace(auth), ",") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	scope := strings.Split(parts["Credential"], "/")
	if len(scope) != 5 || scope[0] != awsKeyID || scope[2] != "us-east-1" || scope[3] != service {
		return fmt.Errorf("credential scope %q", parts["Credential"])
	}
	hash := awsHash(body)
	if service == "s3" && r.Header.Get("X-Amz-Content-Sha256") != hash {
		return fmt.Errorf("payload hash %q", r.Header.Get("X-Amz-Content-Sha256"))
	}
	// Rebuild the request from what arrived, with only the signed headers.
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	check, _ := http.NewRequest(r.Method, u.String(), nil)
	check.Host = r.Host
	for _, h := range strings.Split(parts["SignedHeaders"], ";") {
		if h != "host" && h != "x-amz-date" {
			check.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return err
	}
	awsSigner{AccessKey: awsKeyID, SecretKey: awsSecret, Region: "us-east-1", Service: service}.Sign(check, hash, when)
	if check.Header.Get("Authorization") != auth {
		return fmt.Errorf("signature mismatch:\n got %s\nwant %s", auth, check.Header.Get("Authorization"))
	}
	return nil
}

func newS3Server(t *testing.T) *s3Server {
	s := &s3Server{objects: map[string][]byte{}, types: map[string]string{}, headers: map[string]http.Header{}}
	s.apiServer = newAPIServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		service := "s3"
		if r.URL.Path == "/sts/" {
			service = "sts"
		}
		if err := verifySigV4(r, body, service); err != nil {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(403)
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>`)
			return nil
		}
		if service == "sts" {
			if string(body) != "Action=GetCallerIdentity&Version=2011-06-15" {
				return fmt.Errorf("sts body %s", body)
			}
			fmt.Fprint(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/Alice</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
			return nil
		}
		path := strings.TrimPrefix(r.URL.Path, "/")
		bucket, key, _ := strings.Cut(path, "/")
		switch {
		case path == "" && r.Method == "GET":
			fmt.Fprint(w, `<ListAllMyBucketsResult><Buckets><Bucket><Name>files</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`)
		case bucket != "files":
			w.WriteHeader(404)
			fmt.Fprint(w, `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`)
		case r.Method == "PUT" && key != "":
			s.objects[path] = body
			s.types[path] = r.Header.Get("Content-Type")
			s.headers[path] = r.Header.Clone()
			w.Header().Set("ETag", `"abc"`)
		case r.Method == "GET" && key != "":
			data, ok := s.objects[path]
			if !ok {
				w.WriteHeader(404)
				fmt.Fprint(w, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>`+key+`</Key></Error>`)
				return nil
			}
			w.Header().Set("Content-Type", s.types[path])
			w.Write(data)
		case r.Method == "GET":
			q := r.URL.Query()
			if q.Get("list-type") != "2" {
				return fmt.Errorf("query %s", r.URL.RawQuery)
			}
			var keys []string
			for k := range s.objects {
				k = strings.TrimPrefix(k, "files/")
				if strings.HasPrefix(k, q.Get("prefix")) {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			start := 0
			if tok := q.Get("continuation-token"); tok != "" {
				start, _ = strconv.Atoi(tok)
			}
			max := 2 // small pages to exercise continuation
			var b bytes.Buffer
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>files</Name>`)
			end := min(start+max, len(keys))
			for _, k := range keys[start:end] {
				fmt.Fprintf(&b, `<Contents><Key>%s</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;e&quot;</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>`,
					xmlEscape(k), len(s.objects["files/"+k]))
			}
			fmt.Fprintf(&b, `<KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys>`, end-start, max)
			if end < len(keys) {
				fmt.Fprintf(&b, `<IsTruncated>true</IsTruncated><NextContinuationToken>%d</NextContinuationToken>`, end)
			} else {
				b.WriteString(`<IsTruncated>false</IsTruncated>`)
			}
			b.WriteString(`</ListBucketResult>`)
			w.Header().Set("Content-Type", "application/xml")
			w.Write(b.Bytes())
		default:
			return fmt.Errorf("unexpected")
		}
		return nil
	})
	return s
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func TestAwsS3(t *testing.T) {
	srv := newS3Server(t)
	creds := testCreds{"aws": {"region": "us-east-1", "accessKeyId": awsKeyID, "secretAccessKey": awsSecret, "customEndpoints": true, "s3Endpoint": srv.URL}}
	file := NewItem(map[string]any{"id": 1.0})
	file.Binary = map[string]*Binary{"data": {Data: base64.StdEncoding.EncodeToString([]byte("hello s3")), MimeType: "text/plain", FileName: "a.txt"}}
	out, err := runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"upload","bucketName":"files","fileName":"a b+c.txt",
		"binaryPropertyName":"data","additionalFields":{"parentFolderKey":"docs","acl":"authenticatedRead","storageClass":"standardIa"},
		"tagsUi":{"tagsValues":[{"key":"team","value":"x y"}]}}`, creds, "", file)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSONText(t, out[0][0].JSON); got != `{"success":true}` {
		t.Fatalf("upload output %s", got)
	}
	h := srv.headers["files/docs/a b+c.txt"]
	if string(srv.objects["files/docs/a b+c.txt"]) != "hello s3" || h.Get("Content-Type") != "text/plain" ||
		h.Get("X-Amz-Acl") != "authenticated-read" || h.Get("X-Amz-Storage-Class") != "STANDARD_IA" || h.Get("X-Amz-Tagging") != "team=x+y" {
		t.Fatalf("stored %q headers %v", srv.objects["files/docs/a b+c.txt"], h)
	}
	_, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"upload","bucketName":"files","fileName":"b.txt","binaryData":false,"fileContent":"text"}`, creds, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"docs/c.json", "docs/sub/"} {
		srv.objects["files/"+k] = []byte("{}")
	}

	out, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"download","bucketName":"files","fileKey":"docs/a b+c.txt","binaryPropertyName":"file"}`,
		creds, "", NewItem(map[string]any{"keep": "me"}))
	if err != nil {
		t.Fatal(err)
	}
	b := out[0][0].Binary["file"]
	if out[0][0].JSON["keep"] != "me" || b == nil || b.Data != base64.StdEncoding.EncodeToString([]byte("hello s3")) || b.FileName != "a b+c.txt" ||
		b.MimeType != "text/plain" || b.FileExtension != "txt" || b.FileSize != "8 B" {
		t.Fatalf("download %+v", b)
	}

	out, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"getAll","bucketName":"files","returnAll":true,"options":{"folderKey":"docs/"}}`, creds, "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, it := range out[0] {
		keys = append(keys, it.JSON["Key"].(string))
	}
	if strings.Join(keys, ",") != "docs/a b+c.txt,docs/c.json" || out[0][0].JSON["Size"] != "8" || out[0][0].JSON["ETag"] != `"e"` {
		t.Fatalf("list %s", mustJSONText(t, out[0]))
	}
	out, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"getAll","bucketName":"files","limit":1}`, creds, "")
	if err != nil || len(out[0]) != 1 {
		t.Fatalf("limit: %v %v", out, err)
	}

	_, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"download","bucketName":"files","fileKey":"missing.txt"}`, creds, "")
	if ne := AsNodeError(err); ne == nil || ne.HTTPCode != "404" || ne.Description != "NoSuchKey: The specified key does not exist." {
		t.Fatalf("missing: %+v", ne)
	}
	wrong := testCreds{"aws": {"accessKeyId": awsKeyID, "secretAccessKey": "wrong-secret-value", "customEndpoints": true, "s3Endpoint": srv.URL}}
	_, err = runService(t, "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"download","bucketName":"files","fileKey":"b.txt"}`, wrong, "")
	if ne := AsNodeError(err); ne == nil || ne.HTTPCode != "403" || !strings.Contains(ne.Description, "SignatureDoesNotMatch") || strings.Contains(ne.Error(), "wrong-secret") {
		t.Fatalf("bad signature: %+v", ne)
	}

	ct := LookupCredentialType("aws")
	if err := ct.Test(testNetContext(), creds["aws"]); err != nil {
		t.Fatalf("ListBuckets test: %v", err)
	}
	t.Setenv(awsSTSEnv, srv.URL+"/sts")
	sts := map[string]any{"region": "us-east-1", "accessKeyId": awsKeyID, "secretAccessKey": awsSecret}
	if err := ct.Test(testNetContext(), sts); err != nil {
		t.Fatalf("STS test: %v", err)
	}
	sts["secretAccessKey"] = "nope"
	if err := ct.Test(testNetContext(), sts); err == nil || !strings.Contains(err.Error(), "signature") && !strings.Contains(AsNodeError(err).Description, "Signature") {
		t.Fatalf("STS test of a bad secret: %v", err)
	}
}

// TestSigV4Vectors checks the signer against AWS's documented examples.
func TestSigV4Vectors(t *testing.T) {
	// The SigV4 test suite's get-vanilla.
	req, _ := http.NewRequest("GET", "https://example.amazonaws.com/", nil)
	awsSigner{AccessKey: "AKIDEXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Region: "us-east-1", Service: "service"}.
		Sign(req, awsEmptyHash, time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("get-vanilla:\n got %s\nwant %s", got, want)
	}
	// The S3 API reference's GET Object example (Range header, empty payload).
	req, _ = http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	req.Header.Set("X-Amz-Content-Sha256", awsEmptyHash)
	awsSigner{AccessKey: awsKeyID, SecretKey: awsSecret, Region: "us-east-1", Service: "s3"}.
		Sign(req, awsEmptyHash, time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("S3 GET Object:\n got %s\nwant %s", got, want)
	}
}
