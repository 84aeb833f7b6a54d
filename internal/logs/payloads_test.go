package logs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// The outbox payloads are versioned API (payloads.go): items wait in a
// database across upgrades, so each version's encoding is pinned here by
// golden files under testdata/payloads. A golden file changes only with a
// new payload version; `go test ./internal/logs -run Payload -update`
// rewrites the goldens of the current versions, and the diff must then
// be explained by a new version (the old goldens stay, as literal
// fixtures of their version).

var updatePayloadGoldens = flag.Bool("update", false, "rewrite the payload golden files in testdata/payloads")

const (
	metricGolden       = "testdata/payloads/metric-v1.json"
	metricLegacyGolden = "testdata/payloads/metric-v1-legacy.json" // written by hand; -update leaves it
	subscriptionGolden = "testdata/payloads/subscription-v1.json"
)

// goldenData are data points covering what the engine publishes: a
// distribution with dimensions at high resolution, a value without
// dimensions, escaping, and timestamps with and without milliseconds.
func goldenData() []Datum {
	return []Datum{
		{
			Namespace: "App/Orders", Name: "Latency",
			Dimensions: []Dimension{{Name: "Service", Value: "checkout"}, {Name: "Stage", Value: "prod"}},
			Timestamp:  time.Date(2024, 3, 5, 12, 34, 56, 789_000_000, time.UTC),
			Values:     []float64{12.5, 3, 0.001, 250},
			Unit:       "Milliseconds", StorageResolution: 1,
		},
		{
			Namespace: "App/Orders", Name: "Errors",
			Timestamp: time.Date(2024, 3, 5, 12, 34, 57, 1_000_000, time.UTC),
			Value:     1,
			Unit:      "Count", StorageResolution: 60,
		},
		{
			Namespace: "Custom <&> ns", Name: "Température",
			Dimensions: []Dimension{{Name: "Host", Value: "web-1 \"a\"\n"}},
			Timestamp:  time.Date(2024, 3, 5, 12, 35, 0, 100_000_000, time.UTC),
			Value:      -42.25,
			Unit:       "None", StorageResolution: 60,
		},
		{
			Namespace: "App/Orders", Name: "Bytes",
			Dimensions: []Dimension{{Name: "Service", Value: "checkout"}},
			Timestamp:  time.Date(2024, 3, 5, 12, 36, 0, 0, time.UTC),
			Value:      1.5e300,
			Unit:       "Bytes", StorageResolution: 1,
		},
	}
}

// legacyData are the data points of metric-v1-legacy.json.
func legacyData() []Datum {
	return []Datum{
		{
			Namespace: "MyApp", Name: "RequestCount",
			Dimensions: []Dimension{{Name: "Operation", Value: "GetItem"}},
			Timestamp:  time.Date(2023, 11, 14, 22, 13, 20, 123_000_000, time.UTC),
			Value:      1, Unit: "Count", StorageResolution: 60,
		},
		{
			// The old code kept an empty (non-nil) dimension list as [].
			Namespace: "MyApp", Name: "Latency",
			Timestamp: time.Date(2023, 11, 14, 22, 13, 21, 0, time.UTC),
			Values:    []float64{100, 200.5}, Unit: "Milliseconds", StorageResolution: 1,
		},
		{
			// A timestamp written in a zone other than UTC.
			Namespace: "MyApp", Name: "Queue",
			Timestamp: time.Date(2023, 11, 15, 0, 13, 22, 5_000_000, time.FixedZone("", 2*3600)),
			Value:     0, Unit: "None", StorageResolution: 60,
		},
	}
}

const (
	goldenOwner  = "123456789012"
	goldenGroup  = "/aws/lambda/orders"
	goldenStream = "2024/03/05/[$LATEST]0123456789abcdef"
	goldenFilter = "errors-to-kinesis"
)

func goldenEvents() []store.LogEvent {
	return []store.LogEvent{
		{StreamID: 7, Stream: goldenStream, Timestamp: 1709642096789, Ingestion: 1709642097000, Seq: 41, Message: "ERROR something failed"},
		{StreamID: 7, Stream: goldenStream, Timestamp: 1709642096790, Ingestion: 1709642097000, Seq: 42,
			Message: `{"level":"error","msg":"<b>&amp; \"quoted\"</b>","unicode":"é✓"}`},
		{StreamID: 7, Stream: goldenStream, Timestamp: 1709642100000, Ingestion: 1709642100001, Seq: 1 << 40, Message: "line one\nline two\ttabbed"},
	}
}

