package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/weft/weft/temporal"
)

// runTemporal is `weft temporal setup`: it prepares an external Temporal
// namespace for weft by registering weft's custom search attributes
// (WeftWorkflowId, WeftWorkflowName, WeftTriggerMode), so executions can be
// found by them in the Temporal UI. It is idempotent. `weft serve` does the
// same for its embedded server, and `weft api` / `weft worker` try it at
// start.
func runTemporal(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "setup" {
		fmt.Fprintln(stderr, "usage: weft temporal setup   (register weft's search attributes on TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE)")
		return 2
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "weft temporal setup: configuration:\n%v\n", err)
		return 2
	}
	if cfg.TemporalAddress == "" {
		fmt.Fprintln(stderr, "weft temporal setup: TEMPORAL_ADDRESS is not set (the embedded server of weft serve registers the attributes itself)")
		return 2
	}
	log, err := newLogger(cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		fmt.Fprintf(stderr, "weft temporal setup: %v\n", err)
		return 2
	}
	opts, err := cfg.temporalClientOptions(cfg.TemporalAddress, log)
	if err != nil {
		fmt.Fprintf(stderr, "weft temporal setup: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		fmt.Fprintf(stderr, "weft temporal setup: connect to %s: %v\n", cfg.TemporalAddress, err)
		return 1
	}
	defer c.Close()
	if err := temporal.RegisterSearchAttributes(ctx, c, cfg.Namespace); err != nil {
		fmt.Fprintf(stderr, "weft temporal setup: namespace %s: %v\n", cfg.Namespace, err)
		return 1
	}
	names := make([]string, 0, len(temporal.SearchAttributes()))
	for name := range temporal.SearchAttributes() {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "namespace %s on %s has weft's search attributes: %v\n", cfg.Namespace, cfg.TemporalAddress, names)
	return 0
}
