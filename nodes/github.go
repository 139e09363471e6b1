package nodes

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GitHub is n8n's GitHub node (n8n-nodes-base.github, versions 1 and 1.1)
// for issue create, repository get and repository getIssues, on GitHub's
// REST API with a githubApi token. returnAll follows the Link headers.
type GitHub struct{}

// GitHubParams are the GitHub node's parameters weft reads.
type GitHubParams struct {
	Authentication string           `json:"authentication" doc:"accessToken (default, a githubApi credential); oAuth2 is not supported."`
	Resource       string           `json:"resource" doc:"issue or repository."`
	Operation      string           `json:"operation" doc:"issue: create; repository: get or getIssues."`
	Owner          any              `json:"owner" doc:"The repository owner: a name, or a resource locator (list, name or url mode)."`
	Repository     any              `json:"repository" doc:"The repository: a name, or a resource locator (list, name or url mode)."`
	Title          string           `json:"title" doc:"issue create: the title."`
	Body           string           `json:"body" doc:"issue create: the body."`
	Labels         []map[string]any `json:"labels" doc:"issue create: [{label}]."`
	Assignees      []map[string]any `json:"assignees" doc:"issue create: [{assignee}]."`
	ReturnAll      bool             `json:"returnAll" doc:"getIssues: every page (Link header pagination)."`
	Limit          float64          `json:"limit" doc:"getIssues without returnAll: at most this many (per_page); default 50."`
	Filters        map[string]any   `json:"getRepositoryIssuesFilters" doc:"getIssues: assignee, creator, mentioned, labels, since, state, sort, direction."`
}

func init() {
	Register(GitHub{})
	RegisterCredentialType(CredentialType{
		Name: "githubApi", DisplayName: "GitHub API",
		Fields: []CredentialField{
			{Name: "server", DisplayName: "GitHub Server", Type: "string", Default: "https://api.github.com"},
			{Name: "user", DisplayName: "User", Type: "string"},
			{Name: "accessToken", DisplayName: "Access Token", Type: "string", Secret: true, Required: true},
		},
		Test: func(ctx context.Context, data map[string]any) error {
			resp, err := githubCall(ctx, data, http.MethodGet, "/user", nil, nil)
			if err != nil {
				return err
			}
			if resp.Status >= 300 {
				return githubError(resp)
			}
			return nil
		},
	})
}

// Describe implements Node.
func (GitHub) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.github",
		DisplayName: "GitHub",
		Summary:     "Creates issues, gets repositories and lists their issues through GitHub's REST API.",
		Versions:    []float64{1, 1.1},
		Kind:        KindIO,
		Params:      GitHubParams{},
	}
}

// Validate implements Node.
func (GitHub) Validate(n *NodeInstance) error {
	p := GitHubParams{Resource: "issue", Operation: "create"}
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.Authentication {
	case "", "accessToken":
	case "oAuth2":
		return ParamErrorf("authentication", "GitHub OAuth2 credentials are not supported; use an access token (githubApi)")
	default:
		return ParamErrorf("authentication", "unknown authentication %q", p.Authentication)
	}
	switch p.Resource + ":" + p.Operation {
	case "issue:create", "repository:get", "repository:getIssues":
	default:
		return ParamErrorf("operation", "%s %s is not supported (issue create, repository get, repository getIssues)", p.Resource, p.Operation)
	}
	return nil
}

