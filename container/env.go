package container

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/beans"
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/smtp/queue"
	"github.com/hedwigmail/hedwig/store"
)

// env is what component constructors share while a container is built.
type env struct {
	defs  *beans.Definitions
	graph *graph
	opts  Options
	probs *diag.List
	log   *zap.Logger

	mu        sync.Mutex
	instances map[string]*Instance

	settingsOnce sync.Once
	settings     *Settings

	store *store.Store // the first data source's store, shared by the servers
	queue *queue.Queue // the outbound queue of the SpoolRepository bean
}

func newEnv(defs *beans.Definitions, g *graph, opts Options, probs *diag.List) *env {
	return &env{defs: defs, graph: g, opts: opts, probs: probs, log: opts.Logger, instances: map[string]*Instance{}}
}

func (e *env) ordered() []*Instance {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*Instance
	for _, n := range e.graph.nodes {
		if inst := e.instances[n.bean.ID]; inst != nil {
			out = append(out, inst)
		}
	}
	return out
}

// build constructs the component of node n. It never fails: problems are
// recorded with the bean's file and line, so that one run reports them all.
func (e *env) build(n *node, deps map[string]*Instance, lc fx.Lifecycle) *Instance {
	inst := &Instance{ID: n.bean.ID, Bean: n.bean, Class: n.class}
	defer func() {
		// A constructor bug must not take the process down with a stack
		// trace; it is reported against the bean like any other problem.
		if r := recover(); r != nil {
			e.probs.Errorf(n.bean.Pos, subject(n.bean), "internal error while building this bean: %v", r)
		}
	}()
	if n.class != nil && n.class.Kind == Component {
		b := &beanReader{bean: n.bean, probs: e.probs, defs: e.defs}
		switch n.class.Role {
		case "config":
			st := e.globalSettings()
			e.watchKeyMaterial(lc, st.TLS)
			inst.Value = st
		case "properties":
			inst.Value = b.location("location")
		case "executor":
			inst.Value = e.buildExecutor(b, n.class, lc)
		case "datasource":
			inst.Value = e.buildDataSource(b, lc)
		case "server":
			inst.Value = e.buildServer(b, n.class, deps, lc)
		case "scheduler":
			inst.Value = e.buildScheduler(lc)
		case "scheduled-tasks":
			inst.Value = e.buildScheduledTasks(b, deps)
		case "spool":
			inst.Value = e.buildSpool(b, lc)
		case "job":
			inst.Value = e.buildDiskCleanupJob(b)
		case "admin":
			inst.Value = e.buildAdmin(b, lc)
		}
	}
	e.mu.Lock()
	e.instances[inst.ID] = inst
	e.mu.Unlock()
	return inst
}

// beanReader reads typed property values of one bean; bad values were
// already reported by buildGraph, so it only falls back to defaults.
type beanReader struct {
	bean  *beans.Bean
	probs *diag.List
	defs  *beans.Definitions
}

func (b *beanReader) literal(name string) (string, *beans.Property, bool) {
	p := b.bean.Property(name)
	if p == nil || p.Value == nil || p.Value.Kind != beans.Literal {
		return "", p, false
	}
	return strings.TrimSpace(p.Value.Text), p, true
}

func (b *beanReader) str(name, def string) string {
	if s, _, ok := b.literal(name); ok {
		return s
	}
	return def
}

func (b *beanReader) integer(name string, def int) int {
	if s, _, ok := b.literal(name); ok {
		if v, err := strconv.Atoi(s); err == nil {
			return v
		}
	}
	return def
}

func (b *beanReader) boolean(name string, def bool) (value, set bool) {
	if s, _, ok := b.literal(name); ok {
		if v, err := parseBool(s); err == nil {
			return v, true
		}
	}
	return def, false
}

func (b *beanReader) ref(name string) string {
	p := b.bean.Property(name)
	if p == nil || p.Value == nil || p.Value.Kind != beans.Ref {
		return ""
	}
	return b.defs.CanonicalName(p.Value.Ref)
}

func (b *beanReader) pos(name string) diag.Pos {
	if p := b.bean.Property(name); p != nil {
		return p.Pos
	}
	return b.bean.Pos
}

// location resolves a resource property (file:…, classpath:…, a path) the
// way the bean loader resolves its own locations.
func (b *beanReader) location(name string) string {
	s := b.str(name, "")
	if s == "" {
		return ""
	}
	path, err := b.defs.ResourcePath(s)
	if err != nil {
		b.probs.Errorf(b.pos(name), subject(b.bean), "property %q: %v", name, err)
		return ""
	}
	return path
}

// appHome is ${app.home}: the parent of the directory holding the XML.
func (e *env) appHome() string {
	if e.defs.AppHome != "" {
		return e.defs.AppHome
	}
	abs, _ := filepath.Abs(e.defs.File)
	return filepath.Dir(filepath.Dir(abs))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
