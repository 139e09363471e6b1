package nodes

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The generic HTTP credential types (n8n's names). They authenticate the
// HTTP Request node's requests; having no endpoint of their own, they have
// no Test: the API reports them as not testable.
func init() {
	RegisterCredentialType(CredentialType{Name: "httpBasicAuth", DisplayName: "Basic Auth", Fields: []CredentialField{
		{Name: "user", DisplayName: "User", Type: "string", Required: true},
		{Name: "password", DisplayName: "Password", Type: "string", Secret: true},
	}})
	RegisterCredentialType(CredentialType{Name: "httpHeaderAuth", DisplayName: "Header Auth", Fields: []CredentialField{
		{Name: "name", DisplayName: "Name", Type: "string", Required: true},
		{Name: "value", DisplayName: "Value", Type: "string", Secret: true},
	}})
	RegisterCredentialType(CredentialType{Name: "httpQueryAuth", DisplayName: "Query Auth", Fields: []CredentialField{
		{Name: "name", DisplayName: "Name", Type: "string", Required: true},
		{Name: "value", DisplayName: "Value", Type: "string", Secret: true},
	}})
	RegisterCredentialType(CredentialType{Name: "httpBearerAuth", DisplayName: "Bearer Auth", Fields: []CredentialField{
		{Name: "token", DisplayName: "Bearer Token", Type: "string", Secret: true, Required: true},
	}})
	RegisterCredentialType(CredentialType{Name: "oAuth2Api", DisplayName: "OAuth2 API", Fields: []CredentialField{
		{Name: "grantType", DisplayName: "Grant Type", Type: "options", Default: "authorizationCode",
			Options: []string{"authorizationCode", "clientCredentials"}},
		{Name: "authUrl", DisplayName: "Authorization URL", Type: "string"},
		{Name: "accessTokenUrl", DisplayName: "Access Token URL", Type: "string", Required: true},
		{Name: "clientId", DisplayName: "Client ID", Type: "string", Required: true},
		{Name: "clientSecret", DisplayName: "Client Secret", Type: "string", Secret: true, Required: true},
		{Name: "scope", DisplayName: "Scope", Type: "string"},
		{Name: "authQueryParameters", DisplayName: "Auth URI Query Parameters", Type: "string"},
		{Name: "authentication", DisplayName: "Authentication", Type: "options", Default: "header",
			Options: []string{"header", "body"}},
		{Name: "oauthTokenData", DisplayName: "Token Data", Type: "json", Secret: true},
	}, Test: testOAuth2})
}

// testOAuth2 fetches a token with the client credentials grant; for the
// authorization code grant, which needs a user's consent, it checks that a
// token is stored without using its refresh token (refreshing could
// invalidate the stored one at providers that rotate refresh tokens).
func testOAuth2(ctx context.Context, data map[string]any) error {
	if str(data["grantType"]) == "clientCredentials" {
		_, err := oauth2Token(ctx, NetPolicyFrom(ctx).Client(ClientOptions{Timeout: 30 * time.Second}), data,
			url.Values{"grant_type": {"client_credentials"}})
		return err
	}
	tok, _ := data["oauthTokenData"].(map[string]any)
	if str(tok["access_token"]) == "" {
		return fmt.Errorf("no access token is stored yet: connect the account or set oauthTokenData")
	}
	return nil
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// oauth2Token posts form to the credential's token URL and returns the
// token data, with expires_at (Unix seconds) added when the answer has
// expires_in. Errors never include the client secret.
func oauth2Token(ctx context.Context, client *http.Client, data map[string]any, form url.Values) (map[string]any, error) {
	tokenURL := str(data["accessTokenUrl"])
	u, err := url.Parse(tokenURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("access token URL %q is not a valid URL", tokenURL)
	}
	if err := NetPolicyFrom(ctx).CheckURL(u); err != nil {
		return nil, err
	}
	if s := str(data["scope"]); s != "" && form.Get("scope") == "" && form.Get("grant_type") == "client_credentials" {
		form.Set("scope", s)
	}
	id, secret := str(data["clientId"]), str(data["clientSecret"])
	if str(data["authentication"]) == "body" {
		form.Set("client_id", id)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if str(data["authentication"]) != "body" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	resp, err := client.Do(req)
	if err != nil {
		if b := AsBlocked(err); b != nil {
			return nil, b
		}
		return nil, fmt.Errorf("token request to %s failed: %s", u.Host, redact(rootCause(err), secret))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var tok map[string]any
	_ = json.Unmarshal(body, &tok)
	if resp.StatusCode/100 != 2 || str(tok["access_token"]) == "" {
		msg := str(tok["error_description"])
		if msg == "" {
			msg = str(tok["error"])
		}
		if msg == "" {
			msg = "no access_token in the answer"
		}
		return nil, fmt.Errorf("token endpoint %s answered %d: %s", u.Host, resp.StatusCode, redact(msg, secret))
	}
	if exp, ok := tok["expires_in"].(float64); ok && exp > 0 {
		tok["expires_at"] = float64(time.Now().Add(time.Duration(exp) * time.Second).Unix())
	}
	return tok, nil
}

// redact replaces every secret in s.
func redact(s string, secrets ...string) string {
	for _, v := range secrets {
		if len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "**hidden**")
		}
	}
	return s
}

// rootCause is the message of the innermost error of a url.Error chain,
// without the URL (which may carry query credentials).
func rootCause(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

// credentialAuth applies a credential to the HTTP Request node's requests.
type credentialAuth struct {
	ctx  *Context
	typ  string
	data map[string]any
	// client fetches OAuth2 tokens.
	client *http.Client
}

// secrets lists the credential's secret values, for redaction.
func (a *credentialAuth) secrets() []string {
	var out []string
	ct := LookupCredentialType(a.typ)
	if ct == nil {
		return nil
	}
	for _, f := range ct.Fields {
		if !f.Secret {
			continue
		}
		switch v := a.data[f.Name].(type) {
		case string:
			out = append(out, v)
		case map[string]any:
			for _, k := range []string{"access_token", "refresh_token"} {
				out = append(out, str(v[k]))
			}
		}
	}
	return out
}

// apply adds the credential to req.
func (a *credentialAuth) apply(req *http.Request) error {
	d := a.data
	switch a.typ {
	case "httpBasicAuth":
		req.SetBasicAuth(str(d["user"]), str(d["password"]))
	case "httpHeaderAuth":
		req.Header.Set(str(d["name"]), str(d["value"]))
	case "httpQueryAuth":
		q := req.URL.Query()
		q.Set(str(d["name"]), str(d["value"]))
		req.URL.RawQuery = q.Encode()
	case "httpBearerAuth":
		req.Header.Set("Authorization", "Bearer "+str(d["token"]))
	case "oAuth2Api":
		tok, err := a.oauth2Token(false)
		if err != nil {
			return err
		}
		typ := str(tok["token_type"])
		if typ == "" || strings.EqualFold(typ, "bearer") {
			typ = "Bearer"
		}
		req.Header.Set("Authorization", typ+" "+str(tok["access_token"]))
	default:
		return NewNodeError("credential type %s cannot authenticate HTTP requests", a.typ)
	}
	return nil
}

// oauth2Token returns a usable token: the stored one while it is fresh,
// else a new one (client credentials) or a refreshed one (refresh token),
// stored back through the credential source. force renews even a token
// that looks fresh (the server answered 401).
func (a *credentialAuth) oauth2Token(force bool) (map[string]any, error) {
	tok, _ := a.data["oauthTokenData"].(map[string]any)
	fresh := str(tok["access_token"]) != ""
	if exp, ok := tok["expires_at"].(float64); ok && time.Now().Add(30*time.Second).Unix() >= int64(exp) {
		fresh = false
	}
	if fresh && !force {
		return tok, nil
	}
	var form url.Values
	switch {
	case str(a.data["grantType"]) == "clientCredentials":
		form = url.Values{"grant_type": {"client_credentials"}}
	case str(tok["refresh_token"]) != "":
		form = url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(tok["refresh_token"])}}
	case fresh:
		return tok, nil
	default:
		return nil, NewNodeError("the OAuth2 credential has no access token: connect the account first")
	}
	nt, err := oauth2Token(a.ctx, a.client, a.data, form)
	if err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: "could not get an OAuth2 access token", Description: redact(err.Error(), a.secrets()...)}
	}
	if str(nt["refresh_token"]) == "" && str(tok["refresh_token"]) != "" {
		nt["refresh_token"] = tok["refresh_token"]
	}
	data := make(map[string]any, len(a.data))
	for k, v := range a.data {
		data[k] = v
	}
	data["oauthTokenData"] = nt
	a.data = data
	if err := a.ctx.UpdateCredential(a.typ, data); err != nil {
		return nil, NewNodeError("could not store the refreshed OAuth2 token: %s", ErrorMessage(err))
	}
	return nt, nil
}
