package nodes

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// Slack is n8n's Slack node (n8n-nodes-base.slack, version 2.x) for
// messages: post (chat.postMessage, or chat.postEphemeral) and update
// (chat.update), on Slack's Web API with a slackApi access token.
type Slack struct{}

// slackAPIEnv overrides Slack's Web API base URL (tests, proxies).
const slackAPIEnv = "WEFT_SLACK_API_URL"

// SlackParams are the Slack node's parameters weft reads.
type SlackParams struct {
	Authentication string         `json:"authentication" doc:"accessToken (default, a slackApi credential); oAuth2 is not supported."`
	Resource       string         `json:"resource" doc:"message (the only resource weft runs)."`
	Operation      string         `json:"operation" doc:"post (chat.postMessage) or update (chat.update)."`
	Select         string         `json:"select" doc:"post: channel (default) or user, the target kind."`
	ChannelID      any            `json:"channelId" doc:"Channel: a resource locator (list, id, name or url mode) or an id."`
	User           any            `json:"user" doc:"post with select=user: the user, a resource locator (list, id or username mode)."`
	MessageType    string         `json:"messageType" doc:"post: text (default), block (blocksUi) or attachment."`
	Text           string         `json:"text" doc:"The message text."`
	BlocksUI       any            `json:"blocksUi" doc:"post with messageType=block: the blocks as JSON ({\"blocks\": [...]})."`
	Attachments    any            `json:"attachments" doc:"post with messageType=attachment: the legacy attachments."`
	TS             any            `json:"ts" doc:"update: the message's timestamp."`
	OtherOptions   map[string]any `json:"otherOptions" doc:"post: Slack fields added to the request (mrkdwn, unfurl_links, link_names, thread_ts.replyValues, botProfile, sendAsUser, ephemeral)."`
	UpdateFields   map[string]any `json:"updateFields" doc:"update: Slack fields added to the request (link_names, parse, ...)."`
}

func init() {
	Register(Slack{})
	RegisterCredentialType(CredentialType{
		Name: "slackApi", DisplayName: "Slack API",
		Fields: []CredentialField{
			{Name: "accessToken", DisplayName: "Access Token", Type: "string", Secret: true, Required: true},
			{Name: "signatureSecret", DisplayName: "Signature Secret", Type: "string", Secret: true},
		},
		Test: func(ctx context.Context, data map[string]any) error {
			_, err := slackCall(ctx, data, "/auth.test", nil)
			return err
		},
	})
}

// Describe implements Node.
func (Slack) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.slack",
		DisplayName: "Slack",
		Summary:     "Posts and updates Slack messages through Slack's Web API.",
		Versions:    []float64{2, 2.1, 2.2, 2.3},
		Kind:        KindIO,
		Params:      SlackParams{},
	}
}

// Validate implements Node.
func (Slack) Validate(n *NodeInstance) error {
	var p SlackParams
	if err := StaticParams(n, &p); err != nil {
		return err
	}
	switch p.Authentication {
	case "", "accessToken":
	case "oAuth2":
		return ParamErrorf("authentication", "Slack OAuth2 credentials are not supported; use an access token (slackApi)")
	default:
		return ParamErrorf("authentication", "unknown authentication %q", p.Authentication)
	}
	if p.Resource != "" && p.Resource != "message" {
		return ParamErrorf("resource", "resource %q is not supported (message only)", p.Resource)
	}
	switch p.Operation {
	case "", "post", "update":
	default:
		return ParamErrorf("operation", "operation %q is not supported (post or update)", p.Operation)
	}
	switch p.MessageType {
	case "", "text", "block", "attachment":
	default:
		return ParamErrorf("messageType", "The message type %q is not known!", p.MessageType)
	}
	return nil
}

// Execute implements Node.
func (Slack) Execute(ctx *Context, _ [][]Item) ([][]Item, error) {
	cred := &svcCredential{ctx: ctx, typ: "slackApi"}
	return svcEachItem(ctx, func(i int, _ Item) ([]Item, error) {
		p := SlackParams{Operation: "post", Select: "channel", MessageType: "text"}
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		data, err := cred.get()
		if err != nil {
			return nil, err
		}
		var method string
		var body map[string]any
		if p.Operation == "update" {
			method, body, err = slackUpdateBody(&p)
		} else {
			method, body, err = slackPostBody(&p)
		}
		if err != nil {
			return nil, err
		}
		res, err := slackCall(ctx, data, method, body)
		if err != nil {
			return nil, err
		}
		return []Item{NewItem(res)}, nil
	})
}

// slackTarget returns the channel a post goes to.
func slackTarget(p *SlackParams) (string, error) {
	if p.Select == "user" {
		v, mode := rlValue(p.User)
		if mode == "username" && !strings.HasPrefix(v, "@") {
			v = "@" + v
		}
		if v == "" {
			return "", NewNodeError("no user given")
		}
		return v, nil
	}
	v, mode := rlValue(p.ChannelID)
	if mode == "url" {
		v = strings.TrimRight(v, "/")
		v = v[strings.LastIndex(v, "/")+1:]
	}
	if v == "" {
		return "", NewNodeError("no channel given")
	}
	return v, nil
}

