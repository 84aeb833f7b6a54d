package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// Inputs and outputs shaped like the generated API types.
type (
	dimension struct {
		Name  *string `aws:"Name,req"`
		Value *string `aws:"Value,req"`
	}
	putMetricAlarmInput struct {
		AlarmName          *string     `aws:"AlarmName,req,min=1,max=255"`
		MetricName         *string     `aws:"MetricName"`
		Dimensions         []dimension `aws:"Dimensions,max=30"`
		Threshold          *float64    `aws:"Threshold"`
		ComparisonOperator *string     `aws:"ComparisonOperator,req"`
		AlarmActions       []string    `aws:"AlarmActions"`
		Unit               *string     `aws:"Unit"`
	}
	createLogGroupInput struct {
		_            struct{}          `aws:",union"`
		LogGroupName *string           `aws:"logGroupName,req"`
		Tags         map[string]string `aws:"tags"`
	}
	describeLogGroupsInput struct {
		LogGroupNamePrefix *string `aws:"logGroupNamePrefix"`
		Limit              *int32  `aws:"limit"`
	}
	logGroup struct {
		LogGroupName *string `aws:"logGroupName"`
	}
	describeLogGroupsOutput struct {
		LogGroups []logGroup `aws:"logGroups"`
	}
	putLogEventsInput struct {
		LogGroupName  *string         `aws:"logGroupName,req"`
		LogStreamName *string         `aws:"logStreamName,req"`
		LogEvents     []inputLogEvent `aws:"logEvents,req"`
	}
	inputLogEvent struct {
		Timestamp *int64  `aws:"timestamp,req"`
		Message   *string `aws:"message,req"`
	}
	putLogEventsOutput struct {
		NextSequenceToken *string `aws:"nextSequenceToken"`
	}
	// delivery is shaped like dispatch.Delivery: no tags.
	delivery struct {
		Target    string
		MessageID string
		Bytes     int
	}
)

func ptr[T any](v T) *T { return &v }

var (
	t0   = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)
	root = request.Principal{
		Account: "123456789012", ARN: "arn:aws:iam::123456789012:root", UserID: "123456789012", AccessKey: "AKIAIOSFODNN7EXAMPLE",
	}
	alice = request.Principal{
		Account: "210987654321", ARN: "arn:aws:iam::210987654321:user/alice", UserID: "AIDAJ45Q7YFFAREXAMPLE", AccessKey: "AKIAI44QH8DHBEXAMPLE",
	}
)

// trailCases are API calls whose events the golden files in testdata/
// pin, one file each.
var trailCases = []struct {
	name string
	e    Event
}{
	{"put_metric_alarm", Event{
		Time: t0, Principal: root, SourceIP: "192.0.2.10", UserAgent: `aws-cli/2.15.0 "quoted" <agent>`, Region: "us-east-1",
		Service: "cloudwatch", EventSource: "monitoring.amazonaws.com", Operation: "PutMetricAlarm",
		Request: &putMetricAlarmInput{
			AlarmName: ptr("high-cpu"), MetricName: ptr("CPUUtilization"),
			Dimensions: []dimension{{Name: ptr("InstanceId"), Value: ptr("i-0123456789abcdef0")}},
			Threshold:  ptr(80.5), ComparisonOperator: ptr("GreaterThanThreshold"), AlarmActions: []string{},
		},
		RequestID: "c1a2b3c4-0000-4000-8000-000000000001",
	}},
	{"create_log_group", Event{
		Time: t0, Principal: alice, SourceIP: "198.51.100.7", UserAgent: "aws-sdk-go-v2/1.30.0", Region: "eu-west-1",
		Service: "logs", EventSource: "logs.amazonaws.com", Operation: "CreateLogGroup",
		Request:   &createLogGroupInput{LogGroupName: ptr("/app/web"), Tags: map[string]string{"team": "web", "env": "prod"}},
		Response:  &struct{}{},
		RequestID: "c1a2b3c4-0000-4000-8000-000000000002",
		TLS:       &TLSDetails{Version: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: "logs.eu-west-1.vigil.example"},
	}},
	{"describe_log_groups", Event{
		Time: t0, Principal: root, SourceIP: "192.0.2.10", UserAgent: "Boto3/1.34.0", Region: "us-east-1",
		Service: "logs", EventSource: "logs.amazonaws.com", Operation: "DescribeLogGroups",
		Request:   &describeLogGroupsInput{LogGroupNamePrefix: ptr("/app"), Limit: ptr(int32(5))},
		Response:  &describeLogGroupsOutput{LogGroups: []logGroup{{LogGroupName: ptr("/app/web")}}},
		RequestID: "c1a2b3c4-0000-4000-8000-000000000003", ReadOnly: true,
	}},
	{"put_log_events_failed", Event{
		Time: t0, Principal: root, SourceIP: "192.0.2.10", UserAgent: "fluent-bit", Region: "us-east-1",
		Service: "logs", EventSource: "logs.amazonaws.com", Operation: "PutLogEvents",
		Request: &putLogEventsInput{LogGroupName: ptr("/missing"), LogStreamName: ptr("s"), LogEvents: []inputLogEvent{
			{Timestamp: ptr(int64(1772600767000)), Message: ptr("line one\n\tindented \x01 \xff")},
		}},
		ErrorCode: "ResourceNotFoundException", ErrorMessage: "The specified log group does not exist.",
		RequestID: "c1a2b3c4-0000-4000-8000-000000000004",
	}},
	{"delivery_by_service", Event{
		Time: t0, Principal: alice, SourceIP: "logs.amazonaws.com", UserAgent: "logs.amazonaws.com", Region: "eu-west-1",
		Service: "logs", EventSource: "logs.amazonaws.com", Operation: "PutLogEvents",
		Request:   &delivery{Target: "arn:aws:logs:eu-west-1:123456789012:destination:central", MessageID: "m-1", Bytes: 512},
		RequestID: "m-1",
	}},
}

