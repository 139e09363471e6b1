package temporal

import (
	"reflect"
	"testing"

	"github.com/weft/weft/nodes"
)

func TestReuserMatch(t *testing.T) {
	fromA := []*nodes.SourceRef{{PreviousNode: "A"}}
	plan := &RetryPlan{Runs: []RetryRun{
		{Node: "Start", ExecutionIndex: 0, Status: nodes.StatusSuccess, Outputs: []int{1}, Source: []*nodes.SourceRef{}},
		{Node: "A", ExecutionIndex: 1, Status: nodes.StatusSuccess, Outputs: []int{2, 0}, Source: []*nodes.SourceRef{{PreviousNode: "Start"}}},
		// Index 2 produced no data.
		{Node: "B", RunIndex: 1, ExecutionIndex: 3, Status: nodes.StatusSuccess, Outputs: []int{2}, Source: fromA},
		{Node: "C", ExecutionIndex: 4, Status: nodes.StatusError},
	}}
	input := func(node string, output int) []*nodes.TaskInput {
		return []*nodes.TaskInput{{Node: node, Output: output, Count: 2}}
	}
	cases := []struct {
		name string
		task nodes.Task
		want nodes.TaskResult
		ok   bool
		copy []RunRef
	}{
		{"trigger", nodes.Task{Node: "Start", Trigger: true}, nodes.TaskResult{Status: nodes.StatusSuccess, Outputs: []int{1}}, true, []RunRef{{"Start", 0}}},
		{"outputs", nodes.Task{Node: "A", ExecutionIndex: 1, Inputs: input("Start", 0)}, nodes.TaskResult{Status: nodes.StatusSuccess, Outputs: []int{2, 0}}, true, []RunRef{{"A", 0}}},
		{"no data", nodes.Task{Node: "X", ExecutionIndex: 2}, nodes.TaskResult{Status: nodes.StatusSuccess, NoData: true}, true, nil},
		{"run index", nodes.Task{Node: "B", RunIndex: 1, ExecutionIndex: 3, Inputs: input("A", 0)}, nodes.TaskResult{Status: nodes.StatusSuccess, Outputs: []int{2}}, true, []RunRef{{"B", 1}}},
		{"other run index", nodes.Task{Node: "B", ExecutionIndex: 3, Inputs: input("A", 0)}, nodes.TaskResult{}, false, nil},
		{"other node", nodes.Task{Node: "D", RunIndex: 1, ExecutionIndex: 3, Inputs: input("A", 0)}, nodes.TaskResult{}, false, nil},
		{"other source output", nodes.Task{Node: "B", RunIndex: 1, ExecutionIndex: 3, Inputs: input("A", 1)}, nodes.TaskResult{}, false, nil},
		{"other inputs", nodes.Task{Node: "B", RunIndex: 1, ExecutionIndex: 3, Inputs: []*nodes.TaskInput{{Node: "A"}, nil}}, nodes.TaskResult{}, false, nil},
		{"failed run", nodes.Task{Node: "C", ExecutionIndex: 4, Inputs: input("B", 0)}, nodes.TaskResult{}, false, nil},
		{"past the end", nodes.Task{Node: "D", ExecutionIndex: 5, Inputs: input("C", 0)}, nodes.TaskResult{}, false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReuser(plan)
			got, ok := r.match(&c.task)
			if ok != c.ok || !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(r.copies, c.copy) {
				t.Fatalf("match = %+v, %v, copies %v; want %+v, %v, copies %v", got, ok, r.copies, c.want, c.ok, c.copy)
			}
		})
	}
}
