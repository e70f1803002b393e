package imap

import (
	"slices"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

func (s *session) cmdStore(cmd *command) reply {
	a := cmd.args.(storeArgs)
	v := s.sel
	if v.readOnly {
		return no("READ-ONLY", "mailbox is read-only")
	}
	flags, keywords, err := splitFlags(a.flags)
	if err != nil {
		return bad(err.Error())
	}
	if need := neededRights(a.op, flags, keywords); !v.may(need) {
		return no("NOPERM", "changing these flags needs the rights "+need)
	}
	uids := v.resolve(a.set, cmd.uid)
	if len(uids) == 0 {
		return ok("STORE completed")
	}
	u := store.FlagUpdate{Flags: flags, Keywords: keywords, UnchangedSince: a.unchangedSince}
	switch a.op {
	case "+FLAGS":
		u.Op = store.FlagsAdd
	case "-FLAGS":
		u.Op = store.FlagsRemove
	default:
		u.Op = store.FlagsReplace
	}
	res, err := s.h.store.UpdateFlags(s.ctx, v.mb.ID, uids, u)
	if err != nil {
		return s.storeError("STORE", err)
	}
	if u.Op != store.FlagsRemove {
		s.noteKeywords(keywords)
	}
	changed := map[int64]bool{}
	if a.unchangedSince > 0 {
		s.condstore = true
	}
	for _, m := range res.Changed {
		v.state[m.UID] = stateOf(m)
		changed[m.UID] = true
	}
	if !a.silent || s.condstore {
		// Every addressed message gets its flags back, changed or not;
		// with CONDSTORE even a SILENT store reports the new MODSEQ.
		for _, uid := range uids {
			n := v.seq(uid)
			if n == 0 || (a.silent && !changed[uid]) || slices.Contains(res.Modified, uid) {
				continue
			}
			line := strconv.Itoa(n) + " FETCH (FLAGS " + v.flags(uid) + s.modseqItem(uid)
			if cmd.uid {
				line += " UID " + strconv.FormatInt(uid, 10)
			}
			s.untagged(line + ")")
		}
	}
	if len(res.Modified) > 0 {
		return okCode("MODIFIED "+uidString(res.Modified), "STORE completed, some messages changed meanwhile")
	}
	return ok("STORE completed")
}

// neededRights are the RFC 4314 rights a STORE needs: s for \Seen, t
// for \Deleted, w for the rest; replacing all flags touches all three.
func neededRights(op string, flags store.Flag, keywords []string) string {
	if op == "FLAGS" {
		return "stw"
	}
	need := ""
	if flags&store.FlagSeen != 0 {
		need += "s"
	}
	if flags&store.FlagDeleted != 0 {
		need += "t"
	}
	if flags&^(store.FlagSeen|store.FlagDeleted) != 0 || len(keywords) > 0 {
		need += "w"
	}
	return need
}

func (s *session) cmdCopy(cmd *command) reply {
	a := cmd.args.(copyArgs)
	v := s.sel
	dest, rights, err := s.openMailbox(a.mailbox)
	if err != nil {
		if r := s.storeError(cmd.name, err); r.code == "NONEXISTENT" {
			return no("TRYCREATE", "no mailbox "+a.mailbox)
		}
		return s.storeError(cmd.name, err)
	}
	if !strings.ContainsRune(rights, 'i') {
		return no("NOPERM", "no right to insert into "+a.mailbox)
	}
	uids := v.resolve(a.set, cmd.uid)
	if len(uids) == 0 {
		return ok(cmd.name + " completed, nothing to do")
	}
	var pairs []store.UIDPair
	if cmd.name == "MOVE" {
		if v.readOnly {
			return no("READ-ONLY", "mailbox is read-only")
		}
		if !v.may("te") {
			return no("NOPERM", "moving out of this mailbox needs the rights te")
		}
		pairs, err = s.h.store.Move(s.ctx, v.mb.ID, uids, dest.ID)
	} else {
		pairs, err = s.h.store.Copy(s.ctx, v.mb.ID, uids, dest.ID)
	}
	if err != nil {
		return s.storeError(cmd.name, err)
	}
	if dest.ID == v.mb.ID {
		v.dirty = true
	}
	src := make([]int64, len(pairs))
	dst := make([]int64, len(pairs))
	for i, p := range pairs {
		src[i], dst[i] = p.Source, p.Dest
	}
	code := ""
	if len(pairs) > 0 {
		code = "COPYUID " + strconv.FormatInt(dest.UIDValidity, 10) + " " + uidList(src) + " " + uidList(dst)
	}
	if cmd.name == "MOVE" {
		// RFC 6851: COPYUID goes in an untagged OK before the EXPUNGEs.
		if code != "" {
			s.untagged("OK [" + code + "] moved")
		}
		s.reportExpunged(src)
		return ok("MOVE completed")
	}
	return okCode(code, "COPY completed")
}

// uidList renders UIDs in the given order (COPYUID pairs them by position).
func uidList(uids []int64) string {
	out := make([]byte, 0, len(uids)*8)
	for i, u := range uids {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendInt(out, u, 10)
	}
	return string(out)
}
