package conf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AgeUnit is the unit letter of an Age.
type AgeUnit byte

// The units Hedwig's ScheduleUtils.getDateBefore understands. Note that
// "m" is months here, unlike in stop_cron_after, where it is minutes.
const (
	Hours  AgeUnit = 'h'
	Days   AgeUnit = 'd'
	Months AgeUnit = 'm'
	Years  AgeUnit = 'y'
)

// Age is a Hedwig age such as "3m" (three months) or "1d": how old a message
// must be for compress_after, expunge_after and maximal_queue_lifetime to
// act on it. Months and years are calendar units, so an Age is not a
// time.Duration; use Before to get the cut-off time.
type Age struct {
	N    int
	Unit AgeUnit
}

// Before returns t minus the age, in calendar terms for days, months, years.
func (a Age) Before(t time.Time) time.Time {
	switch a.Unit {
	case Hours:
		return t.Add(-time.Duration(a.N) * time.Hour)
	case Days:
		return t.AddDate(0, 0, -a.N)
	case Months:
		return t.AddDate(0, -a.N, 0)
	default:
		return t.AddDate(-a.N, 0, 0)
	}
}

// IsZero reports whether the age is unset (a key with no default, absent).
func (a Age) IsZero() bool { return a.Unit == 0 }

// String renders the age as Hedwig writes it, e.g. "3m", or "" if unset.
func (a Age) String() string {
	if a.IsZero() {
		return ""
	}
	return strconv.Itoa(a.N) + string(a.Unit)
}

// unitName names u for messages.
func (u AgeUnit) unitName() string {
	switch u {
	case Hours:
		return "hours"
	case Days:
		return "days"
	case Months:
		return "months"
	default:
		return "years"
	}
}

// ExpungeRule is one "MAILBOX AGE" pair of expunge_after: messages in the
// mailbox older than Age are deleted.
type ExpungeRule struct {
	Mailbox string
	Age     Age
}

// splitCount reads Hedwig's "<digits><unit letter>" form: like Hedwig, only
// the first non-digit matters and anything after it is ignored; the ignored
// text is returned so the caller can warn about it.
func splitCount(s string) (n int, unit byte, ignored string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i == len(s) {
		return 0, 0, "", false
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		return 0, 0, "", false
	}
	c := s[i]
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	return n, c, s[i+1:], true
}

// parseAge parses an age such as "3m" or "2d". The note is non-empty when
// Hedwig would read the text differently from how it looks ("3min" is three
// months).
func parseAge(s string) (a Age, note string, err error) {
	n, unit, ignored, ok := splitCount(s)
	switch AgeUnit(unit) {
	case Hours, Days, Months, Years:
	default:
		ok = false
	}
	if !ok {
		return Age{}, "", fmt.Errorf("%q is not an age (write a number and a unit: h hours, d days, m months, y years, e.g. 3m)", s)
	}
	a = Age{N: n, Unit: AgeUnit(unit)}
	if ignored != "" {
		note = fmt.Sprintf("%q is read as %d %s: Hedwig looks only at the first letter after the number", s, n, a.Unit.unitName())
	}
	return a, note, nil
}

// parseRunLimit parses stop_cron_after: "2h" or "30m", where m is minutes.
func parseRunLimit(s string) (d time.Duration, note string, err error) {
	n, unit, ignored, ok := splitCount(s)
	switch unit {
	case 'h':
		d = time.Duration(n) * time.Hour
	case 'm':
		d = time.Duration(n) * time.Minute
	default:
		ok = false
	}
	if !ok {
		return 0, "", fmt.Errorf("%q is not a run time (write a number and h for hours or m for minutes, e.g. 2h)", s)
	}
	if ignored != "" {
		note = fmt.Sprintf("%q is read as %v: Hedwig looks only at the first letter after the number", s, d)
	}
	return d, note, nil
}

// parseExpungeRules parses expunge_after, "MAILBOX AGE MAILBOX AGE ...".
// Hedwig 0.7 meant this as pairs but, by an indexing slip, applied only the
// first pair; hedwig applies all of them.
func parseExpungeRules(s string) (rules []ExpungeRule, notes []string, err error) {
	fields := strings.Fields(s)
	if len(fields)%2 != 0 {
		return nil, nil, fmt.Errorf("%q is not a list of mailbox and age pairs (write e.g. INBOX 3m Trash 2m)", s)
	}
	for i := 0; i < len(fields); i += 2 {
		age, note, err := parseAge(fields[i+1])
		if err != nil {
			return nil, nil, fmt.Errorf("mailbox %s: %w", fields[i], err)
		}
		if note != "" {
			notes = append(notes, note)
		}
		rules = append(rules, ExpungeRule{Mailbox: fields[i], Age: age})
	}
	return rules, notes, nil
}
