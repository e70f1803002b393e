package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is a row of hw_user.
type User struct {
	ID      int64
	Login   string // hw_user.loginid: the full address, e.g. alice@example.com
	Name    string
	QuotaMB int64  // hw_user.maxmail_size; 0 means the default quota
	Forward string // comma-separated forwarding addresses, or ""
}

const userColumns = "userid, loginid, name, maxmail_size, forward"

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var name, fwd sql.NullString
	err := sc.Scan(&u.ID, &u.Login, &name, &u.QuotaMB, &fwd)
	u.Name, u.Forward = name.String, fwd.String
	return u, err
}

// CanonicalAddress rewrites an address the way Hedwig's rewriteAddress does:
// a bare name gets the default domain, and a host of mydestination becomes
// the default domain. The domain is lower-cased.
func (s *Store) CanonicalAddress(addr string) string {
	addr = strings.TrimSpace(addr)
	def := s.DefaultDomain()
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		if def == "" {
			return addr
		}
		return addr + "@" + def
	}
	local, domain := addr[:i], strings.ToLower(addr[i+1:])
	for _, d := range s.opts.Destinations {
		if strings.EqualFold(d, domain) && def != "" {
			domain = def
		}
	}
	return local + "@" + domain
}

// DefaultDomain is the first of mydomain, or "".
func (s *Store) DefaultDomain() string {
	if len(s.opts.Domains) > 0 {
		return strings.ToLower(strings.TrimSpace(s.opts.Domains[0]))
	}
	return ""
}

// userByLogin finds a user by exact loginid, then case-insensitively (MySQL
// compares case-insensitively anyway; SQLite and PostgreSQL do not).
func (x q) userByLogin(login string) (User, error) {
	u, err := scanUser(x.row("SELECT "+userColumns+" FROM hw_user WHERE loginid = ?", login))
	if errors.Is(err, sql.ErrNoRows) {
		u, err = scanUser(x.row("SELECT "+userColumns+" FROM hw_user WHERE LOWER(loginid) = LOWER(?)", login))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("%w: %s", ErrNoSuchUser, login)
	}
	if err != nil {
		return u, fmt.Errorf("look up user %s: %w", login, err)
	}
	return u, nil
}

// LookupUser finds a user by address (rewritten by CanonicalAddress).
// Every RCPT and login asks this, so it runs on statements prepared once.
func (s *Store) LookupUser(ctx context.Context, address string) (User, error) {
	login := s.CanonicalAddress(address)
	u, err := scanUser(s.hotRow(ctx, "SELECT "+userColumns+" FROM hw_user WHERE loginid = ?", login))
	if errors.Is(err, sql.ErrNoRows) {
		u, err = scanUser(s.hotRow(ctx, "SELECT "+userColumns+" FROM hw_user WHERE LOWER(loginid) = LOWER(?)", login))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("%w: %s", ErrNoSuchUser, login)
	}
	if err != nil {
		return u, fmt.Errorf("look up user %s: %w", login, err)
	}
	return u, nil
}

// UserByID finds a user by hw_user.userid.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.read(ctx, func(x q) error {
		var err error
		u, err = scanUser(x.row("SELECT "+userColumns+" FROM hw_user WHERE userid = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: id %d", ErrNoSuchUser, id)
		}
		return err
	})
	return u, err
}

// Users lists every user ordered by login.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	var users []User
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT " + userColumns + " FROM hw_user ORDER BY loginid")
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return rows.Err()
	})
	return users, err
}

// lockedPasswd is what hedwig writes into hw_user.passwd (VARCHAR(34)) for
// a password it keeps in hx_password: random, so that after a rollback to
// Hedwig nobody can log in with it, and the user gets a new password there.
func lockedPasswd() (string, error) {
	b := make([]byte, 25) // 34 base64 characters
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "!" + base64.RawURLEncoding.EncodeToString(b)[:33], nil
}

// passwdMark fingerprints hw_user.passwd, so a password changed there (by
// Hedwig, after a rollback) takes precedence over hx_password.
func passwdMark(passwd string) string {
	sum := sha256.Sum256([]byte(passwd))
	return hex.EncodeToString(sum[:])
}

func (s *Store) storePassword(x q, userID int64, plain string) error {
	hash, err := passwordHash(plain, s.opts.Argon2)
	if err != nil {
		return err
	}
	locked, err := lockedPasswd()
	if err != nil {
		return err
	}
	if _, err := x.exec("UPDATE hw_user SET passwd = ? WHERE userid = ?", locked, userID); err != nil {
		return fmt.Errorf("update hw_user.passwd: %w", err)
	}
	return x.setPasswordRow(userID, "argon2id", hash, "", locked)
}

func (x q) setPasswordRow(userID int64, scheme, hash, salt, passwd string) error {
	if _, err := x.exec("DELETE FROM hx_password WHERE userid = ?", userID); err != nil {
		return fmt.Errorf("replace password: %w", err)
	}
	_, err := x.exec("INSERT INTO hx_password (userid, scheme, hash, salt, passwd_mark, changed) VALUES (?, ?, ?, ?, ?, ?)",
		userID, scheme, hash, salt, passwdMark(passwd), sqlTime(time.Now()))
	if err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	return nil
}

