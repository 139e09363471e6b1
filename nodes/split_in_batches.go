package nodes

import (
	"encoding/json"
	"math"
)

// SplitInBatches is n8n's Loop Over Items (Split in Batches) node. Its first
// run (or a run with the reset option) takes its input as the items to
// process and emits the first batch; every later run, fed back by the loop
// body, records its input as processed and emits the next batch. When no
// items remain, version 3 emits everything processed on its done output
// (version 2 on its second output; version 1 just stops).
//
// Its progress lives in the node's context (Context.State), which the runner
// stores with each run and hands to the next run of the same node. The keys
// are n8n's, so that expressions reading $('Loop').context see the same
// values: items (still to emit), processedItems, currentRunIndex,
// maxRunIndex, sourceData, noItemsLeft and done.
type SplitInBatches struct{}

// SplitInBatchesParams are the node's parameters.
type SplitInBatchesParams struct {
	BatchSize any `json:"batchSize" doc:"How many items each run emits (at least 1; default 1 in version 3, 10 before)."`
	Options   struct {
		Reset any `json:"reset" doc:"true: start again from this run's input instead of continuing with the items held back (usually an expression)."`
	} `json:"options" doc:"Options."`
}

// Loop Over Items' outputs in version 3.
const (
	// LoopOutputDone receives every processed item once no items remain.
	LoopOutputDone = 0
	// LoopOutputLoop receives each batch.
	LoopOutputLoop = 1
)

func init() { Register(SplitInBatches{}) }

// Describe implements Node.
func (SplitInBatches) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.splitInBatches",
		DisplayName: "Loop Over Items (Split in Batches)",
		Summary:     "Splits items into batches and loops over them, then outputs everything the loop produced.",
		Versions:    []float64{1, 2, 3},
		Kind:        KindPure,
		Outputs: func(n *NodeInstance) int {
			if n.TypeVersion < 2 {
				return 1
			}
			return 2
		},
		Params: SplitInBatchesParams{},
	}
}

// Validate implements Node.
func (SplitInBatches) Validate(n *NodeInstance) error {
	var p SplitInBatchesParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	if p.BatchSize != nil {
		f, ok := toNumberParam(p.BatchSize)
		if !ok {
			return ParamErrorf("batchSize", "must be a number, got %v", p.BatchSize)
		}
		if f < 1 {
			return ParamErrorf("batchSize", "must be at least 1, got %v", f)
		}
	}
	return nil
}

// Execute implements Node.
func (SplitInBatches) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	version := ctx.Node.TypeVersion
	items := pairedInputs(in, 1)[0]
	p := SplitInBatchesParams{BatchSize: 10.0}
	if version >= 3 {
		p.BatchSize = 1.0
	}
	if err := ctx.Decode(0, &p); err != nil {
		return nil, err
	}
	size, ok := toNumberParam(p.BatchSize)
	if !ok {
		return nil, NewNodeError("Batch Size must be a number, got %v", p.BatchSize)
	}
	if ctx.State == nil {
		ctx.State = map[string]any{}
	}
	st := ctx.State
	var batch []Item
	_, started := st["items"]
	if !started || p.Options.Reset == true {
		st["currentRunIndex"] = 0.0
		st["maxRunIndex"] = math.Ceil(float64(len(items)) / size)
		n := spliceCount(size, len(items))
		batch = items[:n]
		rest := items[n:]
		if version >= 2 {
			st["sourceData"] = sourceState(ctx.Source)
			st["processedItems"] = []any{}
		}
		st["items"] = itemsToState(rest)
	} else {
		cur, _ := toNumberParam(st["currentRunIndex"])
		st["currentRunIndex"] = cur + 1
		pending, err := itemsFromState(st["items"])
		if err != nil {
			return nil, err
		}
		n := spliceCount(size, len(pending))
		batch = pending[:n]
		st["items"] = itemsToState(pending[n:])
		if version >= 2 {
			processed, err := itemsFromState(st["processedItems"])
			if err != nil {
				return nil, err
			}
			var current *SourceRef
			if len(ctx.Source) > 0 {
				current = ctx.Source[0]
			}
			for i, it := range items {
				it.PairedItem = PairedItems{{Item: i, SourceOverwrite: cloneSourceRef(current)}}
				processed = append(processed, it)
			}
			st["processedItems"] = itemsToState(processed)
			first := sourceFromState(st["sourceData"])
			for i := range batch {
				batch[i].PairedItem = overwriteSource(batch[i].PairedItem, first)
			}
		}
	}
	pendingLeft, _ := st["items"].([]any)
	st["noItemsLeft"] = len(pendingLeft) == 0

	if version < 2 {
		if len(batch) == 0 {
			return [][]Item{{}}, nil
		}
		for i := range batch {
			// Version 1 pairs each item with its position in the batch.
			batch[i].PairedItem = PairedItems{{Item: i}}
		}
		return [][]Item{batch}, nil
	}
	if len(batch) == 0 {
		st["done"] = true
		processed, err := itemsFromState(st["processedItems"])
		if err != nil {
			return nil, err
		}
		if processed == nil {
			processed = []Item{}
		}
		if version < 3 {
			return [][]Item{{}, processed}, nil
		}
		return [][]Item{processed, {}}, nil
	}
	st["done"] = false
	if version < 3 {
		return [][]Item{batch, {}}, nil
	}
	return [][]Item{{}, batch}, nil
}

