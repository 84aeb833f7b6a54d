package sts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Role is what AssumeRole needs of an IAM role.
type Role struct {
	ARN, ID string
	// Trust is the role's trust policy (AssumeRolePolicyDocument).
	Trust string
	// MaxSession is the longest session the role allows.
	MaxSession time.Duration
}

// Roles finds roles; Role answers an error matching ErrNoSuchRole when
// the account has no role of that name.
type Roles interface {
	Role(ctx context.Context, account, name string) (*Role, error)
}

// ErrNoSuchRole: the role named does not exist.
var ErrNoSuchRole = errors.New("no such role")

// MFA checks a one-time code of an MFA device of a principal.
type MFA interface {
	CheckCode(ctx context.Context, principal request.Principal, serial, code string) error
}

// Service issues temporary credentials.
type Service struct {
	Sealer Sealer
	Clock  clock.Clock
	Roles  Roles
	MFA    MFA
	// Providers are IAM's OpenID Connect providers, and JWKS their
	// signing keys (AssumeRoleWithWebIdentity).
	Providers Providers
	JWKS      *KeySets
	// Keys finds long-term access keys (GetAccessKeyInfo).
	Keys interface {
		AccessKey(ctx context.Context, id string) (store.AccessKey, error)
	}
}

// KeyAccount returns the account of an access key: a temporary key
// encodes its own; a long-term one is looked up (an error matching
// store.ErrNotFound when there is none).
func (s *Service) KeyAccount(ctx context.Context, id string) (string, error) {
	if account, ok := KeyAccount(id); ok {
		return account, nil
	}
	k, err := s.Keys.AccessKey(ctx, id)
	if err != nil {
		return "", err
	}
	return k.AccountID, nil
}

// Error is a refusal, with the AWS error code that answers it
// (AccessDenied, ValidationError, MalformedPolicyDocument,
// PackedPolicyTooLarge).
type Error struct{ Code, Message string }

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The limits of sessions
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html,
// API_GetSessionToken.html, API_GetFederationToken.html).
const (
	minDuration         = 15 * time.Minute
	defaultRoleDuration = time.Hour
	chainedMax          = time.Hour
	defaultUserDuration = 12 * time.Hour
	userMax             = 36 * time.Hour
	rootMax             = time.Hour
	// packedLimit is the size the packed session policies and tags may
	// take, which PackedPolicySize reports a percentage of.
	packedLimit = 2048
)

// SessionInput is what the caller asks of a session.
type SessionInput struct {
	// Name is the role session's or the federated user's name.
	Name string
	// Duration is the asked life; 0 for the default.
	Duration time.Duration
	// Policy and PolicyARNs are the session policies.
	Policy     string
	PolicyARNs []string
	// Tags are session tags; TransitiveTagKeys those passed on.
	Tags              map[string]string
	TransitiveTagKeys []string
	// ExternalID, SourceIdentity: AssumeRole's.
	ExternalID, SourceIdentity string
	// SerialNumber and TokenCode are an MFA device's and its code.
	SerialNumber, TokenCode string
	// SourceIP, TLS and Region are the request's, for the global
	// condition keys of the trust policy (aws:SourceIp,
	// aws:SecureTransport, aws:RequestedRegion; aws:CurrentTime and
	// aws:EpochTime come from the clock).
	SourceIP, Region string
	TLS              bool
}

// Issued is a session just issued: its credentials, its principal and
// the size of its packed policies and tags (percent of the limit).
type Issued struct {
	Credentials Credentials
	Principal   request.Principal
	PackedSize  int
}

