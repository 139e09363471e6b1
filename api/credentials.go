package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// BlankValue is n8n's placeholder for a secret field on read: a write that
// sends it back keeps the stored value.
const BlankValue = "__n8n_BLANK_VALUE_e5362baf-c777-4d57-a609-6eaf1f9e87f6"

// credentialTestTimeout bounds POST /api/credentials/:id/test.
const credentialTestTimeout = 30 * time.Second

func (s *Server) credentialRoutes(r *gin.RouterGroup) {
	g := r.Group("/credentials")
	g.GET("", s.listCredentials)
	g.POST("", s.createCredential)
	g.GET("/types", s.credentialTypes)
	g.GET("/:id", s.getCredential)
	g.PUT("/:id", s.updateCredential)
	g.PATCH("/:id", s.updateCredential)
	g.DELETE("/:id", s.deleteCredential)
	g.POST("/:id/test", s.testCredential)
}

// credentialView is a credential as the API shows it: secret fields are
// BlankValue, and lists leave data out.
type credentialView struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Type      string         `json:"type"`
	Data      map[string]any `json:"data,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	UpdatedAt time.Time      `json:"updated_at"`
}

func viewCredential(c *persistence.Credential) credentialView {
	v := credentialView{ID: c.ID, Name: c.Name, Type: c.Type, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.Data != nil {
		v.Data = maskCredential(c.Type, c.Data)
	}
	return v
}

// maskCredential replaces every set secret field with BlankValue.
func maskCredential(typ string, data map[string]any) map[string]any {
	ct := nodes.LookupCredentialType(typ)
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = v
	}
	if ct == nil {
		// A type no longer registered: show nothing of its data.
		for k := range out {
			out[k] = BlankValue
		}
		return out
	}
	for _, f := range ct.Fields {
		if v, ok := out[f.Name]; ok && f.Secret && v != nil && v != "" {
			out[f.Name] = BlankValue
		}
	}
	return out
}

// credentials returns the credential store, or an error when the server
// has no encryption key.
func (s *Server) credentials() (*persistence.Credentials, error) {
	if s.cfg.EncryptionKeys == nil {
		return nil, errors.New("the API has no encryption key configured")
	}
	return s.db.Credentials(s.cfg.EncryptionKeys), nil
}

type credentialBody struct {
	Name *string         `json:"name"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

func (b *credentialBody) data() (map[string]any, error) {
	if len(b.Data) == 0 || string(b.Data) == "null" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(b.Data, &m); err != nil {
		return nil, invalid("data must be a JSON object")
	}
	return m, nil
}

func checkCredentialName(name *string) (string, error) {
	if name == nil || strings.TrimSpace(*name) == "" {
		return "", invalid("name is required").WithDetail("fields", map[string]any{"name": "is required"})
	}
	n := strings.TrimSpace(*name)
	if len(n) > 128 {
		return "", invalid("name must be at most 128 characters").WithDetail("fields", map[string]any{"name": "must be at most 128 characters"})
	}
	return n, nil
}

