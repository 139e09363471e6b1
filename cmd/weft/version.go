package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func runVersion(_ context.Context, _ []string, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "weft %s (%s", version, runtime.Version())
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			switch dep.Path {
			case "go.temporal.io/sdk":
				fmt.Fprintf(stdout, ", temporal sdk %s", dep.Version)
			case "go.temporal.io/server":
				fmt.Fprintf(stdout, ", temporal server %s", dep.Version)
			}
		}
	}
	fmt.Fprintln(stdout, ")")
	return 0
}
