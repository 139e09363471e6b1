package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"go.uber.org/zap"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// WebSocket limits.
const (
	// wsSendBuffer is how many messages wait for a slow client before it
	// is dropped.
	wsSendBuffer = 256
	// wsPingEvery and wsReadTimeout: the server pings every 30 s and
	// drops a client it has heard nothing from (pong or message) for 60 s.
	wsPingEvery   = 30 * time.Second
	wsReadTimeout = 60 * time.Second
	// wsWriteTimeout bounds one write; a client that does not read is
	// dropped.
	wsWriteTimeout = 10 * time.Second
	// wsMaxClientMessage bounds a client's message.
	wsMaxClientMessage = 4096
	// wsMaxSubscriptions bounds a connection's subscriptions.
	wsMaxSubscriptions = 200
	// wsSubprotocol is the subprotocol the server selects; browsers pass
	// the token as a second one, "bearer.<token>".
	wsSubprotocol = "weft"
	wsTokenPrefix = "bearer."
)

// Close codes the server uses besides the standard ones.
const (
	// wsCloseTokenExpired: the access token expired; reconnect with a
	// fresh one.
	wsCloseTokenExpired = 4001
	// wsCloseTooSlow: the client did not keep up with its events.
	wsCloseTooSlow = 4008
)

// hub holds the WebSocket clients of this process and hands each bus
// message to the clients subscribed to its workflow or execution.
type hub struct {
	mu      sync.RWMutex
	clients map[*wsClient]struct{}
}

func newHub() *hub { return &hub{clients: map[*wsClient]struct{}{}} }

// dispatch offers m to every client; it never blocks.
func (h *hub) dispatch(m Message) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.clients {
		if c.wants(m) {
			c.offer(wsOut{Type: m.Type, Data: m.Data})
		}
	}
}

func (h *hub) add(c *wsClient) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *hub) remove(c *wsClient) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

// wsOut is a server message; the writer numbers it.
type wsOut struct {
	Type    string          `json:"type"`
	Data    json.RawMessage `json:"data"`
	EventID int64           `json:"event_id"`
}

// wsIn is a client message.
type wsIn struct {
	Type        string `json:"type"`
	WorkflowID  string `json:"workflow_id"`
	ExecutionID string `json:"execution_id"`
}

// wsClient is one connection: the reader (the handler's goroutine) takes
// subscriptions, the writer sends queued messages and pings.
type wsClient struct {
	conn *websocket.Conn
	send chan wsOut
	// gone is closed when the connection is being dropped.
	gone     chan struct{}
	goneOnce sync.Once

	mu         sync.Mutex
	workflows  map[string]bool
	executions map[string]bool
}

func (c *wsClient) wants(m Message) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.workflows[m.WorkflowID] || (m.ExecutionID != "" && c.executions[m.ExecutionID])
}

// offer queues a message; a client whose queue is full is dropped, so it
// slows no one else.
func (c *wsClient) offer(m wsOut) {
	select {
	case c.send <- m:
	case <-c.gone:
	default:
		c.drop(wsCloseTooSlow, "too slow: events were not read in time")
	}
}

// drop closes the connection (once) without waiting for the client.
func (c *wsClient) drop(code int, reason string) {
	c.goneOnce.Do(func() {
		close(c.gone)
		go func() {
			_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
			_ = c.conn.Close()
		}()
	})
}

// wsToken finds the access token: Authorization header, `token` query
// parameter, or a "bearer.<token>" subprotocol.
func wsToken(r *http.Request) string {
	if t := bearer(r); t != "" {
		return t
	}
	if t := r.URL.Query().Get("token"); t != "" {
		return t
	}
	for _, p := range websocket.Subprotocols(r) {
		if t, ok := strings.CutPrefix(p, wsTokenPrefix); ok {
			return t
		}
	}
	return ""
}

func (s *Server) realtimeRoutes(r *gin.RouterGroup) {
	r.GET("/ws", s.websocket)
}

