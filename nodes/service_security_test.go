package nodes

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestSecurityServiceNodesSSRF: the service nodes whose base URL a user
// sets in a credential (GitHub Enterprise's server, an S3-compatible
// endpoint) go through the same network policy as HTTP Request: under the
// default policy a loopback or metadata address is refused with a node
// error and the internal server never sees a request; once the policy
// allows the address, the same call works.
func TestSecurityServiceNodesSSRF(t *testing.T) {
	var hits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"hello","full_name":"octo/hello"}`))
	}))
	defer internal.Close()
	strict := context.Background() // the default policy: nothing internal

	cases := []struct {
		name, typ string
		version   float64
		params    string
		creds     testCreds
	}{
		{"GitHub server on loopback", "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`,
			testCreds{"githubApi": {"server": internal.URL, "accessToken": "ghp_x"}}},
		{"GitHub server named localhost", "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`,
			testCreds{"githubApi": {"server": strings.Replace(internal.URL, "127.0.0.1", "localhost", 1), "accessToken": "ghp_x"}}},
		{"S3 endpoint at the metadata address", "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"upload","bucketName":"files","fileName":"b.txt","binaryData":false,"fileContent":"text"}`,
			testCreds{"aws": {"region": "us-east-1", "accessKeyId": "AKIA", "secretAccessKey": "s", "customEndpoints": true, "s3Endpoint": "http://169.254.169.254"}}},
		{"S3 endpoint on a private network", "n8n-nodes-base.awsS3", 2, `{"resource":"file","operation":"upload","bucketName":"files","fileName":"b.txt","binaryData":false,"fileContent":"text"}`,
			testCreds{"aws": {"region": "us-east-1", "accessKeyId": "AKIA", "secretAccessKey": "s", "customEndpoints": true, "s3Endpoint": "http://10.0.0.1:9000"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runServiceIn(t, strict, c.typ, c.version, c.params, c.creds, "")
			if err == nil || !strings.Contains(err.Error(), "refused") {
				t.Fatalf("want a refusal by the network policy, got %v", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the internal server got %d requests", n)
	}
	// Follow-up: the operator allows loopback and the call goes through.
	out, err := runServiceIn(t, testNetContext(), "n8n-nodes-base.github", 1, `{"resource":"repository","operation":"get","owner":"octo","repository":"hello"}`,
		testCreds{"githubApi": {"server": internal.URL, "accessToken": "ghp_x"}}, "")
	if err != nil || out[0][0].JSON["full_name"] != "octo/hello" || hits.Load() != 1 {
		t.Fatalf("allowed call: %v %v", out, err)
	}
}
