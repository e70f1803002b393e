// Package executor bounds how many protocol sessions run at once, with the
// admission rules of Spring's ThreadPoolTaskExecutor (backed by a JDK
// ThreadPoolExecutor), so that a Hedwig configuration keeps the behaviour
// its administrator tuned:
//
//   - up to CorePoolSize sessions run at once;
//   - further sessions wait in a FIFO queue of QueueCapacity places;
//   - only when the queue is full does the pool grow, up to MaxPoolSize, and
//     the newcomer runs at once;
//   - when the pool is at MaxPoolSize and the queue is full, the session is
//     rejected (the protocol then sends its own "busy" reply).
//
// Unlike a JDK pool, nothing waits forever: a queued session gives up when
// its context ends (the listener bounds the wait with the protocol timeout).
package executor

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBusy is returned by Admit when the pool and its queue are full.
var ErrBusy = errors.New("executor: all workers busy and queue full")

// ErrShutdown is returned by Admit once Shutdown has begun.
var ErrShutdown = errors.New("executor: shutting down")

// Config mirrors the properties of ThreadPoolTaskExecutor. Zero values take
// Spring's defaults: CorePoolSize 1, MaxPoolSize and QueueCapacity unbounded.
type Config struct {
	Name          string
	CorePoolSize  int
	MaxPoolSize   int // 0: unbounded (Integer.MAX_VALUE in Spring)
	QueueCapacity int // 0 with Unbounded=false means no queue; see QueueUnbounded
	// QueueUnbounded is true when the configuration did not set
	// queueCapacity: Spring then uses Integer.MAX_VALUE.
	QueueUnbounded bool
	// WaitForTasksOnShutdown and AwaitTermination come from
	// waitForTasksToCompleteOnShutdown and awaitTerminationSeconds.
	WaitForTasksOnShutdown bool
	AwaitTermination       time.Duration
}

// Validate reports settings a JDK ThreadPoolExecutor would refuse.
func (c Config) Validate() error {
	switch {
	case c.CorePoolSize < 0:
		return fmt.Errorf("corePoolSize %d is negative", c.CorePoolSize)
	case c.MaxPoolSize < 0:
		return fmt.Errorf("maxPoolSize %d is negative", c.MaxPoolSize)
	case c.MaxPoolSize > 0 && c.MaxPoolSize < c.CorePoolSize:
		return fmt.Errorf("maxPoolSize %d is smaller than corePoolSize %d", c.MaxPoolSize, c.CorePoolSize)
	case c.QueueCapacity < 0:
		return fmt.Errorf("queueCapacity %d is negative", c.QueueCapacity)
	case c.AwaitTermination < 0:
		return fmt.Errorf("awaitTerminationSeconds %v is negative", c.AwaitTermination)
	}
	return nil
}

// Stats is a snapshot of an executor's state for logs and the admin page.
type Stats struct {
	Active, Queued         int
	Admitted, Rejected     uint64
	Completed, GaveUp      uint64
	CorePoolSize, MaxPool  int
	QueueCapacity          int
	QueueUnbounded, Closed bool
}

// Executor admits sessions. Its methods are safe for concurrent use.
type Executor struct {
	cfg Config

	mu      sync.Mutex
	active  int
	waiting *list.List // of *waiter, oldest first
	closed  bool
	idle    chan struct{}     // closed when active reaches 0 after shutdown began
	running map[uint64]func() // interrupt functions of running sessions
	nextID  uint64
	stats   Stats
}

// New returns an executor for cfg; cfg must have passed Validate.
func New(cfg Config) *Executor {
	if cfg.CorePoolSize == 0 && cfg.MaxPoolSize == 0 {
		cfg.CorePoolSize = 1
	}
	return &Executor{cfg: cfg, waiting: list.New()}
}

// Config returns the configuration the executor was built with.
func (e *Executor) Config() Config { return e.cfg }

func (e *Executor) maxPool() int {
	if e.cfg.MaxPoolSize == 0 {
		return int(^uint(0) >> 1)
	}
	return e.cfg.MaxPoolSize
}

func (e *Executor) queueFull() bool {
	return !e.cfg.QueueUnbounded && e.waiting.Len() >= e.cfg.QueueCapacity
}

