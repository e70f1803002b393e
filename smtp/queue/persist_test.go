package queue

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hedwigmail/hedwig/smtp"
)

func enqueue(t testing.TB, q *Queue, id string, body []byte, rcpts ...string) {
	t.Helper()
	env := &smtp.Envelope{ID: id, From: "alice@example.com", Recipients: rcpts, Received: time.Now()}
	if err := q.Enqueue(context.Background(), env, rcpts, smtp.NewMessage(bytes.NewReader(body), int64(len(body)))); err != nil {
		t.Fatal(err)
	}
}

func TestQueueSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Dir: dir, Hostname: "mail.example.com"}
	q, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("Subject: kept\r\n\r\nstill here\r\n")
	enqueue(t, q, "keep0000000000001", body, "carol@remote.example", "dave@remote.example")
	q.Close()

	// What a crash can leave: a message whose entry was never written, and
	// a temporary file. Both belong to no acknowledged message.
	os.WriteFile(filepath.Join(dir, "msg", "orphan000000000001"), []byte("partial"), 0o600)
	os.WriteFile(filepath.Join(dir, "tmp", "x.json.123"), []byte("{"), 0o600)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "msg", "orphan000000000001"), old, old)
	os.Chtimes(filepath.Join(dir, "tmp", "x.json.123"), old, old)
	// A fresh one may be another process's enqueue in progress: kept.
	os.WriteFile(filepath.Join(dir, "msg", "inflight00000000001"), []byte("partial"), 0o600)

	q, err = Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries := q.Entries()
	if len(entries) != 1 || entries[0].ID != "keep0000000000001" || len(entries[0].Recipients) != 2 ||
		entries[0].Recipients[1].Address != "dave@remote.example" || entries[0].Recipients[1].State != Pending {
		t.Fatalf("entries after restart: %+v", entries)
	}
	data, err := q.Message("keep0000000000001")
	if err != nil || !bytes.Equal(data, body) {
		t.Fatalf("message after restart: %q, %v", data, err)
	}
	for _, gone := range []string{"msg/orphan000000000001", "tmp/x.json.123"} {
		if _, err := os.Stat(filepath.Join(dir, gone)); !os.IsNotExist(err) {
			t.Errorf("%s survived the restart", gone)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "msg", "inflight00000000001")); err != nil {
		t.Errorf("a fresh message file of another process's enqueue was removed: %v", err)
	}
}

// crashBody is the message the crash helper queues under id.
func crashBody(id string) []byte {
	return []byte(fmt.Sprintf("Subject: crash test %s\r\n\r\n%s\r\n", id, strings.Repeat(id+" ", 2000)))
}

// TestCrashHelper is not a test by itself: run by TestKill9KeepsAcknowledgedMessages
// in a child process, it queues messages forever and reports each
// acknowledged one on stdout until it is killed.
func TestCrashHelper(t *testing.T) {
	dir := os.Getenv("HEDWIG_QUEUE_CRASH_DIR")
	if dir == "" {
		t.Skip("helper process for TestKill9KeepsAcknowledgedMessages")
	}
	q, err := Open(Config{Dir: dir, Hostname: "mail.example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("crash%011d", i)
		enqueue(t, q, id, crashBody(id), "carol@remote.example")
		fmt.Printf("acked %s\n", id)
	}
}

func TestKill9KeepsAcknowledgedMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v=false")
	cmd.Env = append(os.Environ(), "HEDWIG_QUEUE_CRASH_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked = append(acked, id)
		}
		if len(acked) == 30 && !killed {
			cmd.Process.Kill() // SIGKILL, most likely in the middle of an Enqueue
			killed = true
		}
	}
	cmd.Wait()
	if len(acked) < 30 {
		t.Fatalf("helper acknowledged only %d messages", len(acked))
	}

	q, err := Open(Config{Dir: dir, Hostname: "mail.example.com"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	for _, e := range q.Entries() {
		data, err := q.Message(e.ID)
		if err != nil || !bytes.Equal(data, crashBody(e.ID)) {
			t.Fatalf("entry %s has a damaged message (%d bytes, %v)", e.ID, len(data), err)
		}
		present[e.ID] = true
	}
	for _, id := range acked {
		if !present[id] {
			t.Fatalf("acknowledged message %s lost in the crash", id)
		}
	}
	// At most the one in flight may be complete without its acknowledgement.
	if extra := len(present) - len(acked); extra > 1 {
		t.Fatalf("%d unacknowledged entries appeared", extra)
	}
	t.Logf("%d messages acknowledged before the kill, %d entries after it", len(acked), len(present))
}
