package snsmsg

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// The values of a Message's Type.
const (
	// Notification carries a message published to a topic.
	Notification = "Notification"
	// SubscriptionConfirmation asks an endpoint to confirm a new
	// subscription.
	SubscriptionConfirmation = "SubscriptionConfirmation"
	// UnsubscribeConfirmation tells an endpoint that its subscription was
	// deleted, and how to restore it.
	UnsubscribeConfirmation = "UnsubscribeConfirmation"
)

// The values of a Message's SignatureVersion.
const (
	// SignatureVersion1 signs with SHA1withRSA, the default of a topic.
	SignatureVersion1 = "1"
	// SignatureVersion2 signs with SHA256withRSA.
	SignatureVersion2 = "2"
)

// Message is one document SNS delivers. Its fields are named as AWS
// names the document's members; which of them a message has depends on
// its Type, and the others stay empty.
type Message struct {
	// Type is Notification, SubscriptionConfirmation or
	// UnsubscribeConfirmation.
	Type string
	// MessageId is a UUID, the same for every delivery of one message.
	MessageId string
	// Token confirms (or, after an unsubscribe, restores) a subscription
	// through ConfirmSubscription; only the confirmations have it.
	Token string
	// TopicArn is the topic's ARN.
	TopicArn string
	// Subject is the subject a Notification was published with, if any.
	Subject string
	// Message is the published message, or, in a confirmation, a sentence
	// saying what to do.
	Message string
	// SubscribeURL confirms (or restores) the subscription; only the
	// confirmations have it.
	SubscribeURL string
	// Timestamp is when the message was published or the confirmation
	// sent, as FormatTimestamp writes it.
	Timestamp string
	// SignatureVersion is SignatureVersion1 or SignatureVersion2.
	SignatureVersion string
	// Signature is the Base64 signature of StringToSign.
	Signature string
	// SigningCertURL is where the receiver gets the certificate to verify
	// the Signature with.
	SigningCertURL string
	// UnsubscribeURL deletes the subscription; only a Notification has
	// it.
	UnsubscribeURL string
	// MessageAttributes are a Notification's message attributes, in the
	// order they are written.
	MessageAttributes []Attribute
}

// Attribute is one message attribute of a Notification.
type Attribute struct {
	// Name is the attribute's name.
	Name string
	// Type is its data type: "String", "String.Array", "Number" or
	// "Binary", optionally followed by a custom type ("Number.float").
	Type string
	// Value is its value; a Binary value is Base64.
	Value string
}

// timestampLayout is AWS's Timestamp: UTC, to the millisecond.
const timestampLayout = "2006-01-02T15:04:05.000Z"

// FormatTimestamp returns t as a Message's Timestamp, in UTC to the
// millisecond: "2012-04-25T21:49:25.719Z".
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// member is one string member of a document.
type member struct {
	name  string
	value *string
}

// members returns m's string members in the order AWS writes them for
// m.Type, and the members that type does not have; it fails for an
// unknown Type.
func (m *Message) members() (has, hasNot []member, err error) {
	switch m.Type {
	case Notification:
		has = []member{
			{"Type", &m.Type}, {"MessageId", &m.MessageId}, {"TopicArn", &m.TopicArn}, {"Subject", &m.Subject},
			{"Message", &m.Message}, {"Timestamp", &m.Timestamp}, {"SignatureVersion", &m.SignatureVersion},
			{"Signature", &m.Signature}, {"SigningCertURL", &m.SigningCertURL}, {"UnsubscribeURL", &m.UnsubscribeURL},
		}
		hasNot = []member{{"Token", &m.Token}, {"SubscribeURL", &m.SubscribeURL}}
	case SubscriptionConfirmation, UnsubscribeConfirmation:
		has = []member{
			{"Type", &m.Type}, {"MessageId", &m.MessageId}, {"Token", &m.Token}, {"TopicArn", &m.TopicArn},
			{"Message", &m.Message}, {"SubscribeURL", &m.SubscribeURL}, {"Timestamp", &m.Timestamp},
			{"SignatureVersion", &m.SignatureVersion}, {"Signature", &m.Signature}, {"SigningCertURL", &m.SigningCertURL},
		}
		hasNot = []member{{"Subject", &m.Subject}, {"UnsubscribeURL", &m.UnsubscribeURL}}
	default:
		return nil, nil, fmt.Errorf("unknown SNS message type %q", m.Type)
	}
	return has, hasNot, nil
}

