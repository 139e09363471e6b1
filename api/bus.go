package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/weft/weft/persistence"
	"github.com/weft/weft/temporal"
)

// Message is one event on the bus: its type, the ids the WebSocket hub
// routes it by, and the data clients receive.
type Message struct {
	Type        string          `json:"type"`
	WorkflowID  string          `json:"w"`
	ExecutionID string          `json:"e,omitempty"`
	Data        json.RawMessage `json:"d"`
}

// Bus carries messages from their publishers (the workers' activities, the
// API) to the WebSocket hub of every API process. Publish must not block
// for long; a message that cannot be delivered is dropped (a failure to
// publish never fails an execution or a request).
type Bus interface {
	// Publish sends m to every subscriber (of every process, for a
	// cross-process bus).
	Publish(ctx context.Context, m Message) error
	// Subscribe calls fn with every message until cancel is called; fn
	// must not block.
	Subscribe(fn func(Message)) (cancel func())
}

// LocalBus is the in-process bus: one process runs the workers and the API
// (`weft serve` on SQLite, tests). It is safe for concurrent use.
type LocalBus struct {
	mu   sync.RWMutex
	next int
	subs map[int]func(Message)
}

// NewLocalBus returns a LocalBus without subscribers.
func NewLocalBus() *LocalBus { return &LocalBus{subs: map[int]func(Message){}} }

// Publish implements Bus: it calls the subscribers in turn.
func (b *LocalBus) Publish(_ context.Context, m Message) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, fn := range b.subs {
		fn(m)
	}
	return nil
}

// Subscribe implements Bus.
func (b *LocalBus) Subscribe(fn func(Message)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.next
	b.next++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}

// PGBus relays messages between processes through PostgreSQL's
// LISTEN/NOTIFY: Publish is a pg_notify on the channel (synchronous, so
// the events of one execution keep their order even when its nodes run on
// different workers), and a listener on a dedicated connection hands every
// notification to the local subscribers. Notifications sent while the
// listener reconnects are lost: clients see a gap, never a stale state
// (the executions API remains the record).
type PGBus struct {
	db      *persistence.DB
	channel string
	log     *zap.Logger
	local   *LocalBus
	cancel  context.CancelFunc
	done    chan struct{}
}

// pgBusChannel is the NOTIFY channel (suffixed with the schema outside
// public; see persistence.NotifyChannel).
const pgBusChannel = "weft_events"

// publishTimeout bounds one NOTIFY.
const publishTimeout = 2 * time.Second

// NewPGBus returns a bus over db (PostgreSQL). With listen, it also
// listens for the messages of all processes and returns once the LISTEN is
// in place (or after 10 s, listening on in the background); a process
// that only publishes (`weft worker`) passes false. Close stops it.
func NewPGBus(ctx context.Context, db *persistence.DB, listen bool, log *zap.Logger) (*PGBus, error) {
	if log == nil {
		log = zap.NewNop()
	}
	ch, err := db.NotifyChannel(ctx, pgBusChannel)
	if err != nil {
		return nil, fmt.Errorf("event bus: %w", err)
	}
	b := &PGBus{db: db, channel: ch, log: log, local: NewLocalBus(), done: make(chan struct{})}
	if !listen {
		close(b.done)
		return b, nil
	}
	lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel = cancel
	ready := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(b.done)
		_ = db.Listen(lctx, ch, func() { once.Do(func() { close(ready) }) }, b.deliver, func(err error) {
			log.Warn("event bus: listening connection lost; reconnecting (events meanwhile are not relayed)", zap.Error(err))
		})
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		log.Warn("event bus: LISTEN not in place after 10 s; still trying")
	case <-ctx.Done():
		cancel()
		<-b.done
		return nil, ctx.Err()
	}
	return b, nil
}

func (b *PGBus) deliver(payload string) {
	var m Message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		b.log.Warn("event bus: unreadable notification dropped", zap.Error(err))
		return
	}
	_ = b.local.Publish(context.Background(), m)
}

