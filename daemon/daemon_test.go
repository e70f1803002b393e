package daemon

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/hedwigmail/hedwig/container"
	"github.com/hedwigmail/hedwig/internal/mailtest"
)

// shippedHome extracts the embedded default configuration into a temp
// app.home, applying edits to applicationContext.xml.
func shippedHome(t *testing.T, edits ...[2]string) string {
	t.Helper()
	home := t.TempDir()
	xml, err := ExtractShipped(home)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(xml)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		if !strings.Contains(string(data), e[0]) {
			t.Fatalf("shipped applicationContext.xml lacks %q", e[0])
		}
		data = []byte(strings.ReplaceAll(string(data), e[0], e[1]))
	}
	if err := os.WriteFile(xml, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return home
}

// editProperties rewrites conf/default.properties under home: each edit
// replaces its first text (which must be there) with its second, then add
// is appended as extra lines.
func editProperties(t *testing.T, home, add string, edits ...[2]string) {
	t.Helper()
	props := filepath.Join(home, "conf", "default.properties")
	data, err := os.ReadFile(props)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, e := range edits {
		if !strings.Contains(text, e[0]) {
			t.Fatalf("shipped default.properties lacks %q", e[0])
		}
		text = strings.Replace(text, e[0], e[1], 1)
	}
	if err := os.WriteFile(props, []byte(text+"\n"+add+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// clientAuthHome is the shipped configuration with imaps.server asking for
// client certificates (clientAuth=mode) checked against the fixture
// truststore, with propEdits applied to default.properties.
func clientAuthHome(t *testing.T, mode string, propEdits ...[2]string) string {
	t.Helper()
	trust, err := filepath.Abs("testdata/truststore.pem")
	if err != nil {
		t.Fatal(err)
	}
	imaps := `<property name="useTLS" value="true" />
		<property name="port" value="10993" />`
	home := shippedHome(t, [2]string{imaps, imaps + `
		<property name="clientAuth" value="` + mode + `" />`})
	editProperties(t, home, "tls_truststore="+trust, propEdits...)
	return home
}

// addUsers creates mail users (address, password pairs) in the store of the
// configuration under home, as `hedwig user add` does, before it is served.
func addUsers(t *testing.T, home string, pairs ...string) {
	t.Helper()
	st, probs := container.OpenStore(filepath.Join(home, "conf", "applicationContext.xml"), container.Options{})
	if st == nil {
		t.Fatal(probs.Err())
	}
	defer st.Close()
	for i := 0; i+1 < len(pairs); i += 2 {
		if _, err := st.AddUser(context.Background(), pairs[i], pairs[i+1]); err != nil {
			t.Fatal(err)
		}
	}
}

type running struct {
	c      *container.Container
	offset int
	stop   func() error
}

// serve runs the configuration under home on free ports (a random
// --port-offset, retried if a port is taken) until the test ends.
func serve(t *testing.T, home string) *running {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		// Stay below the ephemeral range (32768+), where the connections
		// of tests running in parallel would collide with the listeners.
		offset := 1000 + rand.IntN(20000)
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan *container.Container, 1)
		done := make(chan error, 1)
		config := filepath.Join(home, "conf", "applicationContext.xml")
		if _, err := os.Stat(config); err != nil {
			config = filepath.Join(home, "conf") // a James 3 conf/ directory
		}
		opts := Options{ConfigFile: config, PortOffset: offset,
			StopTimeout: 15 * time.Second, Started: func(c *container.Container) { started <- c }}
		go func() { done <- Serve(ctx, opts, zap.NewNop()) }()
		select {
		case c := <-started:
			var once sync.Once
			var stopErr error
			r := &running{c: c, offset: offset, stop: func() error {
				once.Do(func() { cancel(); stopErr = <-done })
				return stopErr
			}}
			t.Cleanup(func() { r.stop() })
			return r
		case err := <-done:
			cancel()
			if err != nil && strings.Contains(err.Error(), "address already in use") {
				t.Logf("attempt %d: %v", attempt, err)
				continue
			}
			t.Fatalf("serve: %v", err)
		case <-time.After(30 * time.Second):
			cancel()
			t.Fatal("serve did not start within 30 s")
		}
	}
	t.Fatal("no free ports after 5 attempts")
	return nil
}

func (r *running) addr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port+r.offset) }

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, line)
	}
	return strings.TrimRight(line, "\r\n")
}

// client is one test connection: dialled (over TLS when a config is
// given), bounded by a deadline, its greeting already read.
type client struct {
	t        *testing.T
	conn     net.Conn
	r        *bufio.Reader
	greeting string
}

