package store

import (
	"context"
	"fmt"
	"strings"
)

// Alias is a row of hw_alias: mail to Alias goes to DeliverTo, a local
// address or a shared folder ("#…").
type Alias struct {
	ID        int64
	Alias     string
	DeliverTo string
}

// AddAlias adds one alias → target pair.
func (s *Store) AddAlias(ctx context.Context, alias, deliverTo string) error {
	alias, deliverTo = s.CanonicalAddress(alias), strings.TrimSpace(deliverTo)
	if !strings.HasPrefix(deliverTo, SharedPrefix) {
		deliverTo = s.CanonicalAddress(deliverTo)
	}
	if err := validAddress(alias); err != nil {
		return err
	}
	if deliverTo == "" || len(deliverTo) > 100 {
		return fmt.Errorf("invalid alias target %q", deliverTo)
	}
	return s.write(ctx, func(x q) error {
		var n int
		if err := x.row("SELECT COUNT(*) FROM hw_alias WHERE alias = ? AND deliver_to = ?", alias, deliverTo).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: %s -> %s", ErrAliasExists, alias, deliverTo)
		}
		if _, err := x.exec("INSERT INTO hw_alias (alias, deliver_to) VALUES (?, ?)", alias, deliverTo); err != nil {
			if duplicateKey(err) {
				return fmt.Errorf("%w: %s -> %s", ErrAliasExists, alias, deliverTo)
			}
			return fmt.Errorf("add alias %s: %w", alias, err)
		}
		return nil
	})
}

// DeleteAlias removes alias → deliverTo, or every target of alias when
// deliverTo is "". It reports how many rows went.
func (s *Store) DeleteAlias(ctx context.Context, alias, deliverTo string) (int64, error) {
	alias = s.CanonicalAddress(alias)
	var n int64
	err := s.write(ctx, func(x q) error {
		query, args := "DELETE FROM hw_alias WHERE alias = ?", []any{alias}
		if deliverTo != "" {
			if !strings.HasPrefix(deliverTo, SharedPrefix) {
				deliverTo = s.CanonicalAddress(deliverTo)
			}
			query, args = query+" AND deliver_to = ?", append(args, deliverTo)
		}
		res, err := x.exec(query, args...)
		if err != nil {
			return fmt.Errorf("delete alias %s: %w", alias, err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("alias %s: %w", alias, ErrNotFound)
	}
	return n, err
}

// Aliases lists every alias ordered by alias and target.
func (s *Store) Aliases(ctx context.Context) ([]Alias, error) {
	return s.aliases(ctx, "SELECT aliasid, alias, deliver_to FROM hw_alias ORDER BY alias, deliver_to")
}

// ExpandAlias returns the targets of one alias (none when it is not one).
func (s *Store) ExpandAlias(ctx context.Context, alias string) ([]Alias, error) {
	return s.aliases(ctx, "SELECT aliasid, alias, deliver_to FROM hw_alias WHERE alias = ? ORDER BY deliver_to", s.CanonicalAddress(alias))
}

func (s *Store) aliases(ctx context.Context, query string, args ...any) ([]Alias, error) {
	var out []Alias
	err := s.read(ctx, func(x q) error {
		rows, err := x.query(query, args...)
		if err != nil {
			return fmt.Errorf("read aliases: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a Alias
			if err := rows.Scan(&a.ID, &a.Alias, &a.DeliverTo); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// Domains returns the local domains: mydomain from the configuration, then
// those added with AddDomain.
func (s *Store) Domains(ctx context.Context) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, d := range s.opts.Domains {
		add(d)
	}
	err := s.read(ctx, func(x q) error {
		rows, err := x.query("SELECT domain FROM hx_domain ORDER BY domain")
		if err != nil {
			return fmt.Errorf("read domains: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				return err
			}
			add(d)
		}
		return rows.Err()
	})
	return out, err
}

// AddDomain makes domain local in addition to mydomain.
func (s *Store) AddDomain(ctx context.Context, domain string) error {
	domain = strings.ToLower(strings.TrimSpace(domain))
	if domain == "" || strings.ContainsAny(domain, "@ \t") || len(domain) > 190 {
		return fmt.Errorf("invalid domain %q", domain)
	}
	return s.write(ctx, func(x q) error {
		_, err := x.exec(insertIgnore(s.backend, "hx_domain", "domain", "?"), domain)
		return err
	})
}

// RemoveDomain undoes AddDomain (mydomain entries stay local).
func (s *Store) RemoveDomain(ctx context.Context, domain string) error {
	return s.write(ctx, func(x q) error {
		_, err := x.exec("DELETE FROM hx_domain WHERE domain = ?", strings.ToLower(strings.TrimSpace(domain)))
		return err
	})
}

// IsLocalDomain reports whether mail for domain is delivered here
// (mydomain, mydestination or an added domain).
func (s *Store) IsLocalDomain(ctx context.Context, domain string) (bool, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	for _, d := range append(append([]string{}, s.opts.Domains...), s.opts.Destinations...) {
		if strings.EqualFold(strings.TrimSpace(d), domain) {
			return true, nil
		}
	}
	var n int
	err := s.read(ctx, func(x q) error {
		return x.row("SELECT COUNT(*) FROM hx_domain WHERE domain = ?", domain).Scan(&n)
	})
	return n > 0, err
}

// Delivery names where a message goes: a user's mailbox, or a shared folder
// when UserID is 0 (Hedwig's "anyone").
type Delivery struct {
	UserID  int64
	Mailbox string // "" means INBOX
}

// Resolution is where mail for one address goes.
type Resolution struct {
	Local  []Delivery
	Remote []string // forwarding addresses outside the local domains
}

// Resolve applies Hedwig's AliasingForwarding rules to one recipient: a user
// gets the mail (and so do the addresses in its forward field: local ones
// must exist, remote ones are returned in Remote); otherwise the aliases of
// the address are expanded (a "#…" target is a shared folder). An address
// that is neither gives ErrNoSuchRecipient.
func (s *Store) Resolve(ctx context.Context, address string) (Resolution, error) {
	var res Resolution
	u, err := s.LookupUser(ctx, address)
	if err == nil {
		res.Local = append(res.Local, Delivery{UserID: u.ID})
		for _, f := range strings.Split(u.Forward, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			_, domain, _ := strings.Cut(f, "@")
			local, err := s.IsLocalDomain(ctx, domain)
			if err != nil {
				return res, err
			}
			if !local {
				res.Remote = append(res.Remote, f)
				continue
			}
			fu, err := s.LookupUser(ctx, f)
			if err != nil {
				return res, fmt.Errorf("forwarding of %s to %s: %w", u.Login, f, err)
			}
			res.Local = append(res.Local, Delivery{UserID: fu.ID})
		}
		return res, nil
	}
	if !errorsIsNotFound(err) {
		return res, err
	}
	aliases, err := s.ExpandAlias(ctx, address)
	if err != nil {
		return res, err
	}
	for _, a := range aliases {
		if strings.HasPrefix(a.DeliverTo, SharedPrefix) {
			res.Local = append(res.Local, Delivery{UserID: AnyoneID, Mailbox: a.DeliverTo})
			continue
		}
		if au, err := s.LookupUser(ctx, a.DeliverTo); err == nil {
			res.Local = append(res.Local, Delivery{UserID: au.ID})
		} else if !errorsIsNotFound(err) {
			return res, err
		}
	}
	if len(res.Local) == 0 {
		return res, fmt.Errorf("%w: %s", ErrNoSuchRecipient, address)
	}
	return res, nil
}
