package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Wait is n8n's Wait node. It is a control node: the interpreter asks Plan
// how long to wait, waits with a durable timer (or, for resume=webhook, for
// a call of the execution's resume URL, with an optional time limit), then
// records the run. Execute passes input 0 through, or outputs the item of
// the call that resumed the execution (Context.Control). Resuming on a form
// submission is not supported yet and refused by Validate.
type Wait struct{}

// WaitParams are the Wait node's parameters weft runs.
type WaitParams struct {
	Resume   string `json:"resume" doc:"When to resume: timeInterval (after a time) or specificTime (at a date and time)."`
	Amount   any    `json:"amount" doc:"How many units to wait (resume=timeInterval); a number, at least 0."`
	Unit     string `json:"unit" doc:"Unit of amount: seconds, minutes, hours or days (resume=timeInterval)."`
	DateTime string `json:"dateTime" doc:"Date and time to resume at, ISO 8601; without an offset it is read in the workflow's timezone (resume=specificTime)."`

	HTTPMethod             string `json:"httpMethod" doc:"Method the resume URL answers (resume=webhook): GET (default), POST, PUT, PATCH, DELETE or HEAD."`
	ResponseMode           string `json:"responseMode" doc:"When the resume call is answered (resume=webhook): onReceived, as soon as the execution has been signalled."`
	ResponseCode           any    `json:"responseCode" doc:"HTTP status of the answer to the resume call (resume=webhook); default 200."`
	IncomingAuthentication string `json:"incomingAuthentication" doc:"Authentication of the resume call (resume=webhook): none."`
	LimitWaitTime          bool   `json:"limitWaitTime" doc:"Resume with the node's input when no call came in time (resume=webhook)."`
	LimitType              string `json:"limitType" doc:"afterTimeInterval (resumeAmount and resumeUnit) or atSpecifiedTime (maxDateAndTime)."`
	ResumeAmount           any    `json:"resumeAmount" doc:"How many resumeUnits the time limit is (limitType=afterTimeInterval)."`
	ResumeUnit             string `json:"resumeUnit" doc:"Unit of resumeAmount: seconds, minutes, hours or days."`
	MaxDateAndTime         string `json:"maxDateAndTime" doc:"Date and time the wait ends at the latest, ISO 8601 (limitType=atSpecifiedTime)."`
	Options                struct {
		WebhookSuffix string `json:"webhookSuffix" doc:"Path appended to the resume URL (/webhook-waiting/<execution id>/<suffix>); no expressions."`
		ResponseData  string `json:"responseData" doc:"Body of the answer to the resume call instead of n8n's {\"message\":\"Workflow was started\"}."`
	} `json:"options" doc:"Webhook options (resume=webhook)."`
}

// Wait resume modes.
const (
	WaitTimeInterval = "timeInterval"
	WaitSpecificTime = "specificTime"
	WaitWebhook      = "webhook"
)

func init() { Register(Wait{}) }

// Describe implements Node.
func (Wait) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.wait",
		DisplayName: "Wait",
		Summary:     "Pauses the execution for a time interval, until a date and time, or until its resume URL is called, durably.",
		Versions:    []float64{1, 1.1},
		Kind:        KindControl,
		Params:      WaitParams{},
	}
}

func waitDefaults() WaitParams {
	return WaitParams{Resume: WaitTimeInterval, Amount: 1.0, Unit: "hours", HTTPMethod: "GET", ResponseMode: "onReceived",
		ResponseCode: 200.0, IncomingAuthentication: "none", LimitType: "afterTimeInterval", ResumeAmount: 1.0, ResumeUnit: "hours"}
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
	case WaitWebhook:
		return validateWaitWebhook(n, &p)
	case "form":
		return ParamErrorf("resume", "resuming on a form submission is not supported yet; use webhook, timeInterval or specificTime")
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

// Execute implements Node: the wait is over by the time it runs. A wait
// that a call of the resume URL ended outputs that call's item
// (Context.Control); otherwise input 0 passes through.
func (Wait) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	if items, ok := ctx.Control.([]Item); ok {
		return [][]Item{items}, nil
	}
	if len(in) == 0 {
		return [][]Item{nil}, nil
	}
	return [][]Item{in[0]}, nil
}

// WaitPlan is how long a Wait node waits: a duration from now
// (timeInterval) or a point in time (specificTime); for resume=webhook,
// until its resume URL is called, at most that long when either is set.
type WaitPlan struct {
	// Duration is the time to wait when Until is zero.
	Duration time.Duration `json:"duration,omitempty"`
	// Until is the time to resume at, when set.
	Until time.Time `json:"until,omitzero"`
	// Webhook is set when the node waits for a call of its resume URL;
	// Duration and Until are then the time limit (none when both are
	// zero).
	Webhook *WaitWebhookPlan `json:"webhook,omitempty"`
}

// WaitWebhookPlan is how a Wait node's resume URL answers.
type WaitWebhookPlan struct {
	// Method is the HTTP method the resume URL accepts.
	Method string `json:"method"`
	// Suffix is the path after /webhook-waiting/<execution id>/, if any.
	Suffix string `json:"suffix,omitempty"`
	// ResponseCode and ResponseData make the answer to the call.
	ResponseCode int    `json:"responseCode,omitempty"`
	ResponseData string `json:"responseData,omitempty"`
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
	case WaitWebhook:
		return planWaitWebhook(ctx, &p)
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