// AssumeRole issues a role session to caller if the role's trust policy
// lets it in (the caller's own policies are the front door's to check).
func (s *Service) AssumeRole(ctx context.Context, caller request.Principal, roleARN string, in SessionInput) (*Issued, error) {
	account, name, ok := ParseRoleARN(roleARN)
	if !ok {
		return nil, refuse("ValidationError", "%s is invalid", roleARN)
	}
	if isRoot(caller) {
		return nil, refuse("AccessDenied", "Roles may not be assumed by root accounts.")
	}
	denied := refuse("AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	role, err := s.role(ctx, roleARN, account, name)
	if errors.Is(err, ErrNoSuchRole) {
		return nil, denied
	}
	if err != nil {
		return nil, err
	}
	mfa, err := s.checkMFA(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	trust, err := policy.ParseTrust([]byte(role.Trust))
	if err != nil {
		return nil, fmt.Errorf("cannot read the trust policy of %s: %w", role.ARN, err)
	}
	req := &policy.Request{
		Principal: policy.Principal{Account: caller.Account, ARN: caller.ARN, UserID: caller.UserID, Tags: sessionTags(caller)},
		Action:    "sts:AssumeRole", Resource: role.ARN, Context: s.assumeContext(caller, in, mfa),
	}
	if trust.Evaluate(req) != policy.Allow {
		return nil, denied
	}
	chained := caller.Session != nil && strings.Contains(caller.ARN, ":assumed-role/")
	// Session tags (passed on or given) and a source identity need the
	// trust policy's leave too.
	if len(in.Tags) > 0 || chained && len(caller.Session.TransitiveTagKeys) > 0 {
		if req.Action = "sts:TagSession"; trust.Evaluate(req) != policy.Allow {
			return nil, refuse("AccessDenied", "User: %s is not authorized to perform: sts:TagSession on resource: %s", caller.ARN, roleARN)
		}
	}
	if in.SourceIdentity != "" {
		if req.Action = "sts:SetSourceIdentity"; trust.Evaluate(req) != policy.Allow {
			return nil, refuse("AccessDenied", "User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s", caller.ARN, roleARN)
		}
	}
	d, err := roleDuration(in.Duration, role.MaxSession, chained)
	if err != nil {
		return nil, err
	}
	tags := in.Tags
	var transitive []string
	if chained {
		// Transitive tags of the session assumed from carry over, and
		// may not be given again with another value.
		for _, k := range caller.Session.TransitiveTagKeys {
			v, set := tags[k]
			if set && v != caller.Session.Tags[k] {
				return nil, refuse("InvalidParameterValue", "The session tag %s is a transitive tag of the session that assumes the role: it cannot be changed.", k)
			}
			if !set {
				tags = withTag(tags, k, caller.Session.Tags[k])
			}
			transitive = append(transitive, k)
		}
	}
	for _, k := range in.TransitiveTagKeys {
		if _, ok := in.Tags[k]; !ok {
			return nil, refuse("InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.")
		}
		if !slices.Contains(transitive, k) {
			transitive = append(transitive, k)
		}
	}
	roleName := role.ARN[strings.LastIndexByte(role.ARN, '/')+1:]
	p := request.Principal{
		Account: account,
		ARN:     "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + in.Name,
		UserID:  role.ID + ":" + in.Name,
	}
	sourceIdentity := in.SourceIdentity
	if caller.Session != nil && caller.Session.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != caller.Session.SourceIdentity {
			return nil, refuse("AccessDenied", "The source identity of a role session cannot be changed when it is used to assume another role.")
		}
		sourceIdentity = caller.Session.SourceIdentity
	}
	return s.issue(p, &request.Session{
		Issuer: role.ARN, IssuerID: role.ID, Name: in.Name, MFA: mfa,
		Policy: in.Policy, PolicyARNs: in.PolicyARNs, Tags: tags, TransitiveTagKeys: transitive,
		SourceIdentity: sourceIdentity,
	}, d)
}

// GetSessionToken issues a session of the caller itself, an IAM user or
// an account's root signing with a long-term key.
func (s *Service) GetSessionToken(ctx context.Context, caller request.Principal, in SessionInput) (*Issued, error) {
	if caller.Session != nil {
		return nil, refuse("AccessDenied", "Cannot call GetSessionToken with session credentials")
	}
	mfa, err := s.checkMFA(ctx, caller, in)
	if err != nil {
		return nil, err
	}
	d, err := userDuration(in.Duration, caller)
	if err != nil {
		return nil, err
	}
	return s.issue(caller, &request.Session{Issuer: caller.ARN, IssuerID: caller.UserID, MFA: mfa}, d)
}

// GetFederationToken issues a federated user session of the caller, an
// IAM user or an account's root signing with a long-term key, limited
// by the session policies (without any, it may do nothing).
func (s *Service) GetFederationToken(ctx context.Context, caller request.Principal, in SessionInput) (*Issued, error) {
	if caller.Session != nil {
		return nil, refuse("AccessDenied", "Cannot call GetFederationToken with session credentials")
	}
	d, err := userDuration(in.Duration, caller)
	if err != nil {
		return nil, err
	}
	p := request.Principal{
		Account: caller.Account,
		ARN:     "arn:aws:sts::" + caller.Account + ":federated-user/" + in.Name,
		UserID:  caller.Account + ":" + in.Name,
	}
	return s.issue(p, &request.Session{
		Issuer: caller.ARN, IssuerID: caller.UserID, Name: in.Name,
		Policy: in.Policy, PolicyARNs: in.PolicyARNs, Tags: in.Tags,
	}, d)
}

// issue checks the session policies and seals the session.
func (s *Service) issue(p request.Principal, sess *request.Session, d time.Duration) (*Issued, error) {
	packed := 0
	if sess.Policy != "" {
		if _, err := policy.ParseIdentity([]byte(sess.Policy), policy.KindSession); err != nil {
			var pe *policy.Error
			if errors.As(err, &pe) {
				return nil, refuse("MalformedPolicyDocument", "%s", pe.Reason)
			}
			return nil, refuse("MalformedPolicyDocument", "%v", err)
		}
		packed += len(compact(sess.Policy))
	}
	for _, a := range sess.PolicyARNs {
		if !strings.HasPrefix(a, "arn:aws:iam::") || !strings.Contains(a, ":policy/") {
			return nil, refuse("InvalidParameterValue", "The policy ARN %s is invalid.", a)
		}
		packed += len(a)
	}
	for k, v := range sess.Tags {
		packed += len(k) + len(v)
	}
	size := (packed*100 + packedLimit - 1) / packedLimit
	if size > 100 {
		return nil, refuse("PackedPolicyTooLarge", "Packed size of consumed policies and session tags exceeds %d%% of allowed value.", size)
	}
	now := s.Clock.Now().UTC().Truncate(time.Second)
	sess.Issued, sess.Expires = now, now.Add(d)
	p.AccessKey, p.Session = newKeyID(p.Account), sess
	return &Issued{Credentials: seal(s.Sealer, p, newSecret()), Principal: p, PackedSize: size}, nil
}

func (s *Service) checkMFA(ctx context.Context, caller request.Principal, in SessionInput) (bool, error) {
	if in.SerialNumber == "" && in.TokenCode == "" {
		return caller.Session != nil && caller.Session.MFA, nil
	}
	if in.SerialNumber == "" || in.TokenCode == "" || s.MFA == nil {
		return false, refuse("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
	}
	if err := s.MFA.CheckCode(ctx, caller, in.SerialNumber, in.TokenCode); err != nil {
		return false, refuse("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code. ")
	}
	return true, nil
}

func roleDuration(asked, max time.Duration, chained bool) (time.Duration, error) {
	if asked == 0 {
		asked = defaultRoleDuration
	}
	if max == 0 {
		max = defaultRoleDuration
	}
	if chained && asked > chainedMax {
		return 0, refuse("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if asked > max {
		return 0, refuse("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return asked, nil
}

func userDuration(asked time.Duration, caller request.Principal) (time.Duration, error) {
	if asked == 0 {
		asked = defaultUserDuration
	}
	if isRoot(caller) && asked > rootMax {
		// A root's sessions last an hour at most: longer asks are cut.
		asked = rootMax
	}
	if asked < minDuration || asked > userMax {
		return 0, refuse("ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600", int(asked.Seconds()))
	}
	return asked, nil
}

// assumeContext returns the condition keys of an AssumeRole request.
func (s *Service) assumeContext(caller request.Principal, in SessionInput, mfa bool) map[string][]string {
	now := s.Clock.Now().UTC()
	c := map[string][]string{
		"aws:MultiFactorAuthPresent": {strconv.FormatBool(mfa)},
		"sts:RoleSessionName":        {in.Name},
		"aws:CurrentTime":            {now.Format(time.RFC3339)},
		"aws:EpochTime":              {strconv.FormatInt(now.Unix(), 10)},
		"aws:SecureTransport":        {strconv.FormatBool(in.TLS)},
	}
	if in.SourceIP != "" {
		c["aws:SourceIp"] = []string{in.SourceIP}
	}
	if in.Region != "" {
		c["aws:RequestedRegion"] = []string{in.Region}
	}
	if in.ExternalID != "" {
		c["sts:ExternalId"] = []string{in.ExternalID}
	}
	if in.SourceIdentity != "" {
		c["sts:SourceIdentity"] = []string{in.SourceIdentity}
	}
	if len(in.Tags) > 0 {
		keys := slices.Sorted(maps.Keys(in.Tags))
		c["aws:TagKeys"] = keys
		for _, k := range keys {
			c["aws:RequestTag/"+k] = []string{in.Tags[k]}
		}
	}
	if len(in.TransitiveTagKeys) > 0 {
		c["sts:TransitiveTagKeys"] = in.TransitiveTagKeys
	}
	if caller.Session != nil && !caller.Session.Issued.IsZero() {
		c["aws:TokenIssueTime"] = []string{caller.Session.Issued.UTC().Format(time.RFC3339)}
	}
	return c
}

func sessionTags(p request.Principal) map[string]string {
	if p.Session == nil {
		return nil
	}
	return p.Session.Tags
}

func withTag(tags map[string]string, k, v string) map[string]string {
	out := maps.Clone(tags)
	if out == nil {
		out = map[string]string{}
	}
	out[k] = v
	return out
}

// isRoot reports whether p is its account's root.
func isRoot(p request.Principal) bool { return p.ARN == "arn:aws:iam::"+p.Account+":root" }

// role returns the role an ARN names: ErrNoSuchRole unless a role of
// that name has exactly that ARN (path and partition included).
func (s *Service) role(ctx context.Context, arn, account, name string) (*Role, error) {
	role, err := s.Roles.Role(ctx, account, name)
	if err == nil && role.ARN != arn {
		return nil, fmt.Errorf("%w: %s is %s", ErrNoSuchRole, arn, role.ARN)
	}
	return role, err
}

// ParseRoleARN returns the account and name of a role's ARN.
func ParseRoleARN(arn string) (account, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || len(parts[4]) != 12 || !strings.HasPrefix(parts[5], "role/") {
		return "", "", false
	}
	return parts[4], parts[5][strings.LastIndexByte(parts[5], '/')+1:], true
}

// compact is a policy as STS packs it: without insignificant whitespace.
func compact(doc string) string {
	var v any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return doc
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// keyAlphabet is the alphabet of access key ids after their prefix.
var keyAlphabet = base32.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567").WithPadding(base32.NoPadding)

// newKeyID returns an ASIA access key id that encodes its account in its
// first 40 bits, as AWS's do, so that GetAccessKeyInfo needs no lookup.
func newKeyID(account string) string {
	n, _ := strconv.ParseUint(account, 10, 64)
	var b [10]byte
	for i := range 5 {
		b[i] = byte(n >> (8 * (4 - i)))
	}
	if _, err := rand.Read(b[5:]); err != nil {
		panic("BUG: sts: crypto/rand failed: " + err.Error())
	}
	return "ASIA" + keyAlphabet.EncodeToString(b[:])
}

// KeyAccount returns the account an ASIA access key id encodes.
func KeyAccount(id string) (string, bool) {
	rest, ok := strings.CutPrefix(id, "ASIA")
	if !ok || len(rest) != 16 {
		return "", false
	}
	b, err := keyAlphabet.DecodeString(rest)
	if err != nil {
		return "", false
	}
	var n uint64
	for _, c := range b[:5] {
		n = n<<8 | uint64(c)
	}
	if n > 999_999_999_999 {
		return "", false
	}
	return fmt.Sprintf("%012d", n), true
}

// newSecret returns a secret access key: 40 characters of base64.
func newSecret() string {
	var b [30]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("BUG: sts: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b[:])
}
