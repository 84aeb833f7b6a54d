// Package auth turns a signed request into the principal it acts as and
// decides whether that principal may call an operation.
//
// Authentication verifies AWS Signature Version 4 (package sigv4) with the
// secret of the access key the request names: a long-term key (a root's or
// an IAM user's) from the store, or temporary credentials, whose session
// token carries their secret (package sts). In dev mode credentials Vigil
// does not know are accepted as well, unchecked, as emulators do; known
// ones are checked. Authorization is a hook (Authorizer) the front door
// calls once a call's input is decoded.
package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/sts"
)

// DevAccount is the account of dev-mode requests whose access key id is
// not itself a 12-digit account id.
const DevAccount = "000000000000"

// Options configure an Authenticator.
type Options struct {
	// Keys looks up access keys.
	Keys store.Accounts
	// Sealer decrypts stored secrets.
	Sealer *Sealer
	// Dev accepts any well-formed credentials without checking signatures,
	// and unsigned requests.
	Dev bool
	// DefaultRegion is the region of unsigned dev-mode requests.
	DefaultRegion string
	// Clock tells the time that signatures are checked against
	// (clock.System{} when nil). Clients sign with their real clock, so
	// Vigil passes the real one even when its own clock is virtual.
	Clock clock.Clock
	// SessionClock tells the time temporary credentials expire on:
	// Vigil's clock, which issued them (Clock when nil).
	SessionClock clock.Clock
}

// Authenticator verifies requests.
type Authenticator struct {
	opt  Options
	keys *sigv4.KeyCache
	// known caches access keys by id; a nil *cachedKey records that the
	// id is unknown, so that requests with made-up keys cost no lookup.
	known *cache.TTL[string, *cachedKey]
	// sessions caches opened session tokens by access key id.
	sessions *cache.TTL[string, *cachedKey]
}

type cachedKey struct {
	secret    string
	principal request.Principal
	active    bool
	// token is a session's token (the cache holds sessions by their
	// access key id, which comes with its token).
	token string
}

// How long access keys are cached: a key another node revokes stops
// working within keyTTL; one this process revokes at once (Forget). An
// unknown id is remembered for a shorter time, and Forget also ends that
// when a key is created.
const (
	keyCacheSize  = 10000
	keyTTL        = 5 * time.Minute
	unknownKeyTTL = time.Minute
)

// New returns an Authenticator.
func New(opt Options) *Authenticator {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.SessionClock == nil {
		opt.SessionClock = opt.Clock
	}
	return &Authenticator{opt: opt, keys: sigv4.NewKeyCache(4096), known: cache.NewTTL[string, *cachedKey](keyCacheSize, keyTTL),
		sessions: cache.NewTTL[string, *cachedKey](keyCacheSize, keyTTL)}
}

// Forget drops what is cached of an access key, so that a revoked,
// deactivated or new key takes effect at the next request.
func (a *Authenticator) Forget(accessKeyID string) { a.known.Forget(accessKeyID) }

// Precheck refuses, before its body is read, a request that cannot
// authenticate whatever its body: unsigned or malformed, or signed with an
// access key that does not exist or is inactive; so unknown callers cost
// neither memory nor a body read. In dev mode it refuses nothing.
func (a *Authenticator) Precheck(ctx context.Context, sig *sigv4.Signature, parseErr error) error {
	if a.opt.Dev {
		return nil
	}
	if parseErr != nil {
		return wrap(parseErr, sig, a.opt.Clock.Now())
	}
	_, err := a.key(ctx, sig)
	return err
}

// key returns the credentials sig names, active: a long-term key, or
// the session a token stands for. In dev mode, credentials Vigil does
// not know answer nil and no error: the request acts as the dev
// principal.
func (a *Authenticator) key(ctx context.Context, sig *sigv4.Signature) (*cachedKey, error) {
	var k *cachedKey
	var err error
	if sig.SecurityToken != "" && strings.HasPrefix(sig.AccessKeyID, "ASIA") {
		k, err = a.session(sig)
	} else if k, err = a.lookup(ctx, sig.AccessKeyID); k != nil && !k.active {
		return nil, unknownKey(sig, a.opt.Clock.Now())
	}
	switch {
	case err != nil:
		return nil, err
	case k == nil && !a.opt.Dev:
		return nil, unknownKey(sig, a.opt.Clock.Now())
	}
	return k, nil
}

