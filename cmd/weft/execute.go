package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/temporal/local"
)

// executeOutput is what `weft execute` prints: n8n's execution data shape.
type executeOutput struct {
	Data struct {
		ResultData nodes.ResultData `json:"resultData"`
	} `json:"data"`
}

// runExecute runs a workflow export once: exit 0 when it succeeds, 1 when
// it fails, 2 when the input is bad.
func runExecute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("execute", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the n8n workflow export (JSON) to run")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weft execute --file WORKFLOW.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *file == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	w, err := readWorkflow(*file)
	if err != nil {
		fmt.Fprintf(stderr, "weft execute: %v\n", err)
		return 2
	}
	engine, err := local.Start(ctx, local.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "weft execute: %v\n", err)
		return 1
	}
	defer engine.Close()
	x, err := engine.Execute(ctx, w, nil)
	if err != nil {
		fmt.Fprintf(stderr, "weft execute: %v\n", err)
		return 1
	}
	var out executeOutput
	out.Data.ResultData = nodes.ResultData{
		RunData:          x.RunData.StripState(),
		LastNodeExecuted: x.Result.LastNodeExecuted,
		Error:            x.Result.Error,
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintf(stderr, "weft execute: %v\n", err)
		return 1
	}
	if x.Result.Status != nodes.StatusSuccess {
		msg := x.Result.Status
		if x.Result.Error != nil {
			msg += ": " + x.Result.Error.Message
		}
		fmt.Fprintf(stderr, "weft execute: execution %s\n", msg)
		return 1
	}
	return 0
}

// readWorkflow reads and validates a workflow export.
func readWorkflow(path string) (*nodes.Workflow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	w, err := nodes.ParseWorkflow(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(w.Nodes) == 0 {
		return nil, errors.New(path + ": workflow has no nodes")
	}
	if err := nodes.ValidateWorkflow(w); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return w, nil
}
