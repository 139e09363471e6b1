package nodes

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Item is one unit of data flowing between nodes: n8n's INodeExecutionData.
type Item struct {
	// JSON is the item's data. Values are JSON values as Go decodes them
	// (nil, bool, float64, string, []any, map[string]any).
	JSON map[string]any `json:"json"`
	// Binary holds files by property name ("data", "attachment_0", ...).
	Binary map[string]*Binary `json:"binary,omitempty"`
	// PairedItem links the item to the input items it was made from.
	PairedItem PairedItems `json:"pairedItem,omitempty"`
	// Error, when set on an output item, marks it as an item that failed;
	// continueErrorOutput routes such items to the error output.
	Error *NodeError `json:"error,omitempty"`
	// order hints the key order of JSON (see KeyOrder); shared, never
	// changed.
	order *KeyOrder
}

// Binary is a file attached to an item, n8n's IBinaryData.
type Binary struct {
	// Data is the file's content, base64 encoded (n8n's default mode).
	Data          string `json:"data,omitempty"`
	MimeType      string `json:"mimeType,omitempty"`
	FileType      string `json:"fileType,omitempty"`
	FileName      string `json:"fileName,omitempty"`
	FileExtension string `json:"fileExtension,omitempty"`
	FileSize      string `json:"fileSize,omitempty"`
	Directory     string `json:"directory,omitempty"`
	// ID references content kept in a store instead of inline.
	ID string `json:"id,omitempty"`
}

// PairedItem points at an item of one of the node's inputs.
type PairedItem struct {
	Item  int `json:"item"`
	Input int `json:"input,omitempty"`
	// SourceOverwrite, when set, names the node output the item came from
	// instead of the run's input source (Loop Over Items sets it on items it
	// held back from an earlier run).
	SourceOverwrite *SourceRef `json:"sourceOverwrite,omitempty"`
}

// PairedItems is an item's pairing: none, one or several input items. It
// decodes n8n's three spellings (a number, an object, an array) and encodes a
// single pairing as an object.
type PairedItems []PairedItem

// MarshalJSON writes one pairing as an object and several as an array.
func (p PairedItems) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]PairedItem(p))
}

// UnmarshalJSON reads a number, an object or an array of either.
func (p *PairedItems) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	out, err := parsePaired(v)
	*p = out
	return err
}

// ParsePairedItems converts a pairedItem value as JavaScript code returns it.
func ParsePairedItems(v any) (PairedItems, error) { return parsePaired(v) }

func parsePaired(v any) (PairedItems, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		return PairedItems{{Item: int(x)}}, nil
	case int64:
		return PairedItems{{Item: int(x)}}, nil
	case int:
		return PairedItems{{Item: x}}, nil
	case map[string]any:
		pi := PairedItem{}
		if n, ok := toInt(x["item"]); ok {
			pi.Item = n
		}
		if n, ok := toInt(x["input"]); ok {
			pi.Input = n
		}
		if so, ok := x["sourceOverwrite"].(map[string]any); ok {
			ref := &SourceRef{}
			ref.PreviousNode, _ = so["previousNode"].(string)
			ref.PreviousNodeOutput, _ = toInt(so["previousNodeOutput"])
			ref.PreviousNodeRun, _ = toInt(so["previousNodeRun"])
			pi.SourceOverwrite = ref
		}
		return PairedItems{pi}, nil
	case []any:
		var out PairedItems
		for _, e := range x {
			ps, err := parsePaired(e)
			if err != nil {
				return nil, err
			}
			out = append(out, ps...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("pairedItem: unexpected %T", v)
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case int64:
		return int(n), true
	case int:
		return n, true
	}
	return 0, false
}

// NewItem returns an item with the given json (nil becomes {}).
func NewItem(j map[string]any) Item {
	if j == nil {
		j = map[string]any{}
	}
	return Item{JSON: j}
}

// Paired returns a copy of the item paired with input item i of input 0.
func (it Item) Paired(i int) Item {
	it.PairedItem = PairedItems{{Item: i}}
	return it
}

// Clone returns a deep copy of the item.
func (it Item) Clone() Item {
	c := Item{JSON: CloneJSON(it.JSON).(map[string]any), Error: it.Error, order: it.order}
	if it.JSON == nil {
		c.JSON = map[string]any{}
	}
	if it.Binary != nil {
		c.Binary = make(map[string]*Binary, len(it.Binary))
		for k, b := range it.Binary {
			bb := *b
			c.Binary[k] = &bb
		}
	}
	if it.PairedItem != nil {
		c.PairedItem = append(PairedItems(nil), it.PairedItem...)
		for i, p := range c.PairedItem {
			if p.SourceOverwrite != nil {
				so := *p.SourceOverwrite
				c.PairedItem[i].SourceOverwrite = &so
			}
		}
	}
	return c
}

// CloneJSON deep-copies a JSON value; maps and slices are copied, scalars
// returned as they are.
func CloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = CloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = CloneJSON(e)
		}
		return s
	}
	return v
}

// NormalizeJSON converts a Go value into the JSON value model items use, the
// way JSON.stringify would see it: integers become float64, times become
// ISO-8601 strings with milliseconds, NaN and infinities become nil, typed
// maps and slices become map[string]any and []any. Values it does not know
// go through encoding/json.
func NormalizeJSON(v any) any {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case float32:
		return NormalizeJSON(float64(x))
	case int:
		return float64(x)
	case int8:
		return float64(x)
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case uint:
		return float64(x)
	case uint8:
		return float64(x)
	case uint16:
		return float64(x)
	case uint32:
		return float64(x)
	case uint64:
		return float64(x)
	case json.Number:
		f, _ := x.Float64()
		return f
	case time.Time:
		return FormatISO(x)
	case map[string]any:
		for k, e := range x {
			x[k] = NormalizeJSON(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = NormalizeJSON(e)
		}
		return x
	case []map[string]any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = NormalizeJSON(e)
		}
		return s
	case []string:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = e
		}
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(v)
	}
	return out
}

// FormatISO formats a time as JavaScript and Luxon print it: milliseconds,
// "Z" for UTC, otherwise the offset.
func FormatISO(t time.Time) string {
	return t.Format("2006-01-02T15:04:05.000Z07:00")
}
