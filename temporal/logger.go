package temporal

import (
	sdklog "go.temporal.io/sdk/log"
	"go.uber.org/zap"
)

// SDKLogger adapts a zap logger to the Temporal SDK's logger, so the client
// and the worker log through weft's zap configuration (LOG_LEVEL,
// LOG_FORMAT).
func SDKLogger(l *zap.Logger) sdklog.Logger {
	return sdkLogger{l.WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

type sdkLogger struct{ s *zap.SugaredLogger }

func (l sdkLogger) Debug(msg string, keyvals ...any) { l.s.Debugw(msg, keyvals...) }
func (l sdkLogger) Info(msg string, keyvals ...any)  { l.s.Infow(msg, keyvals...) }
func (l sdkLogger) Warn(msg string, keyvals ...any)  { l.s.Warnw(msg, keyvals...) }
func (l sdkLogger) Error(msg string, keyvals ...any) { l.s.Errorw(msg, keyvals...) }

// With implements sdklog.WithLogger.
func (l sdkLogger) With(keyvals ...any) sdklog.Logger { return sdkLogger{l.s.With(keyvals...)} }

var (
	_ sdklog.Logger     = sdkLogger{}
	_ sdklog.WithLogger = sdkLogger{}
)
