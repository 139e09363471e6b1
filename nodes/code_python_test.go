package nodes

import (
	"strings"
	"testing"
	"time"
)

func runPythonNode(t *testing.T, mode, code, onError string, items ...map[string]any) ([][]Item, []string, error) {
	t.Helper()
	params := map[string]any{"language": "pythonNative", "pythonCode": code}
	if mode != "" {
		params["mode"] = mode
	}
	n := &NodeInstance{Name: "Code", Type: codeTypeName, TypeVersion: 2, Parameters: params, OnError: onError}
	if err := (Code{}).Validate(n); err != nil {
		t.Fatal(err)
	}
	in := [][]Item{make([]Item, len(items))}
	for i, j := range items {
		in[0][i] = NewItem(j)
	}
	ctx := newCaseContext(&Workflow{Nodes: []*NodeInstance{n}}, n, in)
	var lines []string
	ctx.Console = func(l string) { lines = append(lines, l) }
	out, err := Code{}.Execute(ctx, in)
	return out, lines, err
}

func TestCodePythonKind(t *testing.T) {
	d := Lookup(codeTypeName).Description
	py := &NodeInstance{TypeVersion: 2, Parameters: map[string]any{"language": "python"}}
	js := &NodeInstance{TypeVersion: 2, Parameters: map[string]any{"language": "javaScript"}}
	if d.InstanceKind(py) != KindIO || d.InstanceKind(js) != KindPure {
		t.Fatal("the Python Code node must run as an activity, JavaScript as a local one")
	}
}

func TestCodePythonAllAndEachItem(t *testing.T) {
	out, lines, err := runPythonNode(t, "", `
total = 0
for item in _items:
    total += item["json"]["n"]
print("total", total)
return [{"json": {"total": total, "names": [i.json.name for i in _input.all()]}}, {"plain": True}]`, "",
		map[string]any{"n": 1.0, "name": "a"}, map[string]any{"n": 2.0, "name": "b"})
	if err != nil {
		t.Fatal(err)
	}
	if got := mustJSONText(t, out[0][0].JSON); got != `{"names":["a","b"],"total":3}` || out[0][1].JSON["plain"] != true {
		t.Fatalf("output %s", mustJSONText(t, out[0]))
	}
	if len(lines) != 1 || lines[0] != "total 3" {
		t.Fatalf("console %q", lines)
	}

	out, _, err = runPythonNode(t, codeEachItem, `
if _json["n"] == 2:
    return None
_item.json.double = _json["n"] * 2
return _item`, "", map[string]any{"n": 1.0}, map[string]any{"n": 2.0}, map[string]any{"n": 3.0})
	if err != nil {
		t.Fatal(err)
	}
	if len(out[0]) != 2 || out[0][1].JSON["double"] != 6.0 || out[0][1].PairedItem[0].Item != 2 {
		t.Fatalf("each item %s", mustJSONText(t, out[0]))
	}
}

func TestCodePythonErrors(t *testing.T) {
	_, _, err := runPythonNode(t, "", "x = 1\nreturn missing_name", "", map[string]any{})
	ne := AsNodeError(err)
	if ne == nil || ne.Message != "NameError: name 'missing_name' is not defined" || ne.LineNumber != 2 {
		t.Fatalf("NameError: %+v", ne)
	}
	_, _, err = runPythonNode(t, "", "return [", "", map[string]any{})
	if ne := AsNodeError(err); ne == nil || !strings.HasPrefix(ne.Message, "SyntaxError") || ne.LineNumber != 1 {
		t.Fatalf("SyntaxError: %+v", ne)
	}
	out, _, err := runPythonNode(t, codeEachItem, "return {'json': {'r': 10 / _json['d']}}", OnErrorContinueRegularOutput,
		map[string]any{"d": 2.0}, map[string]any{"d": 0.0})
	if err != nil || len(out[0]) != 2 || out[0][0].JSON["r"] != 5.0 || out[0][1].JSON["error"] != "ZeroDivisionError: division by zero" {
		t.Fatalf("continueOnFail: %v %v", out, err)
	}
	_, _, err = runPythonNode(t, "", "return 5", "", map[string]any{})
	if err == nil || err.Error() != "Code doesn't return items properly" {
		t.Fatalf("bad return: %v", err)
	}
}

func TestCodePythonSandbox(t *testing.T) {
	// No network: connecting fails inside Python before any packet leaves.
	out, _, err := runPythonNode(t, "", `
import socket
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    return [{"json": {"net": "open"}}]
except Exception as e:
    return [{"json": {"net": type(e).__name__}}]`, "", map[string]any{})
	if err != nil || out[0][0].JSON["net"] != "PermissionError" {
		t.Fatalf("network: %v %v", out, err)
	}
	// Memory limit.
	t.Setenv(pythonMemoryEnv, "128")
	_, _, err = runPythonNode(t, "", "b = bytearray(512 * 1024 * 1024)\nreturn []", "", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "MemoryError") {
		t.Fatalf("memory: %v", err)
	}
	// Time limit: the process group is killed.
	t.Setenv(pythonTimeoutEnv, "1s")
	start := time.Now()
	_, _, err = runPythonNode(t, "", "while True:\n    pass", "", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "timed out after 1s") || time.Since(start) > 10*time.Second {
		t.Fatalf("timeout: %v after %s", err, time.Since(start))
	}
	// No interpreter: a clear refusal.
	t.Setenv(pythonEnv, "/nonexistent/python3")
	_, _, err = runPythonNode(t, "", "return []", "", map[string]any{})
	if err == nil || !strings.Contains(err.Error(), "Python is not available on this worker") {
		t.Fatalf("missing python: %v", err)
	}
}
