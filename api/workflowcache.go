package api

import (
	"bytes"
	lru "container/list"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/weft/weft/nodes"
	"github.com/weft/weft/persistence"
)

// Reading workflows is the API's hottest path (editors and dashboards list
// and poll them). Decoding a stored definition and encoding it again was
// most of a list request's CPU, yet a version never changes once written.
// So list and get answers are assembled from the JSON of each version's
// definition part (nodes, connections, settings, pinData, meta,
// staticData), encoded once and kept in a bounded cache by version id; the
// row's own fields (id, name, active, tags, timestamps) are encoded per
// request. The bytes equal what json.Marshal(viewWorkflow(w)) writes.

// defCacheBytes bounds the cache by the size of the encoded JSON it holds.
const defCacheBytes = 64 << 20

// defPart is the definition part of workflowView, in its field order.
type defPart struct {
	Nodes       []*nodes.NodeInstance `json:"nodes"`
	Connections nodes.Connections     `json:"connections"`
	Settings    nodes.Settings        `json:"settings"`
	PinData     json.RawMessage       `json:"pinData,omitempty"`
	Meta        json.RawMessage       `json:"meta,omitempty"`
	StaticData  json.RawMessage       `json:"staticData,omitempty"`
}

// encodeDefPart returns the definition part of a view as JSON object
// members, without the enclosing braces.
func encodeDefPart(def *nodes.Workflow) ([]byte, error) {
	v := viewWorkflow(&persistence.Workflow{Definition: def})
	b, err := json.Marshal(defPart{Nodes: v.Nodes, Connections: v.Connections, Settings: v.Settings,
		PinData: v.PinData, Meta: v.Meta, StaticData: v.StaticData})
	if err != nil {
		return nil, err
	}
	return b[1 : len(b)-1], nil
}

// defCache holds encoded definition parts by version id, least recently
// used first out once the byte budget is spent.
type defCache struct {
	mu    sync.Mutex
	max   int
	size  int
	order *lru.List // of *defEntry, most recent at the front
	byID  map[string]*lru.Element
}

type defEntry struct {
	versionID string
	json      []byte
}

func newDefCache(maxBytes int) *defCache {
	return &defCache{max: maxBytes, order: lru.New(), byID: map[string]*lru.Element{}}
}

func (c *defCache) get(versionID string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byID[versionID]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*defEntry).json, true
}

func (c *defCache) put(versionID string, b []byte) {
	if len(b) > c.max/8 {
		return // one huge definition must not push out everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byID[versionID]; ok {
		return
	}
	c.byID[versionID] = c.order.PushFront(&defEntry{versionID: versionID, json: b})
	c.size += len(b)
	for c.size > c.max {
		last := c.order.Back()
		ent := last.Value.(*defEntry)
		c.order.Remove(last)
		delete(c.byID, ent.versionID)
		c.size -= len(ent.json)
	}
}

// defParts returns the encoded definition part of each workflow's current
// version, in the order of ws, loading the versions the cache lacks in one
// query.
func (s *Server) defParts(ctx context.Context, ws []*persistence.Workflow) ([][]byte, error) {
	out := make([][]byte, len(ws))
	var missing []string
	for i, w := range ws {
		if b, ok := s.defs.get(w.VersionID); ok {
			out[i] = b
		} else if w.VersionID != "" {
			missing = append(missing, w.VersionID)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	defs, err := s.db.VersionDefinitions(ctx, missing)
	if err != nil {
		return nil, err
	}
	for id, def := range defs {
		b, err := encodeDefPart(def)
		if err != nil {
			return nil, err
		}
		s.defs.put(id, b)
		for i, w := range ws {
			if w.VersionID == id {
				out[i] = b
			}
		}
	}
	return out, nil
}

// appendView appends w's view as JSON, with part its encoded definition
// part (nil: a workflow without one, as viewWorkflow shows it). The
// fields around it are written in workflowView's order and encoding.
func appendView(buf *bytes.Buffer, w *persistence.Workflow, part []byte) error {
	if part == nil {
		var err error
		if part, err = encodeDefPart(nil); err != nil {
			return err
		}
	}
	buf.WriteString(`{"id":`)
	appendString(buf, w.ID)
	buf.WriteString(`,"name":`)
	appendString(buf, w.Name)
	buf.WriteByte(',')
	buf.Write(part)
	if w.Active {
		buf.WriteString(`,"active":true,"version_id":`)
	} else {
		buf.WriteString(`,"active":false,"version_id":`)
	}
	appendString(buf, w.VersionID)
	buf.WriteString(`,"tags":`)
	if w.Tags == nil {
		buf.WriteString("null")
	} else {
		buf.WriteByte('[')
		for i, t := range w.Tags {
			if i > 0 {
				buf.WriteByte(',')
			}
			appendString(buf, t)
		}
		buf.WriteByte(']')
	}
	buf.WriteString(`,"created_at":`)
	if err := appendTime(buf, w.CreatedAt); err != nil {
		return err
	}
	buf.WriteString(`,"updated_at":`)
	if err := appendTime(buf, w.UpdatedAt); err != nil {
		return err
	}
	buf.WriteByte('}')
	return nil
}

// appendTime appends t as time.Time's MarshalJSON writes it (RFC 3339 with
// the nanoseconds it has), without allocating; the years and offsets
// MarshalJSON refuses go through it for its error.
func appendTime(buf *bytes.Buffer, t time.Time) error {
	_, off := t.Zone()
	if y := t.Year(); y < 0 || y > 9999 || off <= -24*3600 || off >= 24*3600 {
		b, err := t.MarshalJSON()
		if err != nil {
			return err
		}
		buf.Write(b)
		return nil
	}
	b := buf.AvailableBuffer()
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	buf.Write(b)
	return nil
}

// appendString appends s as encoding/json writes it: plain ASCII as is,
// anything that needs escaping through json.Marshal.
func appendString(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			buf.Write(b)
			return
		}
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
}

// maxPooledView bounds the answer buffers kept for reuse.
const maxPooledView = 1 << 20

// writeViews answers a list of workflows (one when single) from cached
// definition parts. The answer is built in a buffer reused across
// requests (a list of 20 is tens of KB) and sent with its length.
func (s *Server) writeViews(c *gin.Context, ws []*persistence.Workflow, single bool, next string) {
	parts, err := s.defParts(c.Request.Context(), ws)
	if err != nil {
		s.writeError(c, err)
		return
	}
	buf, _ := s.views.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= maxPooledView {
			buf.Reset()
			s.views.Put(buf)
		}
	}()
	n := 64
	for _, p := range parts {
		n += len(p) + 256
	}
	buf.Grow(n)
	if !single {
		buf.WriteString(`{"data":[`)
	}
	for i, w := range ws {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := appendView(buf, w, parts[i]); err != nil {
			s.writeError(c, err)
			return
		}
	}
	if !single {
		buf.WriteString(`],"next_cursor":`)
		appendString(buf, next)
		buf.WriteByte('}')
	}
	c.Header("Content-Length", strconv.Itoa(buf.Len()))
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf.Bytes())
}
