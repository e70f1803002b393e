package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// A Hedwig 0.7 installation, as Hedwig itself leaves it: the shipped MySQL
// schema (verbatim on MariaDB, translated like hedwig does on SQLite and
// PostgreSQL), users with plaintext and md5-crypt passwords, mailboxes with
// Hedwig's millisecond UIDVALIDITY, messages in Hedwig's file layout, one of
// them gzipped to <id>.zip by Hedwig's compressor, a copy sharing a
// physical message, keywords and cached header fields.

var reSkipForTest = regexp.MustCompile(`(?is)^\s*(DROP\s+SCHEMA|CREATE\s+SCHEMA|USE)\b`)

// runHedwigScript executes Hedwig's schema script statement by statement
// (DELIMITER-aware); the schema and USE statements are left out because the
// test database is given.
func runHedwigScript(t testing.TB, db *sql.DB, b Backend, script string) {
	t.Helper()
	if b != MySQL {
		stmts, err := parseSchema(script)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range stmts {
			if d.kind == "trigger" {
				continue
			}
			if _, err := db.Exec(translate(d, b)); err != nil {
				t.Fatalf("%s: %v", d.name, err)
			}
		}
		return
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	delim := ";"
	var cur strings.Builder
	run := func() {
		stmt := strings.TrimSpace(cur.String())
		cur.Reset()
		if stmt == "" || reSkipForTest.MatchString(stmt) {
			return
		}
		if _, err := conn.ExecContext(context.Background(), stmt); err != nil {
			t.Fatalf("Hedwig schema statement %.80q: %v", stmt, err)
		}
	}
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(trimmed), "DELIMITER ") {
			run()
			delim = strings.TrimSpace(trimmed[len("DELIMITER "):])
			continue
		}
		for {
			i := strings.Index(line, delim)
			if i < 0 {
				cur.WriteString(line + "\n")
				break
			}
			cur.WriteString(line[:i])
			run()
			line = line[i+len(delim):]
		}
	}
	run()
}

type hedwigMessage struct {
	uid, physID int64
	body        []byte
	compressed  bool
	flags       Flag
	keywords    []string
}

type hedwigInstall struct {
	aliceID, bobID int64
	inbox, sent    int64
	messages       []hedwigMessage // in the INBOX of alice, then the copy in Sent
	date           time.Time
}

