package nodes

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/weft/weft/nodes/expr"
)

// KeyOrder is a hint of the key order of an item's JSON objects (n8n keeps
// JavaScript's insertion order; Go maps keep none). See expr.KeyOrder: keys
// of the hint still in the map come first, in the hint's order, the map's
// other keys follow sorted. Values always come from the map.
type KeyOrder = expr.KeyOrder

// KeyOrder returns the hint of the order of the item's JSON keys (nil: none,
// keys go sorted).
func (it Item) KeyOrder() *KeyOrder { return it.order }

// WithKeyOrder returns the item with o as the hint of its JSON's key order.
// o must not be changed afterwards.
func (it Item) WithKeyOrder(o *KeyOrder) Item {
	it.order = o
	return it
}

// orderedJSON returns the item's JSON for the expression engine, with its
// key order when it has one.
func (it Item) orderedJSON(j any) any {
	if it.order == nil {
		return j
	}
	return expr.Ordered{Value: j, Order: it.order}
}

// plainItem is Item without its JSON methods.
type plainItem Item

// MarshalJSON writes the item as encoding/json would, with the keys of
// "json" in the order the item's hint gives.
func (it Item) MarshalJSON() ([]byte, error) {
	if it.order == nil {
		return json.Marshal(plainItem(it))
	}
	return json.Marshal(struct {
		JSON orderedValue `json:"json"`
		plainItem
	}{orderedValue{it.JSON, it.order}, plainItem(it)})
}

// UnmarshalJSON reads an item and records the key order of its "json",
// the way the run codec reads items (orderScanner.item: "json" and
// "pairedItem" in one pass, encoding/json having checked the whole text;
// the other members through encoding/json).
func (it *Item) UnmarshalJSON(b []byte) (err error) {
	defer func() {
		// Text encoding/json did not check (a direct call) can trip
		// the scanner: encoding/json gives the error.
		if recover() != nil {
			var p plainItem
			err = json.Unmarshal(b, &p)
			if err == nil {
				*it = Item(p)
			}
		}
	}()
	s := orderScanner{b: b}
	s.ws()
	v, err := s.item()
	if err != nil {
		return err
	}
	if s.short || s.i > len(b) {
		panic("short text") // encoding/json reports it
	}
	*it = v
	return nil
}

