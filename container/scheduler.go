package container

import (
	"context"
	"fmt"
	"strings"

	"go.uber.org/fx"

	"github.com/hedwigmail/hedwig/beans"
	"github.com/hedwigmail/hedwig/schedule"
)

// Job is a bean whose method a <task:scheduled> runs.
type Job struct {
	Methods map[string]func(ctx context.Context) error
}

func (e *env) buildScheduler(lc fx.Lifecycle) *schedule.Scheduler {
	s := &schedule.Scheduler{Log: e.log.Named("scheduler")}
	if e.opts.CheckOnly {
		return s
	}
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error { s.Start(); return nil },
		OnStop:  s.Stop,
	})
	return s
}

// buildScheduledTasks adds each <task:scheduled> to the scheduler that the
// <task:scheduled-tasks> element names.
func (e *env) buildScheduledTasks(b *beanReader, deps map[string]*Instance) any {
	subj := "task:scheduled-tasks"
	var sched *schedule.Scheduler
	if ref := b.ref("scheduler"); ref != "" {
		if inst := deps[ref]; inst != nil {
			sched, _ = inst.Value.(*schedule.Scheduler)
		}
		if sched == nil {
			e.probs.Errorf(b.pos("scheduler"), subj, "scheduler %q is not a <task:scheduler>", ref)
			return nil
		}
	} else {
		e.probs.Errorf(b.bean.Pos, subj, "no scheduler attribute: name a <task:scheduler id=…>")
		return nil
	}
	tasks := b.bean.Property("tasks")
	if tasks == nil || tasks.Value == nil {
		return sched
	}
	for _, item := range tasks.Value.Items {
		if item.Kind != beans.InnerBean || item.Bean == nil {
			continue
		}
		t := &beanReader{bean: item.Bean, probs: e.probs, defs: e.defs}
		ref, method, expr := t.ref("ref"), t.str("method", ""), t.str("cron", "")
		if expr == "" {
			e.probs.Errorf(item.Bean.Pos, "task:scheduled", "only cron triggers are supported; add cron=\"…\" (fixed-delay and fixed-rate are not)")
			continue
		}
		cron, err := schedule.ParseCron(expr)
		if err != nil {
			e.probs.Errorf(t.pos("cron"), "task:scheduled", "%v", err)
			continue
		}
		var job *Job
		if inst := deps[ref]; inst != nil {
			job, _ = inst.Value.(*Job)
		}
		if job == nil {
			e.probs.Errorf(t.pos("ref"), "task:scheduled", "bean %q has no method hedwig can schedule", ref)
			continue
		}
		run := job.Methods[method]
		if run == nil {
			e.probs.Errorf(t.pos("method"), "task:scheduled", "bean %q has no method %q (it has: %s)", ref, method, strings.Join(methodNames(job), ", "))
			continue
		}
		sched.Add(schedule.Job{Name: fmt.Sprintf("%s.%s", ref, method), Cron: cron, Run: run})
	}
	return sched
}

func methodNames(j *Job) []string {
	var names []string
	for k := range j.Methods {
		names = append(names, k)
	}
	return names
}