// buildHedwigInstall writes the installation into an empty database and
// data directory, with the SQL Hedwig's MySqlMessageDao and friends issue.
func buildHedwigInstall(t testing.TB, e *testEnv) hedwigInstall {
	t.Helper()
	db, err := openRaw(e.ds)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	runHedwigScript(t, db, e.ds.Backend, hedwigSchema)
	x := q{ctx: context.Background(), db: db, b: e.ds.Backend}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var h hedwigInstall
	h.date = time.Date(2010, time.November, 5, 10, 20, 30, 0, time.Local)
	h.aliceID, err = x.insertID("INSERT INTO hw_user (loginid, passwd, name, maxmail_size) VALUES (?, ?, ?, 0)", "userid", "alice@hedwig.org", "hedwig", "Alice")
	must(nil, err)
	// bob's md5-crypt of "hedwig", computed by Hedwig's MD5PasswordEncoder.
	h.bobID, err = x.insertID("INSERT INTO hw_user (loginid, passwd, maxmail_size, forward) VALUES (?, ?, 20, ?)", "userid", "bob@hedwig.org", "$1$5f3a1c9e$K7/FNgxo6UCm0Bp0.suFk/", "bob@elsewhere.example")
	must(nil, err)
	mkbox := func(owner int64, name string) int64 {
		id, err := x.insertID("INSERT INTO hw_mailbox (name, ownerid, noselect_flag, nextuid, uidvalidity) VALUES (?, ?, 'N', 1, ?)", "mailboxid", name, owner, int64(1288950000123))
		must(nil, err)
		return id
	}
	h.inbox = mkbox(h.aliceID, "INBOX")
	h.sent = mkbox(h.aliceID, "Sent")
	mkbox(h.bobID, "INBOX")
	_, err = x.exec("INSERT INTO hw_subscription (mailboxid, userid, name) VALUES (?, ?, 'Sent')", h.sent, h.aliceID)
	must(nil, err)

	subjectID, err := x.insertID("INSERT INTO hw_headername (headername) VALUES ('Subject')", "headernameid")
	must(nil, err)
	bodies := []string{
		"Return-Path: <carol@example.org>\r\nFrom: Carol <carol@example.org>\r\nTo: alice@hedwig.org\r\nSubject: first\r\nDate: Fri, 5 Nov 2010 10:20:00 +0900\r\n\r\nHello Alice.\r\n",
		"From: dave@example.org\r\nSubject: =?EUC-KR?B?vsiz58fPvLy/5A==?=\r\n\r\n" + strings.Repeat("compressed by Hedwig's nightly job\r\n", 200),
		"From: eve@example.org\r\nSubject: third\r\n\r\nBinary-ish \x00\x01\xfe\xff tail without newline",
	}
	nextUID := int64(0)
	for i, body := range bodies {
		physID, err := x.insertID("INSERT INTO hw_physmessage (rfcsize, internaldate, subject, sentdate, fromaddr) VALUES (?, ?, ?, ?, ?)",
			"physmessageid", len(body), sqlTime(h.date), fmt.Sprintf("subject %d", i), sqlTime(h.date), "x@example.org")
		must(nil, err)
		_, err = x.exec("INSERT INTO hw_headervalue (physmessageid, headernameid, headervalue) VALUES (?, ?, ?)", physID, subjectID, fmt.Sprintf("subject %d", i))
		must(nil, err)
		flags := Flag(0)
		seen := "N"
		if i == 0 {
			flags, seen = FlagSeen, "Y"
		}
		uid, err := x.insertID("INSERT INTO hw_message (physmessageid, mailboxid, seen_flag, answered_flag, deleted_flag, flagged_flag, draft_flag) VALUES (?, ?, ?, 'N', 'N', 'N', 'N')",
			"messageid", physID, h.inbox, seen)
		must(nil, err)
		flags |= FlagRecent // recent_flag defaults to 'Y'
		m := hedwigMessage{uid: uid, physID: physID, body: []byte(body), flags: flags, compressed: i == 1}
		if i == 2 {
			_, err = x.exec("INSERT INTO hw_keyword (messageid, keyword) VALUES (?, 'Important')", uid)
			must(nil, err)
			m.keywords = []string{"Important"}
		}
		h.messages = append(h.messages, m)
		nextUID = uid + 1
		writeHedwigFile(t, e.dataDir, h.date, physID, []byte(body), m.compressed)
	}
	// Hedwig's copyMessage: a new hw_message row for the same physical message.
	c := h.messages[0]
	uid, err := x.insertID("INSERT INTO hw_message (mailboxid, physmessageid, seen_flag, answered_flag, deleted_flag, flagged_flag, draft_flag) SELECT ?, physmessageid, seen_flag, answered_flag, deleted_flag, flagged_flag, draft_flag FROM hw_message WHERE messageid = ?",
		"messageid", h.sent, c.uid)
	must(nil, err)
	c.uid = uid
	h.messages = append(h.messages, c)
	if e.ds.Backend != MySQL {
		// What Hedwig's trigger trg_ai_hw_message does on MySQL.
		_, err = x.exec("UPDATE hw_mailbox SET nextuid = ? WHERE mailboxid = ?", nextUID, h.inbox)
		must(nil, err)
		_, err = x.exec("UPDATE hw_mailbox SET nextuid = ? WHERE mailboxid = ?", uid+1, h.sent)
		must(nil, err)
	}
	return h
}

