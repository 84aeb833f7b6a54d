package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/sts"
)

type roles map[string]*sts.Role

func (r roles) Role(_ context.Context, account, name string) (*sts.Role, error) {
	if role, ok := r[account+"/"+name]; ok {
		return role, nil
	}
	return nil, sts.ErrNoSuchRole
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["sts:AssumeRole","sts:TagSession"],
	"Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}`

var (
	alice = request.Principal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice", UserID: "AIDAALICE", AccessKey: "AKIAALICE"}
	root  = request.Principal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:root", UserID: "222222222222", AccessKey: "AKIAROOT"}
)

func newService(t testing.TB) (*sts.Service, *clock.Fake) {
	t.Helper()
	sealer, err := auth.OpenSealer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewFake(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	return &sts.Service{Sealer: sealer, Clock: c, Roles: roles{
		"111111111111/reader": {ARN: "arn:aws:iam::111111111111:role/team/reader", ID: "AROAREADER", Trust: trust, MaxSession: 2 * time.Hour},
		"111111111111/plain": {ARN: "arn:aws:iam::111111111111:role/plain", ID: "AROAPLAIN",
			Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`},
		"111111111111/chain": {ARN: "arn:aws:iam::111111111111:role/chain", ID: "AROACHAIN", MaxSession: 12 * time.Hour,
			Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`},
	}}, c
}

func code(err error) string {
	var e *sts.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestAssumeRole(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	const role = "arn:aws:iam::111111111111:role/team/reader"
	in := sts.SessionInput{Name: "s1", ExternalID: "ext-1", Tags: map[string]string{"team": "blue"}, TransitiveTagKeys: []string{"team"}}
	got, err := s.AssumeRole(ctx, alice, role, in)
	if err != nil {
		t.Fatal(err)
	}
	p := got.Principal
	if p.Account != "111111111111" || p.ARN != "arn:aws:sts::111111111111:assumed-role/reader/s1" || p.UserID != "AROAREADER:s1" {
		t.Errorf("principal = %+v", p)
	}
	if !strings.HasPrefix(p.AccessKey, "ASIA") || len(p.AccessKey) != 20 || got.Credentials.AccessKeyID != p.AccessKey {
		t.Errorf("access key id %q", p.AccessKey)
	}
	if acct, ok := sts.KeyAccount(p.AccessKey); !ok || acct != "111111111111" {
		t.Errorf("KeyAccount(%s) = %s, %v", p.AccessKey, acct, ok)
	}
	if want := c.Now().Add(time.Hour); !got.Credentials.Expires.Equal(want) {
		t.Errorf("expires %v, want %v (an hour by default)", got.Credentials.Expires, want)
	}
	opened, secret, err := sts.Open(s.Sealer, got.Credentials.SessionToken, p.AccessKey, c.Now())
	if err != nil || secret != got.Credentials.SecretAccessKey || opened.ARN != p.ARN || opened.Session.Issuer != role || opened.Session.Tags["team"] != "blue" {
		t.Fatalf("Open = %+v, %q, %v", opened, secret, err)
	}

	// Role chaining: an hour at most; transitive tags carry over.
	const chain = "arn:aws:iam::111111111111:role/chain"
	chained, err := s.AssumeRole(ctx, opened, chain, sts.SessionInput{Name: "s2"})
	if err != nil {
		t.Fatal(err)
	}
	if chained.Principal.Session.Tags["team"] != "blue" {
		t.Errorf("transitive tag lost: %+v", chained.Principal.Session)
	}
	if _, err := s.AssumeRole(ctx, opened, chain, sts.SessionInput{Name: "s4", Tags: map[string]string{"team": "admins"}}); code(err) != "InvalidParameterValue" {
		t.Errorf("a transitive tag given another value down the chain: %v", err)
	}
	if _, err := s.AssumeRole(ctx, opened, chain, sts.SessionInput{Name: "s3", Duration: 2 * time.Hour}); code(err) != "ValidationError" {
		t.Errorf("chained 2 h session: %v, want ValidationError", err)
	}

	for name, tc := range map[string]struct {
		caller request.Principal
		role   string
		in     sts.SessionInput
		code   string
	}{
		"wrong external id": {alice, role, sts.SessionInput{Name: "x", ExternalID: "nope"}, "AccessDenied"},
		"no such role":      {alice, "arn:aws:iam::111111111111:role/ghost", sts.SessionInput{Name: "x", ExternalID: "ext-1"}, "AccessDenied"},
		"root":              {root, role, sts.SessionInput{Name: "x", ExternalID: "ext-1"}, "AccessDenied"},
		"other account":     {request.Principal{Account: "333333333333", ARN: "arn:aws:iam::333333333333:user/eve"}, role, sts.SessionInput{Name: "x", ExternalID: "ext-1"}, "AccessDenied"},
		"past the maximum":  {alice, role, sts.SessionInput{Name: "x", ExternalID: "ext-1", Duration: 3 * time.Hour}, "ValidationError"},
		"bad policy":        {alice, role, sts.SessionInput{Name: "x", ExternalID: "ext-1", Policy: `{"Statement":[]`}, "MalformedPolicyDocument"},
		"not a role":        {alice, "arn:aws:iam::111111111111:user/bob", sts.SessionInput{Name: "x"}, "ValidationError"},
		"transitive untagged": {alice, role, sts.SessionInput{Name: "x", ExternalID: "ext-1", TransitiveTagKeys: []string{"k"}},
			"InvalidParameterValue"},
		"a path the role does not have":            {alice, "arn:aws:iam::111111111111:role/dev-x/reader", sts.SessionInput{Name: "x", ExternalID: "ext-1"}, "AccessDenied"},
		"another partition":                        {alice, "arn:aws-cn:iam::111111111111:role/team/reader", sts.SessionInput{Name: "x", ExternalID: "ext-1"}, "AccessDenied"},
		"tags the trust does not allow":            {alice, "arn:aws:iam::111111111111:role/plain", sts.SessionInput{Name: "x", Tags: map[string]string{"team": "admins"}}, "AccessDenied"},
		"source identity the trust does not allow": {alice, "arn:aws:iam::111111111111:role/plain", sts.SessionInput{Name: "x", SourceIdentity: "alice"}, "AccessDenied"},
		"too large": {alice, role, sts.SessionInput{Name: "x", ExternalID: "ext-1", Tags: map[string]string{"k": strings.Repeat("v", 2100)}}, "PackedPolicyTooLarge"},
	} {
		if _, err := s.AssumeRole(ctx, tc.caller, tc.role, tc.in); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
}

func TestTokens(t *testing.T) {
	s, c := newService(t)
	got, err := s.GetSessionToken(context.Background(), alice, sts.SessionInput{})
	if err != nil {
		t.Fatal(err)
	}
	p, tok := got.Principal, got.Credentials.SessionToken
	if p.ARN != alice.ARN || p.UserID != alice.UserID || p.Session.Issuer != alice.ARN {
		t.Errorf("session token principal %+v", p)
	}
	if !got.Credentials.Expires.Equal(c.Now().Add(12 * time.Hour)) {
		t.Errorf("expires %v, want 12 hours on", got.Credentials.Expires)
	}
	for name, tc := range map[string]struct {
		token, key string
		at         time.Time
		want       error
	}{
		"good":       {tok, p.AccessKey, c.Now(), nil},
		"other key":  {tok, "ASIAAAAAAAAAAAAAAAAA", c.Now(), sts.ErrInvalidToken},
		"tampered":   {tok[:len(tok)-8] + "AAAAAAA=", p.AccessKey, c.Now(), sts.ErrInvalidToken},
		"not ours":   {"FwoGZXIvYXdzEJr", p.AccessKey, c.Now(), sts.ErrInvalidToken},
		"expired":    {tok, p.AccessKey, c.Now().Add(12 * time.Hour), sts.ErrExpiredToken},
		"not base64": {"VIGIL1!!", p.AccessKey, c.Now(), sts.ErrInvalidToken},
	} {
		if _, _, err := sts.Open(s.Sealer, tc.token, tc.key, tc.at); !errors.Is(err, tc.want) {
			t.Errorf("%s: Open = %v, want %v", name, err, tc.want)
		}
	}
	other, _ := newService(t)
	foreign, err := other.GetSessionToken(context.Background(), alice, sts.SessionInput{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sts.Open(s.Sealer, foreign.Credentials.SessionToken, foreign.Principal.AccessKey, c.Now()); !errors.Is(err, sts.ErrInvalidToken) {
		t.Errorf("a token sealed under another master key: %v", err)
	}
	if _, err := s.GetSessionToken(context.Background(), p, sts.SessionInput{}); code(err) != "AccessDenied" {
		t.Errorf("GetSessionToken with session credentials: %v", err)
	}
	r, err := s.GetSessionToken(context.Background(), root, sts.SessionInput{Duration: 10 * time.Hour})
	if err != nil || !r.Credentials.Expires.Equal(c.Now().Add(time.Hour)) {
		t.Errorf("root session: %v, expires %v; want an hour", err, r.Credentials.Expires)
	}
	if _, err := s.GetSessionToken(context.Background(), alice, sts.SessionInput{Duration: 37 * time.Hour}); code(err) != "ValidationError" {
		t.Errorf("37 h: %v", err)
	}
	if _, err := s.GetSessionToken(context.Background(), alice, sts.SessionInput{SerialNumber: "arn:aws:iam::222222222222:mfa/a", TokenCode: "123456"}); code(err) != "AccessDenied" {
		t.Errorf("MFA without a checker: %v", err)
	}
	f, err := s.GetFederationToken(context.Background(), alice, sts.SessionInput{Name: "bob", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	if f.Principal.ARN != "arn:aws:sts::222222222222:federated-user/bob" || f.Principal.UserID != "222222222222:bob" || f.Principal.Session.Issuer != alice.ARN || f.PackedSize < 1 {
		t.Errorf("federated principal %+v, packed %d", f.Principal, f.PackedSize)
	}
}
