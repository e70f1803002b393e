package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// StandardRights are the RFC 4314 rights Hedwig's hw_acl columns hold, in
// column order.
const StandardRights = "lrswipkxtea"

var aclColumns = []string{
	"lookup_flag", "read_flag", "seen_flag", "write_flag", "insert_flag", "post_flag",
	"create_flag", "delete_flag", "deletemsg_flag", "expunge_flag", "admin_flag",
}

// ACLEntry is one identifier's rights on a mailbox; Identifier is a login or
// "anyone".
type ACLEntry struct {
	UserID     int64
	Identifier string
	Rights     string
}

func rightsArgs(rights string) ([]any, error) {
	args := make([]any, len(aclColumns))
	for i := range args {
		args[i] = "N"
	}
	for _, r := range rights {
		i := strings.IndexRune(StandardRights, r)
		if i < 0 {
			return nil, fmt.Errorf("unsupported right %q (supported: %s)", r, StandardRights)
		}
		args[i] = "Y"
	}
	return args, nil
}

func scanRights(vals []sql.NullString) string {
	var b strings.Builder
	for i, v := range vals {
		if v.String == "Y" {
			b.WriteByte(StandardRights[i])
		}
	}
	return b.String()
}

// SetRights replaces the rights of userID (AnyoneID for "anyone") on a
// mailbox; empty rights remove the entry.
func (s *Store) SetRights(ctx context.Context, mailboxID, userID int64, rights string) error {
	args, err := rightsArgs(rights)
	if err != nil {
		return err
	}
	return s.write(ctx, func(x q) error {
		if _, err := x.exec("DELETE FROM hw_acl WHERE userid = ? AND mailboxid = ?", userID, mailboxID); err != nil {
			return fmt.Errorf("set rights: %w", err)
		}
		if rights == "" {
			return nil
		}
		_, err := x.exec("INSERT INTO hw_acl (userid, mailboxid, "+strings.Join(aclColumns, ", ")+") VALUES (?, ?, "+placeholders(len(aclColumns))+")",
			append([]any{userID, mailboxID}, args...)...)
		if err != nil {
			return fmt.Errorf("set rights: %w", err)
		}
		return nil
	})
}

// Rights returns the rights userID holds on a mailbox, including those
// granted to anyone. The owner's implicit rights are the caller's business.
func (s *Store) Rights(ctx context.Context, mailboxID, userID int64) (string, error) {
	held := map[byte]bool{}
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT "+strings.Join(aclColumns, ", ")+" FROM hw_acl WHERE mailboxid = ? AND (userid = ? OR userid = 0)", mailboxID, userID)
		if err != nil {
			return fmt.Errorf("read rights: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]sql.NullString, len(aclColumns))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			for _, r := range scanRights(vals) {
				held[byte(r)] = true
			}
		}
		return rows.Err()
	})
	var b strings.Builder
	for i := 0; i < len(StandardRights); i++ {
		if held[StandardRights[i]] {
			b.WriteByte(StandardRights[i])
		}
	}
	return b.String(), err
}

// ACL lists every entry of a mailbox's access control list.
func (s *Store) ACL(ctx context.Context, mailboxID int64) ([]ACLEntry, error) {
	var out []ACLEntry
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT a.userid, COALESCE(u.loginid, 'anyone'), "+prefixed("a.", aclColumns)+
			" FROM hw_acl a LEFT JOIN hw_user u ON u.userid = a.userid WHERE a.mailboxid = ? ORDER BY a.userid", mailboxID)
		if err != nil {
			return fmt.Errorf("read ACL: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e ACLEntry
			vals := make([]sql.NullString, len(aclColumns))
			ptrs := []any{&e.UserID, &e.Identifier}
			for i := range vals {
				ptrs = append(ptrs, &vals[i])
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			if e.UserID == AnyoneID {
				e.Identifier = "anyone"
			}
			e.Rights = scanRights(vals)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

func prefixed(prefix string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c
	}
	return strings.Join(out, ", ")
}
