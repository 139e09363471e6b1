package nodes_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/nodes/expr"
)

func waitNode(params map[string]any) *nodes.NodeInstance {
	return &nodes.NodeInstance{Name: "Wait", Type: "n8n-nodes-base.wait", TypeVersion: 1.1, Parameters: params}
}

func TestWaitValidate(t *testing.T) {
	cases := []struct {
		name   string
		params map[string]any
		want   string
	}{
		{"defaults", obj(), ""},
		{"interval", obj("resume", "timeInterval", "amount", 2.0, "unit", "seconds"), ""},
		{"interval expression", obj("amount", "={{ $json.n }}", "unit", "={{ $json.u }}"), ""},
		{"bad unit", obj("unit", "weeks"), `parameter "unit"`},
		{"negative amount", obj("amount", -1.0), `parameter "amount"`},
		{"specific time", obj("resume", "specificTime", "dateTime", "2030-01-02T03:04:05Z"), ""},
		{"specific time expression", obj("resume", "specificTime", "dateTime", "={{ $now.plus(1, 'day') }}"), ""},
		{"bad time", obj("resume", "specificTime", "dateTime", "tomorrow"), `parameter "dateTime"`},
		{"webhook with lastNode refused", obj("resume", "webhook", "responseMode", "lastNode"), "not supported"},
		{"form refused", obj("resume", "form"), "not supported yet"},
		{"webhook", obj("resume", "webhook", "httpMethod", "POST", "options", obj("webhookSuffix", "approve")), ""},
		{"webhook with limit", obj("resume", "webhook", "limitWaitTime", true, "limitType", "afterTimeInterval", "resumeAmount", 2.0, "resumeUnit", "minutes"), ""},
		{"webhook limit at time", obj("resume", "webhook", "limitWaitTime", true, "limitType", "atSpecifiedTime", "maxDateAndTime", "2030-01-02T03:04:05Z"), ""},
		{"webhook bad method", obj("resume", "webhook", "httpMethod", "BREW"), `parameter "httpMethod"`},
		{"webhook bad limit unit", obj("resume", "webhook", "limitWaitTime", true, "resumeUnit", "weeks"), `parameter "resumeUnit"`},
		{"webhook auth refused", obj("resume", "webhook", "incomingAuthentication", "basicAuth"), "not supported yet"},
		{"unknown resume", obj("resume", "never"), "unknown resume mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := nodes.Wait{}.Validate(waitNode(c.params))
			if c.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestWaitPlan(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		params map[string]any
		item   map[string]any
		want   nodes.WaitPlan
		err    string
	}{
		{"default is one hour", obj(), nil, nodes.WaitPlan{Duration: time.Hour}, ""},
		{"seconds", obj("amount", 2.0, "unit", "seconds"), nil, nodes.WaitPlan{Duration: 2 * time.Second}, ""},
		{"fractional minutes", obj("amount", 1.5, "unit", "minutes"), nil, nodes.WaitPlan{Duration: 90 * time.Second}, ""},
		{"days", obj("amount", 1.0, "unit", "days"), nil, nodes.WaitPlan{Duration: 24 * time.Hour}, ""},
		{"amount from an expression", obj("amount", "={{ $json.n }}", "unit", "seconds"), obj("n", 3.0), nodes.WaitPlan{Duration: 3 * time.Second}, ""},
		{"amount as text", obj("amount", "4", "unit", "seconds"), nil, nodes.WaitPlan{Duration: 4 * time.Second}, ""},
		{"specific time with offset", obj("resume", "specificTime", "dateTime", "2030-01-02T03:04:05+01:00"), nil,
			nodes.WaitPlan{Until: time.Date(2030, 1, 2, 2, 4, 5, 0, time.UTC)}, ""},
		{"specific time in the workflow zone", obj("resume", "specificTime", "dateTime", "2030-07-01T12:00:00"), nil,
			nodes.WaitPlan{Until: time.Date(2030, 7, 1, 10, 0, 0, 0, time.UTC)}, ""},
		{"bad time from an expression", obj("resume", "specificTime", "dateTime", "={{ 'soon' }}"), nil, nodes.WaitPlan{}, "invalid date and time"},
		{"amount not a number", obj("amount", "={{ 'lots' }}"), nil, nodes.WaitPlan{}, "must be a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := waitNode(c.params)
			ctx := &nodes.Context{Context: context.Background(), Workflow: &nodes.Workflow{Nodes: []*nodes.NodeInstance{n}},
				Node: n, Inputs: [][]nodes.Item{{nodes.NewItem(c.item)}}, Expr: expr.New(expr.Options{}), Location: berlin}
			got, err := nodes.Wait{}.Plan(ctx)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Duration != c.want.Duration || !got.Until.Equal(c.want.Until) {
				t.Fatalf("plan %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestWaitPassesInputThrough(t *testing.T) {
	n := waitNode(obj())
	n.TypeVersion = 1
	in := items(obj("a", 1.0), obj("a", 2.0))
	run := nodes.RunNode(&nodes.Context{Context: context.Background(), Node: n, Inputs: [][]nodes.Item{in}})
	if got := outputJSON(t, run); got != `[[{"a":1},{"a":2}]]` {
		t.Fatalf("output %s", got)
	}
}
