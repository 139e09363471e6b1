package nodes

import (
	"strings"
	"testing"
)

func TestValidateWorkflow(t *testing.T) {
	const trigger = `{"name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"position":[0,0],"parameters":{}}`
	noop := func(name string) string {
		return `{"name":"` + name + `","type":"n8n-nodes-base.noOp","typeVersion":1,"position":[200,0],"parameters":{}}`
	}
	conn := func(from, to string) string {
		return `"` + from + `":{"main":[[{"node":"` + to + `","type":"main","index":0}]]}`
	}
	cases := []struct {
		name, nodes, conns, want string
	}{
		{"ok", trigger + "," + noop("A"), conn("Start", "A"), ""},
		{"empty workflow", "", "", ""},
		{"unknown type", trigger + `,{"name":"X","type":"n8n-nodes-base.nope","typeVersion":1,"parameters":{}}`, "", `node "X" has unknown type`},
		{"unknown version", trigger + `,{"name":"X","type":"n8n-nodes-base.noOp","typeVersion":7,"parameters":{}}`, "", `has no version 7`},
		{"duplicate name", trigger + "," + noop("A") + "," + noop("A"), "", `two nodes are named "A"`},
		{"missing target", trigger, conn("Start", "Ghost"), `"Ghost", which does not exist`},
		{"missing source", trigger + "," + noop("A"), conn("Ghost", "A"), `node "Ghost", which does not exist`},
		{"missing output", trigger + "," + noop("A"), `"Start":{"main":[[],[{"node":"A","type":"main","index":0}]]}`, `has no output 1`},
		{"missing input", trigger + "," + noop("A"), `"Start":{"main":[[{"node":"A","type":"main","index":3}]]}`, `input 3 of node "A"`},
		{"no trigger", noop("A"), "", "no trigger"},
		{"cycle", trigger + "," + noop("A") + "," + noop("B"), conn("Start", "A") + "," + conn("A", "B") + "," + conn("B", "A"), "form a cycle"},
		{"self loop", trigger + "," + noop("A"), conn("A", "A"), "form a cycle"},
		{"bad onError", trigger + `,{"name":"X","type":"n8n-nodes-base.noOp","typeVersion":1,"onError":"explode","parameters":{}}`, "", `onError "explode"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ParseWorkflow([]byte(`{"name":"t","nodes":[` + c.nodes + `],"connections":{` + c.conns + `}}`))
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateWorkflow(w)
			if c.want == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("want error containing %q, got %v", c.want, err)
			}
			if ErrorCode(err) != CodeWorkflowInvalid {
				t.Fatalf("code = %q", ErrorCode(err))
			}
		})
	}
}

func TestPairedItemsJSON(t *testing.T) {
	for _, in := range []string{`0`, `{"item":0}`, `[{"item":0}]`, `[0]`} {
		var p PairedItems
		if err := p.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if len(p) != 1 || p[0].Item != 0 {
			t.Fatalf("%s: got %v", in, p)
		}
		b, _ := p.MarshalJSON()
		if string(b) != `{"item":0}` {
			t.Fatalf("%s: marshals as %s", in, b)
		}
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	w, err := ParseWorkflow([]byte(`{"name":"t","nodes":[],"connections":{},"settings":{"executionOrder":"v1","custom":{"a":1}}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := w.Settings.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"custom":{"a":1}`) || !strings.Contains(string(b), `"executionOrder":"v1"`) {
		t.Fatalf("settings lost data: %s", b)
	}
}

func TestRetrySettings(t *testing.T) {
	cases := []struct {
		n           NodeInstance
		tries, wait int
	}{
		{NodeInstance{}, 1, 0},
		{NodeInstance{RetryOnFail: true}, 3, 1000},
		{NodeInstance{RetryOnFail: true, MaxTries: 1}, 2, 1000},
		{NodeInstance{RetryOnFail: true, MaxTries: 9, WaitBetweenTries: 9000}, 5, 5000},
		{NodeInstance{RetryOnFail: true, MaxTries: 4, WaitBetweenTries: 250}, 4, 250},
	}
	for _, c := range cases {
		if got := c.n.Tries(); got != c.tries {
			t.Errorf("%+v: tries %d, want %d", c.n, got, c.tries)
		}
		if got := c.n.RetryWaitMillis(); got != c.wait {
			t.Errorf("%+v: wait %d, want %d", c.n, got, c.wait)
		}
	}
}
