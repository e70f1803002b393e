package smtp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"
)

// Exit codes of `hedwig deliver` (sysexits.h, as Hedwig's Deliver used
// them; 67 and 77 let a front MTA bounce at once instead of retrying).
const (
	ExitOK       = 0
	ExitUsage    = 64 // bad arguments or addresses
	ExitNoUser   = 67 // a recipient does not exist
	ExitTempFail = 75 // try again later
	ExitNoPerm   = 77 // refused for good
	ExitConfig   = 78 // the configuration cannot be used
)

// UsageError is a DeliverPipe failure caused by its arguments.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// DeliverPipe delivers a message handed over on a pipe, for `hedwig
// deliver -f SENDER -r RCPT… < message` behind a front MTA. Line ends are
// normalised to CRLF and an mbox "From " line is dropped. Every recipient
// is checked first, so that nothing is delivered when one is refused; then
// local recipients are stored and the others queued, as after DATA in an
// SMTP session. ExitCode maps the error to the command's exit status.
func (h *Handler) DeliverPipe(ctx context.Context, from string, rcpts []string, r io.Reader) error {
	if len(rcpts) == 0 {
		return &UsageError{"no recipients: give at least one -r address"}
	}
	tx := &transaction{id: newQueueID(), smtputf8: true}
	if from != "" && from != "<>" {
		addr, bad := checkMailbox(strings.Trim(from, "<>"), true)
		if bad != nil {
			return &UsageError{fmt.Sprintf("sender %q: %s", from, bad.text)}
		}
		tx.from = addr
	}
	for _, rc := range rcpts {
		addr, bad := checkMailbox(strings.Trim(rc, "<>"), true)
		if bad != nil {
			return &UsageError{fmt.Sprintf("recipient %q: %s", rc, bad.text)}
		}
		rcpt := recipient{addr: addr, local: h.cfg.isLocalDomain(domainOf(addr))}
		if rcpt.local {
			res, err := h.backend.Resolve(ctx, addr)
			if err == nil && len(res.Targets) == 0 && len(res.Forward) == 0 {
				err = ErrUnknownRecipient
			}
			if err != nil {
				return fmt.Errorf("<%s>: %w", addr, err)
			}
			rcpt.targets, rcpt.forward = res.Targets, res.Forward
		}
		tx.rcpts = append(tx.rcpts, rcpt)
	}

	sp := &spool{dir: h.cfg.SpoolDir, limit: h.cfg.MaxMessageBytes}
	defer sp.discard()
	if err := copyNormalized(sp, r); err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	if sp.tooBig() {
		return &Error{552, "5.3.4", fmt.Sprintf("message exceeds the limit of %d bytes", h.cfg.MaxMessageBytes)}
	}
	if sp.err != nil {
		return sp.err
	}
	s := &session{h: h, cfg: &h.cfg, ctx: ctx, log: h.log, remote: netip.AddrPortFrom(netip.IPv6Loopback(), 0)}
	env := &Envelope{ID: tx.id, From: tx.from, Received: time.Now(), SMTPUTF8: true,
		Client: Client{Addr: s.remote, Helo: "localhost", Protocol: "local"}}
	for _, rc := range tx.rcpts {
		env.Recipients = append(env.Recipients, rc.addr)
	}
	header := fmt.Sprintf("Received: by %s (hedwig deliver) id %s; %s\r\n", h.cfg.Hostname, tx.id, env.Received.Format(time.RFC1123Z))
	msg := sp.message([]byte(header))
	defer msg.Close()
	return errors.Join(s.deliver(env, tx, msg)...)
}

// copyNormalized copies a message, turning bare LF and bare CR into CRLF
// and dropping a leading mbox "From " line.
func copyNormalized(w io.Writer, r io.Reader) error {
	br := bufio.NewReader(r)
	first := true
	for {
		line, err := br.ReadBytes('\n')
		mboxFrom := first && bytes.HasPrefix(line, []byte("From "))
		first = false
		if len(line) > 0 && !mboxFrom {
			line = bytes.TrimRight(line, "\r\n")
			line = bytes.ReplaceAll(line, []byte("\r"), []byte("\r\n"))
			if len(line) > 0 || err == nil {
				w.Write(append(line, '\r', '\n'))
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// ExitCode is the exit status of `hedwig deliver` for DeliverPipe's error.
func ExitCode(err error) int {
	var ue *UsageError
	var se *Error
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &se) && !se.Temporary():
		if strings.HasPrefix(se.Enhanced, "5.1.") {
			return ExitNoUser
		}
		return ExitNoPerm
	}
	return ExitTempFail
}