// dial connects to addr, reads the greeting and closes the connection
// when the test ends.
func dial(t *testing.T, addr string, cfg *tls.Config) *client {
	t.Helper()
	c, err := tryDial(t, addr, cfg)
	if err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	return c
}

// tryDial is dial for connections that may rightly be refused.
func tryDial(t *testing.T, addr string, cfg *tls.Config) (*client, error) {
	t.Helper()
	conn, err := mailtest.TryDial(t, addr, cfg)
	if err != nil {
		return nil, err
	}
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	c.greeting = strings.TrimRight(line, "\r\n")
	return c, nil
}

func (c *client) send(format string, args ...any) {
	c.t.Helper()
	if _, err := fmt.Fprintf(c.conn, format+"\r\n", args...); err != nil {
		c.t.Fatal(err)
	}
}

func (c *client) line() string {
	c.t.Helper()
	return readLine(c.t, c.r)
}

// expectGreeting fails the test unless the greeting starts with want.
func (c *client) expectGreeting(want string) {
	c.t.Helper()
	if !strings.HasPrefix(c.greeting, want) {
		c.t.Fatalf("greeting %q, want %q…", c.greeting, want)
	}
}

// imapOK sends one tagged IMAP command and fails unless it completes OK.
func (c *client) imapOK(tag, format string, args ...any) {
	c.t.Helper()
	c.send(tag+" "+format, args...)
	c.imapWait(tag)
}

// imapWait reads up to the tagged completion of tag and fails unless it is OK.
func (c *client) imapWait(tag string) {
	c.t.Helper()
	for {
		if line := c.line(); strings.HasPrefix(line, tag+" ") {
			if !strings.HasPrefix(line, tag+" OK") {
				c.t.Fatalf("%s", line)
			}
			return
		}
	}
}

func TestShippedConfigurationServesAllListeners(t *testing.T) {
	r := serve(t, shippedHome(t))
	if n := len(r.c.Servers()); n != 8 {
		t.Fatalf("%d listeners, want 8", n)
	}
	greetings := map[int]string{10025: "220 ", 10587: "220 ", 10143: "* OK ", 10110: "+OK ", 10024: "220 "}
	for port, want := range greetings {
		dial(t, r.addr(port), nil).expectGreeting(want)
	}
	// Implicit TLS listeners speak TLS 1.2+ from the first byte, with the
	// certificate made on first start.
	for port, want := range map[int]string{10993: "* OK ", 10995: "+OK ", 10465: "220 "} {
		c := dial(t, r.addr(port), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
		c.expectGreeting(want)
		if cs := c.conn.(*tls.Conn).ConnectionState(); cs.Version != tls.VersionTLS12 || !strings.Contains(tls.CipherSuiteName(cs.CipherSuite), "ECDHE") {
			t.Errorf("port %d negotiated %s %s", port, tls.VersionName(cs.Version), tls.CipherSuiteName(cs.CipherSuite))
		}
	}
}

// Python's imaplib is a real IMAP client: STARTTLS on 143, and implicit
// TLS on 993.
func TestIMAPWithPythonImaplib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (Debian package python3)")
	}
	r := serve(t, shippedHome(t))
	script := `
import imaplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
assert "STARTTLS" in m.capabilities and "LOGINDISABLED" in m.capabilities, m.capabilities
m.starttls(ssl_context=ctx)
assert "STARTTLS" not in m.capabilities, m.capabilities
print(m.sock.version())
m.logout()
s = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[2]), ssl_context=ctx)
print(s.sock.version())
s.logout()
`
	out, err := exec.Command(py, "-c", script, fmt.Sprint(10143+r.offset), fmt.Sprint(10993+r.offset)).CombinedOutput()
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != 2 || !strings.HasPrefix(got[0], "TLSv1.") {
		t.Fatalf("imaplib output %q", out)
	}
}

// SMTP and POP3 share smtp.taskExecutor: with room for one session, a POP3
// session in progress makes an SMTP client get SMTP's busy reply, and the
// other way round.
func TestSharedExecutorBusyReplies(t *testing.T) {
	home := shippedHome(t,
		[2]string{`<property name="corePoolSize" value="50" />`, `<property name="corePoolSize" value="1" />`},
		[2]string{`<property name="maxPoolSize" value="100" />`, `<property name="maxPoolSize" value="1" />`},
		[2]string{`<property name="queueCapacity" value="25" />`, `<property name="queueCapacity" value="0" />`},
	)
	r := serve(t, home)
	dial(t, r.addr(10110), nil).expectGreeting("+OK")             // holds the only worker
	dial(t, r.addr(10025), nil).expectGreeting("421 4.3.2")       // SMTP while the executor is full
	dial(t, r.addr(10110), nil).expectGreeting("-ERR [SYS/TEMP]") // POP3 while the executor is full
	dial(t, r.addr(10143), nil).expectGreeting("* OK")            // IMAP has its own executor here
}

