package beans

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/magiconair/properties"
)

// systemMode is PropertyPlaceholderConfigurer's systemPropertiesMode: when
// system properties and the environment are consulted.
type systemMode int

const (
	modeNever    systemMode = iota // never
	modeFallback                   // after the properties (Spring's default)
	modeOverride                   // before the properties
)

// configurer is one placeholder configurer bean, read the way Spring
// instantiates it: before any placeholder is resolved, its locations seeing
// only system properties and the environment.
type configurer struct {
	bean *Bean
	sc   scope

	locations     []*Value
	local         map[string]string // properties given inline or by reference
	localOverride bool
	ignoreMissing bool // ignoreResourceNotFound
	encoding      string

	ignoreUnresolvable bool
	searchEnv          bool
	mode               systemMode
	syntax             placeholderSyntax
	nullValue          *string
	order              int

	props map[string]string // merged: what placeholders resolve from
	files []string          // properties files read, as shown to users
}

// configurers finds the placeholder configurers among the top-level
// beans, loads their properties and returns them in the order Spring runs
// them (by their order property, then document order).
func (l *loader) configurers() []*configurer {
	var out []*configurer
	for _, b := range l.defs.Beans {
		if b.Abstract || (b.Class != classPlaceholderConfigurer && b.Class != classPropertySources) {
			continue
		}
		c := l.readConfigurer(b, map[*Bean]bool{})
		c.load(l)
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b *configurer) int { return cmp.Compare(a.order, b.order) })
	for _, c := range out {
		for k, v := range c.props {
			if _, ok := l.defs.Placeholders[k]; !ok {
				l.defs.Placeholders[k] = v
			}
		}
	}
	return out
}

// readConfigurer reads the properties of a placeholder configurer or of a
// PropertiesFactoryBean (which has the loading half of them).
func (l *loader) readConfigurer(b *Bean, visiting map[*Bean]bool) *configurer {
	visiting[b] = true
	c := &configurer{
		bean:      b,
		sc:        scope{subject: b.Subject()},
		local:     map[string]string{},
		searchEnv: true,
		mode:      modeFallback,
		syntax:    defaultSyntax,
		order:     math.MaxInt32,
	}
	if b.Class == classPropertySources {
		c.mode = modeOverride // 3.1: the environment's sources come before local ones
	}
	factoryOnly := b.Class == classPropertiesFactoryBean
	prefix, suffix, sep := "${", "}", ":"
	for _, prop := range b.Properties {
		v, sc := prop.Value, c.sc.in("property %q", prop.Name)
		switch prop.Name {
		case "location", "locations":
			c.addLocations(l, v, sc)
		case "properties", "propertiesArray":
			c.addLocal(l, v, sc, visiting)
		case "localOverride":
			c.localOverride = l.boolValue(v, sc, c.localOverride)
		case "ignoreResourceNotFound":
			c.ignoreMissing = l.boolValue(v, sc, c.ignoreMissing)
		case "fileEncoding":
			c.encoding, _ = l.literal(v, sc)
		case "singleton":
		default:
			if !factoryOnly && c.readPlaceholderSetting(l, prop.Name, v, sc, &prefix, &suffix, &sep) {
				continue
			}
			l.diags.Warnf(prop.Pos, c.sc.subject, "property %q is not supported by hedwig; ignored", prop.Name)
		}
	}
	if prefix == "" || suffix == "" {
		l.diags.Errorf(b.Pos, c.sc.subject, "placeholderPrefix and placeholderSuffix must not be empty")
		prefix, suffix = "${", "}"
	}
	c.syntax = newSyntax(prefix, suffix, sep)
	return c
}

