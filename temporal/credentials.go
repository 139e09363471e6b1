package temporal

import (
	"context"
	"errors"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// DBCredentials is the worker's nodes.CredentialSource: it decrypts a
// credential by id inside the activity, after checking that it belongs to
// the owner of the workflow that runs and has the type the node asks for.
// Decrypted data is only returned to the node; errors name ids and types,
// never data, so nothing secret reaches run data, logs or Temporal history.
type DBCredentials struct {
	DB    *persistence.DB
	Store *persistence.Credentials
}

// NewDBCredentials returns a credential source decrypting with keys.
func NewDBCredentials(db *persistence.DB, keys *persistence.Keyring) *DBCredentials {
	return &DBCredentials{DB: db, Store: db.Credentials(keys)}
}

// scope returns the owner scope of the workflow.
func (d *DBCredentials) scope(ctx context.Context, workflowID string) (persistence.Scope, error) {
	if workflowID == "" {
		return persistence.Scope{}, nodes.NewNodeError("credentials can only be used by saved workflows")
	}
	w, err := d.DB.GetWorkflowRow(ctx, persistence.Scope{Admin: true}, workflowID)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			return persistence.Scope{}, nodes.NewNodeError("the workflow %s no longer exists", workflowID)
		}
		return persistence.Scope{}, err
	}
	return persistence.Scope{UserID: w.OwnerID}, nil
}

func notFoundError(typ string, ref nodes.CredentialRef) error {
	return nodes.NewNodeError("Credential with ID %q does not exist for type %q.", ref.ID, typ)
}

func decryptError(ref nodes.CredentialRef, err error) error {
	switch {
	case errors.Is(err, persistence.ErrUnknownKey):
		return nodes.NewNodeError("credential %s is encrypted with a key this worker does not have (ENCRYPTION_KEY / ENCRYPTION_KEYS_OLD)", ref.ID)
	case errors.Is(err, persistence.ErrTampered):
		return nodes.NewNodeError("credential %s could not be decrypted: its stored data was modified or the key is wrong", ref.ID)
	}
	return err
}

// Credential implements nodes.CredentialSource.
func (d *DBCredentials) Credential(ctx context.Context, workflowID, typ string, ref nodes.CredentialRef) (map[string]any, error) {
	if ref.ID == "" {
		return nil, notFoundError(typ, ref)
	}
	s, err := d.scope(ctx, workflowID)
	if err != nil {
		return nil, err
	}
	c, err := d.Store.Get(ctx, s, ref.ID)
	if err != nil {
		if nodes.ErrorCode(err) == nodes.CodeNotFound {
			return nil, notFoundError(typ, ref)
		}
		return nil, decryptError(ref, err)
	}
	if c.Type != typ {
		return nil, notFoundError(typ, ref)
	}
	details := map[string]any{"workflow_id": workflowID, "type": typ}
	if nc, ok := ctx.(*nodes.Context); ok {
		details["execution_id"], details["node"] = nc.Execution.ID, nc.Node.Name
	}
	// The audit row is best effort: a failure to write it does not stop
	// the node.
	_ = d.DB.Audit(ctx, s.UserID, persistence.AuditCredentialUse, "credential", c.ID, "", details)
	return c.Data, nil
}

// UpdateCredential implements nodes.CredentialUpdater: a node's new data
// (a refreshed OAuth2 token) is stored encrypted under the current key.
func (d *DBCredentials) UpdateCredential(ctx context.Context, workflowID, typ string, ref nodes.CredentialRef, data map[string]any) error {
	s, err := d.scope(ctx, workflowID)
	if err != nil {
		return err
	}
	_, err = d.Store.Update(ctx, s, ref.ID, func(c *persistence.Credential) error {
		if c.Type != typ {
			return notFoundError(typ, ref)
		}
		c.Data = data
		return nil
	})
	if nodes.ErrorCode(err) == nodes.CodeNotFound {
		return notFoundError(typ, ref)
	}
	if err != nil {
		return decryptError(ref, err)
	}
	return nil
}

var (
	_ nodes.CredentialSource  = (*DBCredentials)(nil)
	_ nodes.CredentialUpdater = (*DBCredentials)(nil)
)
