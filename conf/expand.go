package conf

import "strings"

// expandSystem replaces each ${name} in s whose name is in sys, the way
// Hedwig's Config.replaceByProperties does: left to right, without expanding
// the inserted text again, leaving unknown references as they are. It
// returns the names it could not resolve, in order of appearance.
func expandSystem(s string, sys map[string]string) (string, []string) {
	start := strings.Index(s, "${")
	if start < 0 {
		return s, nil
	}
	var unresolved []string
	for start >= 0 {
		end := strings.IndexByte(s[start+2:], '}')
		if end < 0 {
			break
		}
		end += start + 2
		name := s[start+2 : end]
		next := end + 1
		if v, ok := sys[name]; ok {
			s = s[:start] + v + s[end+1:]
			next = start + len(v)
		} else {
			unresolved = append(unresolved, name)
		}
		i := strings.Index(s[next:], "${")
		if i < 0 {
			break
		}
		start = next + i
	}
	return s, unresolved
}
