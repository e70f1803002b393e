package pop3

import (
	"errors"
	"strings"
)

// command is one parsed POP3 command line (RFC 1939 §3): a keyword of
// three or four letters, then arguments separated by spaces.
type command struct {
	name string   // keyword, upper case
	args []string // arguments split at spaces
	rest string   // everything after the keyword and its space, verbatim (PASS)
}

// Errors of parseCommand; their text is sent to the client after "-ERR ".
var (
	errEmptyCommand = errors.New("empty command line")
	errBadKeyword   = errors.New("malformed command: a keyword is 3 or 4 letters")
	errBadCharacter = errors.New("malformed command: control characters are not allowed")
	errNotNumber    = errors.New("a message number is a positive decimal number")
)

// maxArgs bounds the arguments a command may carry; no POP3 command takes
// more than two, so a line of thousands of spaces costs nothing.
const maxArgs = 4

// parseCommand splits a command line (without its CRLF) into keyword and
// arguments. Keywords are case-insensitive; arguments keep their case.
func parseCommand(line string) (command, error) {
	if strings.TrimSpace(line) == "" {
		return command{}, errEmptyCommand
	}
	for i := 0; i < len(line); i++ {
		if b := line[i]; b < 0x20 && b != '\t' || b == 0x7f {
			return command{}, errBadCharacter
		}
	}
	name, rest, _ := strings.Cut(line, " ")
	if len(name) < 3 || len(name) > 4 {
		return command{}, errBadKeyword
	}
	for i := 0; i < len(name); i++ {
		if b := name[i] | 0x20; b < 'a' || b > 'z' {
			return command{}, errBadKeyword
		}
	}
	cmd := command{name: strings.ToUpper(name), rest: rest}
	for _, f := range strings.Fields(rest) {
		if len(cmd.args) == maxArgs {
			break
		}
		cmd.args = append(cmd.args, f)
	}
	return cmd, nil
}

// parseMsgNumber reads a message number argument: decimal digits only (no
// sign), at least 1. Numbers beyond the maildrop are the caller's to refuse.
func parseMsgNumber(s string) (int, error) {
	n, err := parseDecimal(s)
	if err != nil || n == 0 {
		return 0, errNotNumber
	}
	return n, nil
}

// parseLineCount reads TOP's line count: decimal digits, zero allowed.
func parseLineCount(s string) (int, error) {
	n, err := parseDecimal(s)
	if err != nil {
		return 0, errors.New("the line count is a decimal number of lines")
	}
	return n, nil
}

// parseDecimal accepts 1 to 9 ASCII digits, so the value fits any int.
func parseDecimal(s string) (int, error) {
	if s == "" || len(s) > 9 {
		return 0, errNotNumber
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errNotNumber
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}
