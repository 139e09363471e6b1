package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

func scheduleTrigger(rules ...map[string]any) map[string]any {
	list := make([]any, len(rules))
	for i, r := range rules {
		list[i] = r
	}
	return node("Schedule Trigger", "n8n-nodes-base.scheduleTrigger", 1.2, map[string]any{"rule": map[string]any{"interval": list}})
}

type scheduleOut struct {
	ScheduleID string     `json:"schedule_id"`
	NodeName   string     `json:"node_name"`
	Timezone   string     `json:"timezone"`
	NextRunAt  *time.Time `json:"next_run_at"`
	LastRunAt  *time.Time `json:"last_run_at"`
	Spec       struct {
		Intervals []struct {
			Every int64 `json:"every"`
		} `json:"intervals"`
	} `json:"spec"`
}

func (a *testAPI) schedules(token, workflowID string) []scheduleOut {
	a.t.Helper()
	w, body := a.do("GET", "/api/workflows/"+workflowID+"/schedules", token, nil, nil)
	if w.Code != http.StatusOK {
		a.t.Fatalf("list schedules: %d %s", w.Code, body)
	}
	var out struct{ Data []scheduleOut }
	a.json(body, &out)
	return out.Data
}

func (a *testAPI) setActive(token, workflowID string, active bool) {
	a.t.Helper()
	verb := "deactivate"
	if active {
		verb = "activate"
	}
	if w, body := a.do("POST", "/api/workflows/"+workflowID+"/"+verb, token, nil, nil); w.Code != http.StatusOK {
		a.t.Fatalf("%s: %d %s", verb, w.Code, body)
	}
}

// scheduledRuns returns the workflow's executions, oldest first.
func scheduledRuns(t *testing.T, db *persistence.DB, workflowID string) []persistence.Execution {
	t.Helper()
	es, _, err := db.ListExecutions(context.Background(), persistence.Scope{Admin: true},
		persistence.ExecutionFilter{WorkflowID: workflowID, Page: persistence.Page{Limit: 250}})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

// awaitRuns waits until the workflow has at least n executions.
func awaitRuns(t *testing.T, db *persistence.DB, workflowID string, n int) []persistence.Execution {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		es := scheduledRuns(t, db, workflowID)
		if len(es) >= n {
			return es
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d executions after 15 s, want %d", len(es), n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestScheduleRunsOncePerTick activates a workflow whose Schedule Trigger
// fires every second, activates it again, restarts the worker and the API
// server, and deactivates it: every execution is in mode schedule on the
// activated version, each tick ran exactly once (no two executions share a
// scheduled time), and nothing runs after deactivation.
func TestScheduleRunsOncePerTick(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, nil)
		tok := a.register("sam@example.com").AccessToken
		def := chain("Every second", scheduleTrigger(map[string]any{"field": "seconds", "secondsInterval": 1}), node("NoOp", "n8n-nodes-base.noOp", 1, nil))
		def["settings"] = map[string]any{"executionOrder": "v1", "timezone": "Europe/Berlin"}
		wf := a.create(tok, def)

		a.setActive(tok, wf.ID, true)
		a.setActive(tok, wf.ID, true) // again: replaces, never doubles
		scheds := a.schedules(tok, wf.ID)
		if len(scheds) != 1 || scheds[0].ScheduleID != temporal.ScheduleID(wf.ID, "Schedule Trigger", 0) ||
			scheds[0].Timezone != "Europe/Berlin" || scheds[0].NextRunAt == nil || len(scheds[0].Spec.Intervals) != 1 {
			t.Fatalf("schedules after activation: %+v", scheds)
		}
		// Another user sees neither the workflow nor its schedules.
		other := a.register("eve@example.com").AccessToken
		if w, _ := a.do("GET", "/api/workflows/"+wf.ID+"/schedules", other, nil, nil); w.Code != http.StatusNotFound {
			t.Errorf("another user's schedules: %d, want 404", w.Code)
		}

		first := awaitRuns(t, db, wf.ID, 2)

		// Restart: the worker stops, a new API server and a new worker
		// take over; the schedule carries on without doubling.
		stack.worker.Stop()
		time.Sleep(1500 * time.Millisecond)
		a2 := newTestAPI(t, db, stack.runner, nil)
		startWorker(t, stack.runner.Client, db, nil)
		awaitRuns(t, db, wf.ID, len(first)+2)
		if s := a2.schedules(tok, wf.ID); len(s) != 1 || s[0].LastRunAt == nil || s[0].NextRunAt == nil {
			t.Errorf("schedules after runs: %+v", s)
		}

		a2.setActive(tok, wf.ID, false)
		if _, err := stack.client.ScheduleClient().GetHandle(ctx, scheds[0].ScheduleID).Describe(ctx); err == nil {
			t.Error("the schedule is still there after deactivation")
		}
		if s := a2.schedules(tok, wf.ID); len(s) != 0 {
			t.Errorf("schedule rows after deactivation: %+v", s)
		}
		// Runs in flight finish; then nothing new starts.
		time.Sleep(1500 * time.Millisecond)
		settled := scheduledRuns(t, db, wf.ID)
		time.Sleep(1500 * time.Millisecond)
		if after := scheduledRuns(t, db, wf.ID); len(after) != len(settled) {
			t.Errorf("%d executions after deactivation, %d before", len(after), len(settled))
		}

		seen := map[string]string{}
		for _, e := range settled {
			ex := a2.awaitStatus(tok, e.ID, nodes.StatusSuccess)
			if ex.Mode != nodes.ModeSchedule || e.VersionID != wf.VersionID {
				t.Errorf("execution %s: mode %s version %s, want schedule on %s", e.ID, ex.Mode, e.VersionID, wf.VersionID)
			}
			run, err := db.RunStore().LoadRun(ctx, e.ID, "Schedule Trigger", 0)
			if err != nil {
				t.Fatal(err)
			}
			item := run.Output(0)[0].JSON
			ts, _ := item["timestamp"].(string)
			if prev, dup := seen[ts]; dup {
				t.Errorf("executions %s and %s both ran the tick %s", prev, e.ID, ts)
			}
			seen[ts] = e.ID
			if tz, _ := item["Timezone"].(string); !strings.HasPrefix(tz, "Europe/Berlin (UTC+0") {
				t.Errorf("trigger item timezone %q", tz)
			}
		}
		if len(settled) < 4 {
			t.Errorf("only %d executions", len(settled))
		}
	})
}

