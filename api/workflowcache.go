package api

import (
	"bytes"
	lru "container/list"
	"context"
	"encoding/json"
	"net/http"
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
// version, loading the versions the cache lacks in one query.
func (s *Server) defParts(ctx context.Context, ws []*persistence.Workflow) (map[string][]byte, error) {
	out := make(map[string][]byte, len(ws))
	var missing []string
	for _, w := range ws {
		if b, ok := s.defs.get(w.VersionID); ok {
			out[w.VersionID] = b
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
		out[id] = b
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
	for _, f := range []struct {
		key string
		t   time.Time
	}{{`,"created_at":`, w.CreatedAt}, {`,"updated_at":`, w.UpdatedAt}} {
		b, err := f.t.MarshalJSON()
		if err != nil {
			return err
		}
		buf.WriteString(f.key)
		buf.Write(b)
	}
	buf.WriteByte('}')
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

// writeViews answers a list of workflows (one when single) from cached
// definition parts.
func (s *Server) writeViews(c *gin.Context, ws []*persistence.Workflow, single bool, next string) {
	parts, err := s.defParts(c.Request.Context(), ws)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var buf bytes.Buffer
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
		if err := appendView(&buf, w, parts[w.VersionID]); err != nil {
			s.writeError(c, err)
			return
		}
	}
	if !single {
		buf.WriteString(`],"next_cursor":`)
		appendString(&buf, next)
		buf.WriteByte('}')
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", buf.Bytes())
}
