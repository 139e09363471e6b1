// Package corpus reads the n8n conformance corpus (workflows with the output
// real n8n produced for them, format in shared/conformance/README.md) and
// gives the one JSON form in which outputs are compared. It depends on no
// other weft package, so that the node tests (package nodes and its
// subpackages) and the conformance runner (temporal/conformance) can share
// it; the workflow is left as raw JSON for the caller to parse.
package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Case is one corpus file.
type Case struct {
	// Name and Description say what the case pins down.
	Name        string `json:"name"`
	Description string `json:"description"`
	// Workflow is the n8n workflow that was run, as JSON.
	Workflow json.RawMessage `json:"workflow"`
	// Expected is what n8n produced.
	Expected Expected `json:"expected"`
	// File is the path the case was read from.
	File string `json:"-"`
}

// Expected is n8n's outcome for a case.
type Expected struct {
	// Status is the execution's status: success or error.
	Status string `json:"status"`
	// Order lists the node of every run in execution order.
	Order []string `json:"order"`
	// Nodes holds every run of every node n8n ran.
	Nodes map[string][]Run `json:"nodes"`
}

// Run is one run of a node as n8n recorded it.
type Run struct {
	// Status is the run's executionStatus.
	Status string `json:"status"`
	// Output holds, per main output, the items' json.
	Output [][]map[string]any `json:"output"`
	// Error is n8n's error message for a failed run.
	Error string `json:"error,omitempty"`
}

// Load reads one case file. A case without a name is named after its file.
func Load(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Workflow) == 0 {
		return nil, fmt.Errorf("%s: no workflow", path)
	}
	c.File = path
	if c.Name == "" {
		c.Name = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	return &c, nil
}

// LoadDir reads every case in dir whose file name matches pattern (a
// filepath.Match pattern such as "*.json" or "expr*.json"), sorted by file
// name. It fails when none matches.
func LoadDir(dir, pattern string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no case files (%s) in %s", pattern, dir)
	}
	sort.Strings(paths)
	cases := make([]*Case, 0, len(paths))
	for _, p := range paths {
		c, err := Load(p)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// Find returns the corpus directory shared/conformance/cases that sits
// beside the repository holding dir: the repository root is found by walking
// up to go.mod, then its parent directories are searched for
// shared/conformance/cases (../shared for the main checkout, ../../shared for
// a worktree under wt/). It fails when the corpus is missing.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("conformance: no go.mod above " + dir)
		}
		dir = parent
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		corpus := filepath.Join(d, "shared", "conformance", "cases")
		if st, err := os.Stat(corpus); err == nil && st.IsDir() {
			return corpus, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("conformance: corpus shared/conformance/cases not found beside " + dir)
		}
	}
}

// Outputs returns a node's outputs (one list of item json per output) in
// the form they are compared in: the values encoding/json decodes, so that
// equal JSON compares equal, with trailing empty (or null) outputs dropped,
// as the corpus README says. A value JSON cannot encode comes back as a
// message that equals no output.
func Outputs(v any) []any {
	b, err := json.Marshal(v)
	if err != nil {
		return []any{"unencodable: " + err.Error()}
	}
	var outs []any
	if err := json.Unmarshal(b, &outs); err != nil {
		return []any{"undecodable: " + err.Error()}
	}
	for len(outs) > 0 {
		last, _ := outs[len(outs)-1].([]any)
		if len(last) > 0 {
			break
		}
		outs = outs[:len(outs)-1]
	}
	if outs == nil {
		outs = []any{}
	}
	return outs
}
