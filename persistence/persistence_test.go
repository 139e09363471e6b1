package persistence_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
	"github.com/weft/weft/persistence/dbtest"
)

// forEachDB runs f against SQLite and, when configured, PostgreSQL.
func forEachDB(t *testing.T, f func(t *testing.T, db *persistence.DB)) {
	t.Helper()
	for name, db := range dbtest.DBs(t) {
		t.Run(name, func(t *testing.T) { f(t, db) })
	}
}

func mustUser(t *testing.T, db *persistence.DB, email string) *persistence.User {
	t.Helper()
	u := &persistence.User{Email: email, PasswordHash: "x", Active: true}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func sampleWorkflow(t *testing.T, name string) *nodes.Workflow {
	t.Helper()
	w, err := nodes.ParseWorkflow([]byte(`{"name":"` + name + `","nodes":[
		{"id":"n1","name":"Start","type":"n8n-nodes-base.manualTrigger","typeVersion":1,"position":[0,0],"parameters":{}},
		{"id":"n2","name":"Do","type":"n8n-nodes-base.noOp","typeVersion":1,"position":[200,0],"parameters":{}}],
		"connections":{"Start":{"main":[[{"node":"Do","type":"main","index":0}]]}},"settings":{"executionOrder":"v1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestUsers(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		first := mustUser(t, db, "Ann@Example.com ")
		if first.Role != persistence.RoleAdmin || first.Email != "ann@example.com" {
			t.Fatalf("first user = %+v, want admin with normalised email", first)
		}
		second := &persistence.User{Email: "bob@example.com", PasswordHash: "x", Role: persistence.RoleAdmin}
		// Role is the caller's to set after the first; the API never passes a client's role.
		second.Role = ""
		if err := db.CreateUser(ctx, second); err != nil {
			t.Fatal(err)
		}
		if second.Role != persistence.RoleMember {
			t.Fatalf("second user role = %q", second.Role)
		}
		err := db.CreateUser(ctx, &persistence.User{Email: "ANN@example.com", PasswordHash: "y"})
		if nodes.ErrorCode(err) != nodes.CodeConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		got, err := db.UserByEmail(ctx, "ann@EXAMPLE.com")
		if err != nil || got.ID != first.ID {
			t.Fatalf("by email: %v %v", got, err)
		}
		if _, err := db.UserByID(ctx, "nope"); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("missing user: %v", err)
		}
	})
}

func TestConcurrentFirstUsersOneAdmin(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		var wg sync.WaitGroup
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_ = db.CreateUser(context.Background(), &persistence.User{Email: fmt.Sprintf("u%d@x.io", i), PasswordHash: "x"})
			}()
		}
		wg.Wait()
		users, _, err := db.ListUsers(context.Background(), persistence.Page{})
		if err != nil {
			t.Fatal(err)
		}
		admins := 0
		for _, u := range users {
			if u.Role == persistence.RoleAdmin {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d admins among %d users", admins, len(users))
		}
	})
}

func TestRefreshTokenRotationAndReuse(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "a@x.io")
		fam, err := db.SaveRefreshToken(ctx, u.ID, "", "tok-1", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if su, live, err := db.SessionUser(ctx, u.ID, fam); err != nil || !live || su.ID != u.ID || su.Email != u.Email || su.CreatedAt.IsZero() {
			t.Fatalf("session user of a live family: %+v %v %v", su, live, err)
		}
		if _, live, err := db.SessionUser(ctx, u.ID, "no-such-family"); err != nil || live {
			t.Fatalf("session user of an unknown family: live %v, %v", live, err)
		}
		if _, _, err := db.SessionUser(ctx, "nope", fam); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("session user of an unknown user: %v", err)
		}
		rt, err := db.UseRefreshToken(ctx, "tok-1")
		if err != nil || rt.FamilyID != fam {
			t.Fatalf("use: %v %v", rt, err)
		}
		if _, err := db.SaveRefreshToken(ctx, u.ID, fam, "tok-2", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// tok-1 again: reuse revokes the family, tok-2 included.
		if _, err := db.UseRefreshToken(ctx, "tok-1"); err != persistence.ErrTokenReused {
			t.Fatalf("reuse: %v", err)
		}
		if _, err := db.UseRefreshToken(ctx, "tok-2"); nodes.ErrorCode(err) != nodes.CodeUnauthorized {
			t.Fatalf("tok-2 after reuse: %v", err)
		}
		if ok, _ := db.FamilyActive(ctx, fam); ok {
			t.Fatal("family still active after reuse")
		}
		if _, live, err := db.SessionUser(ctx, u.ID, fam); err != nil || live {
			t.Fatalf("session user after reuse: live %v, %v", live, err)
		}
		if _, err := db.SaveRefreshToken(ctx, u.ID, "", "old", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UseRefreshToken(ctx, "old"); nodes.ErrorCode(err) != nodes.CodeUnauthorized {
			t.Fatalf("expired: %v", err)
		}
		if _, err := db.UseRefreshToken(ctx, "never-issued"); nodes.ErrorCode(err) != nodes.CodeUnauthorized {
			t.Fatalf("unknown: %v", err)
		}
	})
}

func TestConcurrentRefreshOnlyOneWins(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "a@x.io")
		if _, err := db.SaveRefreshToken(ctx, u.ID, "", "tok", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.UseRefreshToken(ctx, "tok"); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d concurrent refreshes succeeded", wins)
		}
	})
}

func TestWorkflowsLifecycle(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@x.io")
		bob := mustUser(t, db, "bob@x.io")
		annScope := persistence.Scope{UserID: ann.ID}
		bobScope := persistence.Scope{UserID: bob.ID}

		w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, "Orders sync"), []string{"sales", "sales", " "})
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Tags) != 1 || w.Tags[0] != "sales" || w.Definition == nil || len(w.Definition.Nodes) != 2 {
			t.Fatalf("created = %+v", w)
		}
		v1 := w.VersionID
		if _, err := db.GetWorkflow(ctx, bobScope, w.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob sees ann's workflow: %v", err)
		}
		if _, err := db.GetWorkflow(ctx, persistence.Scope{UserID: bob.ID, Admin: true}, w.ID); err != nil {
			t.Fatalf("admin: %v", err)
		}

		nodesBefore, err := db.WorkflowNodes(ctx, annScope, w.ID)
		if err != nil || len(nodesBefore) != 2 {
			t.Fatalf("nodes: %v %v", nodesBefore, err)
		}

		def := w.Definition
		def.Name = "Orders sync v2"
		def.Nodes[1].Parameters = map[string]any{"x": 1.0}
		w2, err := db.UpdateWorkflow(ctx, annScope, w.ID, ann.ID, def, nil)
		if err != nil {
			t.Fatal(err)
		}
		if w2.VersionID == v1 || w2.Name != "Orders sync v2" || len(w2.Tags) != 1 {
			t.Fatalf("updated = %+v", w2)
		}
		// The old version is still there, unchanged.
		_, old, err := db.Version(ctx, v1)
		if err != nil || old.Name != "Orders sync" || len(old.Nodes[1].Parameters) != 0 {
			t.Fatalf("version 1 changed: %+v %v", old, err)
		}
		nodesAfter, _ := db.WorkflowNodes(ctx, annScope, w.ID)
		if nodesAfter[0].ID != nodesBefore[0].ID {
			t.Fatal("node row ids changed across saves")
		}
		if _, err := db.NodeByID(ctx, bobScope, nodesAfter[0].ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob reads ann's node: %v", err)
		}
		if _, err := db.UpdateWorkflow(ctx, bobScope, w.ID, bob.ID, def, nil); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob updates ann's workflow: %v", err)
		}

		if err := db.SetWorkflowActive(ctx, annScope, w.ID, true, nil); err != nil {
			t.Fatal(err)
		}
		boom := fmt.Errorf("trigger registration failed")
		if err := db.SetWorkflowActive(ctx, annScope, w.ID, false, func(*persistence.DB) error { return boom }); err != boom {
			t.Fatalf("want rollback error, got %v", err)
		}
		got, _ := db.GetWorkflow(ctx, annScope, w.ID)
		if !got.Active {
			t.Fatal("deactivation was not rolled back")
		}

		if err := db.DeleteWorkflow(ctx, bobScope, w.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob deletes: %v", err)
		}
		if err := db.DeleteWorkflow(ctx, annScope, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.GetWorkflow(ctx, annScope, w.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("deleted workflow still visible: %v", err)
		}
		// Soft delete keeps the version for executions that ran it.
		if _, _, err := db.Version(ctx, v1); err != nil {
			t.Fatalf("version gone after soft delete: %v", err)
		}
	})
}

func TestListWorkflowsFiltersAndPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@x.io")
		bob := mustUser(t, db, "bob@x.io")
		s := persistence.Scope{UserID: ann.ID}
		for i := range 7 {
			tags := []string{"even"}
			if i%2 == 1 {
				tags = []string{"odd"}
			}
			w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, fmt.Sprintf("Flow_%d", i)), tags)
			if err != nil {
				t.Fatal(err)
			}
			if i == 3 {
				_ = db.SetWorkflowActive(ctx, s, w.ID, true, nil)
			}
		}
		if _, err := db.CreateWorkflow(ctx, bob.ID, sampleWorkflow(t, "Flow_bob"), nil); err != nil {
			t.Fatal(err)
		}
		var names []string
		cursor := ""
		for {
			page, next, err := db.ListWorkflows(ctx, s, persistence.WorkflowFilter{Page: persistence.Page{Limit: 3, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range page {
				names = append(names, w.Name)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(names) != 7 {
			t.Fatalf("paged through %d workflows: %v", len(names), names)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if seen[n] {
				t.Fatalf("%s listed twice", n)
			}
			seen[n] = true
		}
		yes := true
		cases := []struct {
			name string
			f    persistence.WorkflowFilter
			want int
		}{
			{"tag", persistence.WorkflowFilter{Tag: "odd"}, 3},
			{"active", persistence.WorkflowFilter{Active: &yes}, 1},
			{"search", persistence.WorkflowFilter{Search: "flow_1"}, 1},
			{"search is literal", persistence.WorkflowFilter{Search: "%"}, 0},
			{"underscore literal", persistence.WorkflowFilter{Search: "w_"}, 7},
		}
		for _, c := range cases {
			got, _, err := db.ListWorkflows(ctx, s, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want {
				t.Errorf("%s: %d workflows, want %d", c.name, len(got), c.want)
			}
		}
		if _, _, err := db.ListWorkflows(ctx, s, persistence.WorkflowFilter{Page: persistence.Page{Cursor: "garbage!"}}); nodes.ErrorCode(err) != nodes.CodeInvalid {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestExecutionsAndRunStore(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@x.io")
		bob := mustUser(t, db, "bob@x.io")
		w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, "wf"), nil)
		if err != nil {
			t.Fatal(err)
		}
		e := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: ann.ID, Mode: nodes.ModeManual}
		if err := db.CreateExecution(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Status != nodes.StatusNew {
			t.Fatalf("status %q", e.Status)
		}
		if err := db.UpdateExecution(ctx, e.ID, persistence.ExecutionUpdate{Status: nodes.StatusRunning}); err != nil {
			t.Fatal(err)
		}
		msg := "boom"
		if err := db.UpdateExecution(ctx, e.ID, persistence.ExecutionUpdate{Status: nodes.StatusError, Error: &msg}); err != nil {
			t.Fatal(err)
		}
		// A late report cannot move a finished execution back.
		if err := db.UpdateExecution(ctx, e.ID, persistence.ExecutionUpdate{Status: nodes.StatusRunning}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetExecution(ctx, persistence.Scope{UserID: ann.ID}, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != nodes.StatusError || got.FinishedAt == nil || got.ExecutionTimeMs == nil || *got.Error != "boom" {
			t.Fatalf("execution = %+v", got)
		}
		if _, err := db.GetExecution(ctx, persistence.Scope{UserID: bob.ID}, e.ID); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("bob reads ann's execution: %v", err)
		}

		rs := db.RunStore()
		run := &nodes.NodeRun{StartTime: 1, ExecutionStatus: nodes.StatusSuccess,
			Data: map[string][][]nodes.Item{"main": {{nodes.NewItem(map[string]any{"a": 1.0})}}}}
		if err := rs.SaveRun(ctx, e.ID, "Do", 0, run); err != nil {
			t.Fatal(err)
		}
		run.Data["main"][0][0].JSON["a"] = 2.0
		if err := rs.SaveRun(ctx, e.ID, "Do", 0, run); err != nil {
			t.Fatalf("idempotent save: %v", err)
		}
		if err := rs.SaveRun(ctx, e.ID, "Do", 1, run); err != nil {
			t.Fatal(err)
		}
		back, err := rs.LoadRun(ctx, e.ID, "Do", 0)
		if err != nil || back.Output(0)[0].JSON["a"] != 2.0 {
			t.Fatalf("load: %+v %v", back, err)
		}
		// Stored trigger items are loadable but are not run data.
		if err := rs.SaveRun(ctx, e.ID, nodes.TriggerRunNode, 0, run); err != nil {
			t.Fatal(err)
		}
		if trig, err := rs.LoadRun(ctx, e.ID, nodes.TriggerRunNode, 0); err != nil || len(trig.Output(0)) != 1 {
			t.Fatalf("trigger items: %+v %v", trig, err)
		}
		rd, err := rs.LoadRunData(ctx, e.ID)
		if err != nil || len(rd) != 1 || len(rd["Do"]) != 2 {
			t.Fatalf("run data: %v %v", rd, err)
		}
		if _, err := rs.LoadRun(ctx, e.ID, "Do", 5); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Fatalf("missing run: %v", err)
		}

		for _, st := range []string{nodes.StatusSuccess, nodes.StatusSuccess, nodes.StatusError} {
			x := &persistence.Execution{WorkflowID: w.ID, VersionID: w.VersionID, OwnerID: ann.ID, Mode: nodes.ModeWebhook}
			if err := db.CreateExecution(ctx, x); err != nil {
				t.Fatal(err)
			}
			_ = db.UpdateExecution(ctx, x.ID, persistence.ExecutionUpdate{Status: st})
		}
		s := persistence.Scope{UserID: ann.ID}
		list := func(f persistence.ExecutionFilter) int {
			t.Helper()
			got, _, err := db.ListExecutions(ctx, s, f)
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		}
		if n := list(persistence.ExecutionFilter{Status: nodes.StatusError}); n != 2 {
			t.Errorf("status filter: %d", n)
		}
		if n := list(persistence.ExecutionFilter{Mode: nodes.ModeWebhook}); n != 3 {
			t.Errorf("mode filter: %d", n)
		}
		future := time.Now().Add(time.Hour)
		if n := list(persistence.ExecutionFilter{StartedAfter: &future}); n != 0 {
			t.Errorf("time filter: %d", n)
		}
		if n, _, _ := db.ListExecutions(ctx, persistence.Scope{UserID: bob.ID}, persistence.ExecutionFilter{}); len(n) != 0 {
			t.Errorf("bob lists %d executions", len(n))
		}
		if err := db.DeleteExecution(ctx, s, e.ID); err != nil {
			t.Fatal(err)
		}
		if rd, _ := rs.LoadRunData(ctx, e.ID); len(rd) != 0 {
			t.Fatal("run data survived execution delete")
		}
	})
}

// TestHandWrittenReadsMatchGORM checks the hand-written reads of every
// request (hotreads.go) against GORM reading the same rows: fields, time
// values and their locations (answers encode them), tags in order,
// deleted workflows and other owners left out.
func TestHandWrittenReadsMatchGORM(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		ann := mustUser(t, db, "ann@x.io")
		bob := mustUser(t, db, "bob@x.io")
		tags := [][]string{{"zeta", "alpha", "Mid", `quo"te`, "é", `back\slash`}, nil, {"only"}, {"b", "a"}}
		var ids []string
		for i, tg := range tags {
			w, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, fmt.Sprintf("Flow %d", i)), tg)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, w.ID)
		}
		if _, err := db.CreateWorkflow(ctx, bob.ID, sampleWorkflow(t, "Bob's"), []string{"x"}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteWorkflow(ctx, persistence.Scope{UserID: ann.ID}, ids[3]); err != nil {
			t.Fatal(err)
		}
		if err := db.SetWorkflowActive(ctx, persistence.Scope{UserID: ann.ID}, ids[2], true, nil); err != nil {
			t.Fatal(err)
		}

		// What GORM reads for a scope, newest update first.
		want := func(s persistence.Scope) []*persistence.Workflow {
			t.Helper()
			var rows []persistence.WorkflowRow
			q := db.Gorm().Order("updated_at DESC, id DESC")
			if !s.Admin {
				q = q.Where("owner_id = ?", s.UserID)
			}
			if err := q.Find(&rows).Error; err != nil {
				t.Fatal(err)
			}
			var out []*persistence.Workflow
			for _, r := range rows {
				var tags []string
				if err := db.Gorm().Table("workflow_tags").Where("workflow_id = ?", r.ID).Order("tag").Pluck("tag", &tags).Error; err != nil {
					t.Fatal(err)
				}
				if tags == nil {
					tags = []string{}
				}
				out = append(out, &persistence.Workflow{ID: r.ID, OwnerID: r.OwnerID, Name: r.Name, Active: r.Active,
					VersionID: r.VersionID, Tags: tags, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
			}
			return out
		}
		same := func(what string, got, want *persistence.Workflow) {
			t.Helper()
			g, w := *got, *want
			g.Definition = nil
			gc, _ := g.CreatedAt.MarshalJSON()
			wc, _ := w.CreatedAt.MarshalJSON()
			gu, _ := g.UpdatedAt.MarshalJSON()
			wu, _ := w.UpdatedAt.MarshalJSON()
			if !reflect.DeepEqual(g, w) || string(gc) != string(wc) || string(gu) != string(wu) {
				t.Errorf("%s:\n got %+v (%s %s)\nwant %+v (%s %s)", what, g, gc, gu, w, wc, wu)
			}
		}
		for _, s := range []persistence.Scope{{UserID: ann.ID}, {UserID: bob.ID, Admin: true}} {
			exp := want(s)
			got, next, err := db.ListWorkflowHeads(ctx, s, persistence.WorkflowFilter{})
			if err != nil || next != "" || len(got) != len(exp) {
				t.Fatalf("admin %v: listed %d workflows (%q, %v), want %d", s.Admin, len(got), next, err, len(exp))
			}
			for i := range exp {
				same("list", got[i], exp[i])
				one, err := db.GetWorkflowHead(ctx, s, exp[i].ID)
				if err != nil {
					t.Fatal(err)
				}
				same("get", one, exp[i])
			}
		}
		if _, err := db.GetWorkflowHead(ctx, persistence.Scope{UserID: bob.ID}, ids[0]); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Errorf("bob gets ann's workflow: %v", err)
		}
		if _, err := db.GetWorkflowHead(ctx, persistence.Scope{UserID: ann.ID}, ids[3]); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Errorf("deleted workflow read: %v", err)
		}
		// A transaction's copy reads inside the transaction: it sees the
		// change not yet committed.
		err := db.SetWorkflowActive(ctx, persistence.Scope{UserID: ann.ID}, ids[0], true, func(tx *persistence.DB) error {
			w, err := tx.GetWorkflow(ctx, persistence.Scope{UserID: ann.ID}, ids[0])
			if err != nil {
				return err
			}
			if !w.Active || !w.Definition.Active || len(w.Definition.Nodes) != 2 {
				t.Errorf("inside the transaction: active %v, definition %+v", w.Active, w.Definition)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		u, live, err := db.SessionUser(ctx, ann.ID, "no-such-family")
		if err != nil || live || u.ID != ann.ID || u.Email != "ann@x.io" || u.PasswordHash != "x" || !u.Active {
			t.Errorf("session user: %+v %v %v", u, live, err)
		}
		var gu persistence.User
		if err := db.Gorm().Where("id = ?", ann.ID).Take(&gu).Error; err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*u, gu) {
			t.Errorf("session user %+v, GORM reads %+v", *u, gu)
		}
		if _, _, err := db.SessionUser(ctx, "nobody", "f"); nodes.ErrorCode(err) != nodes.CodeNotFound {
			t.Errorf("unknown user: %v", err)
		}
	})
}

// TestWorkflowListPageSizes lists with every page size: each is a
// statement text of its own, more than the prepared-statement cache keeps,
// and the ones beyond it still answer.
func TestWorkflowListPageSizes(t *testing.T) {
	db := dbtest.SQLite(t)
	ctx := context.Background()
	ann := mustUser(t, db, "ann@x.io")
	for i := range 3 {
		if _, err := db.CreateWorkflow(ctx, ann.ID, sampleWorkflow(t, fmt.Sprint("Flow ", i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	for limit := 1; limit <= 250; limit++ {
		ws, next, err := db.ListWorkflowHeads(ctx, persistence.Scope{UserID: ann.ID}, persistence.WorkflowFilter{Page: persistence.Page{Limit: limit}})
		if err != nil || len(ws) != min(limit, 3) || (next != "") != (limit < 3) {
			t.Fatalf("limit %d: %d workflows, next %q, %v", limit, len(ws), next, err)
		}
	}
}
