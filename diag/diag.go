// Package diag collects configuration problems with the place they come
// from, so that one run of `hedwig check` can report all of them, not only
// the first.
package diag

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Severity orders problems: an Error stops the server from starting, a
// Warning and an Info are only reported.
type Severity int

const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	default:
		return "error"
	}
}

// Pos is a place in a configuration file. Line 0 means the whole file.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line <= 0:
		return p.File
	default:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
}

// Problem is one finding about the configuration. Subject names what the
// problem is about, e.g. `bean "smtps.server"` or `tls_keypass`.
type Problem struct {
	Severity Severity
	Pos      Pos
	Subject  string
	Message  string
	Err      error // underlying cause, if any
}

// Error renders the problem the way every hedwig command prints it:
//
//	conf/applicationContext.xml:118: bean "smtps.server": unknown property "usTLS"
func (p *Problem) Error() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Subject != "" {
		b.WriteString(p.Subject)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

func (p *Problem) Unwrap() error { return p.Err }

// List is a concurrency-safe collection of problems. The zero value is ready
// to use.
type List struct {
	mu       sync.Mutex
	problems []*Problem
}

// Add records p and returns it.
func (l *List) Add(p *Problem) *Problem {
	l.mu.Lock()
	l.problems = append(l.problems, p)
	l.mu.Unlock()
	return p
}

// Errorf records an error at pos about subject.
func (l *List) Errorf(pos Pos, subject, format string, args ...any) *Problem {
	return l.add(Error, pos, subject, format, args)
}

// Warnf records a warning at pos about subject.
func (l *List) Warnf(pos Pos, subject, format string, args ...any) *Problem {
	return l.add(Warning, pos, subject, format, args)
}

// Infof records an informational note at pos about subject.
func (l *List) Infof(pos Pos, subject, format string, args ...any) *Problem {
	return l.add(Info, pos, subject, format, args)
}

func (l *List) add(sev Severity, pos Pos, subject, format string, args []any) *Problem {
	err := fmt.Errorf(format, args...)
	p := &Problem{Severity: sev, Pos: pos, Subject: subject, Message: err.Error(), Err: errors.Unwrap(err)}
	return l.Add(p)
}

// Merge appends every problem of other to l.
func (l *List) Merge(other *List) {
	if other == nil || other == l {
		return
	}
	for _, p := range other.All() {
		l.Add(p)
	}
}

// All returns the recorded problems in the order they were added.
func (l *List) All() []*Problem {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Problem(nil), l.problems...)
}

// Filter returns the problems of exactly severity sev.
func (l *List) Filter(sev Severity) []*Problem {
	var out []*Problem
	for _, p := range l.All() {
		if p.Severity == sev {
			out = append(out, p)
		}
	}
	return out
}

// HasErrors reports whether any problem is an Error.
func (l *List) HasErrors() bool { return len(l.Filter(Error)) > 0 }

// Err returns nil when no Error was recorded, and otherwise an error that
// lists every Error, one per line.
func (l *List) Err() error {
	errs := l.Filter(Error)
	if len(errs) == 0 {
		return nil
	}
	joined := make([]error, len(errs))
	for i, p := range errs {
		joined[i] = p
	}
	return errors.Join(joined...)
}
