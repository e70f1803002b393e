package webapp

import (
	"bufio"
	"errors"
	"net/url"
	"strings"
	"testing"
)

// FuzzEditedValues feeds arbitrary form bodies to the edit-form reader for
// the real smtp.server and smtp.taskExecutor beans. Whatever it accepts
// must be exactly the changed editable properties, with values a
// configuration file can hold.
func FuzzEditedValues(f *testing.F) {
	src := newTestSource(f)
	var targets []Bean
	for _, b := range src.beans {
		if b.ID == "smtp.server" || b.ID == "smtp.taskExecutor" || b.ID == "dataSource" {
			targets = append(targets, b)
		}
	}
	if len(targets) != 3 {
		f.Fatalf("fixture beans missing: %d of 3", len(targets))
	}
	f.Add(uint8(0), "id=smtp.server&csrf=abc&set%3Aport=2525&was%3Aport=25")
	f.Add(uint8(1), "set%3AcorePoolSize=6&was%3AcorePoolSize=5&set%3AmaxPoolSize=10&was%3AmaxPoolSize=10")
	f.Add(uint8(2), "set%3Aurl=x&was%3Aurl=y")
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		bean := targets[int(which)%len(targets)]
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		edits, err := editedValues(bean, form)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		editable := map[string]bool{}
		for _, p := range bean.Properties {
			if p.Editable {
				editable[p.Name] = true
			}
		}
		for key := range form {
			name, isSet := strings.CutPrefix(key, fieldSet)
			if !isSet {
				name, isSet = strings.CutPrefix(key, fieldWas)
			}
			if !isSet && key != fieldBean && key != fieldCSRF || isSet && !editable[name] {
				t.Fatalf("accepted form field %q", key)
			}
		}
		seen := map[string]bool{}
		for _, e := range edits {
			switch {
			case !editable[e.Name]:
				t.Fatalf("edit of %q, which is not editable", e.Name)
			case seen[e.Name]:
				t.Fatalf("%q edited twice", e.Name)
			case e.Value == e.Was:
				t.Fatalf("unchanged %q reported as an edit", e.Name)
			case form[fieldSet+e.Name][0] != e.Value || form[fieldWas+e.Name][0] != e.Was:
				t.Fatalf("edit %+v does not match the form %v", e, form)
			case checkValue(e.Value) != nil:
				t.Fatalf("edit %q accepted a value with %v", e.Name, checkValue(e.Value))
			}
			seen[e.Name] = true
		}
		// Every changed pair in the form is among the edits.
		for name := range editable {
			set, was := form[fieldSet+name], form[fieldWas+name]
			if len(set) == 1 && len(was) == 1 && set[0] != was[0] && !seen[name] {
				t.Fatalf("change of %q lost", name)
			}
		}
	})
}

// FuzzMetricsLabels writes listeners with arbitrary bean and protocol
// names and reads the exposition back: every sample line must parse, and
// its labels must be the names (as valid UTF-8).
func FuzzMetricsLabels(f *testing.F) {
	f.Add("smtp.server", "smtp")
	f.Add(`quote " and \ backslash`, "line\nfeed")
	f.Add("\xff\xfe", `\n`)
	f.Fuzz(func(t *testing.T, bean, protocol string) {
		var sb strings.Builder
		writeMetrics(&sb, []Listener{{Bean: bean, Protocol: protocol, Open: 1, Certificate: &Certificate{}}})
		wantBean, wantProtocol := strings.ToValidUTF8(bean, "\uFFFD"), strings.ToValidUTF8(protocol, "\uFFFD")
		samples := 0
		sc := bufio.NewScanner(strings.NewReader(sb.String()))
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			labels, err := parseSampleLabels(line)
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if labels["bean"] != wantBean {
				t.Fatalf("bean label %q, want %q", labels["bean"], wantBean)
			}
			if p, ok := labels["protocol"]; ok && p != wantProtocol {
				t.Fatalf("protocol label %q, want %q", p, wantProtocol)
			}
			samples++
		}
		if samples != len(listenerMetrics)+1 {
			t.Fatalf("%d samples, want %d", samples, len(listenerMetrics)+1)
		}
	})
}

// parseSampleLabels reads the labels of one sample line of the text
// exposition: name{k="v",...} value.
func parseSampleLabels(line string) (map[string]string, error) {
	_, rest, ok := strings.Cut(line, "{")
	if !ok {
		return nil, errors.New("no labels")
	}
	labels := map[string]string{}
	for {
		name, after, ok := strings.Cut(rest, `="`)
		if !ok {
			return nil, errors.New("label without a quoted value")
		}
		var value strings.Builder
		i := 0
		for ; i < len(after) && after[i] != '"'; i++ {
			if after[i] != '\\' {
				value.WriteByte(after[i])
				continue
			}
			if i++; i == len(after) {
				return nil, errors.New("escape at end of line")
			}
			switch after[i] {
			case '\\', '"':
				value.WriteByte(after[i])
			case 'n':
				value.WriteByte('\n')
			default:
				return nil, errors.New("unknown escape")
			}
		}
		if i == len(after) {
			return nil, errors.New("unterminated label value")
		}
		labels[name] = value.String()
		rest = after[i+1:]
		if strings.HasPrefix(rest, ",") {
			rest = rest[1:]
			continue
		}
		if !strings.HasPrefix(rest, "} ") || strings.ContainsAny(rest[2:], " {}\"") {
			return nil, errors.New("bad end of labels")
		}
		return labels, nil
	}
}