// Admit reserves a worker for one session. It returns at once when a worker
// is free or the pool may grow, waits in the queue when the JDK pool would
// queue, and fails with ErrBusy when it would reject. The returned release
// must be called when the session ends; calling it again does nothing.
//
// interrupt, if not nil, is called when Shutdown stops waiting for the
// session (Spring's shutdownNow): it should close the connection.
func (e *Executor) Admit(ctx context.Context, interrupt func()) (release func(), err error) {
	e.mu.Lock()
	if e.closed {
		e.stats.Rejected++
		e.mu.Unlock()
		return nil, ErrShutdown
	}
	switch {
	case e.active < e.cfg.CorePoolSize:
		return e.grantLocked(interrupt), nil
	case !e.queueFull():
		// queue below
	case e.active < e.maxPool():
		return e.grantLocked(interrupt), nil
	default:
		e.stats.Rejected++
		e.mu.Unlock()
		return nil, ErrBusy
	}
	w := &waiter{ready: make(chan struct{}), interrupt: interrupt}
	elem := e.waiting.PushBack(w)
	e.mu.Unlock()

	select {
	case <-w.ready:
	case <-ctx.Done():
		e.mu.Lock()
		select {
		case <-w.ready:
			// Answered while we were giving up; handled below.
			e.mu.Unlock()
		default:
			e.waiting.Remove(elem)
			e.stats.GaveUp++
			e.mu.Unlock()
			return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
		}
	}
	if !w.granted {
		return nil, ErrShutdown
	}
	if ctx.Err() != nil {
		// Granted too late for a caller that gave up: hand the worker on.
		e.releaser(w.id)()
		return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
	return e.releaser(w.id), nil
}

// waiter is a queued session. ready is closed when it is answered: granted
// a worker, or refused because the executor shut down.
type waiter struct {
	ready     chan struct{}
	granted   bool
	id        uint64 // set when granted
	interrupt func()
}

// grantLocked takes a worker and unlocks e.mu.
func (e *Executor) grantLocked(interrupt func()) func() {
	e.active++
	e.stats.Admitted++
	id := e.trackLocked(interrupt)
	e.mu.Unlock()
	return e.releaser(id)
}

// trackLocked remembers how to interrupt a running session.
func (e *Executor) trackLocked(interrupt func()) uint64 {
	e.nextID++
	if interrupt != nil {
		if e.running == nil {
			e.running = make(map[uint64]func())
		}
		e.running[e.nextID] = interrupt
	}
	return e.nextID
}

func (e *Executor) releaser(id uint64) func() {
	var once sync.Once
	return func() { once.Do(func() { e.release(id) }) }
}

// release ends a session: its worker goes to the head of the queue, if any.
func (e *Executor) release(id uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.running, id)
	e.stats.Completed++
	if front := e.waiting.Front(); front != nil && !e.closed {
		w := e.waiting.Remove(front).(*waiter)
		e.stats.Admitted++
		w.granted = true
		w.id = e.trackLocked(w.interrupt)
		close(w.ready)
		return
	}
	e.active--
	if e.closed && e.active == 0 && e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
}

// Stats returns a snapshot of the executor's counters.
func (e *Executor) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.Active = e.active
	s.Queued = e.waiting.Len()
	s.CorePoolSize = e.cfg.CorePoolSize
	s.MaxPool = e.cfg.MaxPoolSize
	s.QueueCapacity = e.cfg.QueueCapacity
	s.QueueUnbounded = e.cfg.QueueUnbounded
	s.Closed = e.closed
	return s
}

// Shutdown stops admitting sessions and fails the queued ones. When the
// configuration asks to wait for tasks, it waits up to AwaitTermination (or
// until ctx ends) for running sessions to finish. Sessions still running
// after that, or at once without waitForTasksToCompleteOnShutdown (Spring's
// shutdownNow), are interrupted, and Shutdown reports how many there were.
func (e *Executor) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	if !e.closed {
		e.closed = true
		for el := e.waiting.Front(); el != nil; el = e.waiting.Front() {
			close(e.waiting.Remove(el).(*waiter).ready)
		}
	}
	if e.active == 0 {
		e.mu.Unlock()
		return nil
	}
	if !e.cfg.WaitForTasksOnShutdown {
		e.mu.Unlock()
		n := e.interruptAll()
		return fmt.Errorf("executor %s: interrupted %d running sessions (waitForTasksToCompleteOnShutdown is false)", e.cfg.Name, n)
	}
	if e.idle == nil {
		e.idle = make(chan struct{})
	}
	idle := e.idle
	e.mu.Unlock()

	var timeout <-chan time.Time
	if e.cfg.AwaitTermination > 0 {
		t := time.NewTimer(e.cfg.AwaitTermination)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
	case <-timeout:
	}
	n := e.interruptAll()
	return fmt.Errorf("executor %s: interrupted %d sessions still running after awaitTerminationSeconds=%v", e.cfg.Name, n, e.cfg.AwaitTermination)
}

// interruptAll calls the interrupt function of every running session.
func (e *Executor) interruptAll() int {
	e.mu.Lock()
	n := e.active
	fns := make([]func(), 0, len(e.running))
	for _, f := range e.running {
		fns = append(fns, f)
	}
	e.mu.Unlock()
	for _, f := range fns {
		f()
	}
	return n
}