// TestBusSinkGolden pins the events BusSink publishes, envelope and
// CloudTrail record, as EventBridge targets get them.
func TestBusSinkGolden(t *testing.T) {
	for _, tc := range trailCases {
		t.Run(tc.name, func(t *testing.T) {
			bus := svcevents.New(svcevents.Options{NewID: func() string { return "6a7e8feb-b491-4cf7-a9f1-bf3703467718" }})
			var got []*svcevents.Event
			bus.Subscribe("test", nil, func(_ context.Context, e *svcevents.Event) { got = append(got, e) })
			sink := NewBusSink(bus, BusSinkOptions{NewID: func() string { return "d2c3b4a5-1111-4111-8111-111111111111" }})
			sink.Record(context.Background(), &tc.e)
			if len(got) != 1 {
				t.Fatalf("published %d events; want 1", len(got))
			}
			if got[0].ReadOnly != tc.e.ReadOnly {
				t.Errorf("ReadOnly = %v; want %v", got[0].ReadOnly, tc.e.ReadOnly)
			}
			b, err := json.Marshal(got[0])
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			golden.Check(t, tc.name+".golden.json", out.Bytes())
		})
	}
}

func TestBusSinkSkips(t *testing.T) {
	e := trailCases[0].e
	t.Run("no subscribers", func(t *testing.T) {
		bus := svcevents.New(svcevents.Options{})
		NewBusSink(bus, BusSinkOptions{NewID: func() string { panic("built an event nobody reads") }}).
			Record(context.Background(), &e)
	})
	for _, tt := range []struct {
		name   string
		e      Event
		filter func(*Event) bool
	}{
		{"filtered", e, func(*Event) bool { return false }},
		{"no operation", Event{Time: t0, Principal: root, Service: "logs", EventSource: "logs.amazonaws.com"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bus := svcevents.New(svcevents.Options{})
			n := 0
			bus.Subscribe("test", nil, func(context.Context, *svcevents.Event) { n++ })
			NewBusSink(bus, BusSinkOptions{Filter: tt.filter}).Record(context.Background(), &tt.e)
			if n != 0 {
				t.Errorf("published %d events; want none", n)
			}
		})
	}
}

