package nodes

import (
	"fmt"
	"strconv"
	"time"
)

// ScheduleTrigger is n8n's Schedule Trigger. Activation turns each of its
// rules into a Temporal schedule (Describe's Schedules); a scheduled run
// hands the node the time it was scheduled for as its input item
// {"timestamp": RFC 3339}, and the node emits n8n's item for that time in
// the workflow's timezone. Run by hand it emits the item for now.
type ScheduleTrigger struct{}

// ScheduleTriggerParams are the Schedule Trigger's parameters.
type ScheduleTriggerParams struct {
	Rule struct {
		Interval []ScheduleInterval `json:"interval" doc:"The trigger rules; each becomes a Temporal schedule."`
	} `json:"rule" doc:"Trigger rules (default: one rule, every day at midnight)."`
}

// ScheduleInterval is one rule of a Schedule Trigger.
type ScheduleInterval struct {
	Field               string `json:"field" doc:"seconds, minutes, hours, days, weeks, months or cronExpression (default days)."`
	SecondsInterval     int    `json:"secondsInterval" doc:"Seconds between triggers, 1-59 (default 30)."`
	MinutesInterval     int    `json:"minutesInterval" doc:"Minutes between triggers, 1-59 (default 5)."`
	HoursInterval       int    `json:"hoursInterval" doc:"Hours between triggers, 1-23 (default 1)."`
	DaysInterval        int    `json:"daysInterval" doc:"Days between triggers, 1-31 (default 1)."`
	WeeksInterval       int    `json:"weeksInterval" doc:"Weeks between triggers, at least 1 (default 1)."`
	MonthsInterval      int    `json:"monthsInterval" doc:"Months between triggers, at least 1 (default 1)."`
	TriggerAtDayOfMonth int    `json:"triggerAtDayOfMonth" doc:"Day of the month, 1-31 (months; default 1)."`
	TriggerAtDay        []int  `json:"triggerAtDay" doc:"Weekdays, 0 (Sunday) to 6 (weeks; default [0])."`
	TriggerAtHour       int    `json:"triggerAtHour" doc:"Hour of the day, 0-23 (days, weeks, months; default 0)."`
	TriggerAtMinute     int    `json:"triggerAtMinute" doc:"Minute of the hour, 0-59 (hours, days, weeks, months; default 0)."`
	Expression          string `json:"expression" doc:"Cron expression, 5 fields or 6 with seconds first (cronExpression)."`
}

func init() { Register(ScheduleTrigger{}) }

// Describe implements Node.
func (ScheduleTrigger) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.scheduleTrigger",
		DisplayName: "Schedule Trigger",
		Summary:     "Starts the workflow on a schedule (intervals or cron) once it is activated, as Temporal schedules.",
		Versions:    []float64{1, 1.1, 1.2},
		Kind:        KindPure,
		Trigger:     true,
		Params:      ScheduleTriggerParams{},
		Schedules:   scheduleTriggerSchedules,
	}
}

// Validate implements Node.
func (ScheduleTrigger) Validate(n *NodeInstance) error {
	_, err := scheduleTriggerRules(n, true, time.UTC, time.Unix(0, 0))
	return err
}

func scheduleTriggerSchedules(n *NodeInstance, loc *time.Location, now time.Time) ([]Schedule, error) {
	return scheduleTriggerRules(n, false, loc, now)
}

var defaultScheduleRules = []any{map[string]any{"field": "days"}}

// scheduleTriggerRules checks every rule and returns its schedule.
func scheduleTriggerRules(n *NodeInstance, exprOK bool, loc *time.Location, now time.Time) ([]Schedule, error) {
	rules, err := ruleItems(n, "rule", "interval", defaultScheduleRules)
	if err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(rules))
	for i, m := range rules {
		p := &scheduleParams{path: fmt.Sprintf("rule.interval[%d]", i), m: m, exprOK: exprOK}
		s := p.scheduleRule(loc, now)
		if p.err != nil {
			return nil, p.err
		}
		out = append(out, s)
	}
	return out, nil
}