// Stopping lets a session finish: a client in the middle of a session is
// told the server is going away rather than cut off.
func TestGracefulStop(t *testing.T) {
	r := serve(t, shippedHome(t))
	c := dial(t, r.addr(10143), nil)
	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	time.Sleep(100 * time.Millisecond)
	c.send("a1 NOOP")
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			break
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], "* BYE") {
		t.Fatalf("session got %q, want a BYE at the end", lines)
	}
	if _, err := net.Dial("tcp", r.addr(10143)); err == nil {
		t.Fatal("still accepting after stop")
	}
}

// A listener's own clientAuth=need, with the truststore of
// default.properties: the fixture client certificate gets in, a rogue one
// and none do not.
func TestListenerClientAuthNeed(t *testing.T) {
	r := serve(t, clientAuthHome(t, "need"))

	withCert := func(certFile, keyFile string) *tls.Config {
		cfg := &tls.Config{InsecureSkipVerify: true}
		if certFile != "" {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Certificates = []tls.Certificate{cert}
		}
		return cfg
	}
	dial(t, r.addr(10993), withCert("testdata/client-chain.crt", "testdata/client.key")).expectGreeting("* OK")
	for _, cert := range [][2]string{{"testdata/rogue.crt", "testdata/rogue.key"}, {"", ""}} {
		if c, err := tryDial(t, r.addr(10993), withCert(cert[0], cert[1])); err == nil {
			t.Errorf("client certificate %q: got %q, want the handshake refused", cert[0], c.greeting)
		}
	}
	// The other implicit-TLS listeners did not ask for one.
	dial(t, r.addr(10995), withCert("", "")).expectGreeting("+OK")
}

// The whole path a user sees: a mailbox added with the admin command's
// store, a message sent with Python's smtplib over STARTTLS with AUTH to the
// submission port, then read back from the store byte-identical below the
// Received header hedwig adds.
func TestSubmissionDeliversToTheStore(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (Debian package python3)")
	}
	home := shippedHome(t)
	xml := filepath.Join(home, "conf", "applicationContext.xml")
	addUsers(t, home, "alice@localhost", "wonderland", "bob@localhost", "builder")
	ctx := context.Background()

	r := serve(t, home)
	msg := "From: bob@localhost\r\nTo: alice@localhost\r\nSubject: hello\r\n\r\nline one\r\n.starts with a dot\r\n\r\n"
	script := `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo(); s.starttls(context=ctx); s.ehlo()
s.login("bob@localhost", "builder")
s.sendmail("bob@localhost", ["alice@localhost"], sys.stdin.buffer.read())
s.quit()
`
	cmd := exec.Command(py, "-c", script, fmt.Sprint(10587+r.offset))
	cmd.Stdin = strings.NewReader(msg)
	began := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	t.Logf("smtplib session took %v", time.Since(began))

	st, probs := container.OpenStore(xml, container.Options{})
	if st == nil {
		t.Fatal(probs.Err())
	}
	defer st.Close()
	alice, err := st.LookupUser(ctx, "alice@localhost")
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := st.MailboxByName(ctx, alice.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := st.Messages(ctx, inbox.ID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("INBOX has %d messages (%v), want 1", len(msgs), err)
	}
	body, err := st.OpenBody(ctx, msgs[0].UID)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	var got strings.Builder
	if _, err := io.Copy(&got, body); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.String(), "Received: ") || !strings.HasSuffix(got.String(), msg) {
		t.Fatalf("stored message:\n%q\nwant a Received header and then\n%q", got.String(), msg)
	}
	if !strings.Contains(got.String(), "TLS") {
		t.Errorf("Received header does not record TLS:\n%s", got.String())
	}

	// The same message through POP3S with poplib: byte-identical, then
	// deleted at QUIT.
	pop := `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)
p.user("alice@localhost"); p.pass_("wonderland")
resp, lines, octets = p.retr(1)
sys.stdout.buffer.write(b"\r\n".join(lines) + b"\r\n")
p.dele(1)
p.quit()
`
	out, err := exec.Command(py, "-c", pop, fmt.Sprint(10995+r.offset)).Output()
	if err != nil {
		t.Fatalf("poplib: %v\n%s", err, out)
	}
	if string(out) != got.String() {
		t.Fatalf("POP3 RETR gave\n%q\nthe store holds\n%q", out, got.String())
	}
	if left, err := st.Messages(ctx, inbox.ID); err != nil || len(left) != 0 {
		t.Fatalf("after DELE and QUIT the INBOX holds %d messages (%v)", len(left), err)
	}
}

