package audit

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// TrailEventVersion is the eventVersion of the records Vigil writes.
const TrailEventVersion = "1.11"

// TrailRecord is an API call as CloudTrail records it: an element of a
// log file's Records, and the detail of an "AWS API Call via CloudTrail"
// event. Its members follow
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
// in the order AWS writes them.
type TrailRecord struct {
	EventVersion    string       `json:"eventVersion"`
	UserIdentity    UserIdentity `json:"userIdentity"`
	EventTime       string       `json:"eventTime"`
	EventSource     string       `json:"eventSource"`
	EventName       string       `json:"eventName"`
	AWSRegion       string       `json:"awsRegion"`
	SourceIPAddress string       `json:"sourceIPAddress"`
	UserAgent       string       `json:"userAgent"`
	// ErrorCode and ErrorMessage are there when the call failed.
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	// RequestParameters and ResponseElements are null when there are
	// none, and responseElements always for read-only and failed calls.
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	RequestID         string          `json:"requestID"`
	EventID           string          `json:"eventID"`
	ReadOnly          bool            `json:"readOnly"`
	// Resources are the resources a data event acted on.
	Resources          []TrailResource `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
	// TLSDetails are there for calls made over HTTPS.
	TLSDetails *TLSDetails `json:"tlsDetails,omitempty"`
}

// TrailResource is a resource of a record: its type
// ("AWS::S3::Object") and ARN.
type TrailResource struct {
	Type string `json:"type"`
	ARN  string `json:"ARN"`
}

// UserIdentity is who made a call
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
type UserIdentity struct {
	// Type is Root, IAMUser, AssumedRole, FederatedUser or Unknown.
	Type        string `json:"type"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	// UserName is an IAM user's name.
	UserName string `json:"userName,omitempty"`
	// InvokedBy names the AWS service that made the call on the
	// principal's behalf ("logs.amazonaws.com").
	InvokedBy string `json:"invokedBy,omitempty"`
	// SessionContext describes temporary credentials.
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext is the session of temporary credentials: what issued
// them and when.
type SessionContext struct {
	SessionIssuer *SessionIssuer `json:"sessionIssuer,omitempty"`
	Attributes    SessionAttrs   `json:"attributes"`
	SourceIdent   string         `json:"sourceIdentity,omitempty"`
	WebIDFed      *struct{}      `json:"webIdFederationData,omitempty"`
}

// SessionIssuer is the role (or user) a session derives from.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// SessionAttrs are a session's creation date and whether it was made
// with MFA ("true"/"false", as CloudTrail writes them).
type SessionAttrs struct {
	CreationDate     string `json:"creationDate"`
	MFAAuthenticated string `json:"mfaAuthenticated"`
}

// sessionContext returns the sessionContext of a principal's session,
// nil for long-term keys.
func sessionContext(p request.Principal) *SessionContext {
	s := p.Session
	if s == nil {
		return nil
	}
	c := &SessionContext{
		Attributes:  SessionAttrs{CreationDate: s.Issued.UTC().Format(time.RFC3339), MFAAuthenticated: strconv.FormatBool(s.MFA)},
		SourceIdent: s.SourceIdentity,
	}
	if p.ARN != s.Issuer {
		// A role session's or a federated user's issuer; a session token
		// is its issuer itself, and names none.
		issuerType := identityType(s.Issuer)
		if strings.Contains(s.Issuer, ":role/") {
			issuerType = "Role"
		}
		c.SessionIssuer = &SessionIssuer{Type: issuerType, PrincipalID: s.IssuerID, ARN: s.Issuer, AccountID: p.Account,
			UserName: s.Issuer[strings.LastIndexAny(s.Issuer, "/:")+1:]}
		if strings.Contains(p.ARN, ":assumed-role/") {
			c.WebIDFed = &struct{}{}
		}
	}
	return c
}

// NewTrailRecord returns the record of e, with the event id eventID (a
// version 4 UUID). Calls are management events: Vigil records no data
// events yet.
func NewTrailRecord(e *Event, eventID string) *TrailRecord {
	p := e.Principal
	r := &TrailRecord{
		EventVersion: TrailEventVersion,
		UserIdentity: UserIdentity{
			Type: identityType(p.ARN), PrincipalID: p.UserID, ARN: p.ARN, AccountID: p.Account, AccessKeyID: p.AccessKey,
			UserName: UserName(p.ARN), SessionContext: sessionContext(p),
		},
		EventTime:   e.Time.UTC().Format(time.RFC3339),
		EventSource: e.EventSource, EventName: e.Operation, AWSRegion: e.Region,
		SourceIPAddress: e.SourceIP, UserAgent: e.UserAgent,
		ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage,
		RequestParameters: orNull(Params(e.Request)),
		RequestID:         e.RequestID, EventID: eventID, ReadOnly: e.ReadOnly,
		EventType: "AwsApiCall", ManagementEvent: true, RecipientAccountID: p.Account, EventCategory: "Management",
		TLSDetails: e.TLS,
	}
	// A service calling on a principal's behalf shows as its DNS name in
	// sourceIPAddress, and in invokedBy.
	if strings.HasSuffix(e.SourceIP, ".amazonaws.com") {
		r.UserIdentity.InvokedBy = e.SourceIP
	}
	if !e.ReadOnly && e.ErrorCode == "" {
		r.ResponseElements = orNull(Params(e.Response))
	}
	return r
}

// orNull returns p, or nil (null) for an empty object: CloudTrail writes
// null for calls without parameters and operations without output.
func orNull(p json.RawMessage) json.RawMessage {
	if string(p) == "{}" {
		return nil
	}
	return p
}

// AppendJSON appends r's JSON to b, its members in AWS's order.
// RequestParameters and ResponseElements are copied as they are: they
// must be valid JSON (as Params writes) or nil.
func (r *TrailRecord) AppendJSON(b []byte) []byte {
	b = slices.Grow(b, 640+len(r.RequestParameters)+len(r.ResponseElements))
	member := func(name string) {
		b = append(b, ',', '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	str := func(name, v string) {
		member(name)
		b = protocol.AppendJSONString(b, v)
	}
	optional := func(name, v string) {
		if v != "" {
			str(name, v)
		}
	}
	raw := func(name string, v json.RawMessage) {
		member(name)
		if v == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, v...)
		}
	}
	boolean := func(name string, v bool) {
		member(name)
		b = strconv.AppendBool(b, v)
	}
	b = append(b, `{"eventVersion":`...)
	b = protocol.AppendJSONString(b, r.EventVersion)
	u := r.UserIdentity
	b = append(b, `,"userIdentity":{"type":`...)
	b = protocol.AppendJSONString(b, u.Type)
	optional("principalId", u.PrincipalID)
	optional("arn", u.ARN)
	optional("accountId", u.AccountID)
	optional("accessKeyId", u.AccessKeyID)
	optional("userName", u.UserName)
	optional("invokedBy", u.InvokedBy)
	b = append(b, '}')
	str("eventTime", r.EventTime)
	str("eventSource", r.EventSource)
	str("eventName", r.EventName)
	str("awsRegion", r.AWSRegion)
	str("sourceIPAddress", r.SourceIPAddress)
	str("userAgent", r.UserAgent)
	optional("errorCode", r.ErrorCode)
	optional("errorMessage", r.ErrorMessage)
	raw("requestParameters", r.RequestParameters)
	raw("responseElements", r.ResponseElements)
	str("requestID", r.RequestID)
	str("eventID", r.EventID)
	boolean("readOnly", r.ReadOnly)
	if len(r.Resources) > 0 {
		b = append(b, `,"resources":[`...)
		for i, res := range r.Resources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = protocol.AppendJSONString(b, res.Type)
			b = append(b, `,"ARN":`...)
			b = protocol.AppendJSONString(b, res.ARN)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	str("eventType", r.EventType)
	boolean("managementEvent", r.ManagementEvent)
	str("recipientAccountId", r.RecipientAccountID)
	str("eventCategory", r.EventCategory)
	if t := r.TLSDetails; t != nil {
		b = append(b, `,"tlsDetails":{"tlsVersion":`...)
		b = protocol.AppendJSONString(b, t.Version)
		str("cipherSuite", t.CipherSuite)
		str("clientProvidedHostHeader", t.Host)
		b = append(b, '}')
	}
	return append(b, '}')
}

// UserName is the userName of an IAM user's userIdentity: the last part
// of its ARN's path ("" for other principals).
func UserName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":user/")
	if !ok {
		return ""
	}
	return rest[strings.LastIndexByte(rest, '/')+1:]
}

// identityType returns the userIdentity type of a principal's ARN.
func identityType(arn string) string {
	switch {
	case strings.HasPrefix(arn, "arn:") && strings.HasSuffix(arn, ":root"):
		return "Root"
	case strings.Contains(arn, ":user/"):
		return "IAMUser"
	case strings.Contains(arn, ":assumed-role/"):
		return "AssumedRole"
	case strings.Contains(arn, ":federated-user/"):
		return "FederatedUser"
	default:
		return "Unknown"
	}
}

// eventBridgeSources are the EventBridge sources of the services whose
// endpoint prefix, which names them in eventSource, is not their IAM
// prefix, which names them in source.
var eventBridgeSources = map[string]string{
	"monitoring": "aws.cloudwatch",
}

// EventBridgeSource returns the source of the EventBridge events of the
// service with the CloudTrail event source eventSource: "aws." and the
// service's IAM prefix ("aws.logs" for logs.amazonaws.com,
// "aws.cloudwatch" for monitoring.amazonaws.com).
func EventBridgeSource(eventSource string) string {
	prefix := strings.TrimSuffix(eventSource, ".amazonaws.com")
	if s, ok := eventBridgeSources[prefix]; ok {
		return s
	}
	return "aws." + prefix
}
