// Package schedule runs Hedwig's scheduled jobs (<task:scheduled cron=…>)
// on Spring's six-field cron expressions.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed Spring cron expression: second minute hour
// day-of-month month day-of-week.
type Cron struct {
	expr                            string
	sec, min, hour, dom, month, dow uint64 // bit i set: value i allowed
	domStar, dowStar                bool
}

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

// ParseCron parses a Spring cron expression such as "0 0 3 * * ?".
func ParseCron(expr string) (*Cron, error) {
	f := strings.Fields(expr)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron %q: want 6 fields (second minute hour day month weekday), have %d", expr, len(f))
	}
	c := &Cron{expr: expr}
	var err error
	parse := func(i int, lo, hi int, names []string, nameBase int) uint64 {
		if err != nil {
			return 0
		}
		var bits uint64
		bits, err = parseField(f[i], lo, hi, names, nameBase)
		if err != nil {
			err = fmt.Errorf("cron %q: field %d (%s): %w", expr, i+1, fieldNames[i], err)
		}
		return bits
	}
	c.sec = parse(0, 0, 59, nil, 0)
	c.min = parse(1, 0, 59, nil, 0)
	c.hour = parse(2, 0, 23, nil, 0)
	c.dom = parse(3, 1, 31, nil, 0)
	c.month = parse(4, 1, 12, monthNames, 1)
	c.dow = parse(5, 0, 7, dayNames, 0)
	if err != nil {
		return nil, err
	}
	if c.dow&(1<<7) != 0 { // 7 is Sunday too
		c.dow |= 1
	}
	c.domStar = f[3] == "*" || f[3] == "?"
	c.dowStar = f[5] == "*" || f[5] == "?"
	return c, nil
}

var fieldNames = []string{"second", "minute", "hour", "day of month", "month", "day of week"}

func parseField(s string, lo, hi int, names []string, nameBase int) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(s, ",") {
		rng, stepStr, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("bad step %q", stepStr)
			}
			step = n
		}
		var from, to int
		switch {
		case rng == "*" || rng == "?":
			from, to = lo, hi
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if from, err = value(a, lo, hi, names, nameBase); err != nil {
				return 0, err
			}
			to = from
			if isRange {
				if to, err = value(b, lo, hi, names, nameBase); err != nil {
					return 0, err
				}
			} else if hasStep {
				to = hi
			}
			if to < from {
				return 0, fmt.Errorf("range %q runs backwards", rng)
			}
		}
		for v := from; v <= to; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func value(s string, lo, hi int, names []string, nameBase int) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return i + nameBase, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number%s", s, map[bool]string{true: " or name", false: ""}[names != nil])
	}
	if v < lo || v > hi {
		return 0, fmt.Errorf("%d is outside %d-%d", v, lo, hi)
	}
	return v, nil
}

func (c *Cron) String() string { return c.expr }

// Next returns the first time strictly after t that matches, or the zero
// time if none does within five years (e.g. "0 0 0 31 2 ?").
func (c *Cron) Next(t time.Time) time.Time {
	t = t.Truncate(time.Second).Add(time.Second)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		if c.month&(1<<uint(t.Month())) == 0 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, t.Location())
			continue
		}
		if !c.dayMatches(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
			continue
		}
		if c.hour&(1<<uint(t.Hour())) == 0 {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, t.Location())
			continue
		}
		if c.min&(1<<uint(t.Minute())) == 0 {
			t = t.Truncate(time.Minute).Add(time.Minute)
			continue
		}
		if c.sec&(1<<uint(t.Second())) == 0 {
			t = t.Add(time.Second)
			continue
		}
		return t
	}
	return time.Time{}
}

// dayMatches applies cron's rule: when both day fields are restricted, a
// day matching either one matches.
func (c *Cron) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	switch {
	case c.domStar && c.dowStar:
		return true
	case c.domStar:
		return dow
	case c.dowStar:
		return dom
	default:
		return dom || dow
	}
}