// Publish implements Bus.
func (b *PGBus) Publish(ctx context.Context, m Message) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if len(payload) > persistence.MaxNotifyPayload {
		return fmt.Errorf("event %s of %d bytes is over NOTIFY's limit", m.Type, len(payload))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	return b.db.Notify(ctx, b.channel, string(payload))
}

// Subscribe implements Bus.
func (b *PGBus) Subscribe(fn func(Message)) func() { return b.local.Subscribe(fn) }

// Close stops listening.
func (b *PGBus) Close() {
	if b.cancel != nil {
		b.cancel()
	}
	<-b.done
}

// maxEventBytes bounds an event's data, leaving room under NOTIFY's limit
// for the envelope and the JSON escaping of the data inside it.
const maxEventBytes = 3500

// maxEventError bounds an event's error message.
const maxEventError = 1024

// EventPublisher returns the temporal.EventPublisher the workers' activities
// publish through: each temporal.Event becomes a Message on bus, trimmed
// to fit (the preview goes first, then the error's tail). Failures are
// logged and dropped.
func EventPublisher(bus Bus, log *zap.Logger) temporal.EventPublisher {
	if log == nil {
		log = zap.NewNop()
	}
	return eventPublisher{bus: bus, log: log}
}

type eventPublisher struct {
	bus Bus
	log *zap.Logger
}

// Publish implements temporal.EventPublisher.
func (p eventPublisher) Publish(ctx context.Context, e temporal.Event) {
	data, err := eventData(e)
	if err == nil {
		err = p.bus.Publish(ctx, Message{Type: e.Type, WorkflowID: e.WorkflowID, ExecutionID: e.ExecutionID, Data: data})
	}
	if err != nil {
		p.log.Warn("event not published", zap.String("type", e.Type), zap.String("execution_id", e.ExecutionID),
			zap.String("workflow_id", e.WorkflowID), zap.Error(err))
	}
}

// eventData encodes e within maxEventBytes.
func eventData(e temporal.Event) ([]byte, error) {
	if len(e.Error) > maxEventError {
		e.Error = e.Error[:maxEventError] + "…"
	}
	b, err := json.Marshal(e)
	if err != nil || len(b) <= maxEventBytes {
		return b, err
	}
	if len(e.Preview) > 0 {
		e.Preview, e.PreviewTruncated = nil, true
		if b, err = json.Marshal(e); err != nil || len(b) <= maxEventBytes {
			return b, err
		}
	}
	return nil, errors.New("event too large even without its preview")
}

// publish sends a message from the API; a failure is logged.
func (s *Server) publish(ctx context.Context, m Message) {
	if s.cfg.Bus == nil {
		return
	}
	if err := s.cfg.Bus.Publish(ctx, m); err != nil {
		s.log.Warn("event not published", zap.String("type", m.Type), zap.String("workflow_id", m.WorkflowID), zap.Error(err))
	}
}

// EventWorkflowUpdated is published when a workflow is saved, activated or
// deactivated.
const EventWorkflowUpdated = "workflow.updated"

// workflowUpdated is the data of workflow.updated.
type workflowUpdated struct {
	WorkflowID string    `json:"workflowId"`
	Name       string    `json:"name"`
	Active     bool      `json:"active"`
	VersionID  string    `json:"versionId"`
	At         time.Time `json:"at"`
}

// workflowChanged publishes workflow.updated for a workflow's current row.
func (s *Server) workflowChanged(ctx context.Context, id string) {
	if s.cfg.Bus == nil {
		return
	}
	w, err := s.db.GetWorkflowRow(ctx, persistence.Scope{Admin: true}, id)
	if err != nil {
		s.log.Warn("workflow.updated not published", zap.String("workflow_id", id), zap.Error(err))
		return
	}
	data, err := json.Marshal(workflowUpdated{WorkflowID: w.ID, Name: truncate(w.Name, 512), Active: w.Active, VersionID: w.VersionID, At: time.Now().UTC()})
	if err != nil {
		return
	}
	s.publish(ctx, Message{Type: EventWorkflowUpdated, WorkflowID: w.ID, Data: data})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
