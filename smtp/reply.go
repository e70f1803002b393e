package smtp

import (
	"errors"
	"fmt"
	"strings"
)

// Error is an SMTP reply carried as an error. A Backend returns one to
// choose the reply a client sees (for instance 552 5.2.2 for a full
// mailbox); any other error from a Backend becomes a temporary 451 4.3.0.
type Error struct {
	Code     int    // three-digit reply code, e.g. 550
	Enhanced string // RFC 3463 status code, e.g. "5.1.1"
	Message  string // human-readable text
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s %s", e.Code, e.Enhanced, e.Message)
}

// Temporary reports whether the client should try again later (4xx).
func (e *Error) Temporary() bool { return e.Code/100 == 4 }

// Errors a Backend returns for the common cases.
var (
	// ErrUnknownRecipient: no user or alias has that address (550 5.1.1).
	ErrUnknownRecipient = &Error{550, "5.1.1", "Recipient address rejected: User unknown in local recipient table"}
	// ErrAuthFailed: wrong user name, password or certificate (535 5.7.8).
	ErrAuthFailed = &Error{535, "5.7.8", "Authentication credentials invalid"}
	// ErrMailboxFull: the user is over quota (452 4.2.2: the user may make room).
	ErrMailboxFull = &Error{452, "4.2.2", "Mailbox full, try again later"}
)

// reply is one SMTP response. Text may hold several lines separated by
// "\n"; they are sent as a multi-line reply.
type reply struct {
	code     int
	enhanced string
	text     string
}

func (r reply) isError() bool { return r.code >= 400 }

// replyFor turns a backend error into a reply: an *Error keeps its code,
// anything else is a temporary local problem.
func replyFor(err error) reply {
	var se *Error
	if errors.As(err, &se) {
		return reply{se.Code, se.Enhanced, se.Message}
	}
	return reply{451, "4.3.0", "Error: local problem, try again later"}
}

// format renders r with CRLF line ends and the enhanced status code on
// every line (RFC 2034; like Postfix, also before EHLO, which harms no
// client). The greeting and the EHLO reply carry none.
func (r reply) format() string {
	lines := strings.Split(r.text, "\n")
	var b strings.Builder
	for i, line := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%03d%s", r.code, sep)
		if r.enhanced != "" {
			b.WriteString(r.enhanced)
			b.WriteByte(' ')
		}
		b.WriteString(line)
		b.WriteString("\r\n")
	}
	return b.String()
}