// spliceCount is how many items Array.prototype.splice(0, size) removes.
func spliceCount(size float64, n int) int {
	if math.IsNaN(size) || size <= 0 {
		return 0
	}
	size = math.Trunc(size)
	if size > float64(n) {
		return n
	}
	return int(size)
}

// overwriteSource points each pairing at the node output the loop's items
// originally came from (n8n's sourceOverwrite); items without pairing are
// paired with item 0 there.
func overwriteSource(p PairedItems, src *SourceRef) PairedItems {
	if len(p) == 0 {
		return PairedItems{{Item: 0, SourceOverwrite: cloneSourceRef(src)}}
	}
	out := make(PairedItems, len(p))
	for i, pi := range p {
		pi.SourceOverwrite = cloneSourceRef(src)
		out[i] = pi
	}
	return out
}

func cloneSourceRef(s *SourceRef) *SourceRef {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// sourceState is the run's input source as a JSON value (n8n's sourceData).
func sourceState(src []*SourceRef) any {
	if len(src) == 0 || src[0] == nil {
		return nil
	}
	return map[string]any{
		"previousNode":       src[0].PreviousNode,
		"previousNodeOutput": float64(src[0].PreviousNodeOutput),
		"previousNodeRun":    float64(src[0].PreviousNodeRun),
	}
}

func sourceFromState(v any) *SourceRef {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	ref := &SourceRef{}
	ref.PreviousNode, _ = m["previousNode"].(string)
	ref.PreviousNodeOutput, _ = toInt(m["previousNodeOutput"])
	ref.PreviousNodeRun, _ = toInt(m["previousNodeRun"])
	return ref
}

// itemsToState turns items into the JSON values a node context holds
// ({json, binary?, pairedItem?} objects), copying them directly rather than
// through encoding/json: the loop's state holds every item it has seen, and
// it is rebuilt on every batch.
func itemsToState(items []Item) []any {
	out := make([]any, len(items))
	for i, it := range items {
		j, _ := CloneJSON(it.JSON).(map[string]any)
		if j == nil {
			j = map[string]any{}
		}
		m := map[string]any{"json": j}
		if len(it.Binary) > 0 {
			m["binary"] = NormalizeJSON(it.Binary)
		}
		if len(it.PairedItem) > 0 {
			m["pairedItem"] = NormalizeJSON(it.PairedItem)
		}
		out[i] = m
	}
	return out
}

// itemsFromState reads items written by itemsToState, whether they are
// still Go values or came back from storage.
func itemsFromState(v any) ([]Item, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, NewNodeError("Loop Over Items: its stored state is unreadable: items are %T, not a list", v)
	}
	items := make([]Item, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, NewNodeError("Loop Over Items: its stored state is unreadable: item %d is %T", i, e)
		}
		j, _ := CloneJSON(m["json"]).(map[string]any)
		if j == nil {
			j = map[string]any{}
		}
		it := Item{JSON: j}
		if p := m["pairedItem"]; p != nil {
			pi, err := ParsePairedItems(p)
			if err != nil {
				return nil, NewNodeError("Loop Over Items: its stored state is unreadable: %v", err)
			}
			it.PairedItem = pi
		}
		if b := m["binary"]; b != nil {
			raw, err := json.Marshal(b)
			if err == nil {
				err = json.Unmarshal(raw, &it.Binary)
			}
			if err != nil {
				return nil, NewNodeError("Loop Over Items: its stored state is unreadable: %v", err)
			}
		}
		items[i] = it
	}
	return items, nil
}

var _ Node = SplitInBatches{}
