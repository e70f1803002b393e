package imap

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/hedwigmail/hedwig/store"
)

var systemFlags = map[string]store.Flag{
	`\SEEN`: store.FlagSeen, `\ANSWERED`: store.FlagAnswered, `\DELETED`: store.FlagDeleted,
	`\FLAGGED`: store.FlagFlagged, `\DRAFT`: store.FlagDraft,
}

// splitFlags separates system flags from keywords. \Recent cannot be set
// by a client and is dropped; other unknown \-flags are refused.
func splitFlags(flags []string) (store.Flag, []string, error) {
	var f store.Flag
	var keywords []string
	for _, name := range flags {
		if !strings.HasPrefix(name, `\`) {
			keywords = append(keywords, name)
			continue
		}
		up := strings.ToUpper(name)
		if up == `\RECENT` {
			continue
		}
		sf, ok := systemFlags[up]
		if !ok {
			return 0, nil, errors.New("unknown system flag " + name)
		}
		f |= sf
	}
	return f, keywords, nil
}

func (s *session) cmdAppend(cmd *command) reply {
	a := cmd.args.(appendArgs)
	mb, rights, err := s.openMailbox(a.mailbox)
	if errors.Is(err, store.ErrNotFound) {
		return no("TRYCREATE", "no mailbox "+a.mailbox)
	}
	if err != nil {
		return s.storeError("APPEND", err)
	}
	if !strings.ContainsRune(rights, 'i') {
		return no("NOPERM", "no right to append to "+a.mailbox)
	}
	flags, keywords, err := splitFlags(a.flags)
	if err != nil {
		return bad(err.Error())
	}
	var body io.Reader = bytes.NewReader(a.message)
	if a.spooled != nil {
		body = io.NewSectionReader(a.spooled.f, 0, a.spooled.size)
	}
	uid, err := s.h.store.Append(s.ctx, mb.ID, body,
		store.AppendOptions{Flags: flags, Keywords: keywords, InternalDate: a.date})
	if err != nil {
		return s.storeError("APPEND", err)
	}
	if s.sel != nil && s.sel.mb.ID == mb.ID {
		s.sel.dirty = true
	}
	return okCode("APPENDUID "+strconv.FormatInt(mb.UIDValidity, 10)+" "+strconv.FormatInt(uid, 10), "APPEND completed")
}
