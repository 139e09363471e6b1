package api

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// Reconcile brings execution rows that claim a non-final status in line with
// Temporal. A row whose workflow Temporal does not know (the process died
// between writing the row and starting the run) is marked failed with the
// reason; a row whose run has finished gets Temporal's final status; a
// waiting row whose run Temporal reports running stays waiting. Rows
// younger than grace are left alone: their start may be in flight.
func (s *Server) Reconcile(ctx context.Context, grace time.Duration) (fixed int, err error) {
	rows, err := s.db.UnfinishedExecutions(ctx, time.Now().Add(-grace), 500)
	if err != nil {
		return 0, err
	}
	for _, e := range rows {
		status, err := s.runner.Status(ctx, e.ID)
		var u persistence.ExecutionUpdate
		switch {
		case nodes.ErrorCode(err) == nodes.CodeNotFound:
			msg := "execution never started: weft stopped before Temporal accepted it"
			u = persistence.ExecutionUpdate{Status: nodes.StatusCrashed, Error: &msg}
		case err != nil:
			s.log.Warn("reconcile: temporal status", zap.String("execution_id", e.ID), zap.Error(err))
			continue
		case status == e.Status:
			continue
		case status == nodes.StatusRunning && e.Status == nodes.StatusWaiting:
			// Temporal does not tell a run waiting on a timer from one
			// running a node; the row does.
			continue
		case persistence.Final(status) || status == nodes.StatusRunning || status == nodes.StatusWaiting:
			u = persistence.ExecutionUpdate{Status: status}
			if status == nodes.StatusError {
				msg := "execution failed (status taken from Temporal)"
				u.Error = &msg
			}
		default:
			continue
		}
		if err := s.db.UpdateExecution(ctx, e.ID, u); err != nil {
			return fixed, err
		}
		fixed++
	}
	return fixed, nil
}

// RunReconciler reconciles at start and then every interval until ctx ends.
func (s *Server) RunReconciler(ctx context.Context, interval, grace time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Reconcile(ctx, grace); err != nil && ctx.Err() == nil {
			s.log.Warn("reconcile executions", zap.Error(err))
		} else if n > 0 {
			s.log.Info("reconciled executions with Temporal", zap.Int("count", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
