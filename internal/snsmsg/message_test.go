package snsmsg

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
)

// t0 is when the test signer's certificate starts, and the messages'
// Timestamp.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

// testSigner loads the signer of testdata/signer, whose fixed key makes
// the signatures of the golden files reproducible (RSA PKCS #1 v1.5
// signatures are deterministic). The key is a test fixture, never used
// outside this package's tests.
func testSigner(t testing.TB) *Signer {
	t.Helper()
	dir := filepath.Join("testdata", "signer")
	for _, name := range []string{KeyFile, CertFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Fatalf("the test signer is missing: %v", err)
		}
	}
	s, err := LoadOrCreateSigner(dir, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sampleMessages returns unsigned messages: a Notification with a Subject
// and message attributes, a SubscriptionConfirmation, an
// UnsubscribeConfirmation and a Notification with neither.
func sampleMessages() []*Message {
	const (
		topic  = "arn:aws:sns:us-east-1:123456789012:ops"
		sub    = topic + ":0b0ecd2a-6f6e-4f2d-9a55-4c1f1c0f3f6e"
		base   = "https://vigil.example.com:4566"
		cert   = base + "/sns/VigilSNS-00112233445566778899aabbccddeeff.pem"
		token  = "2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad"
		unsubs = base + "/?Action=Unsubscribe&SubscriptionArn=" + sub
	)
	ts := FormatTimestamp(t0)
	return []*Message{
		{
			Type:      Notification,
			MessageId: "5b7e8f1c-3c3e-5c1a-9b0e-2f6d7a1e4c21",
			TopicArn:  topic,
			Subject:   `ALARM: "cpu-high" in US East (N. Virginia)`,
			Message: `{"AlarmName":"cpu-high","NewStateValue":"ALARM",` +
				`"NewStateReason":"Threshold Crossed: 1 datapoint [91.5 (02/01/26 03:03:00)] was greater than the threshold (90.0).",` +
				`"StateChangeTime":"2026-01-02T03:04:05.678+0000","Region":"US East (N. Virginia)"}`,
			Timestamp:      ts,
			SigningCertURL: cert,
			UnsubscribeURL: unsubs,
			MessageAttributes: []Attribute{
				{Name: "severity", Type: "String", Value: "high"},
				{Name: "datapoints", Type: "Number", Value: "1"},
				{Name: "raw", Type: "Binary", Value: "AAEC/w=="},
			},
		},
		{
			Type:      SubscriptionConfirmation,
			MessageId: "9d2c41a7-3fd4-4c0f-8a4e-7a2b0f0c1d11",
			Token:     token,
			TopicArn:  topic,
			Message: "You have chosen to subscribe to the topic " + topic +
				".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
			SubscribeURL:   base + "/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=" + token,
			Timestamp:      ts,
			SigningCertURL: cert,
		},
		{
			Type:      UnsubscribeConfirmation,
			MessageId: "e4b8a4f0-9c3b-4b8e-bf1d-7c9d2f4a6b33",
			Token:     token,
			TopicArn:  topic,
			Message: "You have chosen to deactivate subscription " + sub +
				".\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.",
			SubscribeURL:   base + "/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=" + token,
			Timestamp:      ts,
			SigningCertURL: cert,
		},
		{
			Type:           Notification,
			MessageId:      "0f4e2d1c-7b6a-5e9d-8c3b-1a2f4e6d8c0b",
			TopicArn:       topic,
			Message:        "line 1\nline 2\t\"quoted\" \\ back </script> & é 日本 \u2028 \x01\x1f\x7f",
			Timestamp:      ts,
			SigningCertURL: cert,
			UnsubscribeURL: unsubs,
		},
	}
}

// sign returns the JSON of a signed copy of m.
func sign(t testing.TB, s *Signer, m *Message, version string) []byte {
	t.Helper()
	c := *m
	if err := s.Sign(&c, version); err != nil {
		t.Fatal(err)
	}
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	s := testSigner(t)
	samples := sampleMessages()
	for _, tt := range []struct {
		name    string
		m       *Message
		version string
	}{
		{"notification.json", samples[0], SignatureVersion1},
		{"notification-v2.json", samples[3], SignatureVersion2},
		{"subscription-confirmation.json", samples[1], SignatureVersion2},
		{"unsubscribe-confirmation.json", samples[2], SignatureVersion1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := sign(t, s, tt.m, tt.version)
			golden.Check(t, tt.name, got)
			if err := awsVerify(got, s.CertificatePEM()); err != nil {
				t.Errorf("AWS's procedure refuses it: %v", err)
			}
			var decoded map[string]any
			if err := json.Unmarshal(got, &decoded); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if decoded["Message"] != tt.m.Message {
				t.Errorf("Message decodes as %q; want %q", decoded["Message"], tt.m.Message)
			}
		})
	}
}

