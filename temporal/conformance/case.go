// Package conformance reads the n8n conformance corpus (workflows with the
// output real n8n produced for them) and compares what weft did with what
// n8n did, following the corpus README: runs per node, status, per-output
// item json (trailing empty outputs count as absent), nodes n8n did not run,
// and the execution order.
package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/weft/weft/nodes"
)

// Case is one corpus file.
type Case struct {
	// Name and Description say what the case pins down.
	Name        string `json:"name"`
	Description string `json:"description"`
	// Workflow is the n8n workflow that was run.
	Workflow *nodes.Workflow `json:"-"`
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
	Nodes map[string][]ExpectedRun `json:"nodes"`
}

// ExpectedRun is one run of a node as n8n recorded it.
type ExpectedRun struct {
	// Status is the run's executionStatus.
	Status string `json:"status"`
	// Output holds, per main output, the items' json.
	Output [][]map[string]any `json:"output"`
	// Error is n8n's error message for a failed run (informational).
	Error string `json:"error,omitempty"`
}

// Load reads one case file.
func Load(path string) (*Case, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Case
		Workflow json.RawMessage `json:"workflow"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(raw.Workflow) == 0 {
		return nil, fmt.Errorf("%s: no workflow", path)
	}
	w, err := nodes.ParseWorkflow(raw.Workflow)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := raw.Case
	c.Workflow = w
	c.File = path
	if c.Name == "" {
		c.Name = strings.TrimSuffix(filepath.Base(path), ".json")
	}
	return &c, nil
}

// LoadDir reads every *.json case in dir, sorted by file name.
func LoadDir(dir string) ([]*Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no case files (*.json) in %s", dir)
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

// FindCorpus returns the corpus directory shared/conformance/cases that sits
// beside the repository holding dir: the repository root is found by walking
// up to go.mod, then its parent directories are searched for
// shared/conformance/cases (../shared for the main checkout, ../../shared for
// a worktree under wt/). It fails when the corpus is missing.
func FindCorpus(dir string) (string, error) {
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