// session returns the session of sig's token, nil when it is not a
// token Vigil issued for sig's access key.
func (a *Authenticator) session(sig *sigv4.Signature) (*cachedKey, error) {
	now := a.opt.SessionClock.Now()
	k, ok := a.sessions.Get(sig.AccessKeyID, now)
	if !ok || k.token != sig.SecurityToken {
		p, secret, err := sts.Open(a.opt.Sealer, sig.SecurityToken, sig.AccessKeyID, now)
		switch {
		case errors.Is(err, sts.ErrInvalidToken):
			return nil, nil
		case err != nil:
			return nil, expiredToken(sig, a.opt.Clock.Now(), err)
		}
		k = &cachedKey{secret: secret, principal: p, active: true, token: sig.SecurityToken}
		a.sessions.PutUntil(sig.AccessKeyID, k, p.Session.Expires)
	}
	return k, nil
}

func unknownKey(sig *sigv4.Signature, now time.Time) *Error {
	return &Error{Kind: KindUnknownKey, Message: "The security token included in the request is invalid.", AccessKey: sig.AccessKeyID, Signature: sig, Now: now}
}

func expiredToken(sig *sigv4.Signature, now time.Time, cause error) *Error {
	return &Error{Kind: KindExpiredToken, Message: "The security token included in the request is expired", AccessKey: sig.AccessKeyID, Signature: sig, Now: now, Cause: cause}
}

// Dev reports whether the authenticator accepts credentials it does not
// know (and unsigned requests).
func (a *Authenticator) Dev() bool { return a.opt.Dev }

// Anonymous is the result of an unsigned request for an operation AWS
// serves unsigned: no principal, the default region.
func (a *Authenticator) Anonymous(body []byte) *Result {
	return &Result{Region: a.opt.DefaultRegion, Body: body}
}

// Result is an authenticated request.
type Result struct {
	// Principal is who signed the request.
	Principal request.Principal
	// Region is the region of the credential scope.
	Region string
	// Body is the request payload: the body as received, or the decoded
	// payload of an aws-chunked body.
	Body []byte
	// Trailers are an aws-chunked body's verified trailing headers
	// (x-amz-checksum-*), which S3 treats as request headers; nil else.
	Trailers http.Header
}

// Error is an authentication failure; ProtocolError words it for a
// protocol.
type Error struct {
	// Kind is the sigv4 failure kind, or KindUnknownKey.
	Kind sigv4.Kind
	// Message is what the client sees.
	Message string
	// AccessKey is the access key id the request named.
	AccessKey string
	// Signature is the parsed signature, when there was one.
	Signature *sigv4.Signature
	// Now is the server time of the check.
	Now time.Time
	// Cause holds detail for the log.
	Cause error
}

