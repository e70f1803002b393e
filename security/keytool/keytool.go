// Package keytool implements `hedwig keytool`: the JDK's keytool commands
// that mail administrators use (genkeypair, certreq, importcert, list,
// exportcert, importkeystore, delete, printcert), with the JDK's option
// spelling, so that the JDK-based recipes in Hedwig's and James's
// documentation work with `hedwig keytool` in place of `keytool`, without a
// JDK and without an OpenSSL configuration file.
//
// It reads keystores through package security (JKS, JCEKS, PEM, DER) and
// its own PKCS#12 reader, which keeps every entry and alias; it writes JKS
// with keystore-go, PKCS#12 with go-pkcs12's key protection, and PEM as a
// certificate file plus an unencrypted key file. Every file it writes has
// mode 0600.
package keytool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Exit codes of Main.
const (
	ExitOK    = 0
	ExitError = 1  // the command failed: wrong password, missing alias, ...
	ExitUsage = 64 // the command line is wrong (sysexits EX_USAGE)
)

// Main runs `hedwig keytool` with args (the words after "keytool"), reading
// passwords, answers and certificates from stdin, writing results to stdout
// and prompts, notes and errors to stderr. It returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args)
	if err != nil {
		fmt.Fprintf(stderr, "keytool error: %v\n", err)
		if opts != nil && opts.cmd != nil {
			fmt.Fprintf(stderr, "Use \"hedwig keytool -%s -help\" for the options of this command.\n", opts.cmd.name)
		} else {
			fmt.Fprintln(stderr, "Use \"hedwig keytool -help\" for the list of commands.")
		}
		return ExitUsage
	}
	if opts.cmd == nil || opts.cmd.name == "help" {
		printHelp(stdout)
		return ExitOK
	}
	if opts.has("help") {
		printCommandHelp(stdout, opts.cmd)
		return ExitOK
	}
	r := &run{
		opts:    opts,
		stdout:  stdout,
		stderr:  stderr,
		console: newConsole(stdin, stderr, opts.has("noprompt")),
	}
	if err := opts.cmd.run(r); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "keytool error: %v\n", err)
			return ExitUsage
		}
		fmt.Fprintf(stderr, "keytool error: %v\n", err)
		return ExitError
	}
	return ExitOK
}

// run is the state of one Main call.
type run struct {
	opts    *options
	stdout  io.Writer
	stderr  io.Writer
	console *console
}

// notef writes an informational line to stderr, as keytool does.
func (r *run) notef(format string, args ...any) {
	fmt.Fprintf(r.stderr, format+"\n", args...)
}

// usageError is a command line the command cannot run with.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func printHelp(w io.Writer) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	fmt.Fprintln(bw, "hedwig keytool: key and certificate management, spelled like the JDK's keytool")
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, "Commands:")
	fmt.Fprintln(bw)
	for _, c := range commands {
		fmt.Fprintf(bw, " -%-17s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, `Use "hedwig keytool -COMMAND -help" for the options of COMMAND.`)
	fmt.Fprintln(bw, "Store types: JKS, PKCS12, PEM (a certificate file and a key file), JCEKS (read only).")
	fmt.Fprintln(bw, "Passwords missing from the command line are read from standard input;")
	fmt.Fprintln(bw, "-storepass:env NAME and -storepass:file PATH read them from the environment or a file.")
}

func printCommandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "hedwig keytool -%s [OPTION]...\n\n%s\n\nOptions:\n\n", c.name, c.summary)
	for _, o := range c.options {
		spec := optionSpecs[o]
		arg := ""
		if spec.arg != "" {
			arg = " " + spec.arg
		}
		fmt.Fprintf(w, " %-28s %s\n", "-"+o+arg, spec.help)
	}
	if len(c.aliases) > 0 {
		fmt.Fprintf(w, "\nAlso spelled: -%s\n", strings.Join(c.aliases, ", -"))
	}
}

// osFileMode is the mode of every file keytool writes: keys are secrets,
// and certificates and requests are kept alike so one umask fits all.
const osFileMode os.FileMode = 0o600
