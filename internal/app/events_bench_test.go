package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/schemas"

	"github.com/vigilhq/vigil/internal/auth"
)

// eventsCaller returns a function that makes an EventBridge call through
// h and fails b unless it succeeds, all its entries with it.
func eventsCaller(b testing.TB, h http.Handler) func(op string, body []byte) {
	call := jsonCaller(b, h, "AWSEvents.")
	return func(op string, body []byte) {
		if res := call(op, body); bytes.Contains(res, []byte(`"FailedEntryCount":1`)) {
			b.Fatalf("%s: %s", op, res)
		}
	}
}

// benchPutEvents runs 10-entry PutEvents calls on bus "orders", whose
// events differ in their values but not their shape, and reports
// events/s; discover starts schema discovery on the bus first.
func benchPutEvents(b *testing.B, discover bool) {
	h := devApp(b).Handler()
	call := eventsCaller(b, h)
	call("CreateEventBus", []byte(`{"Name":"orders"}`))
	if discover {
		c := schemas.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://vigil"),
			HTTPClient: &http.Client{Transport: handlerTransport{h}},
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: auth.DevAccount, SecretAccessKey: "bench"}, nil
			})})
		source := "arn:aws:events:us-east-1:" + auth.DevAccount + ":event-bus/orders"
		if _, err := c.CreateDiscoverer(context.Background(), &schemas.CreateDiscovererInput{SourceArn: &source}); err != nil {
			b.Fatal(err)
		}
	}
	type entry struct {
		Source       string `json:"Source"`
		DetailType   string `json:"DetailType"`
		Detail       string `json:"Detail"`
		EventBusName string `json:"EventBusName"`
	}
	bodies := make([][]byte, 16)
	for i := range bodies {
		entries := make([]entry, 10)
		for j := range entries {
			entries[j] = entry{"shop.orders", "Order Placed", fmt.Sprintf(`{"orderId":"o-%d-%d","customer":{"id":%d,"tier":"gold"},`+
				`"lines":[{"sku":"sku-%d","qty":%d,"price":12.5}],"placedAt":"2026-01-02T03:04:05Z","express":true}`, i, j, i*j, j, i+1), "orders"}
		}
		bodies[i], _ = json.Marshal(map[string]any{"Entries": entries})
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		call("PutEvents", bodies[i%len(bodies)])
		i++
	}
	b.ReportMetric(float64(b.N*10)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPutEvents measures the server side of PutEvents on a bus with
// no rule: the front door, decoding, the entries' checks, and what
// discovery costs a bus without a discoverer.
func BenchmarkPutEvents(b *testing.B) { benchPutEvents(b, false) }

// BenchmarkPutEventsDiscovered is BenchmarkPutEvents on a bus with a
// started discoverer: each event's shape is fingerprinted and found seen.
func BenchmarkPutEventsDiscovered(b *testing.B) { benchPutEvents(b, true) }
