package nodes_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

func scheduleNode(t *testing.T, typ, params string) *nodes.NodeInstance {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal([]byte(params), &p); err != nil {
		t.Fatal(err)
	}
	return &nodes.NodeInstance{Name: "Schedule", Type: typ, TypeVersion: 1, Parameters: p}
}

func schedulesOf(t *testing.T, n *nodes.NodeInstance, loc *time.Location, now time.Time) []nodes.Schedule {
	t.Helper()
	if err := nodes.Lookup(n.Type).Node.Validate(n); err != nil {
		t.Fatalf("validate: %v", err)
	}
	s, err := nodes.Lookup(n.Type).Schedules(n, loc, now)
	if err != nil {
		t.Fatalf("schedules: %v", err)
	}
	return s
}

// at returns a calendar at second 0 of minute m with the given ranges
// (nil: every value of the field).
func at(m int, hour, dom, month, dow []nodes.Range) nodes.Calendar {
	or := func(r []nodes.Range, lo, hi int) []nodes.Range {
		if r == nil {
			return []nodes.Range{{Start: lo, End: hi}}
		}
		return r
	}
	return nodes.Calendar{Second: []nodes.Range{{Start: 0}}, Minute: []nodes.Range{{Start: m}}, Hour: or(hour, 0, 23),
		DayOfMonth: or(dom, 1, 31), Month: or(month, 1, 12), DayOfWeek: or(dow, 0, 6)}
}

func one(v int) []nodes.Range { return []nodes.Range{{Start: v}} }