// checkGolden compares got with a golden file, or rewrites the file with
// -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updatePayloadGoldens {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encoding differs from %s: a changed encoding needs a new payload version\n got: %s\nwant: %s", path, got, want)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gunzip decompresses a whole gzip stream, checking its trailer.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("payload is not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("payload does not decompress: %v", err)
	}
	if err := zr.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPayloadMetricGolden(t *testing.T) {
	data := goldenData()
	got, err := encodeMetrics(data)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, metricGolden, got)

	back, err := decodeMetrics(metricPayloadVersion, readFile(t, metricGolden))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, data) {
		t.Errorf("golden decodes to\n%#v\nwant\n%#v", back, data)
	}
}

func TestPayloadMetricLegacy(t *testing.T) {
	// Items enqueued before payloads had versions were json.Marshal of
	// the metrics engine's Datum (no tags, Counts and Stats null); they
	// are version 1 and must keep decoding.
	got, err := decodeMetrics(1, readFile(t, metricLegacyGolden))
	if err != nil {
		t.Fatal(err)
	}
	want := legacyData()
	if len(got) != len(want) {
		t.Fatalf("decoded %d data points, want %d", len(got), len(want))
	}
	for i := range want {
		if !datumEqual(got[i], want[i]) {
			t.Errorf("data point %d decodes to\n%#v\nwant\n%#v", i, got[i], want[i])
		}
	}
}

func TestPayloadSubscriptionGolden(t *testing.T) {
	events := goldenEvents()
	payload, err := dataMessage(goldenOwner, goldenGroup, goldenStream, goldenFilter, events)
	if err != nil {
		t.Fatal(err)
	}
	// The gzip bytes depend on the compressor; the message they carry is
	// what is pinned.
	checkGolden(t, subscriptionGolden, gunzip(t, payload))

	want := &subscriptionMessage{
		MessageType: "DATA_MESSAGE", Owner: goldenOwner, LogGroup: goldenGroup, LogStream: goldenStream,
		SubscriptionFilters: []string{goldenFilter},
	}
	for _, ev := range events {
		want.LogEvents = append(want.LogEvents, subscriptionEvent{ID: EventID(ev.Seq), Timestamp: ev.Timestamp, Message: ev.Message})
	}
	got, err := decodeDataMessage(subscriptionPayloadVersion, payload)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("payload decodes to\n%#v\nwant\n%#v", got, want)
	}
	// The golden, compressed by any compressor, decodes the same.
	got, err = decodeDataMessage(1, gzipBytes(t, readFile(t, subscriptionGolden)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("golden decodes to\n%#v\nwant\n%#v", got, want)
	}
}

func TestPayloadMetricRefusals(t *testing.T) {
	golden := readFile(t, metricGolden)
	for _, c := range []struct {
		name    string
		version int
		payload string
	}{
		{"version 0", 0, string(golden)},
		{"version 2", 2, string(golden)},
		{"empty", 1, ""},
		{"not JSON", 1, "not json"},
		{"truncated", 1, string(golden[:len(golden)/2])},
		{"unclosed array", 1, "["},
		{"object, not array", 1, `{"Namespace":"N","Name":"M"}`},
		{"wrong type", 1, `[{"Value":"one"}]`},
		{"unknown field", 1, `[{"Namespace":"N","Name":"M","Extra":1}]`},
		{"unknown dimension field", 1, `[{"Dimensions":[{"Name":"a","Value":"b","Extra":"c"}]}]`},
		{"counts", 1, `[{"Namespace":"N","Name":"M","Values":[1,2],"Counts":[3,4]}]`},
		{"empty counts", 1, `[{"Counts":[]}]`},
		{"stats", 1, `[{"Namespace":"N","Name":"M","Stats":{"SampleCount":1,"Sum":2,"Minimum":2,"Maximum":2}}]`},
		{"stats zero", 1, `[{"Stats":0}]`},
		{"stats later point", 1, `[{"Name":"ok"},{"Name":"bad","Stats":{}}]`},
		{"data after the array", 1, `[{"Name":"a"}] {"x":`},
		{"null", 1, `null`},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err := decodeMetrics(c.version, []byte(c.payload))
			if err == nil {
				t.Fatalf("decoded %#v, want an error", data)
			}
			if !errors.Is(err, errPayload) {
				t.Errorf("error %v does not wrap errPayload", err)
			}
		})
	}
}

