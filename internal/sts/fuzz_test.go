package sts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilhq/vigil/internal/sts"
)

// FuzzOpen: a session token is untrusted bytes: Open answers a principal
// only for a token Vigil sealed, and never panics.
func FuzzOpen(f *testing.F) {
	s, c := newService(f)
	issued, err := s.GetSessionToken(context.Background(), alice, sts.SessionInput{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(issued.Credentials.SessionToken, issued.Principal.AccessKey)
	f.Add("VIGIL1", "ASIAAAAAAAAAAAAAAAAA")
	f.Add("VIGIL1AAAA", "")
	f.Add("FwoGZXIvYXdzEJr//////////wEaDK", "ASIA")
	f.Fuzz(func(t *testing.T, token, key string) {
		p, secret, err := sts.Open(s.Sealer, token, key, c.Now())
		switch {
		case err == nil:
			if token != issued.Credentials.SessionToken || p.AccessKey != key || secret != issued.Credentials.SecretAccessKey {
				t.Fatalf("Open accepted a token Vigil did not issue: %q for %q", token, key)
			}
		case !errors.Is(err, sts.ErrInvalidToken):
			t.Fatalf("Open(%q) = %v", token, err)
		}
	})
}

// FuzzWebIdentityToken: a web identity token is untrusted bytes: without a
// provider to vouch for it, every one is refused as invalid, and none
// makes a panic.
func FuzzWebIdentityToken(f *testing.F) {
	s, _ := newService(f)
	s.Providers = providers{}
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL2V4YW1wbGUifQ.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4IiwiZXhwIjoxZTMwMH0.")
	f.Fuzz(func(t *testing.T, token string) {
		_, err := s.AssumeRoleWithWebIdentity(context.Background(), "arn:aws:iam::111111111111:role/ci", token, sts.SessionInput{Name: "x"})
		if code(err) != "InvalidIdentityToken" {
			t.Fatalf("token %q: %v", token, err)
		}
	})
}
