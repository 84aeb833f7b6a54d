package sts_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/sts"
)

// issuer is a local OpenID Connect issuer: its discovery document and
// key set, and the tokens it signs.
type issuer struct {
	srv  *httptest.Server
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	kids []string // the key ids its key set publishes
}

func newIssuer(t *testing.T) *issuer {
	t.Helper()
	is := &issuer{kids: []string{"r1", "e1"}}
	var err error
	if is.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if is.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	is.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
		case "/keys":
			keys := []map[string]string{
				{"kty": "RSA", "kid": is.kids[0], "use": "sig", "n": b64(is.rsa.N.Bytes()), "e": b64(big.NewInt(int64(is.rsa.E)).Bytes())},
				{"kty": "EC", "kid": is.kids[1], "crv": "P-256", "x": b64(is.ec.X.FillBytes(make([]byte, 32))), "y": b64(is.ec.Y.FillBytes(make([]byte, 32)))},
			}
			json.NewEncoder(w).Encode(map[string]any{"keys": keys})
		default:
			http.NotFound(w, r)
		}
	}))
	// The refused handshakes of the thumbprint test are expected.
	is.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	is.srv.StartTLS()
	t.Cleanup(is.srv.Close)
	return is
}

// sign returns a token of claims signed with alg (RS256 or ES256) under
// the key id kid.
func (is *issuer) sign(t *testing.T, alg, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	signed := enc(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signed))
	var sig []byte
	var err error
	if alg == "RS256" {
		sig, err = rsa.SignPKCS1v15(rand.Reader, is.rsa, crypto.SHA256, digest[:])
	} else {
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, is.ec, digest[:])
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	}
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

type providers map[string]*sts.Provider

func (p providers) Provider(_ context.Context, account, issuer string) (*sts.Provider, error) {
	if pr, ok := p[account+" "+strings.TrimPrefix(issuer, "https://")]; ok {
		return pr, nil
	}
	return nil, sts.ErrNoSuchProvider
}

