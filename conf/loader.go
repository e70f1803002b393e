package conf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/diag"
)

// loader reads typed values out of Properties, recording a problem at the
// key's line for each value it cannot use. Where Hedwig 0.7 silently fell
// back to the default, the loader reports an Error and also returns the
// default, so that one run can list every problem.
type loader struct {
	props   *Properties
	diags   *diag.List
	appHome string
	read    map[string]bool // keys asked for, to check the known-key table
}

func (l *loader) pos(key string) diag.Pos { return l.props.Pos(key) }

// value returns key's expanded value.
func (l *loader) value(key string) (string, bool) {
	l.read[key] = true
	return l.props.Get(key)
}

// str returns key's value, or def when the key is absent. As in Hedwig, a
// key that is present but empty is the empty string.
func (l *loader) str(key, def string) string {
	if v, ok := l.value(key); ok {
		return v
	}
	return def
}

// scalar returns key's value for parsing as a number or boolean, trimmed.
// Hedwig did not trim, so it ignored such a value; say so.
func (l *loader) scalar(key string, def any) (string, bool) {
	v, ok := l.value(key)
	if !ok {
		return "", false
	}
	t := strings.TrimSpace(v)
	d := fmt.Sprint(def)
	switch {
	case t == "" && d == "":
		l.diags.Warnf(l.pos(key), key, "no value given; treated as not set")
		return "", false
	case t == "":
		l.diags.Warnf(l.pos(key), key, "no value given; using the default %s", d)
		return "", false
	case t != v && d == "":
		l.diags.Warnf(l.pos(key), key, "%q has spaces around it; read as %q, but Hedwig 0.7 ignored it", v, t)
	case t != v:
		l.diags.Warnf(l.pos(key), key, "%q has spaces around it; read as %q, but Hedwig 0.7 ignored it and used %s", v, t, d)
	}
	return t, true
}

// number returns key's value as an integer in [lo, hi]; what describes it
// for messages ("a number of bytes").
func (l *loader) number(key string, def, lo, hi int64, what string) int64 {
	v, ok := l.scalar(key, def)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		hedwig := fmt.Sprintf("Hedwig 0.7 silently used its default %d", def)
		if strings.HasPrefix(key, "jdbc.") {
			hedwig = "Hedwig 0.7 did not start" // Spring converts jdbc.* for the data source
		}
		l.diags.Errorf(l.pos(key), key, "%q is not %s (give digits only; %s)", v, what, hedwig)
		return def
	}
	if n < lo || n > hi {
		l.diags.Errorf(l.pos(key), key, "%d is out of range: %s", n, describeRange(lo, hi))
		return def
	}
	return n
}

func describeRange(lo, hi int64) string {
	switch {
	case hi == math.MaxInt32 || hi == math.MaxInt64:
		return fmt.Sprintf("give %d or more", lo)
	default:
		return fmt.Sprintf("give a number from %d to %d", lo, hi)
	}
}

// count returns a non-negative int-sized count.
func (l *loader) count(key string, def int) int {
	return int(l.number(key, int64(def), 0, math.MaxInt32, "a whole number"))
}

// millis returns a timeout given in milliseconds.
func (l *loader) millis(key string, def time.Duration) time.Duration {
	ms := l.number(key, def.Milliseconds(), 0, math.MaxInt64/int64(time.Millisecond), "a number of milliseconds")
	return time.Duration(ms) * time.Millisecond
}

// seconds returns a time given in seconds.
func (l *loader) seconds(key string, def time.Duration) time.Duration {
	s := l.number(key, int64(def/time.Second), 0, math.MaxInt64/int64(time.Second), "a number of seconds")
	return time.Duration(s) * time.Second
}

// bool accepts yes/no/true/false in any case. Hedwig treated anything but
// yes and true as false; here anything else is an error.
func (l *loader) bool(key string, def bool) bool {
	v, ok := l.scalar(key, def)
	if !ok {
		return def
	}
	switch strings.ToLower(v) {
	case "yes", "true":
		return true
	case "no", "false":
		return false
	}
	l.diags.Errorf(l.pos(key), key, "%q is not a boolean (use yes, no, true or false; Hedwig 0.7 read it as false)", v)
	return def
}

// text is str for values that cannot sensibly be empty (host names,
// addresses): an empty value is reported and replaced by def.
func (l *loader) text(key, def string) string {
	v, ok := l.value(key)
	if !ok {
		return def
	}
	if strings.TrimSpace(v) == "" {
		l.diags.Warnf(l.pos(key), key, "no value given; using the default %q", def)
		return def
	}
	return strings.TrimSpace(v)
}

// list splits key's value on commas and trims each item, dropping empty
// ones. Hedwig did not trim "Bcc, Cc"; nobody meant the space.
func (l *loader) list(key string, def []string) []string {
	v, ok := l.value(key)
	if !ok {
		return def
	}
	return splitList(v)
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// choice returns key's value if it is one of choices (compared without
// regard to case, returned as spelled in choices), else reports an error.
func (l *loader) choice(key, def string, choices ...string) string {
	v, ok := l.value(key)
	if v = strings.TrimSpace(v); !ok || v == "" {
		return def
	}
	for _, c := range choices {
		if strings.EqualFold(v, c) {
			return c
		}
	}
	l.diags.Errorf(l.pos(key), key, "%q is not one of %s", v, strings.Join(choices, ", "))
	return def
}
