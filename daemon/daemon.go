// Package daemon runs a hedwig configuration as a server process: it loads
// the container, starts it, reloads key material on SIGHUP and stops it
// gracefully on SIGTERM or SIGINT.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/hedwigmail/hedwig/conf"
	"github.com/hedwigmail/hedwig/container"
)

// Options are the flags of `hedwig serve`.
type Options struct {
	ConfigFile string // -c; "" = DefaultConfigFile()
	PortOffset int
	LogJSON    bool
	LogLevel   string // debug, info, warn, error
	// StopTimeout bounds the graceful stop; zero: 30 seconds.
	StopTimeout time.Duration
	// Started, if set, is called once every listener accepts.
	Started func(*container.Container)
}

// NewLogger returns the process logger: human-readable lines on stderr, or
// JSON when asked.
func NewLogger(json bool, level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.Sampling = nil
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	if !json {
		cfg.Encoding = "console"
		cfg.EncoderConfig.EncodeLevel = zapcore.CapitalLevelEncoder
	}
	cfg.DisableStacktrace = true
	return cfg.Build()
}

// DefaultConfigFile is the configuration `hedwig serve` uses without -c:
// conf/applicationContext.xml under the current directory when there is
// one (a checkout or an installed Hedwig home), otherwise the embedded
// default, written once to the user's hedwig home.
func DefaultConfigFile() (string, error) {
	local := filepath.Join("conf", "applicationContext.xml")
	if _, err := os.Stat(local); err == nil {
		return local, nil
	}
	home := os.Getenv("HEDWIG_HOME")
	if home == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("no conf/applicationContext.xml here and no user config directory: %w", err)
		}
		home = filepath.Join(dir, "hedwig")
	}
	return ExtractShipped(home)
}

// ExtractShipped writes the embedded default configuration into home/conf
// unless it is already there, and returns its applicationContext.xml.
func ExtractShipped(home string) (string, error) {
	confDir := filepath.Join(home, "conf")
	if err := os.MkdirAll(confDir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", confDir, err)
	}
	err := fs.WalkDir(conf.Shipped, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		dst := filepath.Join(confDir, path)
		if _, err := os.Stat(dst); err == nil {
			return nil // never overwrite an administrator's file
		}
		data, err := conf.Shipped.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("write the default configuration to %s: %w", confDir, err)
	}
	return filepath.Join(confDir, "applicationContext.xml"), nil
}

// Serve loads and starts the configuration and blocks until SIGTERM or
// SIGINT (or ctx ends), then stops it gracefully.
func Serve(ctx context.Context, opts Options, log *zap.Logger) error {
	path := opts.ConfigFile
	if path == "" {
		var err error
		if path, err = DefaultConfigFile(); err != nil {
			return err
		}
	}
	began := time.Now()
	var c *container.Container
	if dir, ok := container.JamesConfDir(path); ok {
		c = container.LoadJames(dir, container.Options{PortOffset: opts.PortOffset, Logger: log})
	} else {
		c = container.Load(path, container.Options{PortOffset: opts.PortOffset, Logger: log})
	}
	for _, p := range c.Problems.All() {
		switch p.Severity.String() {
		case "error":
			log.Error(p.Error())
		case "warning":
			log.Warn(p.Error())
		default:
			log.Info(p.Error())
		}
	}
	if err := c.Problems.Err(); err != nil {
		return fmt.Errorf("%s: configuration has errors (run `hedwig check -c %s`)", path, path)
	}

	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err := c.Start(startCtx)
	cancel()
	if err != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Stop(stopCtx)
		return fmt.Errorf("start %s: %w", path, err)
	}
	log.Info("hedwig started", zap.String("config", path), zap.Int("listeners", len(c.Servers())),
		zap.Duration("startup", time.Since(began)))
	if opts.Started != nil {
		opts.Started(c)
	}

	for {
		select {
		case <-ctx.Done():
			return stop(c, opts, log, ctx.Err().Error())
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				if err := c.Reload(); err != nil {
					log.Error("reload failed; the old key material stays in use", zap.Error(err))
				} else {
					log.Info("reloaded key material")
				}
				continue
			}
			return stop(c, opts, log, sig.String())
		}
	}
}

func stop(c *container.Container, opts Options, log *zap.Logger, why string) error {
	timeout := opts.StopTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	log.Info("stopping", zap.String("reason", why))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := c.Stop(ctx); err != nil && !errors.Is(err, context.Canceled) {
		log.Warn("stopped with sessions cut short", zap.Error(err))
		return nil
	}
	log.Info("stopped")
	return nil
}
