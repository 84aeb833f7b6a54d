package app

import (
	"context"
	"time"

	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/audit"
)

// How often each node moves the server access log records it kept into
// the store, and how often the stored ones are delivered as log objects
// (S3 delivers them within a few hours; Vigil every five minutes).
const (
	accessLogFlushEvery   = time.Second
	accessLogDeliverEvery = 5 * time.Minute
)

// s3AccessLogs is the audit sink of S3's server access logs; the bucket
// store it feeds opens after the sinks are made, and before any request.
type s3AccessLogs struct{ a *App }

// Record hands an S3 request to the bucket store's access logs.
func (s s3AccessLogs) Record(ctx context.Context, e *audit.Event) {
	if e.Service == "s3" {
		s3.AccessLogSink{B: s.a.buckets, Logger: s.a.logger}.Record(ctx, e)
	}
}
