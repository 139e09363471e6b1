package temporal

import (
	"container/list"
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/weft/weft/nodes"
)

// MemoryRunStore is a nodes.RunStore in memory, for `weft execute`, the
// conformance runner and tests. Runs are kept encoded, as a database keeps
// them, so that no caller shares items with another. It is safe for
// concurrent use.
type MemoryRunStore struct {
	mu   sync.RWMutex
	runs map[string]map[string][][]byte // execution → node → run index → JSON
}

// NewMemoryRunStore returns an empty store.
func NewMemoryRunStore() *MemoryRunStore {
	return &MemoryRunStore{runs: map[string]map[string][][]byte{}}
}

// SaveRun implements nodes.RunStore.
func (s *MemoryRunStore) SaveRun(_ context.Context, executionID, node string, runIndex int, run *nodes.NodeRun) error {
	if runIndex < 0 {
		return nodes.Errorf(nodes.CodeInvalid, "run index %d", runIndex)
	}
	b, err := nodes.EncodeRun(run)
	if err != nil {
		return fmt.Errorf("encode run %s[%d]: %w", node, runIndex, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ex := s.runs[executionID]
	if ex == nil {
		ex = map[string][][]byte{}
		s.runs[executionID] = ex
	}
	runs := ex[node]
	for len(runs) <= runIndex {
		runs = append(runs, nil)
	}
	runs[runIndex] = b
	ex[node] = runs
	return nil
}

// LoadRun implements nodes.RunStore.
func (s *MemoryRunStore) LoadRun(_ context.Context, executionID, node string, runIndex int) (*nodes.NodeRun, error) {
	s.mu.RLock()
	var b []byte
	if runs := s.runs[executionID][node]; runIndex >= 0 && runIndex < len(runs) {
		b = runs[runIndex]
	}
	s.mu.RUnlock()
	if b == nil {
		return nil, nodes.Errorf(nodes.CodeNotFound, "execution %s has no run %d of node %q", executionID, runIndex, node)
	}
	return decodeRun(b)
}

// LoadRunData implements nodes.RunStore: every run but the stored trigger
// items (nodes.TriggerRunNode).
func (s *MemoryRunStore) LoadRunData(_ context.Context, executionID string) (nodes.RunData, error) {
	s.mu.RLock()
	ex := s.runs[executionID]
	copied := make(map[string][][]byte, len(ex))
	for node, runs := range ex {
		if node == nodes.TriggerRunNode {
			continue
		}
		copied[node] = append([][]byte(nil), runs...)
	}
	s.mu.RUnlock()
	rd := nodes.RunData{}
	for node, runs := range copied {
		for i, b := range runs {
			if b == nil {
				return nil, fmt.Errorf("execution %s: run %d of node %q is missing", executionID, i, node)
			}
			r, err := decodeRun(b)
			if err != nil {
				return nil, err
			}
			rd[node] = append(rd[node], r)
		}
	}
	return rd, nil
}

// DeleteExecution implements nodes.RunStore.
func (s *MemoryRunStore) DeleteExecution(_ context.Context, executionID string) error {
	s.mu.Lock()
	delete(s.runs, executionID)
	s.mu.Unlock()
	return nil
}

func decodeRun(b []byte) (*nodes.NodeRun, error) {
	r, err := nodes.DecodeRun(b)
	if err != nil {
		return nil, fmt.Errorf("decode run: %w", err)
	}
	return r, nil
}

var _ nodes.RunStore = (*MemoryRunStore)(nil)

// CachedRunStore wraps a RunStore with an in-process cache of the runs most
// recently saved or loaded, bounded by their approximate encoded size, so a
// worker that runs consecutive nodes of an execution does not decode the
// same runs again. Runs handed out by LoadRun are shared with the cache and
// must not be changed; RunNode copies its inputs before a node sees them.
type CachedRunStore struct {
	store nodes.RunStore
	max   int64

	mu    sync.Mutex
	size  int64
	lru   *list.List // of *cacheEntry, most recent first
	index map[runKey]*list.Element
}

type runKey struct {
	execution, node string
	run             int
}

type cacheEntry struct {
	key  runKey
	run  *nodes.NodeRun
	size int64
}

// NewCachedRunStore returns store with a cache of at most maxBytes.
func NewCachedRunStore(store nodes.RunStore, maxBytes int64) *CachedRunStore {
	return &CachedRunStore{store: store, max: maxBytes, lru: list.New(), index: map[runKey]*list.Element{}}
}

// SaveRun implements nodes.RunStore: it saves through and caches the run.
// The caller must not change run afterwards.
func (c *CachedRunStore) SaveRun(ctx context.Context, executionID, node string, runIndex int, run *nodes.NodeRun) error {
	if err := c.store.SaveRun(ctx, executionID, node, runIndex, run); err != nil {
		c.forget(runKey{executionID, node, runIndex})
		return err
	}
	c.put(runKey{executionID, node, runIndex}, run)
	return nil
}

// LoadRun implements nodes.RunStore.
func (c *CachedRunStore) LoadRun(ctx context.Context, executionID, node string, runIndex int) (*nodes.NodeRun, error) {
	k := runKey{executionID, node, runIndex}
	c.mu.Lock()
	if el, ok := c.index[k]; ok {
		c.lru.MoveToFront(el)
		r := el.Value.(*cacheEntry).run
		c.mu.Unlock()
		return r, nil
	}
	c.mu.Unlock()
	r, err := c.store.LoadRun(ctx, executionID, node, runIndex)
	if err != nil {
		return nil, err
	}
	c.put(k, r)
	return r, nil
}

// LoadRunData implements nodes.RunStore (uncached).
func (c *CachedRunStore) LoadRunData(ctx context.Context, executionID string) (nodes.RunData, error) {
	return c.store.LoadRunData(ctx, executionID)
}

// DeleteExecution implements nodes.RunStore and drops the execution's runs
// from the cache.
func (c *CachedRunStore) DeleteExecution(ctx context.Context, executionID string) error {
	c.mu.Lock()
	for k, el := range c.index {
		if k.execution == executionID {
			c.remove(el)
		}
	}
	c.mu.Unlock()
	return c.store.DeleteExecution(ctx, executionID)
}

func (c *CachedRunStore) put(k runKey, r *nodes.NodeRun) {
	size := approxRunSize(r)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.index[k]; ok {
		c.remove(el)
	}
	if size > c.max {
		return
	}
	c.index[k] = c.lru.PushFront(&cacheEntry{key: k, run: r, size: size})
	c.size += size
	for c.size > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *CachedRunStore) forget(k runKey) {
	c.mu.Lock()
	if el, ok := c.index[k]; ok {
		c.remove(el)
	}
	c.mu.Unlock()
}

func (c *CachedRunStore) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.lru.Remove(el)
	delete(c.index, e.key)
	c.size -= e.size
}

var _ nodes.RunStore = (*CachedRunStore)(nil)

// approxRunSize estimates a run's encoded size from its items.
func approxRunSize(r *nodes.NodeRun) int64 {
	size := int64(256)
	for _, outs := range r.Data {
		for _, items := range outs {
			for _, it := range items {
				size += 32 + approxJSONSize(it.JSON)
				for _, b := range it.Binary {
					size += int64(len(b.Data)) + 128
				}
			}
		}
	}
	return size + approxJSONSize(r.State)
}

func approxJSONSize(v any) int64 {
	switch x := v.(type) {
	case map[string]any:
		n := int64(2)
		for k, e := range x {
			n += int64(len(k)) + 4 + approxJSONSize(e)
		}
		return n
	case []any:
		n := int64(2)
		for _, e := range x {
			n += 1 + approxJSONSize(e)
		}
		return n
	case string:
		return int64(len(x)) + 2
	case nil:
		return 4
	}
	return 8
}

// storeReader is the nodes.RunReader a node run sees: the completed runs of
// other nodes, loaded from the store on first use. They are shared, read-only
// values.
type storeReader struct {
	ctx       context.Context
	store     nodes.RunStore
	execution string
	counts    map[string]int
	loaded    map[string][]*nodes.NodeRun
}

// Runs implements nodes.RunReader. The runs are the store's (cached) values,
// not copies: the data proxy only reads them, and everything a node may change
// (its inputs, its state) the activity and the runner copy first. Copying
// every run here made $('Node') in a loop body quadratic.
func (r *storeReader) Runs(node string) ([]*nodes.NodeRun, error) {
	if runs, ok := r.loaded[node]; ok {
		return runs, nil
	}
	n := r.counts[node]
	var runs []*nodes.NodeRun
	for i := 0; i < n; i++ {
		run, err := r.store.LoadRun(r.ctx, r.execution, node, i)
		if err != nil {
			return nil, err
		}
		runs = append(runs, run)
	}
	r.loaded[node] = runs
	return runs, nil
}

// Definitions gives activities the workflow definition an execution runs,
// by version id. Persistence implements it over the workflow_versions
// table; MemoryDefinitions serves `weft execute` and tests.
type Definitions interface {
	// Definition returns the definition snapshot of a version; an
	// *nodes.Error with code NOT_FOUND if there is none. The caller must not
	// change it.
	Definition(ctx context.Context, versionID string) (*nodes.Workflow, error)
}

// MemoryDefinitions is a Definitions held in memory. It is safe for
// concurrent use.
type MemoryDefinitions struct {
	mu   sync.RWMutex
	defs map[string]*nodes.Workflow
}

// NewMemoryDefinitions returns an empty set of definitions.
func NewMemoryDefinitions() *MemoryDefinitions {
	return &MemoryDefinitions{defs: map[string]*nodes.Workflow{}}
}

// Put stores a copy of w as version versionID.
func (d *MemoryDefinitions) Put(versionID string, w *nodes.Workflow) {
	c := w.Clone()
	d.mu.Lock()
	d.defs[versionID] = c
	d.mu.Unlock()
}

// Definition implements Definitions.
func (d *MemoryDefinitions) Definition(_ context.Context, versionID string) (*nodes.Workflow, error) {
	d.mu.RLock()
	w := d.defs[versionID]
	d.mu.RUnlock()
	if w == nil {
		return nil, nodes.Errorf(nodes.CodeNotFound, "workflow version %q not found", versionID)
	}
	return w, nil
}

// Versions lists the stored version ids, sorted.
func (d *MemoryDefinitions) Versions() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]string, 0, len(d.defs))
	for v := range d.defs {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

var _ Definitions = (*MemoryDefinitions)(nil)
