package expr

import "sort"

// KeyOrder is a hint of the order of an object's keys, which Go maps do not
// keep and JavaScript objects do: Keys lists the object's keys in order,
// Fields the orders of its nested objects (and arrays) by key, Elems those
// of an array's elements by index. A nil *KeyOrder means "no hint": keys
// go in sorted order.
//
// A hint never carries values; the map it describes does. Keys of the hint
// that the map no longer has are skipped and keys the map has that the
// hint does not list follow in sorted order (see OrderedKeys), so a stale
// hint can only change an order. A KeyOrder is shared between copies of
// the values it describes: never change one after building it.
type KeyOrder struct {
	// Keys is the object's keys in order (nil for an array).
	Keys []string
	// Fields holds the orders of the object's nested values by key.
	Fields map[string]*KeyOrder
	// Elems holds the orders of an array's elements by index.
	Elems []*KeyOrder
}

// Field returns the order of the nested value under key k (nil-safe).
func (o *KeyOrder) Field(k string) *KeyOrder {
	if o == nil {
		return nil
	}
	return o.Fields[k]
}

// Elem returns the order of array element i (nil-safe).
func (o *KeyOrder) Elem(i int) *KeyOrder {
	if o == nil || i < 0 || i >= len(o.Elems) {
		return nil
	}
	return o.Elems[i]
}

// OrderedKeys returns m's keys in the order o hints: the hint's keys that m
// has, in the hint's order, then m's other keys sorted.
func OrderedKeys(m map[string]any, o *KeyOrder) []string {
	ks := make([]string, 0, len(m))
	if o == nil || len(o.Keys) == 0 {
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return ks
	}
	var listed map[string]bool
	if len(o.Keys) > 8 {
		listed = make(map[string]bool, len(o.Keys))
	}
	for _, k := range o.Keys {
		if _, ok := m[k]; !ok {
			continue
		}
		if listed != nil {
			if listed[k] {
				continue
			}
			listed[k] = true
		} else if containsKey(ks, k) {
			continue
		}
		ks = append(ks, k)
	}
	if len(ks) == len(m) {
		return ks
	}
	n := len(ks)
	for k := range m {
		if listed != nil {
			if listed[k] {
				continue
			}
		} else if containsKey(ks[:n], k) {
			continue
		}
		ks = append(ks, k)
	}
	sort.Strings(ks[n:])
	return ks
}

func containsKey(ks []string, k string) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Ordered is a value passed to JavaScript (in an Env, or returned by a
// Func or Getter) together with the key order its objects are to have.
type Ordered struct {
	// Value is a JSON value (map[string]any, []any, ...).
	Value any
	// Order is the key order of Value's objects.
	Order *KeyOrder
}

// leafOrder returns nil when keys (an object's keys in order, with no
// nested hints) are sorted, since nil already means sorted order; else the
// hint.
func leafOrder(keys []string, fields map[string]*KeyOrder) *KeyOrder {
	if len(fields) == 0 && sort.StringsAreSorted(keys) {
		return nil
	}
	return &KeyOrder{Keys: keys, Fields: fields}
}
