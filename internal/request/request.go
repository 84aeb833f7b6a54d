// Package request carries what Vigil knows about an API request — who
// makes it, in which account and region, through which operation — from
// the front door to the handlers, in the request's context.
package request

import (
	"context"
	"math/rand/v2"
	"time"
)

// Principal is the identity a request acts as.
type Principal struct {
	// Account is the 12-digit account id.
	Account string
	// ARN is the identity's ARN, e.g. arn:aws:iam::123456789012:root.
	ARN string
	// UserID is the identity's unique id (the account id for root).
	UserID string
	// AccessKey is the access key id the request was signed with; empty
	// for unsigned requests in dev mode.
	AccessKey string
	// Session describes the temporary credentials (from STS) the request
	// was signed with; nil for long-term keys.
	Session *Session `json:",omitempty"`
}

// Session is what temporary credentials were issued for.
type Session struct {
	// Issuer is the identity the session derives from: the role of a
	// role session, the IAM user (or root) that called GetSessionToken
	// or GetFederationToken; IssuerID is its unique id.
	Issuer, IssuerID string
	// Name is a role session's name or a federated user's.
	Name string
	// Issued and Expires bound the credentials' life.
	Issued, Expires time.Time
	// MFA reports that the session was issued with an MFA code.
	MFA bool `json:",omitempty"`
	// Policy and PolicyARNs are the session policies, which limit what
	// the issuer's policies allow.
	Policy     string   `json:",omitempty"`
	PolicyARNs []string `json:",omitempty"`
	// Tags are the session tags (aws:PrincipalTag); TransitiveTagKeys
	// those that pass on to a role session assumed from this one.
	Tags              map[string]string `json:",omitempty"`
	TransitiveTagKeys []string          `json:",omitempty"`
	// SourceIdentity is the source identity set when a role was assumed.
	SourceIdentity string `json:",omitempty"`
}

// Info describes one API request.
type Info struct {
	// ID is the request id sent back to the client.
	ID string
	// Time is when the request arrived.
	Time time.Time
	// Principal is the authenticated identity.
	Principal Principal
	// Region is the region the request addresses (its SigV4 scope).
	Region string
	// Service is the Vigil id of the service (e.g. "logs").
	Service string
	// Operation is the operation name (e.g. "PutLogEvents").
	Operation string
	// SourceIP is the client's address.
	SourceIP string
	// UserAgent is the client's User-Agent header.
	UserAgent string
	// TLS reports that the request came over TLS (aws:SecureTransport).
	TLS bool
}

type ctxKey struct{}

// NewContext returns a context carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// Lookup returns the request info of ctx, if it carries one (work done
// off a request, such as a delivery, does not).
func Lookup(ctx context.Context) (*Info, bool) {
	info, ok := ctx.Value(ctxKey{}).(*Info)
	return info, ok
}

// FromContext returns the request info of ctx. Handlers always run with
// one; a missing one is a bug in the caller.
func FromContext(ctx context.Context) *Info {
	info, ok := ctx.Value(ctxKey{}).(*Info)
	if !ok {
		panic("BUG: request: context carries no request info")
	}
	return info
}

// NewUUID returns a random version 4 UUID: the form of AWS request ids
// and of event ids.
func NewUUID() string {
	var b [16]byte
	x, y := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(x>>(8*i)), byte(y>>(8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	return formatUUID(b)
}

// NewTimeUUID returns a version 7 UUID of time t: its first 48 bits are
// t's Unix milliseconds, the rest random. Ids made in time order sort in
// that order, so that a database index of them grows at its end instead
// of at random places (SQS message ids: clients see only a UUID).
func NewTimeUUID(t time.Time) string {
	var b [16]byte
	ms, x, y := uint64(t.UnixMilli()), rand.Uint64(), rand.Uint64()
	for i := range 6 {
		b[i] = byte(ms >> (8 * (5 - i)))
	}
	b[6], b[7] = 0x70|byte(x&0x0f), byte(x>>8)
	for i := range 8 {
		b[8+i] = byte(y >> (8 * i))
	}
	return formatUUID(b)
}

// formatUUID sets the variant bits of b and writes it as a UUID.
func formatUUID(b [16]byte) string {
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[v>>4], hex[v&0xf])
	}
	return string(out)
}
