package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/api/enums/v1"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/protobuf/proto"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// syncBuffer is a buffer zap may write to from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestSecuritySecrets: a credential's secret is not in its database row,
// another key cannot open it, a tampered row is refused (by the API and by
// the node that uses it) and other credentials keep working; a run that
// uses a credential and fails leaves the secret in no log line (API and
// worker, debug level), no API answer or error, no run data and no Temporal
// history event.
func TestSecuritySecrets(t *testing.T) {
	const token = "tok-SECRET-4c1d9e"
	const password = "pw-SECRET-77aa01"
	secrets := []string{token, password, base64.StdEncoding.EncodeToString([]byte("ann:" + password))}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"upstream is down"}`, http.StatusInternalServerError)
	}))
	defer upstream.Close()
	nodes.SetNetPolicy(nodes.NetPolicy{AllowNets: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	defer nodes.SetNetPolicy(nodes.NetPolicy{})

	var logs syncBuffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewDevelopmentEncoderConfig()), zapcore.AddSync(&logs), zap.DebugLevel))
	db := dbtestSQLite(t)
	st := newStackWith(t, db, nil, func(acts *temporal.Activities) { acts.Logger = log.Named("worker") })
	a := &testAPI{t: t, db: db, srv: New(Config{JWTSecret: []byte("test-secret-test-secret-test-secret"), EncryptionKeys: testKeys}, db, st.runner, log.Named("api"))}
	ann := a.register("ann@example.com").AccessToken
	bearer := a.createCredential(ann, map[string]any{"name": "t", "type": "httpBearerAuth", "data": map[string]any{"token": token}})
	basic := a.createCredential(ann, map[string]any{"name": "b", "type": "httpBasicAuth", "data": map[string]any{"user": "ann", "password": password}})
	check := func(where, text string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Fatalf("%s holds the secret %q", where, s)
			}
		}
	}

	// At rest: the row holds ciphertext only; another key cannot open it.
	var rows []persistence.CredentialRow
	db.Gorm().Find(&rows)
	if len(rows) != 2 {
		t.Fatalf("%d credential rows", len(rows))
	}
	for _, r := range rows {
		check("credentials row", r.Data+r.Name+r.Type)
	}
	other, err := persistence.NewKeyring("another-key-entirely-0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Credentials(other).Get(t.Context(), persistence.Scope{Admin: true}, bearer.ID); err == nil {
		t.Fatal("another key opened the credential")
	}

	// A run that uses both credentials and fails.
	h1 := node("Basic", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": upstream.URL + "/basic", "authentication": "genericCredentialType", "genericAuthType": "httpBasicAuth",
		"options": map[string]any{"response": map[string]any{"response": map[string]any{"neverError": true}}}})
	h1["credentials"] = map[string]any{"httpBasicAuth": map[string]any{"id": basic.ID, "name": "b"}}
	h2 := node("Bearer", "n8n-nodes-base.httpRequest", 4.2, map[string]any{"url": upstream.URL + "/bearer", "authentication": "genericCredentialType", "genericAuthType": "httpBearerAuth"})
	h2["credentials"] = map[string]any{"httpBearerAuth": map[string]any{"id": bearer.ID, "name": "t"}}
	wf := a.create(ann, chain("uses secrets", manualTrigger(), h1, h2))
	ex := a.execute(ann, wf.ID, "?wait=true", nil)
	ex = a.awaitStatus(ann, ex.ID, nodes.StatusError)
	answers := ""
	for _, url := range []string{"/api/executions/" + ex.ID, "/api/executions/" + ex.ID + "/data", "/api/credentials/" + bearer.ID, "/api/credentials/" + basic.ID,
		"/api/credentials", "/api/workflows/" + wf.ID} {
		w, body := a.do("GET", url, ann, nil, nil)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", url, w.Code, body)
		}
		check(url, string(body))
		answers += string(body)
	}
	if !strings.Contains(answers, "upstream is down") && !strings.Contains(answers, "500") {
		t.Fatalf("the run did not fail at the upstream: %s", answers)
	}
	_, body := a.do("POST", "/api/credentials/"+bearer.ID+"/test", ann, nil, nil)
	check("credential test answer", string(body))
	iter := st.client.GetWorkflowHistory(context.Background(), temporal.WorkflowID(ex.ID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	var history []byte
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := proto.Marshal(ev)
		history = append(history, b...)
	}
	check("Temporal history", string(history))
	if !strings.Contains(string(history), "uses secrets") {
		t.Fatal("the history search would not find anything: the workflow's name is missing")
	}
	var audit []persistence.AuditEntry
	db.Gorm().Find(&audit)
	for _, e := range audit {
		check("audit", e.Details)
	}

	// Tampering: the API refuses to open the row, the node that uses it
	// fails with an error naming no secret, and the other credential
	// still opens.
	var row persistence.CredentialRow
	db.Gorm().Where("id = ?", bearer.ID).Take(&row)
	raw, _ := base64.StdEncoding.DecodeString(row.Data)
	raw[len(raw)/2] ^= 0x20
	if err := db.Gorm().Exec("UPDATE credentials SET data = ? WHERE id = ?", base64.StdEncoding.EncodeToString(raw), bearer.ID).Error; err != nil {
		t.Fatal(err)
	}
	a.runAttacks([]attack{
		{scenario: scenario{name: "tampered credential", method: "GET", url: "/api/credentials/" + bearer.ID, token: ann, status: 500, absent: secrets},
			then: scenario{name: "other credential", method: "GET", url: "/api/credentials/" + basic.ID, token: ann, contains: []string{`"user":"ann"`}, absent: secrets}},
	})
	ex2 := a.execute(ann, wf.ID, "?wait=true", nil)
	ex2 = a.awaitStatus(ann, ex2.ID, nodes.StatusError)
	_, data := a.do("GET", "/api/executions/"+ex2.ID+"/data", ann, nil, nil)
	check("run data of the tampered run", string(data))
	if !strings.Contains(string(data), "Bearer") {
		t.Fatalf("run data: %s", data)
	}

	check("logs", logs.String())
	if !strings.Contains(logs.String(), "request") {
		t.Fatal("nothing was logged: the log search would not find anything")
	}
}