// TestAWSExamples pins the layout on AWS's own examples
// (testdata/aws/, from the pages the package comment links): each parses
// and marshals back to the same bytes. Their lengths are the
// Content-Length of the examples' headers (773, 1336 and 1399), which
// shows that SNS ends the body with "}" and no newline; the
// confirmations' closing brace, indented by mistake on the pages, is
// written as the Content-Length says.
func TestAWSExamples(t *testing.T) {
	for _, name := range []string{"notification.json", "subscription-confirmation.json", "unsubscribe-confirmation.json"} {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "aws", name))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Marshal differs from AWS's example; got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestStringToSign pins the strings to sign of AWS's examples
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html).
func TestStringToSign(t *testing.T) {
	const (
		topic = "arn:aws:sns:us-west-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P"
		token = "2336412f37fb687f5d51e6e241d09c8058323f60b964268bfe08ce35640228c208a66d3621bd9f7b012918cfdcfe65e153df551f76df58ed147f1245e330ce77ceff06dedab9f051f7028657e6c42750bf64bc9ef711d494e9f7637b86e690779eb5568f72466806b246bd244fa9392b1bc01eeb1c5e420847a745b7aa4b0085"
		subs  = "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + topic + "&Token=" + token
	)
	tests := []struct {
		m    Message
		want string
	}{
		{
			Message{
				Type: Notification, MessageId: "4d4dc071-ddbf-465d-bba8-08f81c89da64", Subject: "My subject",
				Message: "My Test Message", Timestamp: "2012-06-05T04:37:04.321Z",
				TopicArn: "arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P",
				// Members outside the string to sign.
				SigningCertURL: "https://x.example/c.pem", UnsubscribeURL: "https://x.example/u", SignatureVersion: "1",
				MessageAttributes: []Attribute{{Name: "a", Type: "String", Value: "b"}},
			},
			"Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\nSubject\nMy subject\n" +
				"Timestamp\n2012-06-05T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n" +
				"Type\nNotification\n",
		},
		{
			Message{Type: Notification, MessageId: "m", Message: "a\nb", Timestamp: "t", TopicArn: "arn"},
			"Message\na\nb\nMessageId\nm\nTimestamp\nt\nTopicArn\narn\nType\nNotification\n",
		},
		{
			Message{
				Type: SubscriptionConfirmation, MessageId: "3d891288-136d-417f-bc05-901c108273ee", Token: token,
				TopicArn: topic, Message: "My Test Message", SubscribeURL: subs, Timestamp: "2012-06-03T19:25:13.719Z",
			},
			"Message\nMy Test Message\nMessageId\n3d891288-136d-417f-bc05-901c108273ee\nSubscribeURL\n" + subs +
				"\nTimestamp\n2012-06-03T19:25:13.719Z\nToken\n" + token + "\nTopicArn\n" + topic + "\nType\nSubscriptionConfirmation\n",
		},
		{
			Message{Type: UnsubscribeConfirmation, MessageId: "m", Token: "k", TopicArn: "arn", Message: "x", SubscribeURL: "u", Timestamp: "t"},
			"Message\nx\nMessageId\nm\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\narn\nType\nUnsubscribeConfirmation\n",
		},
	}
	for _, tt := range tests {
		got, err := tt.m.StringToSign()
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("StringToSign of the %s:\n%q\nwant:\n%q", tt.m.Type, got, tt.want)
		}
	}
	if _, err := (&Message{Type: "Notice"}).StringToSign(); err == nil {
		t.Error("StringToSign accepts an unknown Type")
	}
}

func TestFormatTimestamp(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2012, 4, 25, 21, 49, 25, 719_999_999, time.UTC):                "2012-04-25T21:49:25.719Z",
		time.Date(2012, 4, 25, 23, 49, 25, 0, time.FixedZone("CEST", 2*60*60)):   "2012-04-25T21:49:25.000Z",
		time.Date(2026, 1, 2, 3, 4, 5, 1_000_000, time.FixedZone("X", -3*60*60)): "2026-01-02T06:04:05.001Z",
	} {
		if got := FormatTimestamp(in); got != want {
			t.Errorf("FormatTimestamp(%v) = %s; want %s", in, got, want)
		}
	}
}

func TestMarshalString(t *testing.T) {
	m := &Message{Type: Notification, Message: "\"\\/\n\r\t\b\f\x00\x1f\x7f<>&é\u2028😀"}
	b, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `"Message" : "\"\\/\n\r\t\b\f\u0000\u001f` + "\x7f<>&é\u2028😀" + `",`
	if !bytes.Contains(b, []byte(want)) {
		t.Errorf("Marshal wrote:\n%s\nwant a line with:\n%s", b, want)
	}
	var doc map[string]string
	if err := json.Unmarshal(b, &doc); err != nil || doc["Message"] != m.Message {
		t.Errorf("the JSON decodes as %q, %v; want %q", doc["Message"], err, m.Message)
	}
}

