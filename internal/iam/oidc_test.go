package iam

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func TestProviderURL(t *testing.T) {
	const invalid, https, other = "Invalid Open ID Connect Provider URL", "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
		"Invalid Open ID Connect Provider URL."
	for _, c := range []struct {
		raw, want string
		code      Code
		msg       string
	}{
		{raw: "https://token.actions.githubusercontent.com", want: "token.actions.githubusercontent.com"},
		{raw: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC123", want: "oidc.eks.us-east-1.amazonaws.com/id/ABC123"},
		{raw: "https://example.com/", want: "example.com/"},
		{raw: "https://198.51.100.7/x", want: "198.51.100.7/x"},
		{raw: "example.org", code: ValidationError, msg: invalid},
		{raw: "https://", code: ValidationError, msg: invalid},
		{raw: "https:///path", code: ValidationError, msg: invalid},
		{raw: "://example.com", code: ValidationError, msg: invalid},
		{raw: "a/b://example.com", code: ValidationError, msg: invalid},
		{raw: "http://example.com", code: InvalidInput, msg: https},
		{raw: "HTTPS://example.com", code: InvalidInput, msg: https},
		{raw: "ftp://example.com", code: InvalidInput, msg: https},
		{raw: "https://example.com?foo=1", code: InvalidInput, msg: other},
		{raw: "https://example.com/a?foo=1", code: InvalidInput, msg: other},
		{raw: "https://example.com#frag", code: InvalidInput, msg: other},
		{raw: "https://127.0.0.1:8443/realms/x", want: "127.0.0.1:8443/realms/x"},
		{raw: "https://example.com:", code: InvalidInput, msg: other},
		{raw: "https://example.com:+1", code: InvalidInput, msg: other},
		{raw: "https://example.com:65536", code: InvalidInput, msg: other},
		{raw: "https://example.com:1:2", code: InvalidInput, msg: other},
		{raw: "https://user:pass@example.com", code: InvalidInput, msg: other},
		{raw: "https://exa_mple.com", code: InvalidInput, msg: other},
		{raw: "https://example..com", code: InvalidInput, msg: other},
		{raw: "https://example.com/a b", code: InvalidInput, msg: other},
		{raw: "https://exämple.com", code: InvalidInput, msg: other},
	} {
		got, err := providerURL(c.raw)
		if c.code == 0 {
			if err != nil || got != c.want {
				t.Errorf("providerURL(%q) = %q, %v; want %q", c.raw, got, err, c.want)
			}
			continue
		}
		wantError(t, fmt.Sprintf("providerURL(%q)", c.raw), err, c.code, c.msg)
	}
}

// FuzzProviderURL checks that a URL IAM takes is https:// and a host
// (and port) without user, query or fragment, and that it is taken back
// as it is.
func FuzzProviderURL(f *testing.F) {
	for _, s := range []string{"https://example.com/id/x", "http://a", "https://a:1", "https://a:1:2", "https://a?b#c", "x", "https://a/\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := providerURL(raw)
		if err != nil {
			return
		}
		host, _, _ := strings.Cut(got, "/")
		name, port, hasPort := strings.Cut(host, ":")
		if raw != "https://"+got || !isHost(name) || (hasPort && !isPort(port)) || strings.ContainsAny(got, "?# ") {
			t.Errorf("providerURL(%q) = %q; want https://HOST[:PORT][/PATH]", raw, got)
		}
	})
}

// oidcFixture is a fixture whose service counts the changes it tells.
func oidcFixture(t *testing.T) (*fixture, *int) {
	f := newFixture(t)
	changed := new(int)
	f.svc = New(Options{Store: f.st.IAM(), Clock: f.clock, Changed: func(a string) {
		if a == acct {
			*changed++
		}
	}})
	return f, changed
}