// readPlaceholderSetting reads the properties only a configurer has; it
// returns false for a name it does not know.
func (c *configurer) readPlaceholderSetting(l *loader, name string, v *Value, sc scope, prefix, suffix, sep *string) bool {
	switch name {
	case "ignoreUnresolvablePlaceholders":
		c.ignoreUnresolvable = l.boolValue(v, sc, c.ignoreUnresolvable)
	case "searchSystemEnvironment":
		c.searchEnv = l.boolValue(v, sc, c.searchEnv)
	case "systemPropertiesModeName":
		s, _ := l.literal(v, sc)
		modes := map[string]systemMode{"SYSTEM_PROPERTIES_MODE_NEVER": modeNever,
			"SYSTEM_PROPERTIES_MODE_FALLBACK": modeFallback, "SYSTEM_PROPERTIES_MODE_OVERRIDE": modeOverride}
		if m, ok := modes[strings.TrimSpace(s)]; ok {
			c.mode = m
		} else if s != "" {
			l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("%q: use SYSTEM_PROPERTIES_MODE_NEVER, _FALLBACK or _OVERRIDE", s)))
		}
	case "systemPropertiesMode":
		if n, ok := l.intValue(v, sc); ok && n >= 0 && n <= 2 {
			c.mode = []systemMode{modeNever, modeFallback, modeOverride}[n]
		} else if ok {
			l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text("use 0 (never), 1 (fallback) or 2 (override)"))
		}
	case "placeholderPrefix":
		*prefix, _ = l.literal(v, sc)
	case "placeholderSuffix":
		*suffix, _ = l.literal(v, sc)
	case "valueSeparator":
		*sep = "" // <null/> turns defaults off
		if v.Kind != Null {
			*sep, _ = l.literal(v, sc)
		}
	case "nullValue":
		if s, ok := l.literal(v, sc); ok {
			c.nullValue = &s
		}
	case "order":
		if n, ok := l.intValue(v, sc); ok {
			c.order = n
		}
	case "beanName", "ignoreInvalidKeys":
	default:
		return false
	}
	return true
}

// addLocations records a location or locations value: one literal, or a
// list of them. Spring does not split a single value at commas.
func (c *configurer) addLocations(l *loader, v *Value, sc scope) {
	switch v.Kind {
	case Literal:
		c.locations = append(c.locations, v)
	case List, Set, Array:
		for _, it := range v.Items {
			if it.Kind != Literal {
				l.diags.Errorf(it.Pos, sc.subject, "%s", sc.text("each location must be a plain <value>"))
				continue
			}
			c.locations = append(c.locations, it)
		}
	default:
		l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text("a location must be a <value> or a <list> of them"))
	}
}

// addLocal records properties given in place: <props>, a <map>, a
// <value> in .properties syntax, or a PropertiesFactoryBean (by ref or
// inner bean).
func (c *configurer) addLocal(l *loader, v *Value, sc scope, visiting map[*Bean]bool) {
	switch v.Kind {
	case Props, Map:
		for _, e := range v.Entries {
			k, ok1 := l.literal(e.Key, sc)
			val, ok2 := l.literal(e.Value, sc)
			if ok1 && ok2 {
				c.local[k] = val
			}
		}
	case Literal:
		p, err := properties.LoadString(v.Text)
		if err != nil {
			l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("not in .properties syntax: %v", err)))
			return
		}
		p.DisableExpansion = true
		for k, val := range p.Map() {
			c.local[k] = val
		}
	case List, Set, Array:
		for _, it := range v.Items {
			c.addLocal(l, it, sc, visiting)
		}
	case Ref, InnerBean:
		target := v.Bean
		if v.Kind == Ref {
			target = l.defs.byName[l.liveCanonical(v.Ref)]
		}
		switch {
		case target == nil:
			l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("no bean named %q", v.Ref)))
		case target.Class != classPropertiesFactoryBean:
			l.diags.Warnf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("properties from a %s are not read by hedwig; only a PropertiesFactoryBean's are", target.Class)))
		case visiting[target]:
			l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text("properties refer back to themselves"))
		default:
			f := l.readConfigurer(target, visiting)
			f.load(l)
			for k, val := range f.props {
				c.local[k] = val
			}
		}
	default:
		l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text("properties must be <props>, a <map>, a <value> or a PropertiesFactoryBean"))
	}
}

// liveCanonical follows the aliases registered so far.
func (l *loader) liveCanonical(name string) string {
	for range len(l.aliasLive) + 1 {
		next, ok := l.aliasLive[name]
		if !ok {
			break
		}
		name = next
	}
	return name
}

// load merges the configurer's properties as Spring's
// PropertiesLoaderSupport.mergeProperties does: local ones first and files
// over them, or the reverse with localOverride; a later file overrides an
// earlier one.
func (c *configurer) load(l *loader) {
	c.props = map[string]string{}
	if c.localOverride {
		c.loadFiles(l)
	}
	for k, v := range c.local {
		c.props[k] = v
	}
	if !c.localOverride {
		c.loadFiles(l)
	}
}

