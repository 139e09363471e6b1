package nodes

import (
	"github.com/weft/weft/nodes/expr"

	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// EncodeRun returns the JSON of a run, byte for byte what json.Marshal(run)
// gives, written into one buffer: items go through the ordered writer
// directly instead of encoding/json's Marshaler path (which re-scans every
// item's output). Run stores use it with DecodeRun.
func EncodeRun(run *NodeRun) ([]byte, error) {
	if run == nil {
		return []byte("null"), nil
	}
	buf := make([]byte, 0, 1024)
	buf = append(buf, `{"startTime":`...)
	buf = strconv.AppendInt(buf, run.StartTime, 10)
	buf = append(buf, `,"executionTime":`...)
	buf = strconv.AppendInt(buf, run.ExecutionTime, 10)
	buf = append(buf, `,"executionIndex":`...)
	buf = strconv.AppendInt(buf, int64(run.ExecutionIndex), 10)
	buf = append(buf, `,"executionStatus":`...)
	buf = appendJSONString(buf, run.ExecutionStatus)
	buf = append(buf, `,"source":`...)
	var err error
	if buf, err = appendMarshal(buf, run.Source); err != nil {
		return nil, err
	}
	if len(run.Data) > 0 {
		buf = append(buf, `,"data":{`...)
		keys := make([]string, 0, len(run.Data))
		for k := range run.Data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			if buf, err = appendOutputs(buf, run.Data[k]); err != nil {
				return nil, err
			}
		}
		buf = append(buf, '}')
	}
	if run.Error != nil {
		buf = append(buf, `,"error":`...)
		if buf, err = appendMarshal(buf, run.Error); err != nil {
			return nil, err
		}
	}
	if len(run.Hints) > 0 {
		buf = append(buf, `,"hints":`...)
		if buf, err = appendMarshal(buf, run.Hints); err != nil {
			return nil, err
		}
	}
	if len(run.Metadata) > 0 {
		buf = append(buf, `,"metadata":`...)
		if buf, err = appendMarshal(buf, run.Metadata); err != nil {
			return nil, err
		}
	}
	if len(run.State) > 0 {
		buf = append(buf, `,"state":`...)
		if buf, err = appendValue(buf, run.State, nil); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendOutputs writes a connection type's outputs ([[items]...]).
func appendOutputs(buf []byte, outs [][]Item) ([]byte, error) {
	if outs == nil {
		return append(buf, "null"...), nil
	}
	buf = append(buf, '[')
	for i, items := range outs {
		if i > 0 {
			buf = append(buf, ',')
		}
		if items == nil {
			buf = append(buf, "null"...)
			continue
		}
		buf = append(buf, '[')
		for j := range items {
			if j > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendItem(buf, &items[j]); err != nil {
				return nil, err
			}
		}
		buf = append(buf, ']')
	}
	return append(buf, ']'), nil
}

// appendItem writes an item as its MarshalJSON does.
func appendItem(buf []byte, it *Item) ([]byte, error) {
	buf = append(buf, `{"json":`...)
	var err error
	buf, err = appendValue(buf, it.JSON, it.order)
	if err != nil {
		return nil, err
	}
	if len(it.Binary) > 0 {
		buf = append(buf, `,"binary":`...)
		if buf, err = appendMarshal(buf, it.Binary); err != nil {
			return nil, err
		}
	}
	if len(it.PairedItem) > 0 {
		buf = append(buf, `,"pairedItem":`...)
		if len(it.PairedItem) == 1 {
			buf, err = appendPaired(buf, &it.PairedItem[0])
		} else {
			buf = append(buf, '[')
			for i := range it.PairedItem {
				if i > 0 {
					buf = append(buf, ',')
				}
				if buf, err = appendPaired(buf, &it.PairedItem[i]); err != nil {
					break
				}
			}
			buf = append(buf, ']')
		}
		if err != nil {
			return nil, err
		}
	}
	if it.Error != nil {
		buf = append(buf, `,"error":`...)
		if buf, err = appendMarshal(buf, it.Error); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

func appendPaired(buf []byte, p *PairedItem) ([]byte, error) {
	buf = append(buf, `{"item":`...)
	buf = strconv.AppendInt(buf, int64(p.Item), 10)
	if p.Input != 0 {
		buf = append(buf, `,"input":`...)
		buf = strconv.AppendInt(buf, int64(p.Input), 10)
	}
	if p.SourceOverwrite != nil {
		buf = append(buf, `,"sourceOverwrite":`...)
		var err error
		if buf, err = appendMarshal(buf, p.SourceOverwrite); err != nil {
			return nil, err
		}
	}
	return append(buf, '}'), nil
}

// appendMarshal appends json.Marshal(v).
func appendMarshal(buf []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, b...), nil
}

// appendValue appends a JSON value as json.Marshal writes it, except that
// objects list their keys in order's order (expr.OrderedKeys; sorted where
// order has none). It writes the types of the item value model directly and
// hands others to encoding/json.
func appendValue(buf []byte, v any, order *KeyOrder) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		return appendJSONString(buf, x), nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return appendMarshal(buf, x) // encoding/json's error
		}
		return appendFloat(buf, x), nil
	case map[string]any:
		if x == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '{')
		if len(x) == 0 {
			return append(buf, '}'), nil
		}
		var keys []string
		if order == nil || len(order.Keys) == 0 {
			var arr [16]string
			keys = arr[:0]
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		} else {
			keys = expr.OrderedKeys(x, order)
		}
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, k)
			buf = append(buf, ':')
			var err error
			if buf, err = appendValue(buf, x[k], order.Field(k)); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case []any:
		if x == nil {
			return append(buf, "null"...), nil
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendValue(buf, e, order.Elem(i)); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	}
	return appendMarshal(buf, v)
}

