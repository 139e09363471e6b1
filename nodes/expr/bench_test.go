package expr

import (
	"testing"
	"time"
)

func benchEnv() Env {
	return Env{
		"$json": map[string]any{
			"a": 41.0, "name": "Ann Lee", "tags": []any{"x", "y", "z"},
			"address": map[string]any{"city": "Oslo", "zip": "0150"},
		},
		"$itemIndex": 0.0,
		"$now":       time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC),
	}
}

func BenchmarkResolveSimple(b *testing.B) {
	e := New(Options{})
	env := benchEnv()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Resolve("={{ $json.a + 1 }}", env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveTemplate(b *testing.B) {
	e := New(Options{})
	env := benchEnv()
	src := "=Hello {{ $json.name.toTitleCase() }} from {{ $json.address.city }}, tags: {{ $json.tags.join('|') }}"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Resolve(src, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRunCode(b *testing.B) {
	e := New(Options{})
	items := make([]any, 100)
	for i := range items {
		items[i] = map[string]any{"json": map[string]any{"n": float64(i), "name": "item"}}
	}
	env := Env{"items": items}
	code := `const out = [];
for (const item of items) {
  out.push({ json: { n: item.json.n * 2, label: item.json.name + '-' + item.json.n } });
}
return out;`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Run(code, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewRuntime(b *testing.B) {
	e := New(Options{})
	b.ReportAllocs()
	for b.Loop() {
		newVM(e)
	}
}
