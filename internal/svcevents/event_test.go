package svcevents

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
)

// TestEnvelopeGolden pins the envelope's bytes: the members AWS sends, in
// AWS's order.
func TestEnvelopeGolden(t *testing.T) {
	e := Event{
		ID: "6a7e8feb-b491-4cf7-a9f1-bf3703467718", DetailType: DetailTypeAlarmStateChange, Source: "aws.cloudwatch",
		Account: "123456789012", Region: "us-east-1",
		// Sub-second time in another zone: the envelope keeps UTC seconds.
		Time:      time.Date(2026, 1, 2, 4, 4, 5, 999_000_000, time.FixedZone("CET", 3600)),
		Resources: []string{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:<high & cpu>"},
		Detail:    json.RawMessage(`{ "alarmName": "<high & cpu>", "state": {"value": "ALARM"} }`),
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "envelope.golden.json", append(b, '\n'))
}

func TestEnvelopeDefaults(t *testing.T) {
	b, err := json.Marshal(&Event{ID: "x", DetailType: "d", Source: "aws.logs", Time: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"version":"0","id":"x","detail-type":"d","source":"aws.logs","account":"","time":"1970-01-01T00:00:00Z",` +
		`"region":"","resources":[],"detail":{}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	in := Event{
		ID: "id", DetailType: DetailTypeAPICall, Source: "aws.logs", Account: "123456789012", Region: "eu-west-1",
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Resources: []string{"arn:a"}, Detail: json.RawMessage(`{"a":1}`),
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Event
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	b2, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) || !out.Time.Equal(in.Time) {
		t.Errorf("round trip changed the event:\n%s\n%s", b, b2)
	}
}

func TestUnmarshalRefuses(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"version", `{"version":"1","id":"x","time":"2026-01-02T03:04:05Z"}`, `unsupported version "1"`},
		{"time", `{"version":"0","id":"x","time":"yesterday"}`, "cannot decode event x"},
		{"syntax", `{"version":`, "cannot decode event"},
	} {
		var e Event
		err := e.UnmarshalJSON([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got error %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestMarshalRefusesBadDetail(t *testing.T) {
	if _, err := json.Marshal(Event{ID: "x", Detail: json.RawMessage(`{`)}); err == nil {
		t.Error("an event with a malformed detail marshalled")
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !uuidV4.MatchString(id) {
			t.Fatalf("NewID() = %q; want a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() returned %q twice", id)
		}
		seen[id] = true
	}
}
