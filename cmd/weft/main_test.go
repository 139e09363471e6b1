package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/weft/weft/nodes"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code = Main(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		out  string // expected in stdout
		err  string // expected in stderr
	}{
		{"no command", nil, 2, "", "usage: weft"},
		{"help", []string{"help"}, 0, "", "execute"},
		{"unknown", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"version", []string{"version"}, 0, "weft dev", ""},
		{"execute without file", []string{"execute"}, 2, "", "usage: weft execute"},
		{"execute unreadable", []string{"execute", "--file", "testdata/workflows/absent.json"}, 2, "", "absent.json"},
		{"execute not json", []string{"execute", "--file", "testdata/workflows/broken.json"}, 2, "", "not valid JSON"},
		{"execute invalid", []string{"execute", "--file", "testdata/workflows/invalid.json"}, 2, "", `node "Mystery" has unknown type`},
		{"conformance without dir", []string{"conformance"}, 2, "", "usage: weft conformance"},
		{"conformance empty dir", []string{"conformance", "testdata/workflows/none"}, 2, "", "no case files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runMain(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, c.code, out, errOut)
			}
			if strings.HasPrefix(c.name, "execute ") && !strings.Contains(errOut, "usage:") && strings.Count(errOut, "\n") != 1 {
				t.Fatalf("bad input must be reported in one line: %q", errOut)
			}
		})
	}
}

func TestExecute(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		code, out, errOut := runMain(t, "execute", "--file", "testdata/workflows/ok.json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		res := decodeResult(t, out)
		if res.LastNodeExecuted != "Pass" || res.Error != nil {
			t.Fatalf("result %+v", res)
		}
		pass := res.RunData["Pass"]
		if len(pass) != 1 || pass[0].ExecutionStatus != nodes.StatusSuccess || len(pass[0].Output(0)) != 1 {
			t.Fatalf("Pass runs %+v", pass)
		}
		if !strings.Contains(out, `"runData"`) || strings.Contains(out, `"state"`) {
			t.Fatalf("output shape: %s", out)
		}
	})
	t.Run("failure", func(t *testing.T) {
		code, out, errOut := runMain(t, "execute", "--file", "testdata/workflows/fails.json")
		if code != 1 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		res := decodeResult(t, out)
		if res.Error == nil || res.Error.Node != "Until" || !strings.Contains(res.Error.Message, "invalid date and time") {
			t.Fatalf("error %+v", res.Error)
		}
		if _, ran := res.RunData["Never"]; ran || res.LastNodeExecuted != "Until" {
			t.Fatalf("run data %+v, last %q", res.RunData, res.LastNodeExecuted)
		}
	})
}

func decodeResult(t *testing.T, out string) nodes.ResultData {
	t.Helper()
	var v struct {
		Data struct {
			ResultData nodes.ResultData `json:"resultData"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	return v.Data.ResultData
}

func TestConformance(t *testing.T) {
	code, out, errOut := runMain(t, "conformance", "-parallel", "2", "testdata/cases")
	want := "PASS chain\nFAIL wrong-order: order Start,High,Low, n8n Start,Low,High\n1 passed, 1 failed\n"
	if code != 1 || out != want {
		t.Fatalf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
	code, out, _ = runMain(t, "conformance", "-run", "^chain$", "testdata/cases")
	if code != 0 || out != "PASS chain\n1 passed, 0 failed\n" {
		t.Fatalf("-run: exit %d, stdout %q", code, out)
	}
}
