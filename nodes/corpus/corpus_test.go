package corpus

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestOutputs(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want []any
	}{
		{"nil", nil, []any{}},
		{"no outputs", [][]map[string]any{}, []any{}},
		{"trailing empty and null outputs dropped", [][]map[string]any{{{"a": 1}}, {}, nil}, []any{[]any{map[string]any{"a": 1.0}}}},
		{"inner empty output kept", [][]map[string]any{{}, {{"b": true}}}, []any{[]any{}, []any{map[string]any{"b": true}}}},
		{"go and decoded values compare equal", [][]any{{map[string]any{"n": int64(2), "l": []string{"x"}}}},
			[]any{[]any{map[string]any{"n": 2.0, "l": []any{"x"}}}}},
		{"not json", [][]any{{math.NaN()}}, []any{"unencodable: json: unsupported value: NaN"}},
		{"not a list", map[string]any{}, []any{"undecodable: json: cannot unmarshal object into Go value of type []interface {}"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Outputs(c.in); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Outputs = %#v, want %#v", got, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	cases := []struct {
		file, name, status, err string
	}{
		{file: "named.json", name: "named-case", status: "success"},
		{file: "unnamed.json", name: "unnamed", status: "error"},
		{file: "noworkflow.txt", err: "no workflow"},
		{file: "missing.json", err: "no such file"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, err := Load(filepath.Join("testdata", c.file))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != c.name || got.Expected.Status != c.status || got.File != filepath.Join("testdata", c.file) || len(got.Workflow) == 0 {
				t.Fatalf("loaded %+v", got)
			}
		})
	}
}

func TestLoadDir(t *testing.T) {
	got, err := LoadDir("testdata", "*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "named-case" || got[1].Name != "unnamed" {
		t.Fatalf("LoadDir: %d cases", len(got))
	}
	if want := []any{[]any{map[string]any{"a": 1.0}}}; !reflect.DeepEqual(Outputs(got[0].Expected.Nodes["A"][0].Output), want) {
		t.Fatalf("output %v", got[0].Expected.Nodes["A"][0].Output)
	}
	if _, err := LoadDir("testdata", "none*.json"); err == nil {
		t.Fatal("no match loaded")
	}
	if _, err := Find(t.TempDir()); err == nil {
		t.Fatal("Find found a corpus outside any repository")
	}
	dir, err := Find(".")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != "cases" {
		t.Fatalf("Find = %s", dir)
	}
}
