// Package conformance reads the n8n conformance corpus (workflows with the
// output real n8n produced for them) and compares what weft did with what
// n8n did, following the corpus README: runs per node, status, per-output
// item json (trailing empty outputs count as absent), nodes n8n did not run,
// and the execution order.
package conformance

import (
	"fmt"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/corpus"
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
type Expected = corpus.Expected

// ExpectedRun is one run of a node as n8n recorded it.
type ExpectedRun = corpus.Run

// Load reads one case file.
func Load(path string) (*Case, error) {
	rc, err := corpus.Load(path)
	if err != nil {
		return nil, err
	}
	return parse(rc)
}

// LoadDir reads every *.json case in dir, sorted by file name.
func LoadDir(dir string) ([]*Case, error) {
	raw, err := corpus.LoadDir(dir, "*.json")
	if err != nil {
		return nil, err
	}
	cases := make([]*Case, len(raw))
	for i, rc := range raw {
		if cases[i], err = parse(rc); err != nil {
			return nil, err
		}
	}
	return cases, nil
}

// parse parses a corpus file's workflow.
func parse(rc *corpus.Case) (*Case, error) {
	w, err := nodes.ParseWorkflow(rc.Workflow)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rc.File, err)
	}
	return &Case{Name: rc.Name, Description: rc.Description, Workflow: w, Expected: rc.Expected, File: rc.File}, nil
}

// FindCorpus returns the corpus directory shared/conformance/cases that sits
// beside the repository holding dir (see corpus.Find). It fails when the
// corpus is missing.
func FindCorpus(dir string) (string, error) { return corpus.Find(dir) }
