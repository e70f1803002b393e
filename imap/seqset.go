package imap

import (
	"sort"
	"strconv"
	"strings"
)

// seqRange is lo:hi of a sequence set; 0 stands for "*".
type seqRange struct{ lo, hi uint32 }

// seqSet is a parsed sequence-set (message numbers or UIDs).
type seqSet []seqRange

func (p *parser) seqSet() (seqSet, error) {
	var set seqSet
	for {
		lo, err := p.seqNumber()
		if err != nil {
			return nil, err
		}
		hi := lo
		if p.accept(':') {
			if hi, err = p.seqNumber(); err != nil {
				return nil, err
			}
		}
		set = append(set, seqRange{lo, hi})
		if !p.accept(',') {
			return set, nil
		}
	}
}

func (p *parser) seqNumber() (uint32, error) {
	if p.accept('*') {
		return 0, nil
	}
	return p.nzNumber()
}

// contains reports whether n is in the set, "*" being max.
func (s seqSet) contains(n, max uint32) bool {
	for _, r := range s {
		lo, hi := r.bounds(max)
		if n >= lo && n <= hi {
			return true
		}
	}
	return false
}

func (r seqRange) bounds(max uint32) (uint32, uint32) {
	lo, hi := r.lo, r.hi
	if lo == 0 {
		lo = max
	}
	if hi == 0 {
		hi = max
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi
}

// uidString renders ascending UIDs compactly ("1:3,7") for COPYUID and
// APPENDUID.
func uidString(uids []int64) string {
	var b strings.Builder
	for i := 0; i < len(uids); {
		j := i
		for j+1 < len(uids) && uids[j+1] == uids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(uids[i], 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(uids[j], 10))
		}
		i = j + 1
	}
	return b.String()
}

func sortedInt64s(v []int64) []int64 {
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	return v
}
