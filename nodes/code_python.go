package nodes

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Code node in Python (language python or pythonNative) runs the script
// in a python3 subprocess:
//   - a time limit: WEFT_PYTHON_TIMEOUT (a Go duration, default 60s); the
//     whole process group is killed when it passes or the run is canceled;
//   - a memory limit: WEFT_PYTHON_MEMORY_MB (default 512) as RLIMIT_AS, set
//     by the runner before the user's code runs;
//   - no network unless WEFT_PYTHON_ALLOW_NETWORK=1: on Linux the process
//     runs in a new user and network namespace (unshare -rn) when that works,
//     and in every case the runner replaces socket creation and name lookup
//     with functions that raise PermissionError before the user's code runs;
//   - python3 is found as WEFT_PYTHON (default "python3") on PATH, and run
//     isolated (-I: no user site packages, no PYTHON* variables).
//
// Items go in as JSON on stdin and come back as JSON on the runner's saved
// stdout; print() goes to the node's console.

const (
	pythonEnv        = "WEFT_PYTHON"
	pythonTimeoutEnv = "WEFT_PYTHON_TIMEOUT"
	pythonMemoryEnv  = "WEFT_PYTHON_MEMORY_MB"
	pythonNetworkEnv = "WEFT_PYTHON_ALLOW_NETWORK"
	pythonMaxOutput  = 64 << 20
)

//go:embed code_python_runner.py
var pythonRunner string

// codeIsPython reports whether a Code node instance runs Python.
func codeIsPython(n *NodeInstance) bool {
	if n.TypeVersion < 2 {
		return false
	}
	lang, _ := n.Parameters["language"].(string)
	return lang == "python" || lang == "pythonNative"
}

// pythonRequest is what the runner reads on stdin.
type pythonRequest struct {
	Mode    string `json:"mode"`
	Code    string `json:"code"`
	Items   []any  `json:"items"`
	Memory  int64  `json:"memory"`
	Network bool   `json:"network"`
}

// pythonAnswer is what the runner writes.
type pythonAnswer struct {
	Result any            `json:"result"`
	Error  *pythonError   `json:"error"`
	Each   []pythonResult `json:"each"`
}

type pythonResult struct {
	Result any          `json:"result"`
	Error  *pythonError `json:"error"`
}

type pythonError struct {
	Message string `json:"message"`
	Line    int    `json:"line"`
}

func (e *pythonError) nodeError(node string) *NodeError {
	ne := &NodeError{Name: "NodeOperationError", Message: e.Message, Node: node, LineNumber: e.Line}
	if e.Line > 0 {
		ne.Description = "line " + strconv.Itoa(e.Line)
	}
	return ne
}

var unshareWorks = sync.OnceValue(func() bool {
	path, err := exec.LookPath("unshare")
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return exec.CommandContext(ctx, path, "-rn", "true").Run() == nil
})

// runPython runs the node's Python code over its input.
func runPython(ctx *Context) ([][]Item, error) {
	mode, _ := ctx.RawParam("mode")
	modeStr, _ := mode.(string)
	if modeStr != codeEachItem {
		modeStr = codeAllItems
	}
	codeV, _ := ctx.RawParam("pythonCode")
	code, _ := codeV.(string)
	items, _ := ctx.ConnectionInput()
	in := make([]any, len(items))
	for i, it := range items {
		j := map[string]any{"json": itemJSONOrEmpty(it)}
		if len(it.Binary) > 0 {
			b, _ := json.Marshal(it.Binary)
			var bv any
			_ = json.Unmarshal(b, &bv)
			j["binary"] = bv
		}
		in[i] = j
	}
	ans, err := execPython(ctx, pythonRequest{Mode: modeStr, Code: code, Items: in})
	if err != nil {
		return nil, err
	}
	if modeStr == codeAllItems {
		if ans.Error != nil {
			ne := ans.Error.nodeError(ctx.Node.Name)
			if ctx.ContinueOnFail() {
				return [][]Item{{NewItem(map[string]any{"error": ne.Message})}}, nil
			}
			return nil, ne
		}
		out, err := pythonItems(ans.Result, -1)
		if err != nil {
			return nil, err
		}
		return [][]Item{out}, nil
	}
	var out []Item
	for i, r := range ans.Each {
		if r.Error != nil {
			ne := r.Error.nodeError(ctx.Node.Name).AtItem(i)
			if !ctx.ContinueOnFail() {
				return nil, ne
			}
			out = append(out, failedItem(ne, i))
			continue
		}
		if r.Result == nil {
			continue
		}
		res, err := pythonItems(r.Result, i)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	return [][]Item{out}, nil
}

// pythonItems turns the code's return value into items: a list of items or
// of plain dicts (wrapped in json), or one of either. paired >= 0 pairs
// every item with that input item.
func pythonItems(v any, paired int) ([]Item, error) {
	var list []any
	switch x := v.(type) {
	case nil:
		return []Item{}, nil
	case []any:
		list = x
	case map[string]any:
		list = []any{x}
	default:
		return nil, NewNodeError("Code doesn't return items properly").withDescription("Please return a list of dictionaries, one for each item you would like to output.")
	}
	out := make([]Item, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, NewNodeError("Code doesn't return items properly").withDescription("Please return a list of dictionaries, one for each item you would like to output.")
		}
		var it Item
		if j, ok := m["json"].(map[string]any); ok {
			it = NewItem(j)
			if b, ok := m["binary"].(map[string]any); ok {
				raw, _ := json.Marshal(b)
				_ = json.Unmarshal(raw, &it.Binary)
			}
			if pi, ok := m["pairedItem"]; ok {
				if p, err := ParsePairedItems(pi); err == nil {
					it.PairedItem = p
				}
			}
		} else {
			it = NewItem(m)
		}
		if paired >= 0 {
			it.PairedItem = PairedItems{{Item: paired}}
		}
		out = append(out, it)
	}
	return out, nil
}

