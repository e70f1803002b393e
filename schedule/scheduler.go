package schedule

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Job is one scheduled task: <task:scheduled ref="diskCleanupJob"
// method="execute" cron="0 0 3 * * ?"/>.
type Job struct {
	Name string
	Cron *Cron
	Run  func(ctx context.Context) error
}

// Scheduler runs jobs at the times their cron expressions give. A job
// never overlaps itself: a run that is still going when the next time
// comes makes that time be skipped, as Spring's scheduler does.
type Scheduler struct {
	Log *zap.Logger

	mu     sync.Mutex
	jobs   []Job
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Add registers a job; call it before Start.
func (s *Scheduler) Add(j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs = append(s.jobs, j)
}

// Jobs returns the registered jobs.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Job(nil), s.jobs...)
}

// Start runs every job in its own goroutine until Stop.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Log == nil {
		s.Log = zap.NewNop()
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for _, j := range s.jobs {
		s.wg.Add(1)
		go s.loop(ctx, j)
	}
}

func (s *Scheduler) loop(ctx context.Context, j Job) {
	defer s.wg.Done()
	for {
		next := j.Cron.Next(time.Now())
		if next.IsZero() {
			s.Log.Warn("scheduled job never runs: its cron expression matches no date", zap.String("job", j.Name), zap.Stringer("cron", j.Cron))
			return
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		start := time.Now()
		err := j.Run(ctx)
		if err != nil {
			s.Log.Error("scheduled job failed", zap.String("job", j.Name), zap.Error(err))
		} else {
			s.Log.Info("scheduled job done", zap.String("job", j.Name), zap.Duration("took", time.Since(start)))
		}
	}
}

// Stop cancels running jobs and waits for them until ctx ends.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
