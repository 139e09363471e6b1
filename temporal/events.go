package temporal

import (
	"encoding/json"

	"github.com/weft/weft/nodes"
)

// Bounds of node.completed's preview: events travel through PostgreSQL's
// NOTIFY (8,000 bytes at most) to browsers, so they carry a taste of the
// output, never the output.
const (
	// MaxPreviewBytes bounds the JSON of a preview's items together.
	MaxPreviewBytes = 2048
	// maxPreviewItems bounds how many items a preview holds.
	maxPreviewItems = 3
)

// preview returns the JSON of the first items of a run's first non-empty
// main output, as many as fit in MaxPreviewBytes (at most
// maxPreviewItems), and whether items were left out.
func preview(run *nodes.NodeRun) ([]json.RawMessage, bool) {
	var items []nodes.Item
	for _, out := range run.Main() {
		if len(out) > 0 {
			items = out
			break
		}
	}
	var (
		out  []json.RawMessage
		size int
	)
	for i, it := range items {
		if i == maxPreviewItems {
			return out, true
		}
		// The item as n8n shows it, {"json": …} in its key order,
		// without binary data, paired items or errors.
		b, err := json.Marshal(nodes.Item{JSON: it.JSON}.WithKeyOrder(it.KeyOrder()))
		if err != nil || size+len(b) > MaxPreviewBytes {
			return out, true
		}
		size += len(b)
		out = append(out, b)
	}
	return out, false
}
