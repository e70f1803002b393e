package imap

import (
	"strconv"

	"github.com/hedwigmail/hedwig/store"
)

// Each user has one quota root, "", covering all of the user's mailboxes
// (hw_user.maxmail_size, or default_quota): RFC 2087.

func (s *session) cmdGetQuotaRoot(cmd *command) reply {
	name := cmd.args.(mailboxArgs).mailbox
	if _, _, err := s.openMailbox(name); err != nil {
		return s.storeError("GETQUOTAROOT", err)
	}
	q, err := s.h.store.Quota(s.ctx, s.user.ID)
	if err != nil {
		return s.storeError("GETQUOTAROOT", err)
	}
	s.w.WriteString("* QUOTAROOT ")
	writeAString(s.w, name)
	if q.Limit > 0 {
		s.w.WriteString(` ""`)
	}
	s.w.WriteString("\r\n")
	if q.Limit > 0 {
		s.writeQuota(q)
	}
	return ok("GETQUOTAROOT completed")
}

func (s *session) cmdGetQuota(cmd *command) reply {
	if cmd.args.(mailboxArgs).mailbox != "" {
		return no("NONEXISTENT", "no such quota root")
	}
	q, err := s.h.store.Quota(s.ctx, s.user.ID)
	if err != nil {
		return s.storeError("GETQUOTA", err)
	}
	if q.Limit <= 0 {
		return no("NONEXISTENT", "no quota applies")
	}
	s.writeQuota(q)
	return ok("GETQUOTA completed")
}

// writeQuota reports usage and limit in units of 1024 octets.
func (s *session) writeQuota(q store.Quota) {
	s.untagged(`QUOTA "" (STORAGE ` + strconv.FormatInt((q.Usage+1023)/1024, 10) + " " + strconv.FormatInt(q.Limit/1024, 10) + ")")
}

func (s *session) cmdSetQuota(*command) reply {
	return no("NOPERM", "quotas are set by the administrator")
}