func (p *scheduleParams) scheduleRule(loc *time.Location, now time.Time) Schedule {
	field := p.string("field", "days")
	minute := p.int("triggerAtMinute", 0, 0, 59)
	hour := p.int("triggerAtHour", 0, 0, 23)
	switch field {
	case "seconds":
		n := p.int("secondsInterval", 30, 1, 59)
		return Schedule{Intervals: []Interval{{Every: time.Duration(n) * time.Second}}}
	case "minutes":
		n := p.int("minutesInterval", 5, 1, 59)
		return Schedule{Intervals: []Interval{{Every: time.Duration(n) * time.Minute}}}
	case "hours":
		n := p.int("hoursInterval", 1, 1, 23)
		if 24%n == 0 {
			return Schedule{Calendars: []Calendar{calendarAt(minute, []Range{{Start: 0, End: 23, Step: n}}, nil, nil, nil)}}
		}
		// Clock hours divisible by n would not be n hours apart across
		// midnight: a steady interval is.
		return Schedule{Intervals: []Interval{{Every: time.Duration(n) * time.Hour, Offset: time.Duration(minute) * time.Minute}}}
	case "days":
		n := p.int("daysInterval", 1, 1, 31)
		if n == 1 {
			return Schedule{Calendars: []Calendar{calendarAt(minute, []Range{{Start: hour}}, nil, nil, nil)}}
		}
		return Schedule{Intervals: []Interval{dayInterval(n, -1, hour, minute, loc, now)}}
	case "weeks":
		n := p.int("weeksInterval", 1, 1, -1)
		days := p.weekdays()
		if n == 1 {
			set := make([]bool, 7)
			for _, d := range days {
				set[d] = true
			}
			return Schedule{Calendars: []Calendar{calendarAt(minute, []Range{{Start: hour}}, nil, nil, setRanges(set, 0, 6))}}
		}
		var s Schedule
		for _, d := range days {
			s.Intervals = append(s.Intervals, dayInterval(7*n, d, hour, minute, loc, now))
		}
		return s
	case "months":
		n := p.int("monthsInterval", 1, 1, -1)
		day := p.int("triggerAtDayOfMonth", 1, 1, 31)
		months := []Range{{Start: 1, End: 12, Step: n}}
		if n == 1 {
			months = nil
		}
		return Schedule{Calendars: []Calendar{calendarAt(minute, []Range{{Start: hour}}, []Range{{Start: day}}, months, nil)}}
	case "cronExpression":
		expr := p.string("expression", "")
		if p.err != nil || p.sawExpr {
			return Schedule{}
		}
		cals, err := ParseCron(expr)
		if err != nil {
			p.fail("expression", "%v", err)
		}
		return Schedule{Calendars: cals}
	}
	if !p.sawExpr {
		p.fail("field", "unknown trigger interval %q (seconds, minutes, hours, days, weeks, months or cronExpression)", field)
	}
	return Schedule{}
}

// weekdays reads triggerAtDay: weekdays 0-6, default Sunday; an empty list
// is every day, as n8n's cron line with `*`.
func (p *scheduleParams) weekdays() []int {
	v, ok := p.m["triggerAtDay"]
	if !ok || v == nil {
		return []int{0}
	}
	list, ok := v.([]any)
	if !ok {
		if s, isStr := v.(string); isStr && len(s) > 0 && s[0] == '=' {
			p.expression("triggerAtDay")
			return []int{0}
		}
		p.fail("triggerAtDay", "must be a list of weekdays, 0 (Sunday) to 6")
		return []int{0}
	}
	if len(list) == 0 {
		return []int{0, 1, 2, 3, 4, 5, 6}
	}
	var out []int
	seen := map[int]bool{}
	for i, e := range list {
		d, ok := intParam(e)
		if !ok || d < 0 || d > 7 {
			p.fail("triggerAtDay["+strconv.Itoa(i)+"]", "must be a weekday, 0 (Sunday) to 6")
			return []int{0}
		}
		d %= 7
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// Execute implements Node: n8n's item for the scheduled time (the input's
// timestamp) or for now.
func (ScheduleTrigger) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	loc := ctx.Location
	if loc == nil {
		loc = time.UTC
	}
	t, ok := scheduledTime(in)
	if !ok {
		t = time.Now()
		if ctx.Now != nil {
			t = ctx.Now()
		}
	}
	return [][]Item{{ScheduleItem(t, loc)}}, nil
}

// scheduledTime reads the timestamp a scheduled run gives the trigger.
func scheduledTime(in [][]Item) (time.Time, bool) {
	if len(in) == 0 || len(in[0]) == 0 {
		return time.Time{}, false
	}
	s, _ := in[0][0].JSON["timestamp"].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// scheduleItemKeys are the keys of the Schedule Trigger's item, n8n's order.
var scheduleItemKeys = &KeyOrder{Keys: []string{"timestamp", "Readable date", "Readable time", "Day of week",
	"Year", "Month", "Day of month", "Hour", "Minute", "Second", "Timezone"}}

// ScheduleItem is the item n8n's Schedule Trigger emits for time t in loc.
func ScheduleItem(t time.Time, loc *time.Location) Item {
	t = t.In(loc)
	day := t.Day()
	readable := fmt.Sprintf("%s %d%s %d, %s", t.Format("January"), day, ordinalSuffix(day), t.Year(), t.Format("3:04:05 pm"))
	return NewItem(map[string]any{
		"timestamp":     t.Format("2006-01-02T15:04:05.000-07:00"),
		"Readable date": readable,
		"Readable time": t.Format("3:04:05 pm"),
		"Day of week":   t.Format("Monday"),
		"Year":          t.Format("2006"),
		"Month":         t.Format("January"),
		"Day of month":  t.Format("02"),
		"Hour":          t.Format("15"),
		"Minute":        t.Format("04"),
		"Second":        t.Format("05"),
		"Timezone":      loc.String() + " (UTC" + t.Format("-07:00") + ")",
	}).WithKeyOrder(scheduleItemKeys)
}

// ordinalSuffix is moment's "Do" suffix: st, nd, rd, th.
func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

var _ Node = ScheduleTrigger{}