// check reports a Message that no SNS document is: an unknown Type, a
// member its Type does not have, or a value that is not UTF-8.
func (m *Message) check() error {
	has, hasNot, err := m.members()
	if err != nil {
		return err
	}
	for _, f := range hasNot {
		if *f.value != "" {
			return fmt.Errorf("an SNS %s has no %s", m.Type, f.name)
		}
	}
	if m.Type != Notification && len(m.MessageAttributes) > 0 {
		return fmt.Errorf("an SNS %s has no MessageAttributes", m.Type)
	}
	for _, f := range has {
		if !utf8.ValidString(*f.value) {
			return fmt.Errorf("the %s of an SNS message is not UTF-8", f.name)
		}
	}
	for _, a := range m.MessageAttributes {
		if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Type) || !utf8.ValidString(a.Value) {
			return fmt.Errorf("message attribute %q is not UTF-8", a.Name)
		}
	}
	return nil
}

// StringToSign returns what AWS signs of m: the name and value of each
// signed member, each followed by a newline, in byte order of the names.
// A Notification signs Message, MessageId, Subject (only if it has one),
// Timestamp, TopicArn and Type; a confirmation signs Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn and Type.
func (m *Message) StringToSign() (string, error) {
	var signed []member
	switch m.Type {
	case Notification:
		signed = []member{{"Message", &m.Message}, {"MessageId", &m.MessageId}}
		if m.Subject != "" {
			signed = append(signed, member{"Subject", &m.Subject})
		}
		signed = append(signed, member{"Timestamp", &m.Timestamp}, member{"TopicArn", &m.TopicArn}, member{"Type", &m.Type})
	case SubscriptionConfirmation, UnsubscribeConfirmation:
		signed = []member{
			{"Message", &m.Message}, {"MessageId", &m.MessageId}, {"SubscribeURL", &m.SubscribeURL},
			{"Timestamp", &m.Timestamp}, {"Token", &m.Token}, {"TopicArn", &m.TopicArn}, {"Type", &m.Type},
		}
	default:
		return "", fmt.Errorf("unknown SNS message type %q", m.Type)
	}
	var b strings.Builder
	for _, f := range signed {
		b.WriteString(f.name)
		b.WriteByte('\n')
		b.WriteString(*f.value)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// Marshal returns m as the JSON document SNS delivers: its Type's
// members in AWS's order, a Notification's Subject only if it has one and
// its MessageAttributes only if it has some. It fails for a Message no
// SNS document is (an unknown Type, a member its Type does not have, a
// value that is not UTF-8).
func (m *Message) Marshal() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("cannot write an SNS message: %w", err)
	}
	has, _, _ := m.members()
	b := []byte("{")
	sep := "\n  "
	for _, f := range has {
		if f.name == "Subject" && *f.value == "" {
			continue
		}
		b = append(b, sep...)
		b = appendString(b, f.name)
		b = append(b, " : "...)
		b = appendString(b, *f.value)
		sep = ",\n  "
	}
	if len(m.MessageAttributes) > 0 {
		b = append(b, ",\n  \"MessageAttributes\" : {"...)
		for i, a := range m.MessageAttributes {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n    "...)
			b = appendString(b, a.Name)
			b = append(b, ` : {"Type":`...)
			b = appendString(b, a.Type)
			b = append(b, `,"Value":`...)
			b = appendString(b, a.Value)
			b = append(b, '}')
		}
		b = append(b, "\n  }"...)
	}
	return append(b, "\n}"...), nil
}

// appendString appends s, which is UTF-8, as a JSON string, escaping only
// what JSON requires (the quotation mark, the backslash and the control
// characters U+0000 to U+001F), so that the rest reads as it was
// published: "/", "<" and non-ASCII text stay as they are.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c >= 0x20:
			b = append(b, c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	return append(b, '"')
}