func TestOIDCProviders(t *testing.T) {
	f, changed := oidcFixture(t)
	const url = "https://token.actions.githubusercontent.com"
	arn := "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"
	thumb := "6938FD4D98BAB03FAADB97B34396831E3780AEA1"
	got, err := f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: url, ClientIDs: []string{"sts.amazonaws.com", "b", "b"},
		Thumbprints: []string{thumb}, Tags: map[string]string{"env": "ci"}})
	if err != nil || got != arn {
		t.Fatalf("CreateOIDCProvider = %q, %v; want %q", got, err, arn)
	}
	if *changed != 1 {
		t.Errorf("Changed was told %d times; want once", *changed)
	}
	_, err = f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: url})
	wantError(t, "CreateOIDCProvider(again)", err, EntityAlreadyExists, "Provider with url "+url+" already exists.")
	_, err = f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "https://x.example.com", Thumbprints: slices.Repeat([]string{thumb}, 6)})
	wantError(t, "CreateOIDCProvider(6 thumbprints)", err, InvalidInput, "Thumbprint list must contain fewer than 5 entries.")
	_, err = f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "https://x.example.com", ClientIDs: clientIDs(101)})
	wantError(t, "CreateOIDCProvider(101 client ids)", err, LimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	_, err = f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "http://x.example.com"})
	wantError(t, "CreateOIDCProvider(http)", err, InvalidInput, "")

	p, err := f.svc.GetOIDCProvider(f.ctx, acct, arn)
	f.must(err)
	if p.ARN != arn || p.URL != "token.actions.githubusercontent.com" || !slices.Equal(p.ClientIDs, []string{"b", "sts.amazonaws.com"}) ||
		!slices.Equal(p.Thumbprints, []string{strings.ToLower(thumb)}) || !p.Created.Equal(start) || p.Tags["env"] != "ci" {
		t.Errorf("GetOIDCProvider = %+v; want its URL without scheme, its client ids, its thumbprint in lower case, its tags", p)
	}
	missing := "arn:aws:iam::" + acct + ":oidc-provider/none.example.com"
	_, err = f.svc.GetOIDCProvider(f.ctx, acct, missing)
	wantError(t, "GetOIDCProvider(none)", err, NoSuchEntity, "OpenIDConnect Provider not found for arn "+missing)
	_, err = f.svc.GetOIDCProvider(f.ctx, acct, "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com")
	wantError(t, "GetOIDCProvider(another account's ARN)", err, NoSuchEntity, "")

	f.must(f.svc.AddOIDCClientID(f.ctx, acct, arn, "c"))
	f.must(f.svc.AddOIDCClientID(f.ctx, acct, arn, "c"))
	f.must(f.svc.RemoveOIDCClientID(f.ctx, acct, arn, "b"))
	f.must(f.svc.RemoveOIDCClientID(f.ctx, acct, arn, "b"))
	wantError(t, "AddOIDCClientID(no provider)", f.svc.AddOIDCClientID(f.ctx, acct, missing, "c"), NoSuchEntity,
		"OpenIDConnect Provider not found for arn "+missing)
	f.must(f.svc.UpdateOIDCThumbprints(f.ctx, acct, arn, []string{strings.Repeat("B", 40), strings.Repeat("a", 40)}))
	wantError(t, "UpdateOIDCThumbprints(6)", f.svc.UpdateOIDCThumbprints(f.ctx, acct, arn, make([]string, 6)), InvalidInput, "")
	p, err = f.svc.GetOIDCProvider(f.ctx, acct, arn)
	f.must(err)
	if !slices.Equal(p.ClientIDs, []string{"c", "sts.amazonaws.com"}) || !slices.Equal(p.Thumbprints, []string{strings.Repeat("a", 40), strings.Repeat("b", 40)}) {
		t.Errorf("GetOIDCProvider after the changes = %+v", p.OIDCProvider)
	}

	f.must(f.svc.TagOIDCProvider(f.ctx, acct, arn, map[string]string{"team": "x", "a": "1"}))
	f.must(f.svc.UntagOIDCProvider(f.ctx, acct, arn, []string{"ENV"}))
	tags, err := f.svc.OIDCProviderTags(f.ctx, acct, arn, Page{MaxItems: 1})
	if err != nil || len(tags.Items) != 1 || tags.Items[0] != (Tag{"a", "1"}) || tags.Marker == "" {
		t.Errorf("OIDCProviderTags(1 a page) = %+v, %v; want a=1 and a marker", tags, err)
	}
	wantError(t, "TagOIDCProvider(no provider)", f.svc.TagOIDCProvider(f.ctx, acct, missing, map[string]string{"a": "b"}), NoSuchEntity,
		"OpenIDConnect Provider not found for arn "+missing)
	_, err = f.svc.OIDCProviderTags(f.ctx, acct, "not an ARN", Page{})
	wantError(t, "OIDCProviderTags(not an ARN)", err, NoSuchEntity, "OpenIDConnect Provider not found for arn not an ARN")

	second, err := f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "https://accounts.example.com/"})
	f.must(err)
	list, err := f.svc.ListOIDCProviders(f.ctx, acct)
	if err != nil || !slices.Equal(list, []string{second, arn}) {
		t.Errorf("ListOIDCProviders = %q, %v; want %q and %q", list, err, second, arn)
	}
	before := *changed
	f.must(f.svc.DeleteOIDCProvider(f.ctx, acct, arn))
	if *changed != before+1 {
		t.Errorf("Changed was not told of the deletion")
	}
	wantError(t, "DeleteOIDCProvider(again)", f.svc.DeleteOIDCProvider(f.ctx, acct, arn), NoSuchEntity, "OpenId connect Provider "+arn+" cannot be found.")
	if list, err := f.svc.ListOIDCProviders(f.ctx, acct); err != nil || !slices.Equal(list, []string{second}) {
		t.Errorf("ListOIDCProviders after the deletion = %q, %v", list, err)
	}
}