// decode reads one value as encoding/json decodes into an any, with its
// key order.
func (s *orderScanner) decode() (any, *KeyOrder) {
	if s.i >= len(s.b) {
		return nil, nil
	}
	switch c := s.b[s.i]; c {
	case '{':
		s.i++
		m := map[string]any{}
		var keys []string
		var fields map[string]*KeyOrder
		for {
			s.ws()
			if s.i >= len(s.b) {
				s.short = true
				return m, nil
			}
			if s.b[s.i] == '}' {
				s.i++
				break
			}
			k := s.key()
			s.ws()
			s.i++ // ':'
			s.ws()
			v, o := s.decode()
			m[k] = v
			keys = append(keys, k)
			if o != nil {
				if fields == nil {
					fields = map[string]*KeyOrder{}
				}
				fields[k] = o
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
		return m, leafOrder(keys, fields)
	case '[':
		s.i++
		a := []any{}
		var elems []*KeyOrder
		for {
			s.ws()
			if s.i >= len(s.b) {
				s.short = true
				return a, nil
			}
			if s.b[s.i] == ']' {
				s.i++
				break
			}
			v, o := s.decode()
			if o != nil {
				for len(elems) < len(a) {
					elems = append(elems, nil)
				}
				elems = append(elems, o)
			}
			a = append(a, v)
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
		if elems == nil {
			return a, nil
		}
		return a, &KeyOrder{Elems: elems}
	case '"':
		end := s.stringEnd()
		raw := s.b[s.i:end]
		s.i = end
		inner := raw[1 : len(raw)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return string(inner), nil
		}
		var str string
		_ = json.Unmarshal(raw, &str)
		return str, nil
	case 't':
		s.i += 4
		return true, nil
	case 'f':
		s.i += 5
		return false, nil
	case 'n':
		s.i += 4
		return nil, nil
	}
	start := s.i
	s.skip()
	f, _ := strconv.ParseFloat(string(s.b[start:s.i]), 64)
	return f, nil
}

// orderedValue encodes a JSON value with the key order of its objects.
type orderedValue struct {
	v     any
	order *KeyOrder
}

func (o orderedValue) MarshalJSON() ([]byte, error) {
	return appendValue(nil, o.v, o.order)
}

// appendJSONString appends s quoted as encoding/json quotes it.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// JSONKeyOrder returns the key order of the objects of a valid JSON text.
func JSONKeyOrder(b []byte) *KeyOrder {
	s := orderScanner{b: b}
	s.ws()
	return s.value()
}

// orderScanner reads the key order of valid JSON text.
type orderScanner struct {
	b []byte
	i int
	// short is set when the text ended inside a value.
	short bool
}

func (s *orderScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// stringEnd returns the index after the string starting at s.i.
func (s *orderScanner) stringEnd() int {
	j := s.i + 1
	for {
		n := bytes.IndexByte(s.b[j:], '"')
		if n < 0 {
			return len(s.b)
		}
		j += n
		bs := 0
		for k := j - 1; k > s.i && s.b[k] == '\\'; k-- {
			bs++
		}
		if bs%2 == 0 {
			return j + 1
		}
		j++
	}
}

func (s *orderScanner) key() string {
	end := s.stringEnd()
	raw := s.b[s.i:end]
	s.i = end
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1])
	}
	var k string
	_ = json.Unmarshal(raw, &k)
	return k
}

// value reads one value and returns its order (nil when it has no objects
// out of sorted order).
func (s *orderScanner) value() *KeyOrder {
	if s.i >= len(s.b) {
		return nil
	}
	switch s.b[s.i] {
	case '{':
		s.i++
		var keys []string
		var fields map[string]*KeyOrder
		for {
			s.ws()
			if s.i >= len(s.b) {
				return nil
			}
			if s.b[s.i] == '}' {
				s.i++
				break
			}
			k := s.key()
			s.ws()
			s.i++ // ':'
			s.ws()
			keys = append(keys, k)
			if o := s.value(); o != nil {
				if fields == nil {
					fields = map[string]*KeyOrder{}
				}
				fields[k] = o
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
		return leafOrder(keys, fields)
	case '[':
		s.i++
		var elems []*KeyOrder
		for n := 0; ; n++ {
			s.ws()
			if s.i >= len(s.b) {
				return nil
			}
			if s.b[s.i] == ']' {
				s.i++
				break
			}
			if o := s.value(); o != nil {
				for len(elems) < n {
					elems = append(elems, nil)
				}
				elems = append(elems, o)
			}
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == ',' {
				s.i++
			}
		}
		if elems == nil {
			return nil
		}
		return &KeyOrder{Elems: elems}
	}
	s.skip()
	return nil
}

// skip passes over one value.
func (s *orderScanner) skip() {
	if s.i >= len(s.b) {
		return
	}
	switch s.b[s.i] {
	case '"':
		s.i = s.stringEnd()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				s.i = s.stringEnd()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return
				}
			}
			s.i++
		}
	default:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			s.i++
		}
	}
}

// leafOrder is nil for an object whose keys are sorted and whose values
// have no hints (nil already means sorted order), else its hint.
func leafOrder(keys []string, fields map[string]*KeyOrder) *KeyOrder {
	if fields == nil {
		sorted := true
		for i := 1; i < len(keys); i++ {
			if keys[i] < keys[i-1] {
				sorted = false
				break
			}
		}
		if sorted {
			return nil
		}
	}
	return &KeyOrder{Keys: keys, Fields: fields}
}

// itemJSONOrEmpty is the item's JSON, {} when it has none.
func itemJSONOrEmpty(it Item) map[string]any {
	if it.JSON == nil {
		return map[string]any{}
	}
	return it.JSON
}