// validateCredentialData checks data against the type's fields: no unknown
// fields, required ones set, values of the field's type; it fills defaults.
// Messages name fields, never values.
func validateCredentialData(ct *nodes.CredentialType, data map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(data))
	problems := map[string]any{}
	known := map[string]bool{}
	for _, f := range ct.Fields {
		known[f.Name] = true
		v, set := data[f.Name]
		if !set || v == nil {
			if f.Default != nil {
				out[f.Name] = f.Default
			}
			if f.Required && f.Default == nil {
				problems[f.Name] = "is required"
			}
			continue
		}
		if v == BlankValue {
			problems[f.Name] = "holds the blank placeholder; send the real value"
			continue
		}
		switch f.Type {
		case "number":
			if _, ok := v.(float64); !ok {
				problems[f.Name] = "must be a number"
				continue
			}
		case "boolean":
			if _, ok := v.(bool); !ok {
				problems[f.Name] = "must be true or false"
				continue
			}
		case "options":
			s, ok := v.(string)
			if !ok || (len(f.Options) > 0 && !contains(f.Options, s)) {
				problems[f.Name] = "must be one of " + strings.Join(f.Options, ", ")
				continue
			}
		case "json":
			if s, ok := v.(string); ok {
				var parsed any
				if s != "" && json.Unmarshal([]byte(s), &parsed) != nil {
					problems[f.Name] = "must be JSON"
					continue
				}
				if s != "" {
					v = parsed
				}
			}
		default:
			if _, ok := v.(string); !ok {
				problems[f.Name] = "must be a string"
				continue
			}
		}
		if f.Required && v == "" {
			problems[f.Name] = "is required"
			continue
		}
		out[f.Name] = v
	}
	for k := range data {
		if !known[k] {
			problems[k] = "is not a field of " + ct.Name
		}
	}
	if len(problems) > 0 {
		keys := make([]string, 0, len(problems))
		for k := range problems {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return nil, invalid("credential data is invalid: %s %s", keys[0], problems[keys[0]]).WithDetail("fields", problems)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func (s *Server) listCredentials(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	page, err := pageOf(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	got, next, err := cs.List(c.Request.Context(), scopeOf(c), persistence.CredentialFilter{Type: c.Query("type"), Search: c.Query("search"), Page: page})
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := list[credentialView]{Data: make([]credentialView, len(got)), NextCursor: next}
	for i, cr := range got {
		out.Data[i] = viewCredential(cr)
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) createCredential(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body credentialBody
	if !s.bind(c, &body) {
		return
	}
	name, err := checkCredentialName(body.Name)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ct := nodes.LookupCredentialType(body.Type)
	if ct == nil {
		s.writeError(c, invalid("unknown credential type %q", body.Type).WithDetail("fields", map[string]any{"type": "is not a known credential type"}))
		return
	}
	data, err := body.data()
	if err == nil {
		data, err = validateCredentialData(ct, data)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	cr, err := cs.Create(c.Request.Context(), currentUser(c).ID, name, ct.Name, data)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditCredentialCreate, "credential", cr.ID, map[string]any{"type": cr.Type})
	c.JSON(http.StatusCreated, viewCredential(cr))
}

func (s *Server) getCredential(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	cr, err := cs.Get(c.Request.Context(), scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, viewCredential(cr))
}

// updateCredential renames and/or replaces the data. Secret fields sent as
// BlankValue keep their stored values; fields left out of data are removed
// (n8n's behaviour), and the result is validated like a new credential.
func (s *Server) updateCredential(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	var body credentialBody
	if !s.bind(c, &body) {
		return
	}
	data, err := body.data()
	if err != nil {
		s.writeError(c, err)
		return
	}
	cr, err := cs.Update(c.Request.Context(), scopeOf(c), c.Param("id"), func(cur *persistence.Credential) error {
		if body.Type != "" && body.Type != cur.Type {
			return invalid("the type of a credential cannot change").WithDetail("fields", map[string]any{"type": "cannot change"})
		}
		if body.Name != nil {
			n, err := checkCredentialName(body.Name)
			if err != nil {
				return err
			}
			cur.Name = n
		}
		if data == nil {
			return nil
		}
		ct := nodes.LookupCredentialType(cur.Type)
		if ct == nil {
			return invalid("credential type %q is no longer known", cur.Type)
		}
		merged := make(map[string]any, len(data))
		for k, v := range data {
			if v == BlankValue {
				if old, ok := cur.Data[k]; ok {
					v = old
				} else {
					v = nil
				}
			}
			merged[k] = v
		}
		valid, err := validateCredentialData(ct, merged)
		if err != nil {
			return err
		}
		cur.Data = valid
		return nil
	})
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditCredentialUpdate, "credential", cr.ID, map[string]any{"type": cr.Type, "data_changed": data != nil})
	c.JSON(http.StatusOK, viewCredential(cr))
}

// deleteCredential removes a credential. Workflows that use it keep their
// reference; their nodes fail with "credential not found" when they run,
// as in n8n.
func (s *Server) deleteCredential(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	id := c.Param("id")
	if err := cs.Delete(c.Request.Context(), scopeOf(c), id); err != nil {
		s.writeError(c, err)
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditCredentialDelete, "credential", id, nil)
	c.Status(http.StatusNoContent)
}

// credentialTestResult is n8n's INodeCredentialTestResult.
type credentialTestResult struct {
	// Status is OK, Error, or Skipped for types that cannot be tested on
	// their own.
	Status  string `json:"status"`
	Message string `json:"message"`
}

func (s *Server) testCredential(c *gin.Context) {
	cs, err := s.credentials()
	if err != nil {
		s.writeError(c, err)
		return
	}
	cr, err := cs.Get(c.Request.Context(), scopeOf(c), c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	ct := nodes.LookupCredentialType(cr.Type)
	if ct == nil || ct.Test == nil {
		c.JSON(http.StatusOK, credentialTestResult{Status: "Skipped",
			Message: cr.Type + " credentials have no endpoint of their own to test; they are checked when a node uses them"})
		return
	}
	s.audit(c, currentUser(c).ID, persistence.AuditCredentialTest, "credential", cr.ID, map[string]any{"type": cr.Type})
	ctx, cancel := context.WithTimeout(c.Request.Context(), credentialTestTimeout)
	defer cancel()
	if err := ct.Test(ctx, cr.Data); err != nil {
		c.JSON(http.StatusOK, credentialTestResult{Status: "Error", Message: redactSecrets(ct, cr.Data, err.Error())})
		return
	}
	c.JSON(http.StatusOK, credentialTestResult{Status: "OK", Message: "Connection tested successfully"})
}

// redactSecrets removes the credential's secret values from a message, in
// case a test's error quotes one.
func redactSecrets(ct *nodes.CredentialType, data map[string]any, msg string) string {
	for _, f := range ct.Fields {
		if s, ok := data[f.Name].(string); ok && f.Secret && len(s) >= 4 {
			msg = strings.ReplaceAll(msg, s, "**hidden**")
		}
	}
	return msg
}

// credentialTypeView is one entry of GET /api/credentials/types.
type credentialTypeView struct {
	*nodes.CredentialType
	Testable bool `json:"testable"`
}

func (s *Server) credentialTypes(c *gin.Context) {
	types := nodes.CredentialTypes()
	out := make([]credentialTypeView, len(types))
	for i, t := range types {
		out[i] = credentialTypeView{CredentialType: t, Testable: t.Test != nil}
	}
	c.JSON(http.StatusOK, gin.H{"data": out})
}

// checkCredentialRefs refuses a definition whose nodes reference a
// credential ownerID does not own (or that does not exist) with NOT_FOUND
// naming the node and the credential id, or one of another type than the
// node names it under.
func (s *Server) checkCredentialRefs(ctx context.Context, ownerID string, def *nodes.Workflow) error {
	var ids []string
	for _, n := range def.Nodes {
		for _, ref := range n.Credentials {
			if ref.ID != "" {
				ids = append(ids, ref.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	types, err := s.db.Credentials(nil).Types(ctx, ownerID, ids)
	if err != nil {
		return err
	}
	for _, n := range def.Nodes {
		keys := make([]string, 0, len(n.Credentials))
		for typ := range n.Credentials {
			keys = append(keys, typ)
		}
		sort.Strings(keys)
		for _, typ := range keys {
			ref := n.Credentials[typ]
			if ref.ID == "" {
				continue
			}
			got, ok := types[ref.ID]
			if !ok {
				return nodes.Errorf(nodes.CodeNotFound, "node %q uses credential %s, which does not exist or is not the workflow owner's", n.Name, ref.ID).
					WithDetail("node", n.Name).WithDetail("credential_id", ref.ID).WithDetail("type", typ)
			}
			if got != typ {
				return invalid("node %q uses credential %s as %s, but it is a %s credential", n.Name, ref.ID, typ, got).
					WithDetail("node", n.Name).WithDetail("credential_id", ref.ID).WithDetail("type", typ)
			}
		}
	}
	return nil
}
