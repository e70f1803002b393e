package queue

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hedwigmail/hedwig/smtp"
)

// maxReturnedHeader bounds the original header returned in a bounce.
const maxReturnedHeader = 64 << 10

// bounce queues an RFC 3464 delivery status notification to e's sender
// about the failed recipients. It comes from the null sender, so that it
// can never bounce in turn (RFC 5321 §4.5.5).
func (q *Queue) bounce(e *Entry, failed []*Recipient) error {
	header, err := q.originalHeader(e.ID)
	if err != nil {
		return err
	}
	report := buildDSN(dsnInput{
		hostname: q.cfg.Hostname, postmaster: q.cfg.Postmaster, sender: e.From,
		queueID: e.ID, arrival: e.Created, now: time.Now(), failed: failed, header: header,
	})
	id := newID()
	env := &smtp.Envelope{ID: id, From: "", Recipients: []string{e.From}, Received: time.Now(), SMTPUTF8: e.SMTPUTF8}
	msg := smtp.NewMessage(bytes.NewReader(report), int64(len(report)))
	return q.Enqueue(context.Background(), env, []string{e.From}, msg)
}

// originalHeader reads the header of the queued message (up to the first
// empty line, within maxReturnedHeader).
func (q *Queue) originalHeader(id string) ([]byte, error) {
	f, err := os.Open(q.msgPath(id))
	if err != nil {
		return nil, fmt.Errorf("queue: read message for bounce: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(io.LimitReader(f, maxReturnedHeader))
	var h bytes.Buffer
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
		h.Write(line)
		if err != nil {
			break
		}
	}
	return h.Bytes(), nil
}

type dsnInput struct {
	hostname, postmaster, sender, queueID string
	arrival, now                          time.Time
	failed                                []*Recipient
	header                                []byte
}

// buildDSN writes a multipart/report (RFC 6522) with a human-readable
// part, a message/delivery-status part (RFC 3464) and the original header
// as text/rfc822-headers.
func buildDSN(in dsnInput) []byte {
	var rnd [12]byte
	rand.Read(rnd[:])
	boundary := "hedwig-dsn-" + hex.EncodeToString(rnd[:])
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("From: Mail Delivery System <%s>\r\n", in.postmaster)
	w("To: <%s>\r\n", in.sender)
	w("Subject: Undelivered Mail Returned to Sender\r\n")
	w("Date: %s\r\n", in.now.Format(time.RFC1123Z))
	w("Message-ID: <%s.%s@%s>\r\n", in.queueID, hex.EncodeToString(rnd[:4]), in.hostname)
	w("Auto-Submitted: auto-replied\r\n")
	w("MIME-Version: 1.0\r\n")
	w("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"%s\"\r\n", boundary)
	w("\r\nThis is a MIME-encapsulated message.\r\n\r\n")

	w("--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", boundary)
	w("This is the mail system at host %s.\r\n\r\n", in.hostname)
	w("I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n")
	for _, r := range in.failed {
		w("<%s>: %s\r\n\r\n", r.Address, oneLine(r.LastError))
	}

	w("--%s\r\nContent-Type: message/delivery-status\r\n\r\n", boundary)
	w("Reporting-MTA: dns; %s\r\n", in.hostname)
	w("X-Hedwig-Queue-ID: %s\r\n", in.queueID)
	w("Arrival-Date: %s\r\n", in.arrival.Format(time.RFC1123Z))
	for _, r := range in.failed {
		status := r.Status
		if status == "" {
			status = "5.0.0"
		}
		w("\r\nFinal-Recipient: rfc822; %s\r\n", r.Address)
		w("Action: failed\r\n")
		w("Status: %s\r\n", status)
		if r.RemoteMTA != "" {
			w("Remote-MTA: dns; %s\r\n", r.RemoteMTA)
		}
		if r.Diagnostic != "" {
			w("Diagnostic-Code: smtp; %s\r\n", r.Diagnostic)
		} else {
			w("Diagnostic-Code: X-Hedwig; %s\r\n", oneLine(r.LastError))
		}
	}
	w("\r\n--%s\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary)
	b.Write(in.header)
	w("\r\n--%s--\r\n", boundary)
	return b.Bytes()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
