package store

import (
	"fmt"
)

// migrations are hedwig's own tables, in MySQL syntax (translated like
// Hedwig's schema). Each entry is one schema version; append, never edit.
// Hedwig's hw_* tables are never altered, so Hedwig 0.7 still runs on the
// same database.
var migrations = []string{
	// 1: passwords hashed by hedwig, per-mailbox modification sequences
	// for CONDSTORE/QRESYNC, extra local domains, bodies kept in the database.
	`
CREATE TABLE hx_password (
  userid BIGINT UNSIGNED NOT NULL,
  scheme VARCHAR(64) NOT NULL,
  hash VARCHAR(1024) NOT NULL,
  salt VARCHAR(255) NULL,
  passwd_mark VARCHAR(64) NOT NULL,
  changed DATETIME NOT NULL,
  PRIMARY KEY (userid) )
ENGINE = InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE hx_domain (
  domain VARCHAR(190) NOT NULL,
  PRIMARY KEY (domain) )
ENGINE = InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE hx_mailbox (
  mailboxid BIGINT UNSIGNED NOT NULL,
  highestmodseq BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (mailboxid) )
ENGINE = InnoDB;

CREATE TABLE hx_message (
  messageid BIGINT UNSIGNED NOT NULL,
  mailboxid BIGINT UNSIGNED NOT NULL,
  modseq BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (messageid) )
ENGINE = InnoDB;

CREATE INDEX ix_hx_message_1 ON hx_message (mailboxid, modseq);

CREATE TABLE hx_expunged (
  mailboxid BIGINT UNSIGNED NOT NULL,
  messageid BIGINT UNSIGNED NOT NULL,
  modseq BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (mailboxid, messageid) )
ENGINE = InnoDB;

CREATE INDEX ix_hx_expunged_1 ON hx_expunged (mailboxid, modseq);

CREATE TABLE hx_body (
  physmessageid BIGINT UNSIGNED NOT NULL,
  body LONGBLOB NOT NULL,
  PRIMARY KEY (physmessageid) )
ENGINE = InnoDB;
`,
	// 2: leases on mailboxes, so a POP3 maildrop is locked across the
	// processes (and nodes) sharing the database. expires is in
	// milliseconds since 1970 by the database's clock.
	`
CREATE TABLE hx_mailbox_lock (
  mailboxid BIGINT UNSIGNED NOT NULL,
  owner VARCHAR(64) NOT NULL,
  expires BIGINT NOT NULL,
  PRIMARY KEY (mailboxid) )
ENGINE = InnoDB;
`,
	// 3: the batches of the delivery journal that committed, so recovery
	// after a crash knows which message files to keep (see journal.go).
	`
CREATE TABLE hx_journal_batch (
  segment VARCHAR(100) NOT NULL,
  batch BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (segment, batch) )
ENGINE = InnoDB;
`,
}

// SchemaVersion is the hx_* schema version this build creates.
var SchemaVersion = len(migrations)

// migrate brings the hx_* tables to SchemaVersion. The caller holds the
// migration lock.
func (x q) migrate() error {
	ok, err := x.tableExists("hx_schema")
	if err != nil {
		return err
	}
	if !ok {
		if _, err := x.exec("CREATE TABLE hx_schema (version INT NOT NULL)"); err != nil {
			return fmt.Errorf("create hx_schema: %w", err)
		}
		if _, err := x.exec("INSERT INTO hx_schema (version) VALUES (0)"); err != nil {
			return fmt.Errorf("initialise hx_schema: %w", err)
		}
	}
	var version int
	if err := x.row("SELECT version FROM hx_schema").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this hedwig (%d); upgrade hedwig", version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		stmts, err := parseSchema(migrations[v])
		if err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if err := x.createMissing(stmts); err != nil {
			return fmt.Errorf("migration %d: %w", v+1, err)
		}
		if _, err := x.exec("UPDATE hx_schema SET version = ?", v+1); err != nil {
			return fmt.Errorf("record schema version %d: %w", v+1, err)
		}
	}
	return nil
}
