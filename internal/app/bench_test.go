package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkPutLogEvents measures the server side of ingestion: a 1,000-event
// PutLogEvents of ~200-byte lines through the whole front door (dev-mode
// auth), JSON decoding, validation, the engine and a durable DuckDB commit.
func BenchmarkPutLogEvents(b *testing.B) {
	a, err := New(context.Background(), Config{DataDir: b.TempDir(), Dev: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Shutdown(context.Background())
	h := a.Handler()
	call := func(target string, body []byte) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Target", "Logs_20140328."+target)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
	}
	call("CreateLogGroup", []byte(`{"logGroupName":"g"}`))
	call("CreateLogStream", []byte(`{"logGroupName":"g","logStreamName":"s"}`))
	type event struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	events := make([]event, 1000)
	size := 0
	for i := range events {
		events[i] = event{time.Now().UnixMilli(), fmt.Sprintf(`{"level":"INFO","path":"/api/users","latency":%d,"status":200,"request_id":"%016x","msg":"handled request for user %06d"}`, i, i*7919, i)}
		size += len(events[i].Message)
	}
	body, _ := json.Marshal(map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": events})
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/", io.NopCloser(bytes.NewReader(body)))
		r.Header.Set("X-Amz-Target", "Logs_20140328.PutLogEvents")
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("PutLogEvents: %d %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