func writeHedwigFile(t testing.TB, dataDir string, date time.Time, physID int64, body []byte, compressed bool) {
	t.Helper()
	// Hedwig's Config.getSubDirectory, spelled out.
	dir := filepath.Join(dataDir, "mail", fmt.Sprint(date.Year()), fmt.Sprint(int(date.Month())), fmt.Sprint(date.Day()), fmt.Sprint(physID/100%1000))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprint(physID))
	data := body
	if compressed {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		data, path = b.Bytes(), path+".zip"
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshotHedwigTables renders the definitions and the rows of every hw_*
// table, to show that opening the store changes neither.
func snapshotHedwigTables(t testing.TB, ds DataSource) string {
	t.Helper()
	db, err := openRaw(ds)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	tables := []string{"hw_acl", "hw_alias", "hw_headername", "hw_headervalue", "hw_keyword", "hw_mailbox", "hw_message", "hw_physmessage", "hw_subscription", "hw_user"}
	for _, tb := range tables {
		var defs *sql.Rows
		switch ds.Backend {
		case SQLite:
			defs, err = db.Query("SELECT sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name", tb)
		case MySQL:
			defs, err = db.Query("SELECT CONCAT_WS(' ', column_name, column_type, is_nullable, COALESCE(column_default, ''), extra) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position", tb)
		default:
			defs, err = db.Query("SELECT column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '') FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", tb)
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "== %s\n", tb)
		for defs.Next() {
			var d sql.NullString
			defs.Scan(&d)
			fmt.Fprintln(&b, d.String)
		}
		defs.Close()
		rows, err := db.Query("SELECT * FROM " + tb + " ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.Format(sqlTimeLayout)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

func TestHedwigInstallationOpensUnchanged(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		h := buildHedwigInstall(t, e)
		before := snapshotHedwigTables(t, e.ds)
		opts := e.options()
		opts.Domains = []string{"hedwig.org"}
		s := e.open(opts)

		// Logins: plaintext and md5-crypt passwords as Hedwig stored them.
		for _, login := range []string{"alice@hedwig.org", "bob"} {
			if _, err := s.Authenticate(ctx, login, "hedwig", netipAddr("198.51.100.7")); err != nil {
				t.Errorf("login %s: %v", login, err)
			}
		}
		// Every message reads back byte-identical, compressed or not.
		for _, m := range h.messages {
			info, err := s.Message(ctx, m.uid)
			if err != nil {
				t.Fatal(err)
			}
			if info.Size != int64(len(m.body)) || !info.InternalDate.Equal(h.date) || info.Flags != m.flags ||
				strings.Join(info.Keywords, ",") != strings.Join(m.keywords, ",") || info.PhysID != m.physID {
				t.Errorf("message %d: %+v, want size %d date %v flags %v keywords %v", m.uid, info, len(m.body), h.date, m.flags, m.keywords)
			}
			body, err := s.OpenBody(ctx, m.uid)
			if err != nil {
				t.Fatalf("open body of %d: %v", m.uid, err)
			}
			got, err := io.ReadAll(body)
			if err != nil || !bytes.Equal(got, m.body) || body.Size() != int64(len(m.body)) {
				t.Errorf("body of %d (compressed %v) differs: %v\n got %q\nwant %q", m.uid, m.compressed, err, got, m.body)
			}
			// Random access, as FETCH BODY[]<partial> needs.
			part := make([]byte, 5)
			if _, err := body.ReadAt(part, 6); err != nil || !bytes.Equal(part, m.body[6:11]) {
				t.Errorf("ReadAt of %d: %q, %v", m.uid, part, err)
			}
			body.Close()
		}
		boxes, err := s.Mailboxes(ctx, h.aliceID)
		if err != nil || len(boxes) != 2 || boxes[0].Name != "INBOX" || boxes[0].UIDValidity != 1288950000123 || boxes[0].NextUID != h.messages[2].uid+1 {
			t.Fatalf("mailboxes %+v, %v", boxes, err)
		}
		subs, err := s.Subscriptions(ctx, h.aliceID)
		if err != nil || strings.Join(subs, ",") != "Sent" {
			t.Fatalf("subscriptions %v %v", subs, err)
		}
		hdr, err := s.CachedHeaders(ctx, h.messages[1].uid)
		if err != nil || hdr["Subject"] != "subject 1" {
			t.Fatalf("Hedwig's cached headers: %v %v", hdr, err)
		}
		res, err := s.Resolve(ctx, "bob@hedwig.org")
		if err != nil || len(res.Local) != 1 || len(res.Remote) != 1 || res.Remote[0] != "bob@elsewhere.example" {
			t.Fatalf("bob's forward: %+v %v", res, err)
		}
		st, err := s.Status(ctx, h.inbox)
		if err != nil || st.Messages != 3 || st.Unseen != 2 || st.Recent != 3 {
			t.Fatalf("status %+v %v", st, err)
		}
		if after := snapshotHedwigTables(t, e.ds); after != before {
			t.Fatalf("opening and reading changed Hedwig's tables:\nbefore:\n%s\nafter:\n%s", before, after)
		}

		// New mail continues the installation: UIDs go on, files land in
		// Hedwig's layout, and Hedwig's own rows stay the way Hedwig reads them.
		uid, err := s.Deliver(ctx, h.aliceID, "INBOX", strings.NewReader("Subject: new\r\n\r\nafter the move\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if uid <= h.messages[3].uid {
			t.Fatalf("new uid %d not above %d", uid, h.messages[3].uid)
		}
		box, _ := s.MailboxByID(ctx, h.inbox)
		if box.NextUID != uid+1 {
			t.Fatalf("nextuid %d after uid %d", box.NextUID, uid)
		}
		info, _ := s.Message(ctx, uid)
		if _, err := os.Stat(filepath.Join(e.dataDir, "mail", fmt.Sprint(info.InternalDate.Year()), fmt.Sprint(int(info.InternalDate.Month())),
			fmt.Sprint(info.InternalDate.Day()), fmt.Sprint(info.PhysID/100%1000), fmt.Sprint(info.PhysID))); err != nil {
			t.Fatalf("new message not in Hedwig's layout: %v", err)
		}
	})
}
