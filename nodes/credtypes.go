package nodes

import (
	"context"
	"net/http"
	"sort"
	"sync"
)

// CredentialType is a kind of credential nodes can use, in n8n's naming
// (httpBasicAuth, postgres, slackApi, ...). Each is registered once, in an
// init function beside the nodes that use it.
type CredentialType struct {
	// Name is n8n's credential type name.
	Name string `json:"name"`
	// DisplayName is the editor's label.
	DisplayName string `json:"displayName"`
	// Fields are the credential's fields, in the editor's order.
	Fields []CredentialField `json:"properties"`
	// Test really tries the credential (connects, calls an identity
	// endpoint) and returns why it does not work; nil when the type cannot
	// be tested. Its errors must not contain secret field values.
	Test func(ctx context.Context, data map[string]any) error `json:"-"`
	// Authenticate, when set, adds the credential to an HTTP request: the
	// HTTP Request node uses it for predefined credential types (n8n's
	// authenticate property). Its errors must not contain secret values.
	Authenticate func(req *http.Request, data map[string]any) error `json:"-"`
}

// CredentialField is one field of a credential type.
type CredentialField struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
	// Type is string, number, boolean, options or json.
	Type string `json:"type"`
	// Secret fields are never returned by the API: reads show n8n's blank
	// sentinel in their place.
	Secret   bool     `json:"secret,omitempty"`
	Required bool     `json:"required,omitempty"`
	Default  any      `json:"default,omitempty"`
	Options  []string `json:"options,omitempty"`
}

var credentialTypes = struct {
	sync.RWMutex
	types map[string]*CredentialType
}{types: map[string]*CredentialType{}}

// RegisterCredentialType adds a credential type; it panics on an empty or
// duplicate name (a programming error found at start-up).
func RegisterCredentialType(t CredentialType) {
	if t.Name == "" {
		panic("nodes: credential type without a name")
	}
	credentialTypes.Lock()
	defer credentialTypes.Unlock()
	if _, dup := credentialTypes.types[t.Name]; dup {
		panic("nodes: credential type " + t.Name + " registered twice")
	}
	credentialTypes.types[t.Name] = &t
}

// LookupCredentialType returns a registered credential type, or nil.
func LookupCredentialType(name string) *CredentialType {
	credentialTypes.RLock()
	defer credentialTypes.RUnlock()
	return credentialTypes.types[name]
}

// CredentialTypes returns every registered credential type, by name.
func CredentialTypes() []*CredentialType {
	credentialTypes.RLock()
	defer credentialTypes.RUnlock()
	out := make([]*CredentialType, 0, len(credentialTypes.types))
	for _, t := range credentialTypes.types {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
