package container

import (
	"os"
	"path/filepath"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// traceLogger returns where a listener's protocol trace goes, or nil when
// tracing is off: the *_protocol_log file when one is set (as Hedwig's
// DebuggingHandler wrote it), else the server log.
func (e *env) traceLogger(on bool, logFile string) *zap.Logger {
	if !on {
		return nil
	}
	if logFile == "" || e.opts.CheckOnly {
		return e.log.Named("trace")
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o750); err != nil {
		e.log.Error("protocol log: tracing to the server log instead", zap.Error(err))
		return e.log.Named("trace")
	}
	f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		e.log.Error("protocol log: tracing to the server log instead", zap.Error(err))
		return e.log.Named("trace")
	}
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.ISO8601TimeEncoder
	core := zapcore.NewCore(zapcore.NewConsoleEncoder(enc), zapcore.AddSync(f), zap.InfoLevel)
	return zap.New(core)
}