// Execute implements Node.
func (GitHub) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	cred := &svcCredential{ctx: ctx, typ: "githubApi"}
	return svcEachItem(ctx, func(i int, _ Item) ([]Item, error) {
		p := GitHubParams{Resource: "issue", Operation: "create", Limit: 50}
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		data, err := cred.get()
		if err != nil {
			return nil, err
		}
		owner, repo := githubName(p.Owner, 0), githubName(p.Repository, 1)
		if owner == "" || repo == "" {
			return nil, NewNodeError("owner and repository are required")
		}
		base := "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(repo)
		switch p.Resource + ":" + p.Operation {
		case "issue:create":
			body := map[string]any{"title": p.Title, "body": p.Body, "labels": githubList(p.Labels, "label"), "assignees": githubList(p.Assignees, "assignee")}
			v, err := githubJSON(ctx, data, http.MethodPost, base+"/issues", nil, body)
			if err != nil {
				return nil, err
			}
			return svcJSONItems(v), nil
		case "repository:get":
			v, err := githubJSON(ctx, data, http.MethodGet, base, nil, nil)
			if err != nil {
				return nil, err
			}
			return svcJSONItems(v), nil
		case "repository:getIssues":
			qs := url.Values{}
			for k, v := range p.Filters {
				if s, _ := rlValue(v); s != "" {
					qs.Set(k, s)
				}
			}
			if !p.ReturnAll {
				qs.Set("per_page", strconv.Itoa(int(p.Limit)))
				v, err := githubJSON(ctx, data, http.MethodGet, base+"/issues", qs, nil)
				if err != nil {
					return nil, err
				}
				return svcJSONItems(v), nil
			}
			var all []any
			qs.Set("per_page", "100")
			for page := 1; ; page++ {
				qs.Set("page", strconv.Itoa(page))
				resp, err := githubCall(ctx, data, http.MethodGet, base+"/issues", qs, nil)
				if err != nil {
					return nil, err
				}
				if resp.Status >= 300 {
					return nil, githubError(resp)
				}
				var batch []any
				if err := json.Unmarshal(resp.Body, &batch); err != nil {
					return nil, &NodeError{Name: "NodeApiError", Message: "GitHub answered with something that is not a JSON array"}
				}
				all = append(all, batch...)
				if !strings.Contains(resp.Header.Get("Link"), `rel="next"`) || len(batch) == 0 {
					break
				}
			}
			return svcJSONItems(all), nil
		}
		return nil, NewNodeError("The operation \"%s\" is not known!", p.Operation)
	})
}

// githubName reads an owner or repository parameter; in url mode part is
// the path segment to take (0 owner, 1 repository).
func githubName(v any, part int) string {
	s, mode := rlValue(v)
	if mode == "url" || strings.HasPrefix(s, "https://") {
		if u, err := url.Parse(s); err == nil {
			segs := strings.Split(strings.Trim(u.Path, "/"), "/")
			if part < len(segs) {
				return segs[part]
			}
			return ""
		}
	}
	return strings.TrimSpace(s)
}

// githubList flattens [{key: v}] into [v].
func githubList(entries []map[string]any, key string) []any {
	out := []any{}
	for _, e := range entries {
		if s, _ := rlValue(e[key]); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// githubCall sends one request to the credential's server.
func githubCall(ctx context.Context, cred map[string]any, method, path string, qs url.Values, body any) (*svcResponse, error) {
	token := credString(cred, "accessToken")
	if token == "" {
		return nil, NewNodeError("the githubApi credential has no access token")
	}
	server := strings.TrimRight(credString(cred, "server"), "/")
	if server == "" {
		server = "https://api.github.com"
	}
	u := server + path
	if len(qs) > 0 {
		u += "?" + qs.Encode()
	}
	req, err := svcNewRequest(ctx, method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "token "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	return svcDo(req)
}

// githubJSON sends a request and decodes a successful JSON answer.
func githubJSON(ctx context.Context, cred map[string]any, method, path string, qs url.Values, body any) (any, error) {
	resp, err := githubCall(ctx, cred, method, path, qs, body)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 300 {
		return nil, githubError(resp)
	}
	var v any
	if len(resp.Body) == 0 {
		return map[string]any{"success": true}, nil
	}
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: "GitHub answered with something that is not JSON"}
	}
	return v, nil
}

func githubError(resp *svcResponse) *NodeError {
	return svcAPIError(resp.Status, svcJSONMessage(resp.Body))
}