func TestScheduleTriggerSpecs(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	winter := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC) // Berlin is UTC+1
	day := 24 * time.Hour
	cases := []struct {
		name, params string
		want         []nodes.Schedule
	}{
		{"default rule is every day at midnight", `{}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(0, one(0), nil, nil, nil)}}}},
		{"seconds", `{"rule":{"interval":[{"field":"seconds","secondsInterval":1}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: time.Second}}}}},
		{"seconds default 30", `{"rule":{"interval":[{"field":"seconds"}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: 30 * time.Second}}}}},
		{"minutes", `{"rule":{"interval":[{"field":"minutes","minutesInterval":15}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: 15 * time.Minute}}}}},
		{"hours dividing a day are clock hours", `{"rule":{"interval":[{"field":"hours","hoursInterval":6,"triggerAtMinute":20}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(20, []nodes.Range{{Start: 0, End: 23, Step: 6}}, nil, nil, nil)}}}},
		{"other hours are a steady interval", `{"rule":{"interval":[{"field":"hours","hoursInterval":5,"triggerAtMinute":20}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: 5 * time.Hour, Offset: 20 * time.Minute}}}}},
		{"days", `{"rule":{"interval":[{"field":"days","triggerAtHour":9,"triggerAtMinute":30}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(30, one(9), nil, nil, nil)}}}},
		{"every 3 days at 09:30 Berlin is 08:30 UTC", `{"rule":{"interval":[{"field":"days","daysInterval":3,"triggerAtHour":9,"triggerAtMinute":30}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: 3 * day, Offset: 8*time.Hour + 30*time.Minute}}}}},
		{"weeks", `{"rule":{"interval":[{"field":"weeks","triggerAtDay":[1,3,5],"triggerAtHour":8}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(0, one(8), nil, nil, []nodes.Range{{Start: 1}, {Start: 3}, {Start: 5}})}}}},
		{"weeks default Sunday", `{"rule":{"interval":[{"field":"weeks"}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(0, one(0), nil, nil, one(0))}}}},
		{"every 2 weeks on Monday and Friday at 00:30 Berlin", `{"rule":{"interval":[{"field":"weeks","weeksInterval":2,"triggerAtDay":[1,5],"triggerAtMinute":30}]}}`,
			// The epoch is a Thursday: Monday is 4 days on, Friday 1; 00:30
			// Berlin is 23:30 UTC the day before.
			[]nodes.Schedule{{Intervals: []nodes.Interval{
				{Every: 14 * day, Offset: 3*day + 23*time.Hour + 30*time.Minute},
				{Every: 14 * day, Offset: 23*time.Hour + 30*time.Minute},
			}}}},
		{"months", `{"rule":{"interval":[{"field":"months","triggerAtDayOfMonth":15,"triggerAtHour":6}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(0, one(6), one(15), nil, nil)}}}},
		{"every 3 months", `{"rule":{"interval":[{"field":"months","monthsInterval":3}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{at(0, one(0), one(1), []nodes.Range{{Start: 1, End: 12, Step: 3}}, nil)}}}},
		{"cron, 5 fields", `{"rule":{"interval":[{"field":"cronExpression","expression":"*/15 9-17 * * mon-fri"}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{{Second: one(0), Minute: []nodes.Range{{Start: 0}, {Start: 15}, {Start: 30}, {Start: 45}},
				Hour: []nodes.Range{{Start: 9, End: 17}}, DayOfMonth: []nodes.Range{{Start: 1, End: 31}}, Month: []nodes.Range{{Start: 1, End: 12}},
				DayOfWeek: []nodes.Range{{Start: 1, End: 5}}}}}}},
		{"cron, 6 fields, day of month or day of week", `{"rule":{"interval":[{"field":"cronExpression","expression":"10 0 12 1 jan,jul 7"}]}}`,
			[]nodes.Schedule{{Calendars: []nodes.Calendar{
				{Second: one(10), Minute: one(0), Hour: one(12), DayOfMonth: one(1), Month: []nodes.Range{{Start: 1}, {Start: 7}}, DayOfWeek: []nodes.Range{{Start: 0, End: 6}}},
				{Second: one(10), Minute: one(0), Hour: one(12), DayOfMonth: []nodes.Range{{Start: 1, End: 31}}, Month: []nodes.Range{{Start: 1}, {Start: 7}}, DayOfWeek: one(0)},
			}}}},
		{"several rules", `{"rule":{"interval":[{"field":"seconds","secondsInterval":10},{"field":"minutes","minutesInterval":1}]}}`,
			[]nodes.Schedule{{Intervals: []nodes.Interval{{Every: 10 * time.Second}}}, {Intervals: []nodes.Interval{{Every: time.Minute}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := schedulesOf(t, scheduleNode(t, "n8n-nodes-base.scheduleTrigger", c.params), berlin, winter)
			if !reflect.DeepEqual(got, c.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(c.want)
				t.Errorf("schedules\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestCronNodeSpecs(t *testing.T) {
	cases := []struct {
		name, item string
		want       nodes.Calendar
	}{
		{"everyMinute", `{"mode":"everyMinute"}`, nodes.Calendar{Second: one(0), Minute: []nodes.Range{{Start: 0, End: 59}},
			Hour: []nodes.Range{{Start: 0, End: 23}}, DayOfMonth: []nodes.Range{{Start: 1, End: 31}}, Month: []nodes.Range{{Start: 1, End: 12}}, DayOfWeek: []nodes.Range{{Start: 0, End: 6}}}},
		{"everyHour", `{"mode":"everyHour","minute":5}`, at(5, nil, nil, nil, nil)},
		{"everyDay default 14:00", `{}`, at(0, one(14), nil, nil, nil)},
		{"everyWeek", `{"mode":"everyWeek","hour":7,"minute":45,"weekday":"3"}`, at(45, one(7), nil, nil, one(3))},
		{"everyMonth", `{"mode":"everyMonth","hour":1,"dayOfMonth":28}`, at(0, one(1), one(28), nil, nil)},
		{"everyX minutes", `{"mode":"everyX","value":10,"unit":"minutes"}`, nodes.Calendar{Second: one(0), Minute: []nodes.Range{{Start: 0, End: 59, Step: 10}},
			Hour: []nodes.Range{{Start: 0, End: 23}}, DayOfMonth: []nodes.Range{{Start: 1, End: 31}}, Month: []nodes.Range{{Start: 1, End: 12}}, DayOfWeek: []nodes.Range{{Start: 0, End: 6}}}},
		{"everyX hours", `{"mode":"everyX","value":4}`, at(0, []nodes.Range{{Start: 0, End: 23, Step: 4}}, nil, nil, nil)},
		{"custom", `{"mode":"custom","cronExpression":"0 30 8 * * 1-5"}`, at(30, one(8), nil, nil, []nodes.Range{{Start: 1, End: 5}})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := scheduleNode(t, "n8n-nodes-base.cron", `{"triggerTimes":{"item":[`+c.item+`]}}`)
			got := schedulesOf(t, n, time.UTC, time.Now())
			want := []nodes.Schedule{{Calendars: []nodes.Calendar{c.want}}}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("schedules\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestScheduleValidateRefusesBadRules(t *testing.T) {
	cases := []struct {
		typ, params, path string
	}{
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"seconds","secondsInterval":0}]}}`, "rule.interval[0].secondsInterval"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"minutes","minutesInterval":60}]}}`, "rule.interval[0].minutesInterval"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"days"},{"field":"hours","hoursInterval":24}]}}`, "rule.interval[1].hoursInterval"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"days","triggerAtHour":24}]}}`, "rule.interval[0].triggerAtHour"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"weeks","triggerAtDay":[1,9]}]}}`, "rule.interval[0].triggerAtDay[1]"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"months","triggerAtDayOfMonth":32}]}}`, "rule.interval[0].triggerAtDayOfMonth"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"cronExpression","expression":"61 * * * *"}]}}`, "rule.interval[0].expression"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"cronExpression","expression":"* * *"}]}}`, "rule.interval[0].expression"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"fortnights"}]}}`, "rule.interval[0].field"},
		{"n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":"daily"}}`, "rule.interval"},
		{"n8n-nodes-base.cron", `{"triggerTimes":{"item":[{"mode":"everyX","value":0}]}}`, "triggerTimes.item[0].value"},
		{"n8n-nodes-base.cron", `{"triggerTimes":{"item":[{"mode":"everyX","value":90,"unit":"minutes"}]}}`, "triggerTimes.item[0].value"},
		{"n8n-nodes-base.cron", `{"triggerTimes":{"item":[{"mode":"everyWeek","weekday":"8"}]}}`, "triggerTimes.item[0].weekday"},
		{"n8n-nodes-base.cron", `{"triggerTimes":{"item":[{"mode":"custom","cronExpression":"* * * * * * *"}]}}`, "triggerTimes.item[0].cronExpression"},
		{"n8n-nodes-base.cron", `{"triggerTimes":{"item":[{"mode":"hourly"}]}}`, "triggerTimes.item[0].mode"},
	}
	for _, c := range cases {
		t.Run(c.params, func(t *testing.T) {
			n := scheduleNode(t, c.typ, c.params)
			err := nodes.Lookup(c.typ).Node.Validate(n)
			var pe *nodes.ParamError
			if !errors.As(err, &pe) || pe.Path != c.path {
				t.Fatalf("got %v, want a parameter error at %s", err, c.path)
			}
		})
	}
}

func TestScheduleExpressionsPassValidateButNotActivation(t *testing.T) {
	n := scheduleNode(t, "n8n-nodes-base.scheduleTrigger", `{"rule":{"interval":[{"field":"minutes","minutesInterval":"={{ 5 }}"}]}}`)
	if err := nodes.Lookup(n.Type).Node.Validate(n); err != nil {
		t.Fatalf("validate: %v", err)
	}
	_, err := nodes.Lookup(n.Type).Schedules(n, time.UTC, time.Now())
	var pe *nodes.ParamError
	if !errors.As(err, &pe) || pe.Path != "rule.interval[0].minutesInterval" {
		t.Fatalf("got %v, want a parameter error", err)
	}
}

func TestScheduleTriggerItem(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	n := scheduleNode(t, "n8n-nodes-base.scheduleTrigger", `{}`)
	in := [][]nodes.Item{{nodes.NewItem(map[string]any{"timestamp": "2025-03-02T14:05:09Z"})}}
	out, err := nodes.ScheduleTrigger{}.Execute(&nodes.Context{Node: n, Location: ny}, in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out[0][0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"json":{"timestamp":"2025-03-02T09:05:09.000-05:00","Readable date":"March 2nd 2025, 9:05:09 am","Readable time":"9:05:09 am",` +
		`"Day of week":"Sunday","Year":"2025","Month":"March","Day of month":"02","Hour":"09","Minute":"05","Second":"09",` +
		`"Timezone":"America/New_York (UTC-05:00)"}`
	if string(b[:len(want)]) != want {
		t.Errorf("item\n got %s\nwant %s…", b, want)
	}

	// Run by hand, the item is for now.
	now := time.Date(2024, 12, 23, 23, 59, 1, 0, time.UTC)
	out, err = nodes.ScheduleTrigger{}.Execute(&nodes.Context{Node: n, Location: time.UTC, Now: func() time.Time { return now }}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0][0].JSON["Readable date"]; got != "December 23rd 2024, 11:59:01 pm" {
		t.Errorf("readable date %v", got)
	}
	if got := out[0][0].JSON["timestamp"]; got != "2024-12-23T23:59:01.000+00:00" {
		t.Errorf("timestamp %v", got)
	}

	cron, err := nodes.Cron{}.Execute(&nodes.Context{}, in)
	if err != nil || len(cron[0]) != 1 || len(cron[0][0].JSON) != 0 {
		t.Errorf("cron emits %v, %v; want one empty item", cron, err)
	}
}