// TestScheduleActivationAndDelete covers the legacy Cron node in the
// server's default timezone, activation refusals that leave no schedule
// behind, and workflow deletion removing the schedules.
func TestScheduleActivationAndDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		stack := newStack(t, db)
		a := newTestAPI(t, db, stack.runner, func(c *Config) { c.DefaultTimezone = "America/New_York" })
		tok := a.register("cora@example.com").AccessToken
		cron := node("Cron", "n8n-nodes-base.cron", 1, map[string]any{"triggerTimes": map[string]any{"item": []any{
			map[string]any{"mode": "everyWeek", "hour": 9, "minute": 30, "weekday": "1"},
			map[string]any{"mode": "custom", "cronExpression": "0 0 12 1 1 *"},
		}}})
		wf := a.create(tok, chain("Cron", cron))
		a.setActive(tok, wf.ID, true)
		scheds := a.schedules(tok, wf.ID)
		if len(scheds) != 2 || scheds[0].Timezone != "America/New_York" {
			t.Fatalf("schedules: %+v", scheds)
		}
		d, err := stack.client.ScheduleClient().GetHandle(ctx, temporal.ScheduleID(wf.ID, "Cron", 0)).Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Schedule.Spec.TimeZoneName != "America/New_York" || d.Schedule.Policy.Overlap.String() != "Skip" {
			t.Errorf("spec zone %q, overlap %v", d.Schedule.Spec.TimeZoneName, d.Schedule.Policy.Overlap)
		}
		next := d.Info.NextActionTimes[0].In(mustZone(t, "America/New_York"))
		if next.Weekday() != time.Monday || next.Hour() != 9 || next.Minute() != 30 {
			t.Errorf("next action %v, want a Monday 09:30 New York", next)
		}

		// Deleting the workflow removes its schedules.
		if w, body := a.do("DELETE", "/api/workflows/"+wf.ID, tok, nil, nil); w.Code != http.StatusNoContent {
			t.Fatalf("delete: %d %s", w.Code, body)
		}
		for i := range 2 {
			if _, err := stack.client.ScheduleClient().GetHandle(ctx, temporal.ScheduleID(wf.ID, "Cron", i)).Describe(ctx); err == nil {
				t.Errorf("schedule %d survived the workflow's deletion", i)
			}
		}
		if rows, _ := db.WorkflowSchedules(ctx, persistence.Scope{Admin: true}, wf.ID); len(rows) != 0 {
			t.Errorf("rows survived the workflow's deletion: %+v", rows)
		}

		// Refusals: an unknown timezone, an expression in a rule.
		bad := chain("Bad zone", scheduleTrigger(map[string]any{"field": "minutes"}))
		bad["settings"] = map[string]any{"timezone": "Mars/Olympus"}
		badZone := a.create(tok, bad)
		withExpr := a.create(tok, chain("Expr", scheduleTrigger(map[string]any{"field": "minutes"},
			map[string]any{"field": "hours", "hoursInterval": "={{ 2 }}"})))
		a.run([]scenario{
			{name: "unknown timezone", method: "POST", url: "/api/workflows/" + badZone.ID + "/activate", token: tok,
				status: 400, contains: []string{"VALIDATION_ERROR", "Mars/Olympus"}},
			{name: "expression in a rule", method: "POST", url: "/api/workflows/" + withExpr.ID + "/activate", token: tok,
				status: 422, contains: []string{"WORKFLOW_INVALID", `"parameter":"rule.interval[1].hoursInterval"`}},
		})
		// The refused activation's first rule left no schedule behind.
		if _, err := stack.client.ScheduleClient().GetHandle(ctx, temporal.ScheduleID(withExpr.ID, "Schedule Trigger", 0)).Describe(ctx); err == nil {
			t.Error("a refused activation left a schedule")
		}
		if w, _ := a.do("GET", "/api/workflows/"+withExpr.ID, tok, nil, nil); w.Code != 200 || strings.Contains(w.Body.String(), `"active":true`) {
			t.Errorf("the refused workflow is active: %s", w.Body)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