func TestEventBridgeSource(t *testing.T) {
	for in, want := range map[string]string{
		"logs.amazonaws.com":       "aws.logs",
		"monitoring.amazonaws.com": "aws.cloudwatch",
		"config.amazonaws.com":     "aws.config",
		"events.amazonaws.com":     "aws.events",
	} {
		if got := EventBridgeSource(in); got != want {
			t.Errorf("EventBridgeSource(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestIdentityType(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::123456789012:root":                  "Root",
		"arn:aws:iam::123456789012:user/alice":            "IAMUser",
		"arn:aws:iam::123456789012:user/path/to/bob":      "IAMUser",
		"arn:aws:sts::123456789012:assumed-role/Admin/s1": "AssumedRole",
		"arn:aws:sts::123456789012:federated-user/carol":  "FederatedUser",
		"":                                     "Unknown",
		"arn:aws:iam::123456789012:role/Admin": "Unknown",
	} {
		if got := identityType(arn); got != want {
			t.Errorf("identityType(%q) = %q; want %q", arn, got, want)
		}
	}
}

func TestParams(t *testing.T) {
	type inner struct {
		A *string `json:"a_json"`
	}
	type tagged struct {
		Skip     string `json:"-"`
		Renamed  string `json:"renamed,omitempty"`
		hidden   string
		Ch       chan int
		Fn       func()
		Any      any
		Blob     []byte `aws:"Blob"`
		When     time.Time
		F32      float32
		NaN      float64
		Inf      float64
		NegInf   float64
		Big      float64
		Small    float64
		Uint     uint16
		ByInt    map[int]string
		Inner    inner
		NilInner *inner
		Arr      [2]bool
	}
	f := func(name string, v any, want string) {
		t.Helper()
		got := Params(v)
		if string(got) != want {
			t.Errorf("%s: Params = %s\nwant            %s", name, got, want)
		}
		if got != nil && !json.Valid(got) {
			t.Errorf("%s: Params wrote invalid JSON %s", name, got)
		}
	}
	f("nil", nil, "")
	f("nil pointer", (*tagged)(nil), "")
	f("empty struct", &struct{}{}, "{}")
	f("all kinds", &tagged{
		Skip: "x", Renamed: "r", hidden: "h", Ch: make(chan int), Fn: func() {}, Any: []any{1, "two", nil},
		Blob: []byte("hi"), When: time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.FixedZone("X", 7200)),
		F32: 0.1, NaN: math.NaN(), Inf: math.Inf(1), NegInf: math.Inf(-1), Big: 1e21, Small: 1e-7, Uint: 7,
		ByInt: map[int]string{10: "b", 2: "a"}, Inner: inner{A: ptr("v")}, Arr: [2]bool{true, false},
	}, `{"renamed":"r","any":[1,"two",null],"blob":"aGk=","when":"2026-01-02T01:04:05.6Z","f32":0.1,"naN":"NaN",`+
		`"inf":"Infinity","negInf":"-Infinity","big":1e+21,"small":1e-07,"uint":7,"byInt":{"10":"b","2":"a"},`+
		`"inner":{"a_json":"v"},"arr":[true,false]}`)
	f("strings", &struct{ S string }{"\"\\/\b\f\n\r\t\x00 é \xff <&>"},
		`{"s":"\"\\/\u0008\u000c\n\r\t\u0000 é \ufffd <&>"}`)
	type node struct{ Next *node }
	deep := &node{}
	for range maxParamDepth {
		deep = &node{Next: deep}
	}
	if got := Params(deep); !json.Valid(got) {
		t.Errorf("a deep value gave invalid JSON %s", got)
	}
}

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{"AlarmName": "alarmName", "logGroupName": "logGroupName", "": "", "ÉTé": "éTé", "MessageID": "messageID"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestTrailRecordFields checks what the golden files show less plainly.
func TestTrailRecordFields(t *testing.T) {
	for i, tc := range trailCases {
		r := NewTrailRecord(&tc.e, strconv.Itoa(i))
		if r.EventTime != "2026-03-04T05:06:07Z" {
			t.Errorf("%s: eventTime = %s; want whole UTC seconds", tc.name, r.EventTime)
		}
		if (tc.e.ReadOnly || tc.e.ErrorCode != "") && r.ResponseElements != nil {
			t.Errorf("%s: responseElements = %s; want null for a read-only or failed call", tc.name, r.ResponseElements)
		}
		if r.RecipientAccountID != tc.e.Principal.Account || r.UserIdentity.AccountID != tc.e.Principal.Account {
			t.Errorf("%s: accounts %s, %s; want %s", tc.name, r.RecipientAccountID, r.UserIdentity.AccountID, tc.e.Principal.Account)
		}
	}
}

// TestTrailRecordJSON checks that AppendJSON writes what encoding/json
// writes of the struct's tags, byte for byte.
func TestTrailRecordJSON(t *testing.T) {
	type plain TrailRecord // without the methods
	for i, tc := range trailCases {
		r := NewTrailRecord(&tc.e, strconv.Itoa(i))
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode((*plain)(r)); err != nil {
			t.Fatal(err)
		}
		if got := r.AppendJSON(nil); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Errorf("%s: AppendJSON wrote\n%s\nencoding/json\n%s", tc.name, got, want.Bytes())
		}
	}
}

// TestParamsHideSensitive: members the model marks sensitive (an API
// key, a password) are written as CloudTrail hides them, however deep.
func TestParamsHideSensitive(t *testing.T) {
	type auth struct {
		Name  *string `aws:"ApiKeyName"`
		Value *string `aws:"ApiKeyValue,req,min=1,max=512,pat=8,sensitive"`
	}
	type input struct {
		Name *string `aws:"Name,req"`
		Auth *auth   `aws:"AuthParameters"`
	}
	got := string(Params(&input{Name: ptr("hooks"), Auth: &auth{Name: ptr("x-api-key"), Value: ptr("SECRET-VALUE")}}))
	want := `{"name":"hooks","authParameters":{"apiKeyName":"x-api-key","apiKeyValue":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`
	if got != want {
		t.Errorf("Params = %s\nwant     %s", got, want)
	}
}
