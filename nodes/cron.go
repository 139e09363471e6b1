package nodes

import (
	"fmt"
	"time"
)

// Cron is n8n's legacy Cron node: like the Schedule Trigger, each of its
// trigger times becomes a Temporal schedule on activation. It emits one
// empty item, as n8n's does.
type Cron struct{}

// CronParams are the Cron node's parameters.
type CronParams struct {
	TriggerTimes struct {
		Item []CronTriggerTime `json:"item" doc:"The trigger times; each becomes a Temporal schedule."`
	} `json:"triggerTimes" doc:"Trigger times."`
}

// CronTriggerTime is one trigger time of a Cron node.
type CronTriggerTime struct {
	Mode           string `json:"mode" doc:"everyMinute, everyHour, everyDay, everyWeek, everyMonth, everyX or custom (default everyDay)."`
	Hour           int    `json:"hour" doc:"Hour, 0-23 (everyDay, everyWeek, everyMonth; default 14)."`
	Minute         int    `json:"minute" doc:"Minute, 0-59 (everyHour, everyDay, everyWeek, everyMonth; default 0)."`
	DayOfMonth     int    `json:"dayOfMonth" doc:"Day of the month, 1-31 (everyMonth; default 1)."`
	Weekday        string `json:"weekday" doc:"Weekday, 0 (Sunday) to 6 (everyWeek; default 1)."`
	Value          int    `json:"value" doc:"Every how many units (everyX; default 2)."`
	Unit           string `json:"unit" doc:"minutes or hours (everyX; default hours)."`
	CronExpression string `json:"cronExpression" doc:"Cron expression, 6 fields with seconds first or 5 (custom; default every second)."`
}

func init() { Register(Cron{}) }

// Describe implements Node.
func (Cron) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.cron",
		DisplayName: "Cron",
		Summary:     "Legacy schedule trigger: starts the workflow at the trigger times once it is activated, as Temporal schedules.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Trigger:     true,
		Params:      CronParams{},
		Schedules:   cronSchedules,
	}
}

// Validate implements Node.
func (Cron) Validate(n *NodeInstance) error {
	_, err := cronRules(n, true)
	return err
}

func cronSchedules(n *NodeInstance, _ *time.Location, _ time.Time) ([]Schedule, error) {
	return cronRules(n, false)
}

func cronRules(n *NodeInstance, exprOK bool) ([]Schedule, error) {
	items, err := ruleItems(n, "triggerTimes", "item", nil)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(items))
	for i, m := range items {
		p := &scheduleParams{path: fmt.Sprintf("triggerTimes.item[%d]", i), m: m, exprOK: exprOK}
		s := p.cronRule()
		if p.err != nil {
			return nil, p.err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *scheduleParams) cronRule() Schedule {
	mode := p.string("mode", "everyDay")
	hour := []Range{{Start: p.int("hour", 14, 0, 23)}}
	minute := p.int("minute", 0, 0, 59)
	cal := func(c Calendar) Schedule { return Schedule{Calendars: []Calendar{c}} }
	switch mode {
	case "everyMinute":
		c := calendarAt(0, nil, nil, nil, nil)
		c.Minute = []Range{{Start: 0, End: 59}}
		return cal(c)
	case "everyHour":
		return cal(calendarAt(minute, nil, nil, nil, nil))
	case "everyDay":
		return cal(calendarAt(minute, hour, nil, nil, nil))
	case "everyWeek":
		day := p.int("weekday", 1, 0, 6)
		return cal(calendarAt(minute, hour, nil, nil, []Range{{Start: day}}))
	case "everyMonth":
		day := p.int("dayOfMonth", 1, 1, 31)
		return cal(calendarAt(minute, hour, []Range{{Start: day}}, nil, nil))
	case "everyX":
		value := p.int("value", 2, 1, 1000)
		switch unit := p.string("unit", "hours"); unit {
		case "minutes":
			if value > 59 {
				p.fail("value", "every %d minutes: at most 59", value)
			}
			c := calendarAt(0, nil, nil, nil, nil)
			c.Minute = []Range{{Start: 0, End: 59, Step: value}}
			return cal(c)
		case "hours":
			if value > 23 {
				p.fail("value", "every %d hours: at most 23", value)
			}
			return cal(calendarAt(0, []Range{{Start: 0, End: 23, Step: value}}, nil, nil, nil))
		default:
			if !p.sawExpr {
				p.fail("unit", "unit %q is not minutes or hours", unit)
			}
		}
		return Schedule{}
	case "custom":
		expr := p.string("cronExpression", "* * * * * *")
		if p.err != nil || p.sawExpr {
			return Schedule{}
		}
		cals, err := ParseCron(expr)
		if err != nil {
			p.fail("cronExpression", "%v", err)
		}
		return Schedule{Calendars: cals}
	}
	if !p.sawExpr {
		p.fail("mode", "unknown mode %q (everyMinute, everyHour, everyDay, everyWeek, everyMonth, everyX or custom)", mode)
	}
	return Schedule{}
}

// Execute implements Node: one empty item, as n8n's Cron node emits.
func (Cron) Execute(*Context, [][]Item) ([][]Item, error) {
	return [][]Item{{NewItem(map[string]any{})}}, nil
}

var _ Node = Cron{}
