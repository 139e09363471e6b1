package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Schedule is when a schedule trigger's rule fires, in the shape of a
// Temporal schedule spec: the union of its calendar matches and its fixed
// intervals. Calendars are read in the workflow's timezone; intervals are
// absolute (Epoch + n*Every + Offset).
type Schedule struct {
	Calendars []Calendar `json:"calendars,omitempty"`
	Intervals []Interval `json:"intervals,omitempty"`
}

// Calendar matches the times whose every field is in one of the field's
// ranges (a cron line without the day-of-month/day-of-week "or": a rule
// that needs it becomes two calendars).
type Calendar struct {
	Second     []Range `json:"second"`
	Minute     []Range `json:"minute"`
	Hour       []Range `json:"hour"`
	DayOfMonth []Range `json:"dayOfMonth"`
	Month      []Range `json:"month"`
	// DayOfWeek is 0-6, 0 Sunday.
	DayOfWeek []Range `json:"dayOfWeek"`
}

// Range is Start..End (End 0 or below Start: Start only) every Step (0: 1).
type Range struct {
	Start int `json:"start"`
	End   int `json:"end,omitempty"`
	Step  int `json:"step,omitempty"`
}

// Interval fires at Epoch + n*Every + Offset.
type Interval struct {
	Every  time.Duration `json:"every"`
	Offset time.Duration `json:"offset,omitempty"`
}

// SchedulesFunc returns the schedules of a schedule trigger instance, one per
// trigger rule, in rule order, for a workflow in timezone loc; now is the
// time of activation (intervals of days and weeks are laid on the zone's
// offset at that time). It fails with a *ParamError on a rule that cannot
// be scheduled, including a rule parameter that holds an expression.
type SchedulesFunc func(n *NodeInstance, loc *time.Location, now time.Time) ([]Schedule, error)

