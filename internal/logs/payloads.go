package logs

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// The engine's outbox items and their payloads. A payload's encoding is
// versioned API: items wait in the outbox across restarts and upgrades,
// so each version's encoding is pinned by golden bytes (payloads_test.go)
// and decoded by its own code for as long as a database may hold it. A
// new encoding takes a new version; its decoder keeps the old ones.

// Outbox kinds of the logs engine.
const (
	// KindMetric items carry the data points of metric filters and of
	// the embedded metric format for the metrics engine (MetricSink).
	KindMetric = "logs.metric"
	// KindSubscription items carry a subscription filter's DATA_MESSAGE
	// to its destination ARN (through the dispatcher).
	KindSubscription = "logs.subscription"
)

// The payload versions the engine writes.
const (
	metricPayloadVersion       = 1
	subscriptionPayloadVersion = 1
)

// Datum is a metric data point that the engine publishes: one value, or a
// distribution (Values, each observed once).
type Datum struct {
	Namespace, Name string
	Dimensions      []Dimension
	// Timestamp is when the value was observed.
	Timestamp time.Time
	// Value is the observation when Values is empty.
	Value  float64
	Values []float64
	// Unit is a CloudWatch unit ("None" when unset).
	Unit string
	// StorageResolution is 1 (high resolution) or 60 seconds.
	StorageResolution int
}

// Dimension is a name/value pair identifying a metric.
type Dimension struct {
	Name, Value string
}

// metricV1 is a data point in logs.metric payloads of version 1: a JSON
// array of these objects, with every member present (null when empty).
// The names are those of the metrics engine's Datum fields, which the
// first payloads were encoded from without tags; Counts and Stats are
// always null (filters and EMF publish neither).
type metricV1 struct {
	Namespace         string          `json:"Namespace"`
	Name              string          `json:"Name"`
	Dimensions        []dimensionV1   `json:"Dimensions"`
	Timestamp         time.Time       `json:"Timestamp"`
	Value             float64         `json:"Value"`
	Values            []float64       `json:"Values"`
	Counts            []float64       `json:"Counts"`
	Stats             json.RawMessage `json:"Stats"`
	Unit              string          `json:"Unit"`
	StorageResolution int             `json:"StorageResolution"`
}

type dimensionV1 struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// encodeMetrics encodes data points as the payload of the current
// version.
func encodeMetrics(data []Datum) ([]byte, error) {
	out := make([]metricV1, len(data))
	for i, d := range data {
		m := metricV1{Namespace: d.Namespace, Name: d.Name, Timestamp: d.Timestamp, Value: d.Value, Values: d.Values,
			Unit: d.Unit, StorageResolution: d.StorageResolution}
		for _, dim := range d.Dimensions {
			m.Dimensions = append(m.Dimensions, dimensionV1(dim))
		}
		out[i] = m
	}
	return json.Marshal(out)
}

// errPayload marks a payload that cannot be decoded: retrying cannot help.
var errPayload = errors.New("damaged or unknown payload")

// decodeMetrics decodes a logs.metric payload of a version.
func decodeMetrics(version int, payload []byte) ([]Datum, error) {
	if version != 1 {
		return nil, fmt.Errorf("%w: logs.metric payload of version %d (this build reads 1)", errPayload, version)
	}
	var in []metricV1
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := decodeOne(dec, &in); err != nil {
		return nil, fmt.Errorf("%w: logs.metric payload: %v", errPayload, err)
	}
	if in == nil {
		return nil, fmt.Errorf("%w: logs.metric payload is not an array", errPayload)
	}
	out := make([]Datum, len(in))
	for i, m := range in {
		if m.Counts != nil || (m.Stats != nil && string(m.Stats) != "null") {
			return nil, fmt.Errorf("%w: logs.metric data point %d has counts or statistics", errPayload, i)
		}
		d := Datum{Namespace: m.Namespace, Name: m.Name, Timestamp: m.Timestamp, Value: m.Value, Values: m.Values,
			Unit: m.Unit, StorageResolution: m.StorageResolution}
		for _, dim := range m.Dimensions {
			d.Dimensions = append(d.Dimensions, Dimension(dim))
		}
		out[i] = d
	}
	return out, nil
}

// subscriptionMessage is the payload CloudWatch Logs sends subscribers,
// gzip-compressed: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
// A logs.subscription payload of version 1 is this message, JSON-encoded
// (with a final newline) and gzip-compressed, as a Kinesis stream or a
// Lambda function subscribed in AWS receives it.
type subscriptionMessage struct {
	MessageType         string              `json:"messageType"`
	Owner               string              `json:"owner"`
	LogGroup            string              `json:"logGroup"`
	LogStream           string              `json:"logStream"`
	SubscriptionFilters []string            `json:"subscriptionFilters"`
	LogEvents           []subscriptionEvent `json:"logEvents"`
}

type subscriptionEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// dataMessage builds a gzip-compressed DATA_MESSAGE.
func dataMessage(owner, group, stream, filter string, events []store.LogEvent) ([]byte, error) {
	m := subscriptionMessage{MessageType: "DATA_MESSAGE", Owner: owner, LogGroup: group, LogStream: stream, SubscriptionFilters: []string{filter}}
	for _, ev := range events {
		m.LogEvents = append(m.LogEvents, subscriptionEvent{ID: EventID(ev.Seq), Timestamp: ev.Timestamp, Message: ev.Message})
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(m); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxSubscriptionPayload bounds a decompressed subscription payload: a
// DATA_MESSAGE holds at most a PutLogEvents batch (1 MiB of messages),
// which JSON escaping can grow a few times.
const maxSubscriptionPayload = 16 << 20

// decodeDataMessage decodes a logs.subscription payload of a version.
func decodeDataMessage(version int, payload []byte) (*subscriptionMessage, error) {
	if version != 1 {
		return nil, fmt.Errorf("%w: logs.subscription payload of version %d (this build reads 1)", errPayload, version)
	}
	br := bytes.NewReader(payload)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: logs.subscription payload: %v", errPayload, err)
	}
	// Read to the end, so that gzip checks its CRC and length: a payload
	// cut short or damaged is refused, not half read.
	zr.Multistream(false)
	data, err := io.ReadAll(io.LimitReader(zr, maxSubscriptionPayload+1))
	if err == nil && len(data) > maxSubscriptionPayload {
		err = fmt.Errorf("larger than %d bytes decompressed", maxSubscriptionPayload)
	}
	if err == nil && br.Len() > 0 {
		// bytes.Reader is an io.ByteReader: gzip read no further than
		// its member.
		err = errors.New("data follows the gzip member")
	}
	var m subscriptionMessage
	if err == nil {
		err = decodeOne(json.NewDecoder(bytes.NewReader(data)), &m)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: logs.subscription payload: %v", errPayload, err)
	}
	if m.MessageType != "DATA_MESSAGE" {
		return nil, fmt.Errorf("%w: logs.subscription payload of message type %q", errPayload, m.MessageType)
	}
	return &m, nil
}

// decodeOne decodes the one JSON value dec holds, refusing anything after
// it.
func decodeOne(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data follows the JSON value")
	}
	return nil
}
