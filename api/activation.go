package api

import (
	"context"

	"github.com/weft/weft/persistence"
)

// An activator registers and removes one kind of trigger (webhooks,
// schedules) of a workflow. Activation runs every activator's register in
// one database transaction with the workflow's active flag: a refusal from
// any of them (a webhook path already taken: CONFLICT) rolls the whole
// activation back, and the undo functions of those that succeeded remove
// what they did outside the database.
type activator interface {
	// register registers the triggers of w's current version: rows
	// through tx, anything else (Temporal schedules) directly. undo, when
	// not nil, reverses the outside effects if the activation fails later.
	register(ctx context.Context, tx *persistence.DB, w *persistence.Workflow) (undo func(context.Context), err error)
	// unregister removes every trigger of this kind of the workflow;
	// removing none is not an error.
	unregister(ctx context.Context, tx *persistence.DB, workflowID string) error
}

// activate registers w's triggers and sets it active, atomically. An
// active workflow that is saved again is re-activated the same way, so its
// triggers follow the new version.
func (s *Server) activate(ctx context.Context, scope persistence.Scope, w *persistence.Workflow) error {
	var undos []func(context.Context)
	err := s.db.SetWorkflowActive(ctx, scope, w.ID, true, func(tx *persistence.DB) error {
		for _, a := range s.activators {
			if err := a.unregister(ctx, tx, w.ID); err != nil {
				return err
			}
			undo, err := a.register(ctx, tx, w)
			if err != nil {
				return err
			}
			if undo != nil {
				undos = append(undos, undo)
			}
		}
		return nil
	})
	if err != nil {
		uctx := context.WithoutCancel(ctx)
		for i := len(undos) - 1; i >= 0; i-- {
			undos[i](uctx)
		}
	}
	return err
}

// deactivate removes w's triggers and clears its active flag.
func (s *Server) deactivate(ctx context.Context, scope persistence.Scope, workflowID string) error {
	return s.db.SetWorkflowActive(ctx, scope, workflowID, false, func(tx *persistence.DB) error {
		for _, a := range s.activators {
			if err := a.unregister(ctx, tx, workflowID); err != nil {
				return err
			}
		}
		return nil
	})
}