func (e *NodeError) withDescription(d string) *NodeError {
	e.Description = d
	return e
}

// pythonSettings are the limits, from the environment.
func pythonSettings() (interp string, timeout time.Duration, memory int64, network bool) {
	interp = strings.TrimSpace(os.Getenv(pythonEnv))
	if interp == "" {
		interp = "python3"
	}
	timeout = 60 * time.Second
	if d, err := time.ParseDuration(os.Getenv(pythonTimeoutEnv)); err == nil && d > 0 {
		timeout = d
	}
	memory = 512
	if n, err := strconv.ParseInt(os.Getenv(pythonMemoryEnv), 10, 64); err == nil && n > 0 {
		memory = n
	}
	network = os.Getenv(pythonNetworkEnv) == "1"
	return interp, timeout, memory << 20, network
}

// execPython runs the runner with req and reads its answer.
func execPython(ctx *Context, req pythonRequest) (*pythonAnswer, error) {
	interp, timeout, memory, network := pythonSettings()
	path, err := exec.LookPath(interp)
	if err != nil {
		return nil, &NodeError{Name: "NodeOperationError", Node: ctx.Node.Name,
			Message:     "Python is not available on this worker: " + interp + " was not found",
			Description: "Install python3 on the worker (or set WEFT_PYTHON to its path) to run Code nodes in Python."}
	}
	req.Memory, req.Network = memory, network
	stdin, err := json.Marshal(req)
	if err != nil {
		return nil, NewNodeError("cannot encode the items for Python: %v", err)
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{"-I", "-c", pythonRunner}
	name := path
	if !network && unshareWorks() {
		name, args = "unshare", append([]string{"-rn", path}, args...)
	}
	cmd := exec.CommandContext(rctx, name, args...)
	pythonProcessGroup(cmd)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "PYTHONIOENCODING=utf-8"}
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout limitedBuffer
	stdout.max = pythonMaxOutput
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, NewNodeError("cannot start Python: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		lines := 0
		for sc.Scan() {
			if ctx.Console != nil && lines < maxConsoleLog {
				ctx.Console(sc.Text())
				lines++
			}
		}
	}()
	<-done
	werr := cmd.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if errors.Is(rctx.Err(), context.DeadlineExceeded) {
		return nil, &NodeError{Name: "NodeOperationError", Node: ctx.Node.Name,
			Message:     fmt.Sprintf("Python code execution timed out after %s", timeout),
			Description: "The code ran longer than WEFT_PYTHON_TIMEOUT allows and was stopped."}
	}
	if stdout.over {
		return nil, NewNodeError("the Python code's output is larger than %d MiB", pythonMaxOutput>>20)
	}
	var ans pythonAnswer
	if err := json.Unmarshal(stdout.Bytes(), &ans); err != nil {
		msg := "the Python process ended without an answer"
		if werr != nil {
			msg += " (" + werr.Error() + ")"
		}
		return nil, &NodeError{Name: "NodeOperationError", Node: ctx.Node.Name, Message: msg,
			Description: "It may have run out of memory (WEFT_PYTHON_MEMORY_MB) or been killed."}
	}
	return &ans, nil
}

// limitedBuffer is a bytes.Buffer that stops growing at max.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		b.over = true
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
