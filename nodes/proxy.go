package nodes

import (
	"time"

	"github.com/weft/weft/nodes/expr"
)

// ExprEnv returns the variables an expression evaluated for item itemIndex
// sees: n8n's workflow data proxy.
func (c *Context) ExprEnv(itemIndex int) expr.Env {
	items := c.InputItems(0)
	var cur *Item
	if itemIndex >= 0 && itemIndex < len(items) {
		cur = &items[itemIndex]
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	t := now().In(loc)
	env := expr.Env{
		"$itemIndex": itemIndex,
		"$runIndex":  c.RunIndex,
		"$now":       t,
		"$today":     time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc),
		"$workflow": expr.Object{
			"id":     c.Workflow.ID,
			"name":   c.Workflow.Name,
			"active": c.Workflow.Active,
		},
		"$execution": expr.Object{
			"id":        c.Execution.ID,
			"mode":      c.Execution.Mode,
			"resumeUrl": c.Execution.ResumeURL,
		},
		"$input": c.inputProxy(items, itemIndex),
		"$":      expr.Func(func(args ...any) (any, error) { return c.nodeProxy(args) }),
	}
	if cur != nil {
		env["$json"] = cur.JSON
		env["$binary"] = binaryJSON(cur.Binary)
	} else {
		env["$json"] = map[string]any{}
		env["$binary"] = map[string]any{}
	}
	return env
}

func (c *Context) inputProxy(items []Item, itemIndex int) expr.Object {
	return expr.Object{
		"all":   expr.Func(func(...any) (any, error) { return itemsJSON(items), nil }),
		"first": expr.Func(func(...any) (any, error) { return itemAt(items, 0), nil }),
		"last":  expr.Func(func(...any) (any, error) { return itemAt(items, len(items)-1), nil }),
		"item":  expr.Getter(func() (any, error) { return itemAt(items, itemIndex), nil }),
	}
}

func (c *Context) nodeProxy(args []any) (any, error) {
	name, _ := firstArg(args).(string)
	if c.Workflow.Node(name) == nil {
		return nil, NewNodeError("Referenced node doesn't exist: %s", name)
	}
	runs, err := c.Runs.Runs(name)
	if err != nil {
		return nil, err
	}
	var out []Item
	if len(runs) > 0 {
		out = runs[len(runs)-1].Output(0)
	}
	return expr.Object{
		"isExecuted": len(runs) > 0,
		"all":        expr.Func(func(...any) (any, error) { return itemsJSON(out), nil }),
		"first":      expr.Func(func(...any) (any, error) { return itemAt(out, 0), nil }),
		"last":       expr.Func(func(...any) (any, error) { return itemAt(out, len(out)-1), nil }),
	}, nil
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

func itemAt(items []Item, i int) any {
	if i < 0 || i >= len(items) {
		return nil
	}
	return itemJSON(items[i])
}

func itemsJSON(items []Item) []any {
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = itemJSON(it)
	}
	return out
}

func itemJSON(it Item) map[string]any {
	m := map[string]any{"json": it.JSON}
	if it.Binary != nil {
		m["binary"] = binaryJSON(it.Binary)
	}
	return m
}

func binaryJSON(b map[string]*Binary) map[string]any {
	out := map[string]any{}
	for k, v := range b {
		out[k] = NormalizeJSON(v)
	}
	return out
}