// clientIDs returns n client ids.
func clientIDs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint("client-", i)
	}
	return out
}

func TestOIDCQuotas(t *testing.T) {
	f, _ := oidcFixture(t)
	arn, err := f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "https://example.com", ClientIDs: clientIDs(99)})
	f.must(err)
	f.must(f.svc.AddOIDCClientID(f.ctx, acct, arn, "the 100th"))
	wantError(t, "AddOIDCClientID(the 101st)", f.svc.AddOIDCClientID(f.ctx, acct, arn, "x"), LimitExceeded,
		"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100")
	for i := range 99 {
		_, err := f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: fmt.Sprintf("https://example.com/%d", i)})
		f.must(err)
	}
	_, err = f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: "https://example.com/x"})
	wantError(t, "CreateOIDCProvider(the 101st)", err, LimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
}

func TestOIDCProviderFor(t *testing.T) {
	f, _ := oidcFixture(t)
	for _, u := range []string{"https://Example.com", "https://accounts.example.com/id/AB", "https://both.example.com", "https://both.example.com/"} {
		_, err := f.svc.CreateOIDCProvider(f.ctx, acct, NewOIDCProvider{URL: u, ClientIDs: []string{"aud"}})
		f.must(err)
	}
	for issuer, want := range map[string]string{
		"https://example.com":                 "Example.com",
		"example.com/":                        "Example.com",
		"https://EXAMPLE.COM/":                "Example.com",
		"https://accounts.example.com/id/AB/": "accounts.example.com/id/AB",
		"ACCOUNTS.example.com/id/AB":          "accounts.example.com/id/AB",
		"https://both.example.com":            "both.example.com",
		"https://both.example.com/":           "both.example.com/",
		"https://accounts.example.com/id/ab":  "",
		"https://accounts.example.com":        "",
		"http://example.com":                  "",
		"https://example.com/x":               "",
		"":                                    "",
	} {
		p, err := f.svc.OIDCProviderFor(f.ctx, acct, issuer)
		switch {
		case want == "" && !errors.Is(err, store.ErrNotFound):
			t.Errorf("OIDCProviderFor(%q) = %+v, %v; want ErrNotFound", issuer, p, err)
		case want != "" && (err != nil || p.URL != want || p.ARN != "arn:aws:iam::"+acct+":oidc-provider/"+want || !slices.Equal(p.ClientIDs, []string{"aud"})):
			t.Errorf("OIDCProviderFor(%q) = %+v, %v; want %s", issuer, p, err, want)
		}
	}
	if _, err := f.svc.OIDCProviderFor(f.ctx, "210987654321", "https://example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OIDCProviderFor(another account) = %v; want ErrNotFound", err)
	}
}
