package persistence

import (
	"strings"
	"testing"
)

// FuzzWebhookPath checks the matcher of parameterised webhook paths on
// any pattern and request path: it never panics; a match binds every
// ':name' segment to one non-empty segment of the path, so putting the
// values back into the pattern gives the path again; and a pattern without
// parameters matches only itself.
func FuzzWebhookPath(f *testing.F) {
	for _, seed := range [][2]string{
		{"hook/orders/:id", "hook/orders/7"},
		{"hook/orders/:id", "hook/orders/"},
		{"hook/:a/:b", "hook/x/y"},
		{"hook/:a", "hook/../etc"},
		{"hook/:a", "hook/%2e%2e"},
		{"orders", "orders"},
		{"orders", "orders/"},
		{":", "x"},
		{"a//:b", "a//c"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		params, ok := matchPath(pattern, path)
		if !strings.Contains(pattern, ":") {
			if ok != (pattern == path) {
				t.Fatalf("static %q matched %q: %v", pattern, path, ok)
			}
			return
		}
		if !ok {
			return
		}
		ps := strings.Split(pattern, "/")
		segments := 0
		for i, seg := range ps {
			name, isParam := strings.CutPrefix(seg, ":")
			if !isParam {
				continue
			}
			v, bound := params[name]
			if !bound || v == "" || strings.Contains(v, "/") {
				t.Fatalf("%q on %q: parameter %q bound to %q (%v)", pattern, path, name, v, bound)
			}
			ps[i] = v
			segments++
		}
		// A name used twice keeps its last value; rebuild only when names
		// are distinct.
		if len(params) == segments {
			if got := strings.Join(ps, "/"); got != path {
				t.Fatalf("%q with %v gives %q, not %q", pattern, params, got, path)
			}
		}
	})
}
