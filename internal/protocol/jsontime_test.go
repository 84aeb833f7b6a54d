package protocol

import (
	"reflect"
	"testing"
	"time"
)

type tTimes struct {
	Epoch *time.Time `aws:"Epoch"`
	ISO   *time.Time `aws:"ISO,ts=iso8601"`
	Unix  *time.Time `aws:"Unix,ts=unixTimestamp"`
}

// TestJSONTimestampFormats: JSON bodies write timestamps as epoch
// seconds unless the model names another format for the member (the
// Schema Registry's dates are ISO 8601, which the Go SDK insists on).
func TestJSONTimestampFormats(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 250e6, time.FixedZone("x", 3600))
	v := tTimes{Epoch: &at, ISO: &at, Unix: &at}
	got := string(appendJSONStruct(nil, reflect.ValueOf(v), infoOf(reflect.TypeFor[tTimes]()).st))
	want := `{"Epoch":1767319445.25,"ISO":"2026-01-02T02:04:05.250Z","Unix":1767319445.25}`
	if got != want {
		t.Errorf("JSON = %s\nwant %s", got, want)
	}
}
