// Package container turns Hedwig's bean definitions into running hedwig
// components: every top-level bean becomes a named node of a go.uber.org/fx
// graph whose edges are the bean's refs and depends-on, so components are
// built and started in dependency order and stopped in reverse.
package container

import (
	"context"
	"fmt"
	"reflect"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"

	"github.com/hedwigmail/hedwig/beans"
	"github.com/hedwigmail/hedwig/conf"
	"github.com/hedwigmail/hedwig/diag"
)

// Options control how a configuration is loaded.
type Options struct {
	// PortOffset is added to every listener port (--port-offset), so a
	// production configuration can be tried as a plain user.
	PortOffset int
	// CheckOnly builds every component without binding ports or opening
	// databases (hedwig check).
	CheckOnly bool
	Logger    *zap.Logger
	// Env looks up environment variables for placeholders; nil: os.LookupEnv.
	Env func(string) (string, bool)
	// Overlay replaces configuration files by absolute path (beans.Options),
	// to check an edit before writing it.
	Overlay map[string][]byte
}

// Instance is one bean's component, as the fx graph carries it.
type Instance struct {
	ID    string
	Bean  *beans.Bean
	Class *Class
	Value any // *Server, *Executor, *Settings, …; nil for beans with no runtime role
}

// Container is a loaded configuration: its components, the problems found
// while loading it, and the fx application that starts and stops them.
type Container struct {
	File     string
	Defs     *beans.Definitions
	Problems *diag.List
	env      *env
	app      *fx.App
}

// Load reads the XML at path and everything it names, and builds every
// component. It returns the container even when problems were found, so
// that `hedwig check` can show them all; Start refuses to run when any of
// them is an error.
func Load(path string, opts Options) *Container {
	if opts.Logger == nil {
		opts.Logger = zap.NewNop()
	}
	c := &Container{File: path, Problems: &diag.List{}}
	defs, probs := beans.Load(path, beans.Options{Env: opts.Env, ReadProperties: readJavaProperties, Overlay: opts.Overlay})
	c.Problems.Merge(probs)
	c.Defs = defs
	if defs == nil {
		return c
	}
	g := buildGraph(defs, c.Problems)
	c.env = newEnv(defs, g, opts, c.Problems)
	if c.Problems.HasErrors() {
		// A graph with unknown classes, missing refs or cycles is not
		// instantiated; default.properties and the key material are still
		// checked, so that one run reports their problems too.
		c.env.opts.CheckOnly = true
		c.env.globalSettings()
		return c
	}
	c.app = fx.New(
		fx.WithLogger(func() fxevent.Logger {
			return &fxevent.ZapLogger{Logger: opts.Logger.Named("fx").WithOptions(zap.IncreaseLevel(zap.WarnLevel))}
		}),
		fx.Options(c.env.provides()...),
		fx.Invoke(c.env.invokeAll()),
	)
	if err := c.app.Err(); err != nil {
		c.Problems.Errorf(diag.Pos{File: path}, "", "building components: %v", err)
	}
	return c
}

// Start starts every component in dependency order.
func (c *Container) Start(ctx context.Context) error {
	if err := c.Problems.Err(); err != nil {
		return err
	}
	return c.app.Start(ctx)
}

// Stop stops the components in reverse order, draining sessions.
func (c *Container) Stop(ctx context.Context) error {
	if c.app == nil {
		return nil
	}
	return c.app.Stop(ctx)
}

// Instances returns the components in start order.
func (c *Container) Instances() []*Instance {
	if c.env == nil {
		return nil
	}
	return c.env.ordered()
}

// readJavaProperties gives PropertyPlaceholderConfigurer the same reading
// of default.properties as conf.Load (Java's line rules, exactly); values
// are passed unexpanded, since the configurer resolves ${…} itself.
func readJavaProperties(path string) (map[string]string, error) {
	p, err := conf.ReadProperties(path, nil)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(p.Keys()))
	for _, k := range p.Keys() {
		m[k], _ = p.Raw(k)
	}
	return m, nil
}

var instanceType = reflect.TypeOf((*Instance)(nil))
var lifecycleType = reflect.TypeOf((*fx.Lifecycle)(nil)).Elem()
var errorType = reflect.TypeOf((*error)(nil)).Elem()

// provides returns one fx.Provide per bean: a constructor whose parameters
// are the named instances the bean depends on and whose result is the
// bean's own named instance.
func (e *env) provides() []fx.Option {
	var opts []fx.Option
	for _, n := range e.graph.nodes {
		n := n
		in := []reflect.Type{lifecycleType}
		tags := []string{`optional:"false"`}
		for _, d := range n.deps {
			in = append(in, instanceType)
			tags = append(tags, fmt.Sprintf(`name:%q`, d))
		}
		ft := reflect.FuncOf(in, []reflect.Type{instanceType, errorType}, false)
		fn := reflect.MakeFunc(ft, func(args []reflect.Value) []reflect.Value {
			lc := args[0].Interface().(fx.Lifecycle)
			deps := map[string]*Instance{}
			for i, d := range n.deps {
				deps[d] = args[i+1].Interface().(*Instance)
			}
			inst := e.build(n, deps, lc)
			return []reflect.Value{reflect.ValueOf(inst), reflect.Zero(errorType)}
		})
		opts = append(opts, fx.Provide(fx.Annotate(fn.Interface(),
			fx.ParamTags(tags...), fx.ResultTags(fmt.Sprintf(`name:%q`, n.bean.ID)))))
	}
	return opts
}

// invokeAll returns an fx.Invoke target that asks for every instance in
// graph order, so that all of them are built, in that order.
func (e *env) invokeAll() any {
	in := make([]reflect.Type, len(e.graph.nodes))
	tags := make([]string, len(e.graph.nodes))
	for i, n := range e.graph.nodes {
		in[i] = instanceType
		tags[i] = fmt.Sprintf(`name:%q`, n.bean.ID)
	}
	ft := reflect.FuncOf(in, nil, false)
	fn := reflect.MakeFunc(ft, func([]reflect.Value) []reflect.Value { return nil })
	return fx.Annotate(fn.Interface(), fx.ParamTags(tags...))
}
