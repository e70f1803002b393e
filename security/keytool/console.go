package keytool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// console asks the questions keytool asks: passwords, the distinguished
// name, yes/no. Prompts go to stderr; answers come from stdin, one line
// each, so scripts can pipe them in. On a terminal, passwords are read
// without echo.
type console struct {
	in       *bufio.Reader
	tty      *os.File // stdin when it is a terminal
	out      io.Writer
	noprompt bool
}

func newConsole(stdin io.Reader, prompts io.Writer, noprompt bool) *console {
	c := &console{in: bufio.NewReader(stdin), out: prompts, noprompt: noprompt}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		c.tty = f
	}
	return c
}

// errNoAnswer means standard input ended before an answer was read.
var errNoAnswer = errors.New("standard input ended")

// line asks prompt and returns the answer without its line end.
func (c *console) line(prompt string) (string, error) {
	fmt.Fprint(c.out, prompt)
	s, err := c.in.ReadString('\n')
	if err != nil && (s == "" || !errors.Is(err, io.EOF)) {
		fmt.Fprintln(c.out)
		if errors.Is(err, io.EOF) {
			return "", errNoAnswer
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

// password asks for a password, without echo on a terminal.
func (c *console) password(prompt string) (string, error) {
	if c.tty == nil {
		return c.line(prompt)
	}
	fmt.Fprint(c.out, prompt)
	b, err := term.ReadPassword(int(c.tty.Fd()))
	fmt.Fprintln(c.out)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// yes asks a yes/no question whose default is no. With -noprompt the
// answer is yes without asking, as keytool does for trust and overwrite.
func (c *console) yes(prompt string) (bool, error) {
	if c.noprompt {
		return true, nil
	}
	a, err := c.line(prompt)
	if errors.Is(err, errNoAnswer) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// minPasswordLen is keytool's minimum for a new keystore password.
const minPasswordLen = 6

// newPassword asks twice for the password of a keystore being created.
func (c *console) newPassword(what string) (string, error) {
	for try := 0; try < 3; try++ {
		pw, err := c.password(fmt.Sprintf("Enter %s password:  ", what))
		if err != nil {
			return "", fmt.Errorf("no %s password: %w", what, err)
		}
		if len(pw) < minPasswordLen {
			fmt.Fprintf(c.out, "%s password is too short - must be at least %d characters\n", capitalize(what), minPasswordLen)
			continue
		}
		again, err := c.password("Re-enter new password: ")
		if err != nil {
			return "", fmt.Errorf("no %s password: %w", what, err)
		}
		if again != pw {
			fmt.Fprintln(c.out, "They don't match. Try again")
			continue
		}
		return pw, nil
	}
	return "", errors.New("too many failures: no password was set")
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
