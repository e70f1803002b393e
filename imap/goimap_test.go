package imap

import (
	"bytes"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/hedwigmail/hedwig/internal/mailtest"
	"github.com/hedwigmail/hedwig/listener"
)

// TestGoIMAPClient drives the server with go-imap's client, whose strict
// response parser checks the ENVELOPE and BODYSTRUCTURE grammar.
func TestGoIMAPClient(t *testing.T) {
	st := mailtest.NewStore(t)
	alice := mailtest.AddUser(t, st, "alice@example.com", "s3cret")
	msg := sampleMessage("go-imap")
	uid := mailtest.Deliver(t, st, alice, msg)
	srv := startServer(t, st, listener.StartTLS, Config{})

	exists := make(chan uint32, 10)
	c, err := imapclient.DialStartTLS(srv.addr, &imapclient.Options{
		TLSConfig: mailtest.ClientTLS(t, mailtest.NoCert),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					exists <- *d.NumMessages
				}
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice@example.com", "s3cret").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Archive", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil || len(boxes) != 2 {
		t.Fatalf("LIST: %v %v", boxes, err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 1 {
		t.Fatalf("SELECT: %+v %v", sel, err)
	}

	msgs, err := c.Fetch(goimap.SeqSetNum(1), &goimap.FetchOptions{
		UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true,
		BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*goimap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH: %v %v", msgs, err)
	}
	m := msgs[0]
	if int64(m.UID) != uid || m.RFC822Size != int64(len(msg)) || m.Envelope.Subject != "go-imap" ||
		m.Envelope.From[0].Addr() != "bob@example.org" || m.Envelope.To[1].Name != "Carol" {
		t.Fatalf("FETCH metadata: %+v %+v", m, m.Envelope)
	}
	if bs, ok := m.BodyStructure.(*goimap.BodyStructureSinglePart); !ok || bs.MediaType() != "text/plain" || bs.Params["charset"] != "utf-8" {
		t.Fatalf("BODYSTRUCTURE: %#v", m.BodyStructure)
	}
	if !bytes.Equal(m.BodySection[0].Bytes, msg) {
		t.Fatal("BODY[] differs from the delivered message")
	}

	app := c.Append("INBOX", int64(len(msg)), &goimap.AppendOptions{Flags: []goimap.Flag{goimap.FlagSeen}, Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if _, err := app.Write(msg); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	ad, err := app.Wait()
	if err != nil || ad.UID == 0 {
		t.Fatalf("APPEND: %+v %v", ad, err)
	}
	if err := c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagFlagged}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	found, err := c.UIDSearch(&goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagFlagged}}, nil).Wait()
	if err != nil || len(found.AllUIDs()) != 1 || int64(found.AllUIDs()[0]) != uid {
		t.Fatalf("SEARCH FLAGGED: %+v %v", found, err)
	}
	moved, err := c.Move(goimap.SeqSetNum(1), "Archive").Wait()
	if err != nil || moved.UIDValidity == 0 {
		t.Fatalf("MOVE: %+v %v", moved, err)
	}
	status, err := c.Status("Archive", &goimap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || *status.NumMessages != 1 {
		t.Fatalf("STATUS: %+v %v", status, err)
	}

	// IDLE, woken by a delivery made while idling.
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	mailtest.Deliver(t, st, alice, sampleMessage("wake up"))
	if n := <-exists; n != 2 {
		t.Fatalf("EXISTS %d during IDLE, want 2", n)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
}