func TestMarshalRefuses(t *testing.T) {
	note := *sampleMessages()[0]
	sub := *sampleMessages()[1]
	tests := map[string]Message{
		"unknown type":                     {Type: "Notice"},
		"notification with a Token":        with(note, func(m *Message) { m.Token = "t" }),
		"notification with SubscribeURL":   with(note, func(m *Message) { m.SubscribeURL = "u" }),
		"confirmation with a Subject":      with(sub, func(m *Message) { m.Subject = "s" }),
		"confirmation with UnsubscribeURL": with(sub, func(m *Message) { m.UnsubscribeURL = "u" }),
		"confirmation with attributes":     with(sub, func(m *Message) { m.MessageAttributes = []Attribute{{"a", "String", "b"}} }),
		"Message not UTF-8":                with(note, func(m *Message) { m.Message = "\xff" }),
		"attribute not UTF-8":              with(note, func(m *Message) { m.MessageAttributes = []Attribute{{"a", "String", "\xc3"}} }),
	}
	s := testSigner(t)
	for name, m := range tests {
		if b, err := m.Marshal(); err == nil {
			t.Errorf("%s: Marshal accepts it:\n%s", name, b)
		}
		before := m
		if err := s.Sign(&m, SignatureVersion1); err == nil {
			t.Errorf("%s: Sign accepts it", name)
		}
		if !reflect.DeepEqual(m, before) {
			t.Errorf("%s: Sign changed the message it refused", name)
		}
	}
	m := note
	if err := s.Sign(&m, "3"); err == nil || m.Signature != "" || m.SignatureVersion != "" {
		t.Errorf("Sign with version 3: %v, and the message has version %q", err, m.SignatureVersion)
	}
}

// with returns a copy of m changed by f.
func with(m Message, f func(m *Message)) Message {
	f(&m)
	return m
}

func TestParse(t *testing.T) {
	s := testSigner(t)
	valid := string(sign(t, s, sampleMessages()[0], SignatureVersion1))
	conf := string(sign(t, s, sampleMessages()[1], SignatureVersion1))
	tests := []struct {
		name, in, err string
	}{
		{"not UTF-8", "{\"Type\" : \"\xff\"}", "not UTF-8"},
		{"not an object", `["Type"]`, "where JSON { belongs"},
		{"number", strings.Replace(valid, `"Type" : "Notification"`, `"Type" : 1`, 1), "where a JSON string belongs"},
		{"null", strings.Replace(valid, `"Message" : "{`, `"Message" : null, "x" : "{`, 1), "member Message"},
		{"duplicate", strings.Replace(valid, `"Type" : "Notification",`, `"Type" : "Notification", "Type" : "Notification",`, 1), "appears twice"},
		{"unknown member", strings.Replace(valid, `"Type" : "Notification",`, `"Type" : "Notification", "Token" : "t",`, 1), "has no member Token"},
		{"missing member", strings.Replace(valid, `"TopicArn" :`, `"TopicArnX" :`, 1), "TopicArn of an SNS Notification is missing"},
		{"no Type", `{"Message" : "m"}`, "Type is missing"},
		{"unknown Type", strings.Replace(valid, `"Notification"`, `"Notice"`, 1), `unknown SNS message type "Notice"`},
		{"empty Subject", strings.Replace(valid, `"Subject" : "ALARM: \"cpu-high\" in US East (N. Virginia)"`, `"Subject" : ""`, 1), "Subject is empty"},
		{"trailing data", valid + "{}", "data follows"},
		{"truncated", valid[:len(valid)-1], "EOF"},
		{"attribute twice", strings.Replace(valid, `"datapoints" :`, `"severity" :`, 1), `"severity" appears twice`},
		{"attribute member", strings.Replace(valid, `{"Type":"Number","Value":"1"}`, `{"Type":"Number","Value":"1","X":"y"}`, 1), "unexpected or repeated member X"},
		{"attribute Value twice", strings.Replace(valid, `{"Type":"Number","Value":"1"}`, `{"Value":"1","Value":"1"}`, 1), "unexpected or repeated member Value"},
		{"attribute without Value", strings.Replace(valid, `{"Type":"Number","Value":"1"}`, `{"Type":"Number"}`, 1), "both a Type and a Value"},
		{"attribute not an object", strings.Replace(valid, `{"Type":"Number","Value":"1"}`, `"1"`, 1), "where JSON { belongs"},
		{"attributes twice", strings.Replace(valid, `"Type" : "Notification",`, `"MessageAttributes" : {}, "Type" : "Notification",`, 1), "MessageAttributes appears twice"},
		{"confirmation with attributes", "{" + `"MessageAttributes" : {},` + conf[1:], "has no MessageAttributes"},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: Parse = %+v, %v; want an error with %q", tt.name, m, err, tt.err)
		}
	}

	// Members in any order and compact JSON parse as well.
	want := sampleMessages()[3]
	got, err := Parse([]byte(`{"UnsubscribeURL":"` + want.UnsubscribeURL + `","SigningCertURL":"` + want.SigningCertURL +
		`","Signature":"","SignatureVersion":"2","Timestamp":"` + want.Timestamp + `","Message":"line 1\nline 2\t\"quoted\" \\ back \u003c/script\u003e \u0026 \u00e9 日本 \u2028 \u0001\u001f` + "\x7f" +
		`","TopicArn":"` + want.TopicArn + `","MessageId":"` + want.MessageId + `","Type":"Notification","MessageAttributes":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	want.SignatureVersion = "2"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse = %+v; want %+v", got, want)
	}
}