// AddUser creates a user with an argon2id password and an INBOX.
func (s *Store) AddUser(ctx context.Context, address, plain string) (User, error) {
	login := s.CanonicalAddress(address)
	if err := validAddress(login); err != nil {
		return User{}, err
	}
	var u User
	err := s.write(ctx, func(x q) error {
		if _, err := x.userByLogin(login); err == nil {
			return fmt.Errorf("%w: %s", ErrUserExists, login)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		locked, err := lockedPasswd()
		if err != nil {
			return err
		}
		id, err := x.insertID("INSERT INTO hw_user (loginid, passwd, maxmail_size) VALUES (?, ?, 0)", "userid", login, locked)
		if err != nil {
			if duplicateKey(err) {
				return fmt.Errorf("%w: %s", ErrUserExists, login)
			}
			return fmt.Errorf("insert user %s: %w", login, err)
		}
		if err := s.storePassword(x, id, plain); err != nil {
			return err
		}
		if _, err := s.createMailbox(x, id, InboxName); err != nil {
			return err
		}
		u = User{ID: id, Login: login}
		return nil
	})
	return u, err
}

func validAddress(login string) error {
	local, domain, ok := strings.Cut(login, "@")
	if !ok || local == "" || domain == "" || strings.ContainsAny(login, " \t\r\n<>,;\"") || len(login) > 100 {
		return fmt.Errorf("invalid user address %q: expected local@domain of at most 100 characters", login)
	}
	return nil
}

// SetPassword replaces a user's password (stored as argon2id).
func (s *Store) SetPassword(ctx context.Context, address, plain string) error {
	return s.write(ctx, func(x q) error {
		u, err := x.userByLogin(s.CanonicalAddress(address))
		if err != nil {
			return err
		}
		return s.storePassword(x, u.ID, plain)
	})
}

// ImportPasswordHash keeps a hash made elsewhere, e.g. by James
// (scheme "james:PBKDF2-SHA512", salt = the James user name), so the user
// keeps the password.
func (s *Store) ImportPasswordHash(ctx context.Context, address, scheme, hash, salt string) error {
	return s.write(ctx, func(x q) error {
		u, err := x.userByLogin(s.CanonicalAddress(address))
		if err != nil {
			return err
		}
		var passwd string
		if err := x.row("SELECT passwd FROM hw_user WHERE userid = ?", u.ID).Scan(&passwd); err != nil {
			return err
		}
		return x.setPasswordRow(u.ID, scheme, hash, salt, passwd)
	})
}

// SetForward sets hw_user.forward (comma-separated addresses; "" clears it).
func (s *Store) SetForward(ctx context.Context, address, forward string) error {
	return s.write(ctx, func(x q) error {
		u, err := x.userByLogin(s.CanonicalAddress(address))
		if err != nil {
			return err
		}
		var v any
		if forward != "" {
			v = s.text(forward, 100)
		}
		_, err = x.exec("UPDATE hw_user SET forward = ? WHERE userid = ?", v, u.ID)
		return err
	})
}

// SetUserQuota sets hw_user.maxmail_size in MB (0: the default quota).
func (s *Store) SetUserQuota(ctx context.Context, userID, megabytes int64) error {
	if megabytes < 0 {
		return fmt.Errorf("quota must not be negative (got %d MB)", megabytes)
	}
	return s.write(ctx, func(x q) error {
		res, err := x.exec("UPDATE hw_user SET maxmail_size = ? WHERE userid = ?", megabytes, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: id %d", ErrNoSuchUser, userID)
		}
		return nil
	})
}

// DeleteUser removes a user with their mailboxes, messages, subscriptions,
// rights and password. Message files go at the next housekeeping run.
func (s *Store) DeleteUser(ctx context.Context, address string) error {
	var mailboxes []int64
	err := s.write(ctx, func(x q) error {
		u, err := x.userByLogin(s.CanonicalAddress(address))
		if err != nil {
			return err
		}
		mailboxes, err = x.int64s("SELECT mailboxid FROM hw_mailbox WHERE ownerid = ? ORDER BY mailboxid", u.ID)
		if err != nil {
			return err
		}
		for _, id := range mailboxes {
			if err := x.deleteMailboxRows(id, true); err != nil {
				return err
			}
		}
		for _, stmt := range []string{
			"DELETE FROM hw_subscription WHERE userid = ?",
			"DELETE FROM hw_acl WHERE userid = ?",
			"DELETE FROM hx_password WHERE userid = ?",
			"DELETE FROM hw_user WHERE userid = ?",
		} {
			if _, err := x.exec(stmt, u.ID); err != nil {
				return fmt.Errorf("delete user %s: %w", u.Login, err)
			}
		}
		return nil
	})
	if err == nil {
		s.usage.forgetAll() // its id may be handed out again
		for _, id := range mailboxes {
			s.hub.publish(Event{MailboxID: id, Deleted: true})
		}
	}
	return err
}

// int64s runs a query returning one integer column.
func (x q) int64s(query string, args ...any) ([]int64, error) {
	rows, err := x.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
