package nodes

import (
	"fmt"
	"strings"
	"testing"
)

// This file replays the conformance corpus node by node for the condition
// nodes and Edit Fields: each If, Filter, Switch, Set and Stop and Error
// node of every case is given the outputs n8n recorded for its parents and
// must produce the output n8n recorded for it (json only), with the
// runner's settings that shape a node's recorded output (executeOnce,
// alwaysOutputData, continueErrorOutput) applied as n8n applies them
// (confCase.replay).

// condCaseNodeTypes are the node types this file replays.
var condCaseNodeTypes = map[string]bool{
	"n8n-nodes-base.if":           true,
	"n8n-nodes-base.filter":       true,
	"n8n-nodes-base.switch":       true,
	"n8n-nodes-base.set":          true,
	"n8n-nodes-base.stopAndError": true,
}

// condExpectedToFail lists the case nodes (case/node) whose output weft
// cannot reproduce from the corpus alone yet. They run and are reported;
// the test fails if one of them starts to pass, so that it is taken off the
// list.
var condExpectedToFail = map[string]string{
	"expr-paired-item/Back":      "$('Node').item through Even, a Filter: the corpus does not record pairedItem and replay pairs items as the runner does by default",
	"exprtable-array-sets/Exprs": "key order: this replay feeds items without their key-order hints (the interpreter keeps them: temporal/local TestCorpus passes this case)",
	"exprtable-object/Exprs":     "key order: this replay feeds items without their key-order hints (the interpreter keeps them: temporal/local TestCorpus passes this case)",
}

func TestCondCorpus(t *testing.T) {
	// A disabled node is not run by n8n (the runner passes its input
	// through), so there is nothing of the node to test.
	replayed := 0
	forEachCaseNode(t, func(c *confCase, n *NodeInstance) bool {
		return condCaseNodeTypes[n.Type] && !n.Disabled && len(c.Expected.Nodes[n.Name]) > 0
	},
		func(t *testing.T, c *confCase, n *NodeInstance) {
			key := c.Name + "/" + n.Name
			var failures []string
			for run, d := range c.replay(t, n.Name) {
				replayed++
				if d != "" {
					failures = append(failures, fmt.Sprintf("run %d: %s", run, d))
				}
			}
			reason, expectedToFail := condExpectedToFail[key]
			switch {
			case expectedToFail && len(failures) == 0:
				t.Errorf("%s passes now; take it off condExpectedToFail (%s)", key, reason)
			case expectedToFail:
				t.Logf("expected to fail (%s): %s", reason, strings.Join(failures, "; "))
			case len(failures) > 0:
				t.Errorf("%s\n%s", c.Description, strings.Join(failures, "\n"))
			}
		})
	if replayed == 0 {
		t.Fatal("the corpus has no runs of the condition nodes")
	}
}

// TestCondCorpusValidates checks that every If, Filter, Switch, Set and Stop
// and Error node n8n ran passes save-time validation.
func TestCondCorpusValidates(t *testing.T) {
	checked := 0
	for _, c := range loadCases(t) {
		w := c.Workflow
		for _, n := range w.Nodes {
			if !condCaseNodeTypes[n.Type] {
				continue
			}
			checked++
			reg := Lookup(n.Type)
			if !reg.HasVersion(n.TypeVersion) {
				t.Errorf("%s/%s: version %v not supported", c.Name, n.Name, n.TypeVersion)
			}
			if err := reg.Node.Validate(n); err != nil {
				t.Errorf("%s/%s: %v", c.Name, n.Name, err)
			}
			// Every connected output must exist.
			for o, targets := range w.Connections[n.Name][ConnectionMain] {
				if len(targets) > 0 && o >= reg.OutputCount(n) {
					t.Errorf("%s/%s: output %d connected, node has %d", c.Name, n.Name, o, reg.OutputCount(n))
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no nodes checked")
	}
}
