package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Wait is n8n's Wait node. It is a control node: the interpreter asks Plan
// how long to wait, waits with a durable timer, then records the run, whose
// Execute passes input 0 through. Resuming on a webhook call or a form
// submission is not supported yet and refused by Validate.
type Wait struct{}

// WaitParams are the Wait node's parameters weft runs.
type WaitParams struct {
	Resume   string `json:"resume" doc:"When to resume: timeInterval (after a time) or specificTime (at a date and time)."`
	Amount   any    `json:"amount" doc:"How many units to wait (resume=timeInterval); a number, at least 0."`
	Unit     string `json:"unit" doc:"Unit of amount: seconds, minutes, hours or days (resume=timeInterval)."`
	DateTime string `json:"dateTime" doc:"Date and time to resume at, ISO 8601; without an offset it is read in the workflow's timezone (resume=specificTime)."`
}

// Wait resume modes.
const (
	WaitTimeInterval = "timeInterval"
	WaitSpecificTime = "specificTime"
)

func init() { Register(Wait{}) }

// Describe implements Node.
func (Wait) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.wait",
		DisplayName: "Wait",
		Summary:     "Pauses the execution for a time interval or until a date and time, durably.",
		Versions:    []float64{1, 1.1},
		Kind:        KindControl,
		Params:      WaitParams{},
	}
}

func waitDefaults() WaitParams {
	return WaitParams{Resume: WaitTimeInterval, Amount: 1.0, Unit: "hours"}
}

// Validate implements Node.
func (Wait) Validate(n *NodeInstance) error {
	p := waitDefaults()
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.Resume {
	case WaitTimeInterval:
		if _, ok := n.Parameters["unit"]; ok && !isExprParam(n, "unit") {
			if _, err := unitDuration(p.Unit); err != nil {
				return ParamErrorf("unit", "%v", err)
			}
		}
		if _, ok := n.Parameters["amount"]; ok && !isExprParam(n, "amount") {
			if a, err := waitAmount(p.Amount); err != nil || a < 0 {
				return ParamErrorf("amount", "must be a number of at least 0")
			}
		}
	case WaitSpecificTime:
		if !isExprParam(n, "dateTime") {
			if _, err := parseWaitTime(p.DateTime, time.UTC); err != nil {
				return ParamErrorf("dateTime", "%v", err)
			}
		}
	case "webhook", "form":
		return ParamErrorf("resume", "resuming on a %s call is not supported yet; use timeInterval or specificTime", p.Resume)
	default:
		return ParamErrorf("resume", "unknown resume mode %q", p.Resume)
	}
	return nil
}

func isExprParam(n *NodeInstance, name string) bool {
	v, ok := n.Parameters[name]
	if !ok {
		return false
	}
	s, isStr := v.(string)
	return isStr && strings.HasPrefix(s, "=")
}

// Execute implements Node: the wait is over by the time it runs, so input 0
// passes through.
func (Wait) Execute(_ *Context, in [][]Item) ([][]Item, error) {
	if len(in) == 0 {
		return [][]Item{nil}, nil
	}
	return [][]Item{in[0]}, nil
}

// WaitPlan is how long a Wait node waits: a duration from now
// (timeInterval) or a point in time (specificTime).
type WaitPlan struct {
	// Duration is the time to wait when Until is zero.
	Duration time.Duration `json:"duration,omitempty"`
	// Until is the time to resume at, when set.
	Until time.Time `json:"until,omitzero"`
}

// Plan evaluates the node's parameters for its first input item, as n8n
// does, and returns how long to wait.
func (Wait) Plan(ctx *Context) (WaitPlan, error) {
	p := waitDefaults()
	if err := ctx.Decode(0, &p); err != nil {
		return WaitPlan{}, err
	}
	switch p.Resume {
	case WaitTimeInterval:
		unit, err := unitDuration(p.Unit)
		if err != nil {
			return WaitPlan{}, NewNodeError("%v", err)
		}
		a, err := waitAmount(p.Amount)
		if err != nil {
			return WaitPlan{}, NewNodeError("Wait Amount must be a number, got %v", p.Amount)
		}
		return WaitPlan{Duration: max(time.Duration(a*float64(unit)), 0)}, nil
	case WaitSpecificTime:
		loc := ctx.Location
		if loc == nil {
			loc = time.UTC
		}
		t, err := parseWaitTime(p.DateTime, loc)
		if err != nil {
			return WaitPlan{}, NewNodeError("%v", err)
		}
		return WaitPlan{Until: t.UTC()}, nil
	}
	return WaitPlan{}, NewNodeError("resume mode %q is not supported", p.Resume)
}

func unitDuration(unit string) (time.Duration, error) {
	switch unit {
	case "seconds":
		return time.Second, nil
	case "minutes":
		return time.Minute, nil
	case "hours":
		return time.Hour, nil
	case "days":
		return 24 * time.Hour, nil
	}
	return 0, fmt.Errorf("unknown wait unit %q (seconds, minutes, hours or days)", unit)
}

func waitAmount(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// parseWaitTime reads an ISO 8601 date and time; one without an offset is in
// loc.
func parseWaitTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("no date and time to wait for")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date and time %q: use ISO 8601, e.g. 2025-01-31T17:00:00Z", s)
}

var _ Node = Wait{}