// Mail for a remote domain from an authenticated user goes into the
// durable outbound queue under queue_directory (the smtp.spool bean).
func TestRemoteMailIsQueued(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (Debian package python3)")
	}
	home := shippedHome(t)
	addUsers(t, home, "bob@localhost", "builder")
	r := serve(t, home)
	script := `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)
s.login("bob@localhost", "builder")
s.sendmail("bob@localhost", ["carol@example.invalid"], b"Subject: out\r\n\r\nhello\r\n")
s.quit()
`
	if out, err := exec.Command(py, "-c", script, fmt.Sprint(10465+r.offset)).CombinedOutput(); err != nil {
		t.Fatalf("smtplib: %v\n%s", err, out)
	}
	// The queue either still holds it (DNS here may time out: deferred), or
	// has already given up on the .invalid domain and bounced it to bob:
	// either way the accepted message is not lost.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var queued int
		filepath.WalkDir(filepath.Join(home, "spool", "env"), func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				queued++
			}
			return nil
		})
		if queued > 0 {
			return
		}
		if bounce := inboxText(t, home, "bob@localhost"); strings.Contains(bounce, "report-type=delivery-status") &&
			strings.Contains(bounce, "carol@example.invalid") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the message is neither in queue_directory nor bounced to the sender")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// inboxText returns every message in user's INBOX, concatenated.