func slackPostBody(p *SlackParams) (string, map[string]any, error) {
	target, err := slackTarget(p)
	if err != nil {
		return "", nil, err
	}
	body := map[string]any{"channel": target}
	switch p.MessageType {
	case "text":
		body["text"] = p.Text
	case "block":
		var blocks map[string]any
		switch b := p.BlocksUI.(type) {
		case string:
			if err := json.Unmarshal([]byte(b), &blocks); err != nil {
				return "", nil, NewNodeError("Blocks it is not a valid json")
			}
		case map[string]any:
			blocks = b
		}
		for k, v := range blocks {
			body[k] = v
		}
		if p.Text != "" {
			body["text"] = p.Text
		}
	case "attachment":
		body["attachments"] = p.Attachments
	default:
		return "", nil, NewNodeError("The message type \"%s\" is not known!", p.MessageType)
	}
	opts := map[string]any{}
	for k, v := range p.OtherOptions {
		opts[k] = v
	}
	if u, ok := opts["sendAsUser"].(string); ok && u != "" {
		body["username"] = u
	}
	delete(opts, "sendAsUser")
	delete(opts, "includeLinkToWorkflow")
	method := "/chat.postMessage"
	if eph, ok := opts["ephemeral"].(map[string]any); ok {
		if p.Select == "user" {
			if _, mode := rlValue(p.User); mode == "username" {
				return "", nil, NewNodeError(`You cannot send ephemeral messages using User type "By username". Please use "From List" or "By ID".`)
			}
			body["user"] = target
		} else if vals, ok := eph["ephemeralValues"].(map[string]any); ok {
			u, mode := rlValue(vals["user"])
			if mode == "username" && !strings.HasPrefix(u, "@") {
				u = "@" + u
			}
			body["user"] = u
		}
		method = "/chat.postEphemeral"
	}
	delete(opts, "ephemeral")
	if th, ok := opts["thread_ts"].(map[string]any); ok {
		if rv, ok := th["replyValues"].(map[string]any); ok {
			for k, v := range rv {
				body[k] = v
			}
		}
	}
	delete(opts, "thread_ts")
	if bp, ok := opts["botProfile"].(map[string]any); ok {
		if iv, ok := bp["imageValues"].(map[string]any); ok {
			if iv["profilePhotoType"] == "image" {
				body["icon_url"] = iv["icon_url"]
			} else {
				body["icon_emoji"] = iv["icon_emoji"]
			}
		}
	}
	delete(opts, "botProfile")
	for k, v := range opts {
		body[k] = v
	}
	return method, body, nil
}

func slackUpdateBody(p *SlackParams) (string, map[string]any, error) {
	channel, mode := rlValue(p.ChannelID)
	if mode == "url" {
		channel = strings.TrimRight(channel, "/")
		channel = channel[strings.LastIndex(channel, "/")+1:]
	}
	ts, _ := rlValue(p.TS)
	if channel == "" || ts == "" {
		return "", nil, NewNodeError("update needs a channel and the message's ts")
	}
	body := map[string]any{"channel": channel, "text": p.Text, "ts": ts}
	for k, v := range p.UpdateFields {
		body[k] = v
	}
	return "/chat.update", body, nil
}

// slackCall calls a Web API method with the credential's token and returns
// the answer, with ts renamed message_timestamp as n8n does. ok:false
// answers become node errors in n8n's words.
func slackCall(ctx context.Context, cred map[string]any, method string, body map[string]any) (map[string]any, error) {
	token := credString(cred, "accessToken")
	if token == "" {
		return nil, NewNodeError("the slackApi credential has no access token")
	}
	httpMethod := http.MethodPost
	var b any
	if body != nil {
		b = body
	}
	req, err := svcNewRequest(ctx, httpMethod, svcEnvURL(slackAPIEnv, "https://slack.com/api")+method, b)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := svcDo(req)
	if err != nil {
		return nil, err
	}
	if resp.Status >= 300 {
		return nil, svcAPIError(resp.Status, svcJSONMessage(resp.Body))
	}
	var res map[string]any
	if err := json.Unmarshal(resp.Body, &res); err != nil {
		return nil, &NodeError{Name: "NodeApiError", Message: "Slack answered with something that is not JSON", Description: svcJSONMessage(resp.Body)}
	}
	if ok, _ := res["ok"].(bool); !ok {
		code, _ := res["error"].(string)
		switch code {
		case "paid_teams_only":
			return nil, &NodeError{Name: "NodeOperationError", Message: "Your current Slack plan does not include the resource 'message'",
				Description: "Hint: Upgrate to the Slack plan that includes the funcionality you want to use."}
		case "missing_scope":
			needed, _ := res["needed"].(string)
			return nil, &NodeError{Name: "NodeOperationError", Message: "Your Slack credential is missing required Oauth Scopes",
				Description: "Add the following scope(s) to your Slack App: " + needed}
		}
		enc, _ := json.Marshal(res["error"])
		return nil, NewNodeError("Slack error response: %s", enc)
	}
	if ts, ok := res["ts"]; ok {
		delete(res, "ts")
		res["message_timestamp"] = ts
	}
	return res, nil
}
