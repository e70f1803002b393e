package executor

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// admitN admits n sessions that must be granted at once.
func admitN(t *testing.T, e *Executor, n int) []func() {
	t.Helper()
	var rel []func()
	for i := 0; i < n; i++ {
		r, err := e.Admit(context.Background(), nil)
		if err != nil {
			t.Fatalf("admit %d: %v", i, err)
		}
		rel = append(rel, r)
	}
	return rel
}

// queue starts a waiter and returns a channel with its outcome.
func queue(e *Executor, ctx context.Context) <-chan error {
	out := make(chan error, 1)
	go func() {
		rel, err := e.Admit(ctx, nil)
		if err == nil {
			defer rel()
		}
		out <- err
	}()
	return out
}

func waitQueued(t *testing.T, e *Executor, n int) {
	t.Helper()
	for i := 0; i < 2000 && e.Stats().Queued != n; i++ {
		time.Sleep(time.Millisecond)
	}
	if got := e.Stats().Queued; got != n {
		t.Fatalf("queued = %d, want %d", got, n)
	}
}

// Hedwig's smtp.taskExecutor: core 5, max 10, queue 25. A JDK pool runs 5,
// queues 25, then grows to 10, then rejects.
func TestJDKAdmissionOrder(t *testing.T) {
	e := New(Config{Name: "smtp.taskExecutor", CorePoolSize: 5, MaxPoolSize: 10, QueueCapacity: 25})
	running := admitN(t, e, 5)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var queued []<-chan error
	for i := 0; i < 25; i++ {
		queued = append(queued, queue(e, ctx))
	}
	waitQueued(t, e, 25)
	if a := e.Stats().Active; a != 5 {
		t.Fatalf("active = %d with a non-full queue, want 5 (core)", a)
	}

	running = append(running, admitN(t, e, 5)...) // queue full: the pool grows to max
	if a := e.Stats().Active; a != 10 {
		t.Fatalf("active = %d, want 10", a)
	}
	if _, err := e.Admit(context.Background(), nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("31st+5th session: err = %v, want ErrBusy", err)
	}
	if s := e.Stats(); s.Rejected != 1 {
		t.Fatalf("rejected = %d, want 1", s.Rejected)
	}

	// Releasing a running session hands its worker to the oldest waiter.
	running[0]()
	select {
	case err := <-queued[0]:
		if err != nil {
			t.Fatalf("first waiter: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first waiter was not granted the released worker")
	}
	for _, r := range running[1:] {
		r()
	}
	for i, q := range queued[1:] {
		if err := <-q; err != nil {
			t.Fatalf("waiter %d: %v", i+1, err)
		}
	}
	if s := e.Stats(); s.Active != 0 || s.Queued != 0 {
		t.Fatalf("after all sessions: %+v", s)
	}
}

func TestNoQueueRejectsAtMax(t *testing.T) {
	e := New(Config{CorePoolSize: 1, MaxPoolSize: 2, QueueCapacity: 0})
	admitN(t, e, 2)
	if _, err := e.Admit(context.Background(), nil); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
}

func TestQueuedSessionGivesUpWithItsContext(t *testing.T) {
	e := New(Config{CorePoolSize: 1, MaxPoolSize: 1, QueueCapacity: 3})
	rel := admitN(t, e, 1)
	ctx, cancel := context.WithCancel(context.Background())
	q := queue(e, ctx)
	waitQueued(t, e, 1)
	cancel()
	if err := <-q; !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrBusy wrapping context.Canceled", err)
	}
	if s := e.Stats(); s.Queued != 0 || s.GaveUp != 1 {
		t.Fatalf("stats after give-up: %+v", s)
	}
	rel[0]()
	if a := e.Stats().Active; a != 0 {
		t.Fatalf("active = %d after release, want 0 (no ghost waiter)", a)
	}
}

func TestReleaseIsIdempotent(t *testing.T) {
	e := New(Config{CorePoolSize: 2, MaxPoolSize: 2})
	rel := admitN(t, e, 1)
	rel[0]()
	rel[0]()
	if a := e.Stats().Active; a != 0 {
		t.Fatalf("active = %d, want 0", a)
	}
}

func TestShutdownWaitsForRunningSessions(t *testing.T) {
	e := New(Config{Name: "x", CorePoolSize: 2, MaxPoolSize: 2, QueueCapacity: 5, WaitForTasksOnShutdown: true, AwaitTermination: time.Minute})
	rel := admitN(t, e, 2)
	q := queue(e, context.Background())
	waitQueued(t, e, 1)

	done := make(chan error, 1)
	go func() { done <- e.Shutdown(context.Background()) }()
	if err := <-q; !errors.Is(err, ErrShutdown) {
		t.Fatalf("queued session at shutdown: %v, want ErrShutdown", err)
	}
	if _, err := e.Admit(context.Background(), nil); !errors.Is(err, ErrShutdown) {
		t.Fatalf("admit after shutdown: %v", err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while sessions run", err)
	default:
	}
	var wg sync.WaitGroup
	for _, r := range rel {
		wg.Add(1)
		go func() { defer wg.Done(); r() }()
	}
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

func TestShutdownInterruptsAfterAwaitTermination(t *testing.T) {
	for _, wait := range []bool{true, false} {
		e := New(Config{Name: "smtp.taskExecutor", CorePoolSize: 2, MaxPoolSize: 2, WaitForTasksOnShutdown: wait, AwaitTermination: 20 * time.Millisecond})
		interrupted := make(chan struct{})
		rel, err := e.Admit(context.Background(), func() { close(interrupted) })
		if err != nil {
			t.Fatal(err)
		}
		done, _ := e.Admit(context.Background(), func() { t.Error("a finished session was interrupted") })
		done()
		if err := e.Shutdown(context.Background()); err == nil {
			t.Fatalf("wait=%v: Shutdown returned nil with a session still running", wait)
		}
		select {
		case <-interrupted:
		default:
			t.Fatalf("wait=%v: the running session was not interrupted", wait)
		}
		rel()
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{
		{CorePoolSize: -1},
		{CorePoolSize: 5, MaxPoolSize: 2},
		{QueueCapacity: -3},
	} {
		if c.Validate() == nil {
			t.Errorf("%+v: Validate accepted it", c)
		}
	}
	if err := (Config{CorePoolSize: 5, MaxPoolSize: 10, QueueCapacity: 25}).Validate(); err != nil {
		t.Errorf("Hedwig's executor refused: %v", err)
	}
}

func BenchmarkAdmitRelease(b *testing.B) {
	e := New(Config{CorePoolSize: 64, MaxPoolSize: 64, QueueCapacity: 1024})
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rel, err := e.Admit(context.Background(), nil)
			if err != nil {
				b.Fatal(err)
			}
			rel()
		}
	})
}