// appendFloat formats a finite float64 as encoding/json does.
func appendFloat(buf []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(buf)
		if n >= 4 && buf[n-4] == 'e' && buf[n-3] == '-' && buf[n-2] == '0' {
			buf[n-2] = buf[n-1]
			buf = buf[:n-1]
		}
	}
	return buf
}

// DecodeRun reads a run written by EncodeRun or json.Marshal. The items of
// "data" are read in one pass with their key order; the run's other members
// go through encoding/json. Invalid JSON is an error.
func DecodeRun(b []byte) (run *NodeRun, err error) {
	if !json.Valid(b) {
		// encoding/json's description of what is wrong.
		var r NodeRun
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		return nil, errors.New("decode run: invalid JSON")
	}
	defer func() {
		if p := recover(); p != nil {
			run, err = nil, fmt.Errorf("decode run: %v", p)
		}
	}()
	s := orderScanner{b: b}
	s.ws()
	if b[s.i] != '{' {
		// null, or not an object: encoding/json's answer.
		var r *NodeRun
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		if r == nil {
			r = &NodeRun{}
		}
		return r, nil
	}
	var (
		data    map[string][][]Item
		hasData bool
		rest    []byte
	)
	s.i++
	for {
		s.ws()
		if b[s.i] == '}' {
			break
		}
		start := s.i
		k := s.key()
		s.ws()
		s.i++ // ':'
		s.ws()
		if k == "data" {
			if data, err = s.runData(); err != nil {
				return nil, err
			}
			hasData = true
		} else {
			s.skip()
			if rest == nil {
				rest = append(rest, '{')
			} else {
				rest = append(rest, ',')
			}
			rest = append(rest, b[start:s.i]...)
		}
		s.ws()
		if b[s.i] == ',' {
			s.i++
		}
	}
	var r NodeRun
	if rest != nil {
		if err := json.Unmarshal(append(rest, '}'), &r); err != nil {
			return nil, err
		}
	}
	if hasData {
		r.Data = data
	}
	return &r, nil
}

