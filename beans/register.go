package beans

import (
	"fmt"
	"slices"
)

// aliasReg is one alias registration: from a bean's name attribute, an
// <alias> element, or Spring's alias for an unnamed bean's class.
type aliasReg struct {
	alias, name string
	pos         Pos
}

// registerBean adds a top-level bean under b.ID. A name registered by an
// earlier file is overridden in place, as Spring's default
// allowBeanDefinitionOverriding does; the same file repeating a name is
// caught before this, by fileParser.claimName.
func (l *loader) registerBean(b *Bean) {
	if i, ok := l.index[b.ID]; ok {
		old := l.defs.Beans[i]
		if old.Pos != b.Pos { // the same definition imported twice is no override
			l.diags.Warnf(b.Pos, b.Subject(), "overrides the bean defined at %s (Spring keeps the later definition)", old.Pos)
		}
		l.defs.Beans[i] = b
		l.defs.byName[b.ID] = b
		return
	}
	l.index[b.ID] = len(l.defs.Beans)
	l.defs.Beans = append(l.defs.Beans, b)
	l.defs.byName[b.ID] = b
}

// generateName returns "<base>#<n>" with the first n not registered yet.
func (l *loader) generateName(base string) string {
	for n := 0; ; n++ {
		name := fmt.Sprintf("%s#%d", base, n)
		if _, ok := l.index[name]; !ok {
			return name
		}
	}
}

// nameInUse reports whether name is registered as a bean or an alias.
func (l *loader) nameInUse(name string) bool {
	_, bean := l.index[name]
	_, alias := l.aliasLive[name]
	return bean || alias
}

func (l *loader) addAlias(name, alias string, pos Pos) {
	l.aliasRegs = append(l.aliasRegs, &aliasReg{alias: alias, name: name, pos: pos})
	l.aliasLive[alias] = name
}

// registerAliases builds Definitions.Aliases and each bean's Aliases from
// the registrations, now that placeholders in them are resolved, with the
// rules of Spring's SimpleAliasRegistry: an alias equal to its name is
// dropped, a later registration of the same alias wins, cycles are errors.
func (l *loader) registerAliases() {
	aliases := l.defs.Aliases
	where := map[string]Pos{}
	for _, r := range l.aliasRegs {
		subject := fmt.Sprintf("alias %q", r.alias)
		if r.alias == r.name {
			delete(aliases, r.alias)
			continue
		}
		if prev, ok := aliases[r.alias]; ok && prev != r.name {
			l.diags.Warnf(r.pos, subject, "now stands for %q instead of %q (set at %s)", r.name, prev, where[r.alias])
		}
		if l.aliasLeadsTo(r.name, r.alias, aliases) {
			l.diags.Errorf(r.pos, subject, "alias cycle: %q already stands for %q", r.name, r.alias)
			continue
		}
		aliases[r.alias] = r.name
		where[r.alias] = r.pos
	}
	for _, r := range l.aliasRegs {
		if aliases[r.alias] != r.name {
			continue // dropped or overridden
		}
		if _, shadows := l.defs.byName[r.alias]; shadows {
			l.diags.Warnf(r.pos, fmt.Sprintf("alias %q", r.alias), "hides the bean of the same name defined at %s", l.defs.byName[r.alias].Pos)
		}
		b := l.defs.Bean(r.alias)
		if b == nil {
			l.diags.Warnf(r.pos, fmt.Sprintf("alias %q", r.alias), "stands for %q, which is no bean", r.name)
			continue
		}
		if !slices.Contains(b.Aliases, r.alias) {
			b.Aliases = append(b.Aliases, r.alias)
		}
	}
}

// aliasLeadsTo reports whether following aliases from name reaches target.
func (l *loader) aliasLeadsTo(name, target string, aliases map[string]string) bool {
	for range len(aliases) + 1 {
		if name == target {
			return true
		}
		next, ok := aliases[name]
		if !ok {
			return false
		}
		name = next
	}
	return true
}