func (c *configurer) loadFiles(l *loader) {
	system := resolver{syntax: defaultSyntax, lookup: l.systemLookup(true)}
	for _, loc := range c.locations {
		sc := c.sc.in("location %q", loc.Raw)
		location, err := system.resolve(loc.Raw)
		if err != nil {
			l.diags.Errorf(loc.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("%v (locations see only ${app.home}, Java system properties and environment variables)", err)))
			continue
		}
		loc.Text = location // what Spring's ResourceEditor saw; Raw keeps what was written
		paths, err := l.resourcePaths(strings.TrimSpace(location), l.defs.AppHome)
		if err != nil {
			l.diags.Errorf(loc.Pos, sc.subject, "%s", sc.text(err.Error()))
			continue
		}
		for _, path := range paths {
			shown := l.displayProps(path)
			props, err := l.readProperties(path, c.encoding)
			switch {
			case errors.Is(err, fs.ErrNotExist) && c.ignoreMissing:
				l.diags.Infof(loc.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("properties file %s not found; skipped (ignoreResourceNotFound)", shown)))
				continue
			case errors.Is(err, fs.ErrNotExist):
				l.diags.Errorf(loc.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("properties file %s not found", shown)))
				continue
			case err != nil:
				l.diags.Errorf(loc.Pos, sc.subject, "%s: %w", sc.text("properties file "+shown), err)
				continue
			}
			for k, v := range props {
				c.props[k] = v
			}
			c.files = append(c.files, shown)
			if !slices.Contains(l.defs.PropertyFiles, path) {
				l.defs.PropertyFiles = append(l.defs.PropertyFiles, path)
			}
		}
	}
}

// readProperties reads a .properties file with Options.ReadProperties or,
// by default, as java.util.Properties would: ISO-8859-1 unless fileEncoding
// says UTF-8, no ${} expansion (placeholders are resolved at use).
func (l *loader) readProperties(path, encoding string) (map[string]string, error) {
	if l.opts.ReadProperties != nil {
		return l.opts.ReadProperties(path)
	}
	enc := properties.ISO_8859_1
	switch strings.ToUpper(strings.TrimSpace(encoding)) {
	case "", "ISO-8859-1", "ISO8859-1", "ISO_8859_1", "LATIN1":
	case "UTF-8", "UTF8":
		enc = properties.UTF8
	default:
		return nil, fmt.Errorf("fileEncoding %q is not supported; use UTF-8 or ISO-8859-1", encoding)
	}
	data, err := readConfigFile(path)
	if err != nil {
		return nil, err
	}
	loader := &properties.Loader{Encoding: enc, DisableExpansion: true}
	p, err := loader.LoadBytes(data)
	if err != nil {
		return nil, err
	}
	return p.Map(), nil
}

// sources describes where the configurer looked, for "not in ..." messages.
func (c *configurer) sources() string {
	srcs := slices.Clone(c.files)
	if len(c.local) > 0 {
		srcs = append(srcs, "the configurer's own properties")
	}
	if c.mode != modeNever {
		srcs = append(srcs, "the environment")
	}
	switch len(srcs) {
	case 0:
		return "no properties were loaded"
	case 1:
		return "not in " + srcs[0]
	}
	return "not in " + strings.Join(srcs[:len(srcs)-1], ", ") + " or " + srcs[len(srcs)-1]
}

// literal returns a plain value's text; anything else is an error.
func (l *loader) literal(v *Value, sc scope) (string, bool) {
	if v.Kind != Literal {
		l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("must be a plain value, not a %s", v.Kind)))
		return "", false
	}
	return v.Text, true
}

// boolValue reads a boolean as Spring's CustomBooleanEditor does.
func (l *loader) boolValue(v *Value, sc scope, dflt bool) bool {
	s, ok := l.literal(v, sc)
	if !ok {
		return dflt
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "on", "yes", "1":
		return true
	case "false", "off", "no", "0":
		return false
	}
	l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("%q is not a boolean; use true or false", s)))
	return dflt
}

func (l *loader) intValue(v *Value, sc scope) (int, bool) {
	s, ok := l.literal(v, sc)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		l.diags.Errorf(v.Pos, sc.subject, "%s", sc.text(fmt.Sprintf("%q is not a whole number", s)))
		return 0, false
	}
	return n, true
}
