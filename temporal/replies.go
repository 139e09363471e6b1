package temporal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/weft/weft/nodes"
)

// Replies hands a webhook call its answer inside one process: the
// activity that produced the answer (a Respond to Webhook node's run, or
// the execution's end) delivers it straight to the request waiting for it,
// when that request is in the same process as the worker (`weft serve`).
//
// It is a shortcut, not the record: the answer is also in the execution's
// run data and, for a Respond to Webhook node, in the interpreter's state,
// where the Update UpdateWebhookResponse reads it. A request that does not
// hear from the local worker within localReplyGrace (the execution went on
// on another worker, or it simply runs long) asks Temporal, as it would
// without the shortcut. With the shortcut a webhook execution starts
// eagerly on the local worker and its answer needs no round trip through
// Temporal's matching service: Update-with-Start cannot start eagerly, and
// on the embedded server each such hop cost ~40 ms and, under load, up to
// seconds (`weft bench scenarios`, scenario 1).
type Replies struct {
	mu      sync.Mutex
	waiting map[string]*replyWaiter
}

type replyWaiter struct {
	ch           chan *WebhookReply
	wantResponse bool
}

// NewReplies returns an empty set of waiting requests.
func NewReplies() *Replies { return &Replies{waiting: map[string]*replyWaiter{}} }

// await registers a request waiting for executionID's answer: with
// wantResponse the first Respond to Webhook answer or the end, else the
// end only. done unregisters it.
func (r *Replies) await(executionID string, wantResponse bool) (ch <-chan *WebhookReply, done func()) {
	w := &replyWaiter{ch: make(chan *WebhookReply, 1), wantResponse: wantResponse}
	r.mu.Lock()
	r.waiting[executionID] = w
	r.mu.Unlock()
	return w.ch, func() {
		r.mu.Lock()
		if r.waiting[executionID] == w {
			delete(r.waiting, executionID)
		}
		r.mu.Unlock()
	}
}

// deliver hands reply to the request waiting for executionID, if there is
// one in this process and it wants it; the first reply it takes wins.
func (r *Replies) deliver(executionID string, reply *WebhookReply) {
	if r == nil {
		return
	}
	r.mu.Lock()
	w := r.waiting[executionID]
	if w != nil && (reply.Ended || w.wantResponse) {
		delete(r.waiting, executionID)
	} else {
		w = nil
	}
	r.mu.Unlock()
	if w != nil {
		w.ch <- reply
	}
}

// localReplyGrace is how long a webhook call waits for its answer from the
// local worker before it also asks Temporal.
const localReplyGrace = 3 * time.Second

// StartWithReply starts an execution for a webhook call eagerly on the
// local worker and returns the function that waits for its answer: with
// wantResponse (responseNode) the first Respond to Webhook node's answer,
// or the execution's end; otherwise (lastNode) the end. replies must be
// the Replies of the worker in this process.
func (c *Client) StartWithReply(ctx context.Context, in ExecutionInput, opts StartOptions, replies *Replies, wantResponse bool) (func(context.Context) (*WebhookReply, error), error) {
	ch, done := replies.await(in.ExecutionID, wantResponse)
	if _, err := c.Start(ctx, in, opts); err != nil {
		done()
		return nil, err
	}
	return func(ctx context.Context) (*WebhookReply, error) {
		defer done()
		wait := c.ReplyGrace
		if wait <= 0 {
			wait = localReplyGrace
		}
		grace := time.NewTimer(wait)
		defer grace.Stop()
		select {
		case r := <-ch:
			return r, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-grace.C:
		}
		// Ask Temporal, and keep listening locally meanwhile.
		actx, cancel := context.WithCancel(ctx)
		defer cancel()
		type answer struct {
			r   *WebhookReply
			err error
		}
		asked := make(chan answer, 1)
		go func() {
			r, err := c.askReply(actx, in, wantResponse)
			asked <- answer{r, err}
		}()
		select {
		case r := <-ch:
			return r, nil
		case a := <-asked:
			return a.r, a.err
		}
	}, nil
}

// askReply waits for a webhook call's answer through Temporal: the
// UpdateWebhookResponse update for a responseNode call while the
// execution runs, else its end.
func (c *Client) askReply(ctx context.Context, in ExecutionInput, wantResponse bool) (*WebhookReply, error) {
	if wantResponse {
		h, err := c.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: WorkflowID(in.ExecutionID), UpdateName: UpdateWebhookResponse,
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			var reply WebhookReply
			if err = h.Get(ctx, &reply); err == nil {
				return &reply, nil
			}
		}
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			return nil, err
		}
		// The execution has ended: its answer is in its run data.
	}
	res, err := c.Result(ctx, in.ExecutionID)
	if err != nil {
		return nil, err
	}
	if wantResponse && c.Store != nil {
		rd, err := c.Store.LoadRunData(ctx, in.ExecutionID)
		if err != nil {
			return nil, fmt.Errorf("load the run data of execution %s: %w", in.ExecutionID, err)
		}
		if r := firstResponse(in.Workflow, rd); r != nil {
			return &WebhookReply{Response: r}, nil
		}
	}
	return &WebhookReply{Ended: true, Status: res.Status}, nil
}

// firstResponse returns the answer of the first Respond to Webhook run of
// an execution, in execution order, or nil.
func firstResponse(def *nodes.Workflow, rd nodes.RunData) *nodes.WebhookResponse {
	var first *nodes.NodeRun
	for name, runs := range rd {
		n := def.Node(name)
		if n == nil || n.Type != nodes.RespondToWebhookType {
			continue
		}
		for _, run := range runs {
			if run.ExecutionStatus == nodes.StatusSuccess && (first == nil || run.ExecutionIndex < first.ExecutionIndex) {
				first = run
			}
		}
	}
	if first == nil {
		return nil
	}
	return nodes.WebhookResponseOf(first)
}