func TestPayloadSubscriptionRefusals(t *testing.T) {
	golden := readFile(t, subscriptionGolden)
	message := func(messageType string) []byte {
		var m map[string]any
		if err := json.Unmarshal(golden, &m); err != nil {
			t.Fatal(err)
		}
		if messageType == "" {
			delete(m, "messageType")
		} else {
			m["messageType"] = messageType
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return gzipBytes(t, b)
	}
	compressed := gzipBytes(t, golden)
	badCRC := slices.Clone(compressed)
	badCRC[len(badCRC)-8] ^= 0xff
	for _, c := range []struct {
		name    string
		version int
		payload []byte
	}{
		{"version 0", 0, compressed},
		{"version 2", 2, compressed},
		{"empty", 1, nil},
		{"not gzip", 1, golden},
		{"gzip header cut", 1, compressed[:5]},
		{"gzip body cut", 1, compressed[:20]},
		{"malformed JSON", 1, gzipBytes(t, []byte(`{"messageType":"DATA_MESSAGE",`))},
		{"not JSON", 1, gzipBytes(t, []byte("hello"))},
		{"wrong type", 1, gzipBytes(t, []byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"timestamp":"soon"}]}`))},
		{"control message", 1, message("CONTROL_MESSAGE")},
		{"lower-case type", 1, message("data_message")},
		{"no message type", 1, message("")},
		{"trailer cut", 1, compressed[:len(compressed)-8]},
		{"damaged CRC", 1, badCRC},
		{"second gzip member", 1, append(slices.Clone(compressed), compressed...)},
		{"data after the JSON", 1, gzipBytes(t, []byte(`{"messageType":"DATA_MESSAGE"} garbage`))},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := decodeDataMessage(c.version, c.payload)
			if err == nil {
				t.Fatalf("decoded %#v, want an error", m)
			}
			if !errors.Is(err, errPayload) {
				t.Errorf("error %v does not wrap errPayload", err)
			}
		})
	}
}

// datumEqual compares data points, timestamps by instant and offset
// (the zone's *Location may differ between decodes of one text).
func datumEqual(a, b Datum) bool {
	_, ao := a.Timestamp.Zone()
	_, bo := b.Timestamp.Zone()
	if !a.Timestamp.Equal(b.Timestamp) || ao != bo {
		return false
	}
	a.Timestamp, b.Timestamp = time.Time{}, time.Time{}
	return reflect.DeepEqual(a, b)
}

func FuzzDecodeMetrics(f *testing.F) {
	for _, path := range []string{metricGolden, metricLegacyGolden} {
		b := readFile(f, path)
		f.Add(1, b)
		f.Add(2, b)
	}
	f.Add(1, []byte(`[]`))
	f.Add(1, []byte(`null`))
	f.Add(1, []byte(`[{"Timestamp":"2024-01-01T00:00:00.5+01:00","Values":[],"Dimensions":[]}]`))
	f.Add(0, []byte(`[{"Counts":[1]}]`))
	f.Fuzz(func(t *testing.T, version int, payload []byte) {
		data, err := decodeMetrics(version, payload)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error %v does not wrap errPayload", err)
			}
			return
		}
		// What decodes re-encodes, and decodes to the same data points;
		// from then on the encoding is a fixed point.
		enc, err := encodeMetrics(data)
		if err != nil {
			t.Fatalf("decoded data points do not re-encode: %v\n%#v", err, data)
		}
		again, err := decodeMetrics(metricPayloadVersion, enc)
		if err != nil {
			t.Fatalf("re-encoded payload does not decode: %v\n%s", err, enc)
		}
		if len(again) != len(data) {
			t.Fatalf("re-decoded %d data points, want %d", len(again), len(data))
		}
		for i := range data {
			if !datumEqual(again[i], data[i]) {
				t.Fatalf("data point %d re-decodes to\n%#v\nwant\n%#v", i, again[i], data[i])
			}
		}
		enc2, err := encodeMetrics(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("re-encoding is not stable:\n%s\n%s", enc, enc2)
		}
	})
}

func FuzzDecodeDataMessage(f *testing.F) {
	golden := readFile(f, subscriptionGolden)
	// compress has the target gzip the input itself, so that the fuzzer
	// explores the message rather than only the gzip framing.
	f.Add(1, golden, true)
	f.Add(1, gzipBytes(f, golden), false)
	f.Add(2, gzipBytes(f, golden), false)
	f.Add(1, golden, false)
	f.Add(1, []byte(`{"messageType":"CONTROL_MESSAGE"}`), true)
	f.Fuzz(func(t *testing.T, version int, payload []byte, compress bool) {
		if compress {
			payload = gzipBytes(t, payload)
		}
		m, err := decodeDataMessage(version, payload)
		if err != nil {
			if !errors.Is(err, errPayload) {
				t.Fatalf("error %v does not wrap errPayload", err)
			}
			return
		}
		if m.MessageType != "DATA_MESSAGE" {
			t.Fatalf("decoded a message of type %q", m.MessageType)
		}
		// What decodes re-encodes (as dataMessage does) to the same.
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(m); err != nil {
			t.Fatalf("decoded message does not re-encode: %v", err)
		}
		again, err := decodeDataMessage(subscriptionPayloadVersion, gzipBytes(t, buf.Bytes()))
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("message re-decodes to\n%#v\nwant\n%#v", again, m)
		}
	})
}
