package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/weft/weft/temporal/conformance"
	"github.com/weft/weft/temporal/local"
)

// runConformance runs every case file of a directory on one embedded
// server and prints PASS/FAIL per case and the totals: exit 0 when all
// pass, 1 when any fails, 2 on bad input.
func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	parallel := fs.Int("parallel", 4, "how many cases run at a time")
	run := fs.String("run", "", "only run cases whose name matches this regular expression")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: weft conformance [-parallel N] [-run REGEXP] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	cases, err := conformance.LoadDir(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "weft conformance: %v\n", err)
		return 2
	}
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(stderr, "weft conformance: -run: %v\n", err)
			return 2
		}
		var keep []*conformance.Case
		for _, c := range cases {
			if re.MatchString(c.Name) {
				keep = append(keep, c)
			}
		}
		cases = keep
	}
	engine, err := local.Start(ctx, local.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "weft conformance: %v\n", err)
		return 1
	}
	defer engine.Close()
	results := conformance.Run(ctx, cases, *parallel, engine.Conformance())
	if _, failed := conformance.Report(stdout, results); failed > 0 {
		return 1
	}
	return 0
}
