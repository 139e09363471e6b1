package nodes

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzWorkflowImport parses and validates arbitrary workflow JSON, as
// import and save do: whatever the bytes, the answer is a workflow or a
// coded error, never a crash. Seeds are the corpus workflows.
func FuzzWorkflowImport(f *testing.F) {
	f.Add([]byte(`{"nodes":[{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"parameters":{}}],"connections":{}}`))
	f.Add([]byte(`{"nodes":[{"name":"A","type":"n8n-nodes-base.code","typeVersion":2,"parameters":{"jsCode":"return items"}},{"name":"B","type":"n8n-nodes-base.set","typeVersion":3.4,"parameters":{"x":"={{ $json.a }}"}}],"connections":{"A":{"main":[[{"node":"B","type":"main","index":0}]]}}}`))
	f.Add([]byte(`{"nodes":[null],"connections":{"X":{"main":[[{"node":"Y","type":"main","index":-1}]]}}}`))
	f.Add([]byte(`{"nodes":[{"name":"A","type":"n8n-nodes-base.if","typeVersion":2,"parameters":{"conditions":{"conditions":[{"leftValue":"={{ 1 }}","operator":{"type":"number","operation":"gt"}}]}}}]}`))
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWorkflow(b)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("ParseWorkflow error %T %v has no code", err, err)
			}
			return
		}
		_ = ValidateWorkflow(w)
	})
}
