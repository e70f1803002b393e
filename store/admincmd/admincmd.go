// Package admincmd implements hedwig's user and alias administration
// commands on a store; cmd/hedwig only opens the store of the configuration
// named by -c and calls Run.
//
//	hedwig user add ADDRESS       password: first line of standard input
//	hedwig user passwd ADDRESS    new password: first line of standard input
//	hedwig user del ADDRESS
//	hedwig user list
//	hedwig alias add ALIAS TARGET
//	hedwig alias del ALIAS [TARGET]
//	hedwig alias list
//
// Passwords are never taken from the command line, where other users could
// read them in the process list.
package admincmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hedwigmail/hedwig/store"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

const usage = `usage:
  hedwig user add ADDRESS        (password on standard input)
  hedwig user passwd ADDRESS     (password on standard input)
  hedwig user del ADDRESS
  hedwig user list
  hedwig alias add ALIAS TARGET
  hedwig alias del ALIAS [TARGET]
  hedwig alias list
`

// Run executes one command; args start with "user" or "alias". It returns
// the process exit code.
func Run(ctx context.Context, st *store.Store, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "hedwig: %v\n", err)
		return ExitFailure
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "hedwig: "+format+"\n%s", append(a, usage)...)
		return ExitUsage
	}
	if len(args) < 2 {
		return bad("missing command")
	}
	cmd, rest := args[0]+" "+args[1], args[2:]
	want := func(min, max int) bool { return len(rest) >= min && len(rest) <= max }
	switch cmd {
	case "user add", "user passwd":
		if !want(1, 1) {
			return bad("%s takes one address (the password is read from standard input)", cmd)
		}
		pw, err := readPassword(stdin)
		if err != nil {
			return fail(err)
		}
		if cmd == "user add" {
			u, err := st.AddUser(ctx, rest[0], pw)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(stdout, "added user %s\n", u.Login)
			return ExitOK
		}
		if err := st.SetPassword(ctx, rest[0], pw); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "changed password of %s\n", st.CanonicalAddress(rest[0]))
	case "user del":
		if !want(1, 1) {
			return bad("user del takes one address")
		}
		if err := st.DeleteUser(ctx, rest[0]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "deleted user %s\n", st.CanonicalAddress(rest[0]))
	case "user list":
		if !want(0, 0) {
			return bad("user list takes no arguments")
		}
		users, err := st.Users(ctx)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ADDRESS\tQUOTA MB\tFORWARD")
		for _, u := range users {
			quota := "default"
			if u.QuotaMB > 0 {
				quota = fmt.Sprint(u.QuotaMB)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", u.Login, quota, u.Forward)
		}
		tw.Flush()
	case "alias add":
		if !want(2, 2) {
			return bad("alias add takes an alias and a target")
		}
		if err := st.AddAlias(ctx, rest[0], rest[1]); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "added alias %s -> %s\n", st.CanonicalAddress(rest[0]), rest[1])
	case "alias del":
		if !want(1, 2) {
			return bad("alias del takes an alias and optionally one target")
		}
		target := ""
		if len(rest) == 2 {
			target = rest[1]
		}
		n, err := st.DeleteAlias(ctx, rest[0], target)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(stdout, "deleted %d alias entr%s of %s\n", n, map[bool]string{true: "y", false: "ies"}[n == 1], st.CanonicalAddress(rest[0]))
	case "alias list":
		if !want(0, 0) {
			return bad("alias list takes no arguments")
		}
		aliases, err := st.Aliases(ctx)
		if err != nil {
			return fail(err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ALIAS\tDELIVER TO")
		for _, a := range aliases {
			fmt.Fprintf(tw, "%s\t%s\n", a.Alias, a.DeliverTo)
		}
		tw.Flush()
	default:
		return bad("unknown command %q", cmd)
	}
	return ExitOK
}

// readPassword takes the first line of r without its line ending.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no password: pipe it to standard input, e.g. printf 'secret\\n' | hedwig user add ADDRESS")
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("empty password on standard input: pipe it in, e.g. printf 'secret\\n' | hedwig user add ADDRESS")
	}
	return pw, nil
}