func inboxText(t *testing.T, home, user string) string {
	t.Helper()
	st, probs := container.OpenStore(filepath.Join(home, "conf", "applicationContext.xml"), container.Options{})
	if st == nil {
		t.Fatal(probs.Err())
	}
	defer st.Close()
	ctx := context.Background()
	u, err := st.LookupUser(ctx, user)
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := st.MailboxByName(ctx, u.ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := st.Messages(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, m := range msgs {
		body, err := st.OpenBody(ctx, m.UID)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&all, body)
		body.Close()
	}
	return all.String()
}

// A front MTA hands mail over by LMTP: one reply per recipient, the known
// one delivered, the unknown one refused, in one transaction (Python's
// smtplib.LMTP is a real LMTP client).
func TestLMTPDelivery(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed (Debian package python3)")
	}
	home := shippedHome(t)
	addUsers(t, home, "alice@localhost", "pw")
	r := serve(t, home)
	script := `
import smtplib, sys
s = smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
refused = s.sendmail("mta@example.org", ["alice@localhost", "nobody@localhost"], b"Subject: lmtp\r\n\r\nvia LMTP\r\n")
print(sorted(refused.keys()), refused.get("nobody@localhost", (0,))[0])
s.quit()
`
	out, err := exec.Command(py, "-c", script, fmt.Sprint(10024+r.offset)).CombinedOutput()
	if err != nil {
		t.Fatalf("smtplib.LMTP: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "['nobody@localhost'] 550" {
		t.Fatalf("LMTP refused %s, want only nobody@localhost with 550", got)
	}
	if text := inboxText(t, home, "alice@localhost"); !strings.Contains(text, "via LMTP") {
		t.Fatalf("alice's INBOX lacks the LMTP message:\n%s", text)
	}
}

// The nightly job that <task:scheduled-tasks> names runs against the store.
func TestDiskCleanupJobRuns(t *testing.T) {
	home := shippedHome(t)
	editProperties(t, home, "compress_after=1d\nexpunge_after=Trash 30d")
	r := serve(t, home)
	for _, inst := range r.c.Instances() {
		if inst.ID != "diskCleanupJob" {
			continue
		}
		job, ok := inst.Value.(*container.Job)
		if !ok {
			t.Fatalf("diskCleanupJob is %T", inst.Value)
		}
		if err := job.Methods["execute"](context.Background()); err != nil {
			t.Fatalf("execute: %v", err)
		}
		return
	}
	t.Fatal("no diskCleanupJob instance")
}

// Issue 3's client-certificate login, on the shipped configuration: the
// certificate and key come from the fixture client.p12 (as a user's mail
// client would import it), imaps.server asks for a certificate
// (clientAuth=want, tls_truststore), and AUTHENTICATE EXTERNAL logs in as
// the certificate's e-mail address.
func TestIMAPAuthenticateExternalWithClientP12(t *testing.T) {
	home := clientAuthHome(t, "want", [2]string{"mydomain=localhost", "mydomain=example.com,localhost"})
	addUsers(t, home, "alice@example.com", "unused")
	r := serve(t, home)

	p12, err := os.ReadFile("testdata/client.p12")
	if err != nil {
		t.Fatal(err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(p12, "secret")
	if err != nil {
		t.Fatal(err)
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	c := dial(t, r.addr(10993), &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}})
	c.imapOK("a1", "AUTHENTICATE EXTERNAL =")
	c.imapOK("a2", "SELECT INBOX") // as the certificate's user
}

// Two hedwig servers on one database (issue 4's "beyond one machine"): a
// message delivered by LMTP through the first wakes an IMAP IDLE on the
// second. The database is one SQLite file shared by both; set
// HEDWIG_TEST_NODES_DSN to a JDBC URL of an empty MariaDB/PostgreSQL
// database to run it there, with bodies in the database as docs/scaling.md
// describes (not the store suite's test database: that suite drops its
// tables while other packages' tests run).
func TestTwoNodesIDLE(t *testing.T) {
	shared := t.TempDir()
	url := "jdbc:sqlite:" + filepath.Join(shared, "hedwig.db")
	extra := "data_directory=" + filepath.Join(shared, "data")
	if v := os.Getenv("HEDWIG_TEST_NODES_DSN"); v != "" {
		url, extra = v, "store_bodies_in_database=yes"
	}
	node := func() string {
		home := shippedHome(t)
		editProperties(t, home, extra, [2]string{"jdbc.url=jdbc:sqlite:data/hedwig.db", "jdbc.url=" + url})
		return home
	}
	homeA, homeB := node(), node()
	addUsers(t, homeA, "alice@localhost", "wonderland")
	a, b := serve(t, homeA), serve(t, homeB)

	imap := dial(t, b.addr(10993), &tls.Config{InsecureSkipVerify: true})
	imap.imapOK("a1", "LOGIN alice@localhost wonderland")
	imap.imapOK("a2", "SELECT INBOX")
	imap.send("a3 IDLE")
	if line := imap.line(); !strings.HasPrefix(line, "+") {
		t.Fatalf("IDLE: %s", line)
	}

	// Deliver through node A by LMTP (no authentication needed on loopback).
	lmtp := dial(t, a.addr(10024), nil)
	lmtp.expectGreeting("220")
	expect := func(code string) {
		for {
			line := lmtp.line()
			if !strings.HasPrefix(line, code) {
				t.Fatalf("LMTP: %q, want %s", line, code)
			}
			if len(line) < 4 || line[3] != '-' {
				return
			}
		}
	}
	for _, step := range []struct{ cmd, code string }{
		{"LHLO test.example", "250"}, {"MAIL FROM:<bob@example.org>", "250"},
		{"RCPT TO:<alice@localhost>", "250"}, {"DATA", "354"},
		{"Subject: across nodes\r\n\r\nhello from node A\r\n.", "250"},
	} {
		lmtp.send("%s", step.cmd)
		expect(step.code)
	}

	for !strings.HasSuffix(imap.line(), " EXISTS") {
	}
	imap.send("DONE")
	imap.imapWait("a3")
}

// A James 3 conf/ directory served as it is: its SMTP and IMAP servers
// listen with their TLS modes and James's keystore, and a user of the
// imported store logs in over IMAPS.
func TestServeJamesConfiguration(t *testing.T) {
	home := t.TempDir()
	conf := filepath.Join(home, "conf")
	if err := os.CopyFS(conf, os.DirFS("testdata/james/conf")); err != nil {
		t.Fatal(err)
	}
	ks, err := os.ReadFile("testdata/james/keystore")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "keystore"), ks, 0o600); err != nil {
		t.Fatal(err)
	}

	r := serve(t, home)
	ids := map[string]string{}
	for _, s := range r.c.Servers() {
		ids[s.ID] = s.TLSMode.String()
	}
	for id, mode := range map[string]string{"smtpserver-global": "none", "smtpserver-TLS": "implicit TLS",
		"smtpserver-authenticated": "STARTTLS", "imapserver": "STARTTLS", "imapserver-ssl": "implicit TLS"} {
		if ids[id] != mode {
			t.Errorf("server %s: TLS %q, want %q (all: %v)", id, ids[id], mode, ids)
		}
	}
	// The imported configuration and its store live under James's var/.
	addUsers(t, filepath.Join(home, "var", "hedwig"), "alice@localhost", "wonderland")

	c := dial(t, r.addr(993), &tls.Config{InsecureSkipVerify: true})
	c.imapOK("a1", "LOGIN alice@localhost wonderland")
	c.imapOK("a2", "SELECT INBOX")
	dial(t, r.addr(25), nil).expectGreeting("220 ") // James's plain SMTP port
}