// runData reads the value of a run's "data": connection type → outputs.
func (s *orderScanner) runData() (map[string][][]Item, error) {
	switch s.b[s.i] {
	case 'n':
		s.i += 4
		return nil, nil
	case '{':
	default:
		return nil, s.typeError("data")
	}
	s.i++
	data := map[string][][]Item{}
	for {
		s.ws()
		if s.b[s.i] == '}' {
			s.i++
			return data, nil
		}
		k := s.key()
		s.ws()
		s.i++ // ':'
		s.ws()
		outs, err := s.outputs()
		if err != nil {
			return nil, err
		}
		data[k] = outs
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}

// outputs reads [[items]...] (null for none).
func (s *orderScanner) outputs() ([][]Item, error) {
	switch s.b[s.i] {
	case 'n':
		s.i += 4
		return nil, nil
	case '[':
	default:
		return nil, s.typeError("outputs")
	}
	s.i++
	outs := [][]Item{}
	for {
		s.ws()
		if s.b[s.i] == ']' {
			s.i++
			return outs, nil
		}
		var items []Item
		switch s.b[s.i] {
		case 'n':
			s.i += 4
		case '[':
			s.i++
			items = []Item{}
			for {
				s.ws()
				if s.b[s.i] == ']' {
					s.i++
					break
				}
				var it Item
				if s.b[s.i] == 'n' {
					s.i += 4
				} else {
					var err error
					if it, err = s.item(); err != nil {
						return nil, err
					}
				}
				items = append(items, it)
				s.ws()
				if s.b[s.i] == ',' {
					s.i++
				}
			}
		default:
			return nil, s.typeError("items")
		}
		outs = append(outs, items)
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
}

// typeError reports the value at s.i, which does not fit what was
// expected, as encoding/json does.
func (s *orderScanner) typeError(what string) error {
	start := s.i
	s.skip()
	return fmt.Errorf("decode run: %s: unexpected %s", what, s.b[start:min(s.i, start+20)])
}

// item reads one item at s.i (valid JSON text): "json" with its key
// order and "pairedItem" in one pass, the other members through
// encoding/json.
func (s *orderScanner) item() (Item, error) {
	start := s.i
	if s.b[s.i] != '{' {
		s.skip()
		var p plainItem
		err := json.Unmarshal(s.b[start:s.i], &p)
		return Item(p), err
	}
	var (
		p    plainItem
		rest []byte
	)
	s.i++
	for {
		s.ws()
		if s.b[s.i] == '}' {
			s.i++
			break
		}
		kstart := s.i
		k := s.key()
		s.ws()
		s.i++ // ':'
		s.ws()
		if k == "json" {
			v, order := s.decode()
			m, _ := v.(map[string]any)
			if v != nil && m == nil {
				// Not an object: encoding/json's error.
				t := orderScanner{b: s.b, i: start}
				t.skip()
				var q plainItem
				return Item{}, json.Unmarshal(s.b[start:t.i], &q)
			}
			p.JSON, p.order = m, order
		} else if k == "pairedItem" {
			// As PairedItems.UnmarshalJSON reads it, without a second
			// pass.
			v, _ := s.decode()
			pi, err := parsePaired(v)
			if err != nil {
				return Item{}, err
			}
			p.PairedItem = pi
		} else {
			s.skip()
			if rest == nil {
				rest = append(rest, '{')
			} else {
				rest = append(rest, ',')
			}
			rest = append(rest, s.b[kstart:s.i]...)
		}
		s.ws()
		if s.b[s.i] == ',' {
			s.i++
		}
	}
	if rest != nil {
		j, o := p.JSON, p.order
		if err := json.Unmarshal(append(rest, '}'), &p); err != nil {
			return Item{}, err
		}
		p.JSON, p.order = j, o
	}
	return Item(p), nil
}
