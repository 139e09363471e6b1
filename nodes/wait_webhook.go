package nodes

import (
	"net/http"
	"strings"
	"time"
)

// waitMethods are the methods a Wait node's resume URL may accept, n8n's.
var waitMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}

// validateWaitWebhook checks the parameters of a Wait node that resumes on
// a call of its resume URL.
func validateWaitWebhook(n *NodeInstance, p *WaitParams) error {
	if !isExprParam(n, "httpMethod") && !validWaitMethod(p.HTTPMethod) {
		return ParamErrorf("httpMethod", "unknown HTTP method %q (GET, POST, PUT, PATCH, DELETE or HEAD)", p.HTTPMethod)
	}
	if !isExprParam(n, "responseMode") && p.ResponseMode != "onReceived" {
		return ParamErrorf("responseMode", "response mode %q is not supported for resume calls yet; use onReceived", p.ResponseMode)
	}
	if p.IncomingAuthentication != "none" && p.IncomingAuthentication != "" {
		return ParamErrorf("incomingAuthentication", "authentication %q of resume calls is not supported yet; use none", p.IncomingAuthentication)
	}
	if s := p.Options.WebhookSuffix; strings.Contains(s, "{{") {
		return ParamErrorf("options.webhookSuffix", "the webhook suffix does not support expressions")
	}
	if _, ok := n.Parameters["responseCode"]; ok && !isExprParam(n, "responseCode") {
		if c, err := waitAmount(p.ResponseCode); err != nil || c < 100 || c > 599 {
			return ParamErrorf("responseCode", "must be an HTTP status code (100 to 599)")
		}
	}
	if !p.LimitWaitTime {
		return nil
	}
	switch p.LimitType {
	case "afterTimeInterval":
		if !isExprParam(n, "resumeUnit") {
			if _, err := unitDuration(p.ResumeUnit); err != nil {
				return ParamErrorf("resumeUnit", "%v", err)
			}
		}
		if !isExprParam(n, "resumeAmount") {
			if a, err := waitAmount(p.ResumeAmount); err != nil || a < 0 {
				return ParamErrorf("resumeAmount", "must be a number of at least 0")
			}
		}
	case "atSpecifiedTime":
		if !isExprParam(n, "maxDateAndTime") {
			if _, err := parseWaitTime(p.MaxDateAndTime, time.UTC); err != nil {
				return ParamErrorf("maxDateAndTime", "%v", err)
			}
		}
	default:
		return ParamErrorf("limitType", "unknown limit type %q (afterTimeInterval or atSpecifiedTime)", p.LimitType)
	}
	return nil
}

func validWaitMethod(m string) bool {
	for _, v := range waitMethods {
		if m == v {
			return true
		}
	}
	return false
}

// planWaitWebhook returns the plan of a Wait node that resumes on a call:
// the resume URL's method and answer, and the time limit.
func planWaitWebhook(ctx *Context, p *WaitParams) (WaitPlan, error) {
	method := strings.ToUpper(strings.TrimSpace(p.HTTPMethod))
	if !validWaitMethod(method) {
		return WaitPlan{}, NewNodeError("unknown HTTP method %q", p.HTTPMethod)
	}
	wh := &WaitWebhookPlan{Method: method, Suffix: strings.Trim(p.Options.WebhookSuffix, "/"), ResponseCode: 200,
		ResponseData: p.Options.ResponseData}
	if c, err := waitAmount(p.ResponseCode); err == nil && c >= 100 && c <= 599 {
		wh.ResponseCode = int(c)
	}
	plan := WaitPlan{Webhook: wh}
	if !p.LimitWaitTime {
		return plan, nil
	}
	switch p.LimitType {
	case "atSpecifiedTime":
		loc := ctx.Location
		if loc == nil {
			loc = time.UTC
		}
		t, err := parseWaitTime(p.MaxDateAndTime, loc)
		if err != nil {
			return WaitPlan{}, NewNodeError("%v", err)
		}
		plan.Until = t.UTC()
	default:
		unit, err := unitDuration(p.ResumeUnit)
		if err != nil {
			return WaitPlan{}, NewNodeError("%v", err)
		}
		a, err := waitAmount(p.ResumeAmount)
		if err != nil {
			return WaitPlan{}, NewNodeError("Wait Amount must be a number, got %v", p.ResumeAmount)
		}
		// A limit of 0 still waits until the timer fires, at once.
		plan.Duration = max(time.Duration(a*float64(unit)), time.Millisecond)
	}
	return plan, nil
}
