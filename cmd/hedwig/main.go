// Command hedwig is the hedwig mail server.
//
//	hedwig serve [-c conf/applicationContext.xml] [--port-offset N]
//	hedwig check -c FILE [--port-offset N]
//	hedwig version
//
// The command only parses flags; the work is done by the packages it calls.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/hedwigmail/hedwig/container"
	"github.com/hedwigmail/hedwig/daemon"
	"github.com/hedwigmail/hedwig/diag"
	"github.com/hedwigmail/hedwig/security/keytool"
	"github.com/hedwigmail/hedwig/smtp"
	"github.com/hedwigmail/hedwig/store/admincmd"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

const usage = `usage: hedwig <command> [flags]

commands:
  serve    run the servers of a configuration      (-c FILE, --port-offset N)
  check    load a configuration without binding ports; list listeners and problems
           (-c a Hedwig applicationContext.xml, or a James 3 conf/ directory)
  user     add|passwd|del|list mail users of a configuration's store   (-c FILE)
  alias    add|del|list aliases                                        (-c FILE)
  deliver  deliver a message from stdin, for a front MTA  (-c FILE -f SENDER -r RCPT…)
  keytool  manage keystores and certificates, with the JDK keytool's flags (hedwig keytool -help)
  version  print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 64
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	case "user", "alias":
		return admin(args, stdin, stdout, stderr)
	case "deliver":
		return deliver(args[1:], stdin, stderr)
	case "keytool":
		return keytool.Main(args[1:], stdin, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "hedwig", versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hedwig: unknown command %q\n%s", args[0], usage)
	return 64
}

// configFlags are the flags serve and check share.
type configFlags struct {
	file       string
	portOffset int
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.file, "c", "", "Spring `applicationContext.xml` to load (default: conf/applicationContext.xml, or the embedded default)")
	fs.IntVar(&c.portOffset, "port-offset", 0, "add `N` to every listener port")
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hedwig "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func serve(args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", stderr)
	var cf configFlags
	cf.register(fs)
	jsonLogs := fs.Bool("log-json", false, "log JSON lines instead of text")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	if err := fs.Parse(args); err != nil {
		return 64
	}
	log, err := daemon.NewLogger(*jsonLogs, *level)
	if err != nil {
		fmt.Fprintln(stderr, "hedwig serve:", err)
		return 64
	}
	defer log.Sync()
	err = daemon.Serve(context.Background(), daemon.Options{ConfigFile: cf.file, PortOffset: cf.portOffset}, log)
	if err != nil {
		fmt.Fprintln(stderr, "hedwig serve:", err)
		return 78 // EX_CONFIG
	}
	return 0
}

func check(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", stderr)
	var cf configFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return 64
	}
	path := cf.file
	if path == "" {
		var err error
		if path, err = daemon.DefaultConfigFile(); err != nil {
			fmt.Fprintln(stderr, "hedwig check:", err)
			return 78
		}
	}
	var c *container.Container
	if dir, ok := container.JamesConfDir(path); ok {
		c = container.LoadJames(dir, container.Options{PortOffset: cf.portOffset, CheckOnly: true})
	} else {
		c = container.Load(path, container.Options{PortOffset: cf.portOffset, CheckOnly: true})
	}
	if n := c.WriteReport(stdout); n > 0 {
		fmt.Fprintf(stdout, "%s: %d error(s)\n", path, n)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK\n", path)
	return 0
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// admin runs `hedwig user …` and `hedwig alias …` on the store of the
// configuration given with -c (passwords come from stdin, never argv). -c
// may stand anywhere: `hedwig user add -c conf/applicationContext.xml bob`.
func admin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	path, rest, err := takeConfigFlag(args[1:])
	if err != nil {
		fmt.Fprintf(stderr, "hedwig %s: %v\n", args[0], err)
		return 64
	}
	if path == "" {
		if path, err = daemon.DefaultConfigFile(); err != nil {
			fmt.Fprintln(stderr, "hedwig:", err)
			return 78
		}
	}
	st, probs := container.OpenStore(path, container.Options{})
	if st == nil {
		for _, p := range probs.Filter(diag.Error) {
			fmt.Fprintln(stderr, "hedwig:", p.Error())
		}
		return 78
	}
	defer st.Close()
	return admincmd.Run(context.Background(), st, append([]string{args[0]}, rest...), stdin, stdout, stderr)
}

// takeConfigFlag removes "-c FILE" (or -c=FILE, --c FILE) from args.
func takeConfigFlag(args []string) (file string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "--c":
			if i+1 >= len(args) {
				return "", nil, fmt.Errorf("flag %s needs a file", a)
			}
			file = args[i+1]
			i++
		case strings.HasPrefix(a, "-c=") || strings.HasPrefix(a, "--c="):
			file = a[strings.IndexByte(a, '=')+1:]
		default:
			rest = append(rest, a)
		}
	}
	return file, rest, nil
}

// deliver is `hedwig deliver -f SENDER -r RCPT… < message`, with Hedwig's
// exit codes: 0 delivered, 64 usage, 67 unknown user, 75 try again later,
// 78 configuration error.
func deliver(args []string, stdin io.Reader, stderr io.Writer) int {
	path, args, err := takeConfigFlag(args)
	if err != nil {
		fmt.Fprintln(stderr, "hedwig deliver:", err)
		return smtp.ExitUsage
	}
	fs := newFlagSet("deliver", stderr)
	from := fs.String("f", "", "envelope `sender` (empty for a bounce)")
	var rcpts []string
	fs.Func("r", "`recipient`; repeat -r, or list more recipients after the flags", func(v string) error {
		rcpts = append(rcpts, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return smtp.ExitUsage
	}
	rcpts = append(rcpts, fs.Args()...)
	if len(rcpts) == 0 {
		fmt.Fprintln(stderr, "hedwig deliver: no recipient: usage: hedwig deliver [-c FILE] -f SENDER -r RCPT... < message")
		return smtp.ExitUsage
	}
	if path == "" {
		if path, err = daemon.DefaultConfigFile(); err != nil {
			fmt.Fprintln(stderr, "hedwig deliver:", err)
			return smtp.ExitConfig
		}
	}
	err = container.Deliver(context.Background(), path, container.Options{}, *from, rcpts, stdin)
	if err == nil {
		return smtp.ExitOK
	}
	fmt.Fprintln(stderr, "hedwig deliver:", err)
	if errors.Is(err, container.ErrConfig) {
		return smtp.ExitConfig
	}
	return smtp.ExitCode(err)
}
