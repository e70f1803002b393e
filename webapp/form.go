package webapp

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The edit form names its fields after the property: set:NAME holds the
// value entered, was:NAME the value the form was shown with, so that only
// what the administrator changed is sent on, and a change made to the
// file meanwhile is noticed rather than overwritten.
const (
	fieldSet  = "set:"
	fieldWas  = "was:"
	fieldBean = "id"
	fieldCSRF = "csrf"
)

// propertyEdit is one property whose value a form changes.
type propertyEdit struct {
	Name  string
	Was   string // the value the form was shown with
	Value string // the value entered
}

// editedValues reads the edit form of bean and returns the editable
// properties whose value was changed, in the bean's order. A field for a
// property that does not exist or is not editable, a field sent twice, a
// set: without its was: and a value no configuration file can hold are
// errors: the form is not the one this server sent.
func editedValues(bean Bean, form url.Values) ([]propertyEdit, error) {
	editable := make(map[string]bool)
	for _, p := range bean.Properties {
		if p.Editable {
			editable[p.Name] = true
		}
	}
	set, was := make(map[string]string), make(map[string]string)
	for key, values := range form {
		var into map[string]string
		name, ok := strings.CutPrefix(key, fieldSet)
		if ok {
			into = set
		} else if name, ok = strings.CutPrefix(key, fieldWas); ok {
			into = was
		} else if key == fieldBean || key == fieldCSRF {
			continue
		} else {
			return nil, fmt.Errorf("unexpected form field %q", key)
		}
		if !editable[name] {
			return nil, fmt.Errorf("bean %q has no property %q that can be edited here", bean.ID, name)
		}
		if len(values) != 1 {
			return nil, fmt.Errorf("property %q: the form sent %d values for %q, want one", name, len(values), key)
		}
		if err := checkValue(values[0]); err != nil {
			return nil, fmt.Errorf("property %q: %w", name, err)
		}
		into[name] = values[0]
	}
	var edits []propertyEdit
	seen := make(map[string]bool)
	for _, p := range bean.Properties {
		if !p.Editable || seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		value, hasSet := set[p.Name]
		old, hasWas := was[p.Name]
		if hasSet != hasWas {
			return nil, fmt.Errorf("property %q: the form is incomplete; reload the page and edit again", p.Name)
		}
		if hasSet && value != old {
			edits = append(edits, propertyEdit{Name: p.Name, Was: old, Value: value})
		}
	}
	return edits, nil
}

// checkValue refuses what a one-line literal in an XML file cannot hold:
// invalid UTF-8 and control characters (an XML parser would drop or
// refuse them, or turn line breaks into spaces).
func checkValue(v string) error {
	if !utf8.ValidString(v) {
		return errors.New("the value is not valid UTF-8")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == 0xfffe || r == 0xffff {
			return fmt.Errorf("the value holds the control character %U; a property value is one line of text", r)
		}
	}
	return nil
}