// The failures of credentials (beyond sigv4's kinds).
const (
	// KindUnknownKey: an access key id Vigil does not know (or an
	// inactive one, or a session token Vigil did not issue).
	KindUnknownKey sigv4.Kind = 1000 + iota
	// KindExpiredToken: temporary credentials past their expiry.
	KindExpiredToken
)

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("authentication failed (%v): %s: %v", e.Kind, e.Message, e.Cause)
	}
	return fmt.Sprintf("authentication failed (%v): %s", e.Kind, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// Authenticate verifies r. sig and parseErr are the result of
// sigv4.Parse(r), done by the caller before routing; s3 selects S3's
// signing rules.
func (a *Authenticator) Authenticate(ctx context.Context, r *http.Request, body []byte, sig *sigv4.Signature, parseErr error, s3 bool) (*Result, error) {
	now := a.opt.Clock.Now()
	if parseErr != nil {
		if a.opt.Dev && sigv4.KindOf(parseErr) == sigv4.KindUnsigned {
			return &Result{Principal: devPrincipal(DevAccount, ""), Region: a.opt.DefaultRegion, Body: body}, nil
		}
		return nil, wrap(parseErr, sig, now)
	}
	opt := sigv4.Options{S3: s3, Keys: a.keys}
	key, err := a.key(ctx, sig)
	if err != nil {
		return nil, err
	}
	if key == nil {
		account := DevAccount
		if accountID.MatchString(sig.AccessKeyID) {
			account = sig.AccessKeyID
		}
		res := &Result{Principal: devPrincipal(account, sig.AccessKeyID), Region: sig.Region, Body: body}
		if sig.Streaming() {
			// Dev mode does not know the secret, so chunk signatures
			// cannot be checked; the payload still has to be unwrapped.
			opt.SkipChunkSignatures = true
			payload, err := sigv4.DecodeChunked(sig, r.Header, body, "", opt)
			if err != nil {
				return nil, wrap(err, sig, now)
			}
			res.Body, res.Trailers = payload.Data, payload.Trailers
		}
		return res, nil
	}
	if err := sigv4.Verify(sig, r, body, key.secret, now, opt); err != nil {
		return nil, wrap(err, sig, now)
	}
	res := &Result{Principal: key.principal, Region: sig.Region, Body: body}
	if sig.Streaming() {
		payload, err := sigv4.DecodeChunked(sig, r.Header, body, key.secret, opt)
		if err != nil {
			return nil, wrap(err, sig, now)
		}
		res.Body, res.Trailers = payload.Data, payload.Trailers
	}
	return res, nil
}

func devPrincipal(account, accessKey string) request.Principal {
	return request.Principal{Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account, AccessKey: accessKey}
}

func wrap(err error, sig *sigv4.Signature, now time.Time) error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return err
	}
	e := &Error{Kind: se.Kind, Message: se.Message, Signature: sig, Now: now, Cause: se}
	if sig != nil {
		e.AccessKey = sig.AccessKeyID
	}
	return e
}

// lookup returns the key with the id, or nil when there is none.
func (a *Authenticator) lookup(ctx context.Context, id string) (*cachedKey, error) {
	now := a.opt.Clock.Now()
	if k, ok := a.known.Get(id, now); ok {
		return k, nil
	}
	epoch := a.known.Epoch()
	k, err := a.opt.Keys.AccessKey(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		a.known.Fill(id, nil, now.Add(unknownKeyTTL), epoch)
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot look up access key %s: %w", id, err)
	}
	secret, err := a.opt.Sealer.Open(k.SealedSecret)
	if err != nil {
		return nil, fmt.Errorf("cannot unseal the secret of access key %s: %w", id, err)
	}
	ck := &cachedKey{
		secret:    string(secret),
		principal: request.Principal{Account: k.AccountID, ARN: k.PrincipalARN, UserID: k.UserID, AccessKey: k.ID},
		active:    k.Active,
	}
	a.known.Fill(id, ck, now.Add(keyTTL), epoch)
	return ck, nil
}

// Authorizer decides whether a principal may make a call: an operation of
// the service with an IAM prefix ("logs"), on its decoded input.
type Authorizer interface {
	// Authorize returns nil, a *Denied, or the error that kept it from
	// deciding.
	Authorize(ctx context.Context, p request.Principal, prefix, op string, input any) error
}

// AllowAll allows every call (tests, and Vigil without IAM).
type AllowAll struct{}

// Authorize allows the call.
func (AllowAll) Authorize(context.Context, request.Principal, string, string, any) error { return nil }

// Denied is a call its principal may not make; ProtocolError words it.
type Denied struct {
	// Message is AWS's: "User: ARN is not authorized to perform: ACTION
	// on resource: ARN because …".
	Message string
}

func (d *Denied) Error() string { return "access denied: " + d.Message }
