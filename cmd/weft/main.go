// Command weft is weft's one binary. Each subcommand lives in its own file
// and has one entry in the commands table.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand. run returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{"serve", "run everything in one process: API, worker, embedded Temporal and SQLite", runServe},
	{"api", "run the HTTP API only", runAPI},
	{"worker", "run the Temporal worker only", runWorker},
	{"migrate", "apply database migrations and exit", runMigrate},
	{"credentials", "manage stored credentials: rotate-key re-encrypts them under a new key", runCredentials},
	{"temporal", "temporal setup: register weft's search attributes on an external Temporal namespace", runTemporal},
	{"execute", "run an n8n workflow export once on an embedded Temporal server", runExecute},
	{"conformance", "run the n8n conformance cases of a directory", runConformance},
	{"bench", "measure: drive a webhook URL with load, or run the standard scenarios on an embedded weft", runBench},
	{"healthcheck", "exit 0 when the local API's /healthz answers 200 (--worker: the database and Temporal)", runHealthcheck},
	{"version", "print weft's version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs the subcommand named by args[0] and returns the exit code: 2
// for a usage error.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "weft: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: weft <command> [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
}