func TestAssumeRoleWithWebIdentity(t *testing.T) {
	s, c := newService(t)
	is := newIssuer(t)
	host := strings.TrimPrefix(is.srv.URL, "https://")
	providerARN := "arn:aws:iam::111111111111:oidc-provider/" + host
	// The issuer's self-signed certificate is trusted by its thumbprint.
	thumb := sha1.Sum(is.srv.Certificate().Raw)
	provider := &sts.Provider{ARN: providerARN, URL: host, ClientIDs: []string{"vigil-app"}, Thumbprints: []string{hex.EncodeToString(thumb[:])}}
	s.Providers = providers{"111111111111 " + host: provider}
	s.JWKS = &sts.KeySets{Now: c.Now}
	s.Roles.(roles)["111111111111/ci"] = &sts.Role{ARN: "arn:aws:iam::111111111111:role/ci", ID: "AROACI", MaxSession: time.Hour,
		Trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"` + host + `:aud":"vigil-app"},"StringLike":{"` + host + `:sub":"repo:vigil/*"}}}]}`}
	ctx := context.Background()
	const role = "arn:aws:iam::111111111111:role/ci"
	claims := func(mod func(map[string]any)) map[string]any {
		m := map[string]any{"iss": is.srv.URL, "sub": "repo:vigil/main", "aud": "vigil-app", "exp": c.Now().Add(5 * time.Minute).Unix(), "iat": c.Now().Unix()}
		if mod != nil {
			mod(m)
		}
		return m
	}
	for _, alg := range []string{"RS256", "ES256"} {
		kid := map[string]string{"RS256": "r1", "ES256": "e1"}[alg]
		got, err := s.AssumeRoleWithWebIdentity(ctx, role, is.sign(t, alg, kid, claims(nil)), sts.SessionInput{Name: "build"})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if got.Principal.ARN != "arn:aws:sts::111111111111:assumed-role/ci/build" || got.Subject != "repo:vigil/main" || got.Audience != "vigil-app" || got.Provider != host {
			t.Errorf("%s: %+v / %+v", alg, got.Principal, got)
		}
	}
	good := is.sign(t, "RS256", "r1", claims(nil))
	parts := strings.Split(good, ".")
	for name, tc := range map[string]struct {
		token string
		code  string
	}{
		"not a JWT":       {"abc", "InvalidIdentityToken"},
		"tampered claims": {parts[0] + "." + strings.Split(is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["sub"] = "repo:vigil/evil" })), ".")[1] + "." + parts[2], "InvalidIdentityToken"},
		"wrong audience":  {is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["aud"] = "other" })), "InvalidIdentityToken"},
		"expired":         {is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["exp"] = c.Now().Add(-time.Second).Unix() })), "ExpiredTokenException"},
		"other subject":   {is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["sub"] = "repo:other/main" })), "AccessDenied"},
		"unknown issuer":  {is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["iss"] = "https://elsewhere.example" })), "InvalidIdentityToken"},
		"unknown key":     {is.sign(t, "RS256", "r9", claims(nil)), "IDPCommunicationError"},
		"alg none":        {parts[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", "InvalidIdentityToken"},
		"alg mismatch":    {is.sign(t, "ES256", "r1", claims(nil)), "InvalidIdentityToken"},
		"azp alone":       {is.sign(t, "RS256", "r1", claims(func(m map[string]any) { m["aud"], m["azp"] = "other", "vigil-app" })), "InvalidIdentityToken"},
	} {
		if _, err := s.AssumeRoleWithWebIdentity(ctx, role, tc.token, sts.SessionInput{Name: "build"}); code(err) != tc.code {
			t.Errorf("%s: %v, want %s", name, err, tc.code)
		}
	}
	// The trust policy sees the request's global keys.
	r := s.Roles.(roles)["111111111111/ci"]
	trust := r.Trust
	r.Trust = strings.Replace(trust, `]}`, `,{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`, 1)
	if _, err := s.AssumeRoleWithWebIdentity(ctx, role, good, sts.SessionInput{Name: "build", SourceIP: "203.0.113.7"}); code(err) != "AccessDenied" {
		t.Errorf("a source address the trust policy denies: %v", err)
	}
	if _, err := s.AssumeRoleWithWebIdentity(ctx, role, good, sts.SessionInput{Name: "build", SourceIP: "198.51.100.7"}); err != nil {
		t.Errorf("another source address: %v", err)
	}
	r.Trust = trust
	// A certificate the provider's thumbprints do not name is not trusted.
	provider.Thumbprints = []string{strings.Repeat("0", 40)}
	cached := s.JWKS
	s.JWKS = &sts.KeySets{Now: c.Now}
	if _, err := s.AssumeRoleWithWebIdentity(ctx, role, good, sts.SessionInput{Name: "build"}); code(err) != "IDPCommunicationError" {
		t.Errorf("an issuer whose certificate has no thumbprint of its provider: %v", err)
	}
	provider.Thumbprints, s.JWKS = []string{hex.EncodeToString(thumb[:])}, cached
	// A key the issuer rotates in is fetched once a minute has passed.
	is.kids[0] = "r2"
	rotated := is.sign(t, "RS256", "r2", claims(nil))
	if _, err := s.AssumeRoleWithWebIdentity(ctx, role, rotated, sts.SessionInput{Name: "build"}); code(err) != "IDPCommunicationError" {
		t.Errorf("a new key id within a minute: %v", err)
	}
	c.Advance(2 * time.Minute)
	rotated = is.sign(t, "RS256", "r2", claims(nil))
	if _, err := s.AssumeRoleWithWebIdentity(ctx, role, rotated, sts.SessionInput{Name: "build"}); err != nil {
		t.Errorf("the rotated key after a minute: %v", err)
	}
}
