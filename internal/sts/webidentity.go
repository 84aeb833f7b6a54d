package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	_ "crypto/sha256" // the hashes of algHash
	_ "crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
)

// Provider is an OpenID Connect provider registered in IAM.
type Provider struct {
	ARN string
	// URL is the issuer without its scheme: "HOST[/PATH]".
	URL                    string
	ClientIDs, Thumbprints []string
}

// Providers finds an account's OIDC provider of an issuer (a token's iss
// claim), or answers an error matching ErrNoSuchProvider.
type Providers interface {
	Provider(ctx context.Context, account, issuer string) (*Provider, error)
}

// ErrNoSuchProvider: the account has no provider for the issuer.
var ErrNoSuchProvider = errors.New("no such OpenID Connect provider")

// WebIdentity is a role session issued to the holder of a web identity
// token, with what the token said.
type WebIdentity struct {
	*Issued
	Subject, Audience, Provider string
}

// claims are the claims of an OpenID Connect ID token Vigil reads.
type claims struct {
	Iss, Sub      string
	Aud           audience
	Exp, Nbf, Iat *json.Number
	Amr           json.RawMessage
}

// audience is the aud claim: a string or a list of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*a = audience{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(a))
}

// AssumeRoleWithWebIdentity issues a role session to the holder of an ID
// token of an OIDC provider registered in the role's account whose
// signature, audience and expiry check, when the role's trust policy
// lets that provider's users in (with the provider's :aud, :sub and :amr
// keys).
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, roleARN, token string, in SessionInput) (*WebIdentity, error) {
	account, name, ok := ParseRoleARN(roleARN)
	if !ok {
		return nil, refuse("ValidationError", "%s is invalid", roleARN)
	}
	header, c, signed, sig, err := parseJWT(token)
	if _, ok := algHash(header.Alg); err != nil || !ok {
		return nil, refuse("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	provider, err := s.Providers.Provider(ctx, account, c.Iss)
	if errors.Is(err, ErrNoSuchProvider) {
		return nil, refuse("InvalidIdentityToken", "No OpenIDConnect provider found in your account for %s", c.Iss)
	}
	if err != nil {
		return nil, err
	}
	aud := ""
	for _, a := range c.Aud {
		if a != "" && slices.Contains(provider.ClientIDs, a) {
			aud = a
			break
		}
	}
	if aud == "" {
		return nil, refuse("InvalidIdentityToken", "Incorrect token audience")
	}
	// The provider's URL, not the token's spelling of it, names the
	// issuer the keys come from.
	key, err := s.JWKS.Key(ctx, "https://"+provider.URL, header.Kid, provider.Thumbprints)
	if err != nil {
		return nil, refuse("IDPCommunicationError", "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	}
	if !verifyJWT(header.Alg, key, signed, sig) {
		return nil, refuse("InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
	}
	now := s.Clock.Now().UTC()
	exp, err := unixClaim(c.Exp)
	if err != nil {
		return nil, refuse("InvalidIdentityToken", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	if !now.Before(exp) {
		return nil, refuse("ExpiredTokenException", "Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())
	}
	if nbf, err := unixClaim(c.Nbf); err == nil && now.Before(nbf) {
		return nil, refuse("InvalidIdentityToken", "The ID Token provided is not yet valid.")
	}
	denied := refuse("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	role, err := s.role(ctx, roleARN, account, name)
	if errors.Is(err, ErrNoSuchRole) {
		return nil, denied
	}
	if err != nil {
		return nil, err
	}
	trust, err := policy.ParseTrust([]byte(role.Trust))
	if err != nil {
		return nil, fmt.Errorf("cannot read the trust policy of %s: %w", role.ARN, err)
	}
	keys := s.assumeContext(request.Principal{}, in, false)
	keys[provider.URL+":aud"] = []string{aud}
	keys[provider.URL+":sub"] = []string{c.Sub}
	if amr := amrValues(c.Amr); len(amr) > 0 {
		keys[provider.URL+":amr"] = amr
	}
	req := &policy.Request{Principal: policy.Principal{Federated: provider.ARN}, Action: "sts:AssumeRoleWithWebIdentity", Resource: role.ARN, Context: keys}
	if trust.Evaluate(req) != policy.Allow {
		return nil, denied
	}
	d, err := roleDuration(in.Duration, role.MaxSession, false)
	if err != nil {
		return nil, err
	}
	roleName := role.ARN[strings.LastIndexByte(role.ARN, '/')+1:]
	p := request.Principal{Account: account, ARN: "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + in.Name, UserID: role.ID + ":" + in.Name}
	issued, err := s.issue(p, &request.Session{Issuer: role.ARN, IssuerID: role.ID, Name: in.Name,
		Policy: in.Policy, PolicyARNs: in.PolicyARNs}, d)
	if err != nil {
		return nil, err
	}
	return &WebIdentity{Issued: issued, Subject: c.Sub, Audience: aud, Provider: provider.URL}, nil
}

type jwtHeader struct{ Alg, Kid, Typ string }

// parseJWT splits a compact JWS: its header and claims, the signed part
// and the signature.
func parseJWT(token string) (jwtHeader, claims, []byte, []byte, error) {
	var h jwtHeader
	var c claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return h, c, nil, nil, errors.New("not three parts")
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err := errors.Join(err1, err2, err3); err != nil {
		return h, c, nil, nil, err
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return h, c, nil, nil, err
	}
	d := json.NewDecoder(strings.NewReader(string(cb)))
	d.UseNumber()
	if err := d.Decode(&c); err != nil || c.Iss == "" {
		return h, c, nil, nil, fmt.Errorf("bad claims: %v", err)
	}
	return h, c, []byte(parts[0] + "." + parts[1]), sig, nil
}

// algHash returns the hash of a JWS algorithm OIDC providers sign with
// (RS256, RS384, RS512, ES256, ES384); false for any other ("none"…).
func algHash(alg string) (crypto.Hash, bool) {
	switch alg {
	case "RS256", "ES256":
		return crypto.SHA256, true
	case "RS384", "ES384":
		return crypto.SHA384, true
	case "RS512":
		return crypto.SHA512, true
	}
	return 0, false
}

// verifyJWT checks a JWS signature of an algorithm OIDC providers use.
func verifyJWT(alg string, key crypto.PublicKey, signed, sig []byte) bool {
	id, ok := algHash(alg)
	if !ok {
		return false
	}
	h := id.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch k := key.(type) {
	case *rsa.PublicKey:
		return strings.HasPrefix(alg, "RS") && rsa.VerifyPKCS1v15(k, id, digest, sig) == nil
	case *ecdsa.PublicKey:
		n := (k.Curve.Params().BitSize + 7) / 8
		if !strings.HasPrefix(alg, "ES") || len(sig) != 2*n {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

func unixClaim(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, errors.New("missing")
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(f), 0).UTC(), nil
}

func amrValues(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var one string
	if json.Unmarshal(raw, &one) == nil && one != "" {
		return []string{one}
	}
	return nil
}