// The fields of a calendar, in cron order.
var cronFields = []struct {
	name     string
	min, max int
	names    []string
}{
	{"second", 0, 59, nil},
	{"minute", 0, 59, nil},
	{"hour", 0, 23, nil},
	{"day of month", 1, 31, nil},
	{"month", 1, 12, []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{"day of week", 0, 7, []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// ParseCron reads a cron expression of 5 fields (minute hour day-of-month
// month day-of-week) or 6 (seconds first), as n8n's cron library does:
// lists, ranges, steps, `*` and `?`, month and weekday names, 7 for Sunday.
// When both day of month and day of week are restricted a time matches
// either, so the expression becomes two calendars.
func ParseCron(expr string) ([]Calendar, error) {
	parts := strings.Fields(expr)
	switch len(parts) {
	case 5:
		parts = append([]string{"0"}, parts...)
	case 6:
	default:
		return nil, fmt.Errorf("cron expression %q must have 5 or 6 fields, not %d", expr, len(parts))
	}
	fields := make([][]Range, 6)
	full := make([]bool, 6)
	for i, p := range parts {
		rs, isFull, err := parseCronField(p, i)
		if err != nil {
			return nil, fmt.Errorf("cron expression %q: %s: %w", expr, cronFields[i].name, err)
		}
		fields[i], full[i] = rs, isFull
	}
	c := Calendar{Second: fields[0], Minute: fields[1], Hour: fields[2], DayOfMonth: fields[3], Month: fields[4], DayOfWeek: fields[5]}
	if full[3] || full[5] {
		return []Calendar{c}, nil
	}
	byDay, byWeekday := c, c
	byDay.DayOfWeek = []Range{{Start: 0, End: 6}}
	byWeekday.DayOfMonth = []Range{{Start: 1, End: 31}}
	return []Calendar{byDay, byWeekday}, nil
}

// parseCronField reads field i of a cron line; full reports that it matches
// every value.
func parseCronField(s string, i int) (rs []Range, full bool, err error) {
	f := cronFields[i]
	set := make([]bool, f.max+1)
	for _, part := range strings.Split(s, ",") {
		base, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			if step, err = strconv.Atoi(stepText); err != nil || step < 1 {
				return nil, false, fmt.Errorf("step %q is not a positive number", stepText)
			}
		}
		lo, hi := f.min, f.max
		switch {
		case base == "*" || (base == "?" && (i == 3 || i == 5)):
		default:
			a, b, isRange := strings.Cut(base, "-")
			if lo, err = cronValue(a, i); err != nil {
				return nil, false, err
			}
			hi = lo
			if isRange {
				if hi, err = cronValue(b, i); err != nil {
					return nil, false, err
				}
				if hi < lo {
					return nil, false, fmt.Errorf("range %q runs backwards", base)
				}
			} else if hasStep {
				hi = f.max
			}
		}
		for v := lo; v <= hi; v += step {
			set[v] = true
		}
	}
	if i == 5 && set[7] {
		set[0], set = true, set[:7]
	}
	max := f.max
	if i == 5 {
		max = 6
	}
	full = true
	for v := f.min; v <= max; v++ {
		full = full && set[v]
	}
	return setRanges(set, f.min, max), full, nil
}

func cronValue(s string, i int) (int, error) {
	f := cronFields[i]
	for k, name := range f.names {
		if strings.EqualFold(s, name) {
			if i == 4 {
				return k + 1, nil
			}
			return k, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < f.min || v > f.max {
		return 0, fmt.Errorf("%d is out of range %d-%d", v, f.min, f.max)
	}
	return v, nil
}

// setRanges turns a set of values into runs of consecutive values.
func setRanges(set []bool, min, max int) []Range {
	var out []Range
	for v := min; v <= max; v++ {
		if !set[v] {
			continue
		}
		start := v
		for v+1 <= max && set[v+1] {
			v++
		}
		r := Range{Start: start}
		if v > start {
			r.End = v
		}
		out = append(out, r)
	}
	return out
}

// calendarAt is a calendar firing at second 0 of minute m of the hours,
// days of month, months and weekdays given (nil: all).
func calendarAt(m int, hour, dom, month, dow []Range) Calendar {
	if hour == nil {
		hour = []Range{{Start: 0, End: 23}}
	}
	if dom == nil {
		dom = []Range{{Start: 1, End: 31}}
	}
	if month == nil {
		month = []Range{{Start: 1, End: 12}}
	}
	if dow == nil {
		dow = []Range{{Start: 0, End: 6}}
	}
	return Calendar{Second: []Range{{Start: 0}}, Minute: []Range{{Start: m}}, Hour: hour, DayOfMonth: dom, Month: month, DayOfWeek: dow}
}

// dayInterval is an interval of every days days firing at hh:mm in loc
// (as loc's offset is at now); weekday, when 0-6, aligns it to that day of
// the week (every must then be whole weeks).
func dayInterval(days, weekday, hh, mm int, loc *time.Location, now time.Time) Interval {
	every := time.Duration(days) * 24 * time.Hour
	_, offset := now.In(loc).Zone()
	at := time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute - time.Duration(offset)*time.Second
	if weekday >= 0 {
		// The epoch was a Thursday (weekday 4).
		at += time.Duration((weekday-4+7)%7) * 24 * time.Hour
	}
	at %= every
	if at < 0 {
		at += every
	}
	return Interval{Every: every, Offset: at}
}

// intParam reads a whole number parameter: a JSON number or a numeric
// string (n8n's option values are sometimes strings).
func intParam(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x == float64(int(x)) {
			return int(x), true
		}
	case int:
		return x, true
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	}
	return 0, false
}

// scheduleParams reads the parameters of one rule (a map) with defaults,
// checking ranges; path prefixes error paths.
type scheduleParams struct {
	path string
	m    map[string]any
	err  error
	// exprOK lets expressions through (Validate); activation refuses them.
	exprOK bool
	// sawExpr records that a parameter read held an expression.
	sawExpr bool
}

// int returns parameter name as a whole number in [lo, hi] (hi < lo: no
// upper bound), def when absent.
func (p *scheduleParams) int(name string, def, lo, hi int) int {
	v, ok := p.m[name]
	if !ok || v == nil || p.err != nil {
		return def
	}
	if s, isStr := v.(string); isStr && strings.HasPrefix(s, "=") {
		p.expression(name)
		return def
	}
	n, ok := intParam(v)
	if !ok || n < lo || (hi >= lo && n > hi) {
		if hi >= lo {
			p.err = ParamErrorf(p.path+"."+name, "must be a whole number from %d to %d", lo, hi)
		} else {
			p.err = ParamErrorf(p.path+"."+name, "must be a whole number of at least %d", lo)
		}
		return def
	}
	return n
}

// string returns parameter name as a string, def when absent.
func (p *scheduleParams) string(name, def string) string {
	v, ok := p.m[name]
	if !ok || v == nil || p.err != nil {
		return def
	}
	s, isStr := v.(string)
	if !isStr {
		p.err = ParamErrorf(p.path+"."+name, "must be a string")
		return def
	}
	if strings.HasPrefix(s, "=") {
		p.expression(name)
		return def
	}
	return s
}

func (p *scheduleParams) expression(name string) {
	p.sawExpr = true
	if !p.exprOK {
		p.err = ParamErrorf(p.path+"."+name, "expressions are not supported in schedule rules")
	}
}

// fail records an error at parameter name unless one is recorded.
func (p *scheduleParams) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = ParamErrorf(p.path+"."+name, format, args...)
	}
}

// ruleItems returns the list of rule maps under collection.key
// (rule.interval, triggerTimes.item); def when the collection is absent.
func ruleItems(n *NodeInstance, collection, key string, def []any) ([]map[string]any, error) {
	raw, ok := n.Parameters[collection]
	if !ok || raw == nil {
		raw = map[string]any{key: def}
	}
	c, ok := raw.(map[string]any)
	if !ok {
		return nil, ParamErrorf(collection, "must be an object with %q", key)
	}
	list, ok := c[key]
	if !ok || list == nil {
		return nil, nil
	}
	items, ok := list.([]any)
	if !ok {
		return nil, ParamErrorf(collection+"."+key, "must be a list")
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, ParamErrorf(fmt.Sprintf("%s.%s[%d]", collection, key, i), "must be an object")
		}
		out[i] = m
	}
	return out, nil
}