// websocket upgrades an authenticated request to the event stream.
func (s *Server) websocket(c *gin.Context) {
	if origin := c.GetHeader("Origin"); origin != "" && !s.originAllowed(origin) {
		s.writeError(c, nodes.Errorf(nodes.CodeForbidden, "origin %q is not allowed (ALLOWED_ORIGINS)", origin))
		return
	}
	token := wsToken(c.Request)
	u, err := s.authenticate(c.Request.Context(), token)
	if err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="weft"`)
		s.writeError(c, err)
		return
	}
	claims, err := s.parseAccess(token)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Set(userKey, u)
	up := websocket.Upgrader{
		Subprotocols:    []string{wsSubprotocol},
		CheckOrigin:     func(*http.Request) bool { return true }, // checked above
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
	}
	conn, err := up.Upgrade(c.Writer, c.Request, nil)
	if err != nil {
		// The upgrader has answered with the reason.
		return
	}
	cl := &wsClient{conn: conn, send: make(chan wsOut, wsSendBuffer), gone: make(chan struct{}),
		workflows: map[string]bool{}, executions: map[string]bool{}}
	s.hub.add(cl)
	s.metrics.wsConnections.Inc()
	log := s.log.With(zap.String("request_id", requestID(c)), zap.String("user_id", u.ID))
	log.Debug("websocket connected")
	defer func() {
		s.hub.remove(cl)
		s.metrics.wsConnections.Dec()
		cl.drop(websocket.CloseNormalClosure, "")
		log.Debug("websocket closed")
	}()

	var expires time.Time
	if claims.ExpiresAt != nil {
		expires = claims.ExpiresAt.Time
	}
	go s.wsWrite(cl, expires)

	scope := persistence.Scope{UserID: u.ID, Admin: u.Role == persistence.RoleAdmin}
	conn.SetReadLimit(wsMaxClientMessage)
	_ = conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(wsReadTimeout)) })
	for {
		_, raw, err := conn.ReadMessage()
		if err != nil {
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(wsReadTimeout))
		s.wsHandle(c, cl, scope, raw)
	}
}

// wsWrite sends queued messages, numbering them, and pings; it closes the
// connection when the access token expires.
func (s *Server) wsWrite(cl *wsClient, expires time.Time) {
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	var expiry <-chan time.Time
	if !expires.IsZero() {
		t := time.NewTimer(time.Until(expires))
		defer t.Stop()
		expiry = t.C
	}
	var id int64
	for {
		select {
		case <-cl.gone:
			return
		case <-expiry:
			cl.drop(wsCloseTokenExpired, "access token expired")
			return
		case <-ping.C:
			if err := cl.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteTimeout)); err != nil {
				cl.drop(websocket.CloseGoingAway, "")
				return
			}
		case m := <-cl.send:
			id++
			m.EventID = id
			_ = cl.conn.SetWriteDeadline(time.Now().Add(wsWriteTimeout))
			if err := cl.conn.WriteJSON(m); err != nil {
				cl.drop(wsCloseTooSlow, "write failed")
				return
			}
		}
	}
}

// wsHandle answers one client message: subscribe or unsubscribe to a
// workflow or an execution the user may see.
func (s *Server) wsHandle(c *gin.Context, cl *wsClient, scope persistence.Scope, raw []byte) {
	var in wsIn
	if err := json.Unmarshal(raw, &in); err != nil {
		cl.offer(wsError(invalid("message is not valid JSON")))
		return
	}
	if (in.WorkflowID == "") == (in.ExecutionID == "") {
		cl.offer(wsError(invalid("give exactly one of workflow_id and execution_id")))
		return
	}
	kind, id, set := "workflow", in.WorkflowID, cl.workflows
	if in.ExecutionID != "" {
		kind, id, set = "execution", in.ExecutionID, cl.executions
	}
	ack := map[string]string{kind + "_id": id}
	switch in.Type {
	case "subscribe":
		ctx := c.Request.Context()
		var err error
		if kind == "workflow" {
			_, err = s.db.GetWorkflowRow(ctx, scope, id)
		} else {
			_, err = s.db.GetExecution(ctx, scope, id)
		}
		if err != nil {
			if nodes.ErrorCode(err) != nodes.CodeNotFound {
				s.log.Error("websocket subscribe", zap.String(kind+"_id", id), zap.Error(err))
				err = nodes.Errorf(nodes.CodeInternal, "subscription failed")
			}
			cl.offer(wsError(err))
			return
		}
		cl.mu.Lock()
		full := len(cl.workflows)+len(cl.executions) >= wsMaxSubscriptions
		if !full {
			set[id] = true
		}
		cl.mu.Unlock()
		if full {
			cl.offer(wsError(invalid("at most %d subscriptions per connection", wsMaxSubscriptions)))
			return
		}
		cl.offer(wsControl("subscribed", ack))
	case "unsubscribe":
		cl.mu.Lock()
		delete(set, id)
		cl.mu.Unlock()
		cl.offer(wsControl("unsubscribed", ack))
	default:
		cl.offer(wsError(invalid("unknown message type %q (subscribe, unsubscribe)", in.Type)))
	}
}

func wsControl(typ string, data any) wsOut {
	b, _ := json.Marshal(data)
	return wsOut{Type: typ, Data: b}
}

// wsError is the error message: the API's {code, message, details}.
func wsError(err error) wsOut {
	var e *nodes.Error
	if !errors.As(err, &e) {
		e = &nodes.Error{Code: nodes.CodeInternal, Message: "internal error"}
	}
	details := e.Details
	if details == nil {
		details = map[string]any{}
	}
	return wsControl("error", errorBody{Code: e.Code, Message: e.Message, Details: details})
}

// CloseStreams closes every WebSocket connection (going away), for a
// graceful shutdown: http.Server.Shutdown does not wait for hijacked
// connections.
func (s *Server) CloseStreams() {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	for c := range s.hub.clients {
		c.drop(websocket.CloseGoingAway, "server shutting down")
	}
}
