package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/weft/weft/persistence"
)

// runHealthcheck is `weft healthcheck`, for container health checks in
// images without a shell or curl: it asks the local API's GET /healthz
// (on PORT) and exits 0 when it answers 200. With --worker, for `weft
// worker` (which serves no HTTP), it checks that the database and Temporal
// answer with the process's configuration instead.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	worker := len(args) == 1 && args[0] == "--worker"
	if len(args) > 0 && !worker {
		fmt.Fprintln(stderr, "usage: weft healthcheck [--worker]")
		return 2
	}
	cfg, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintf(stderr, "weft healthcheck: configuration:\n%v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if worker {
		err = checkWorkerDeps(ctx, cfg)
	} else {
		err = checkAPI(ctx, cfg.Port)
	}
	if err != nil {
		fmt.Fprintf(stderr, "unhealthy: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, "ok")
	return 0
}

func checkAPI(ctx context.Context, port int) error {
	req, err := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:"+strconv.Itoa(port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /healthz: %d %s", resp.StatusCode, body)
	}
	return nil
}

// checkWorkerDeps checks what a worker needs: its database and Temporal.
func checkWorkerDeps(ctx context.Context, cfg *config) error {
	if cfg.TemporalAddress == "" || !cfg.external {
		return fmt.Errorf("--worker checks an external database and Temporal: set DATABASE_URL and TEMPORAL_ADDRESS")
	}
	db, err := persistence.Open(ctx, cfg.databaseDSN(), persistence.Options{})
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	opts, err := cfg.temporalClientOptions(cfg.TemporalAddress, zap.NewNop())
	if err != nil {
		return err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	return nil
}
