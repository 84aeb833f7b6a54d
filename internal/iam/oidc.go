package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// OpenID Connect identity providers are the issuers whose ID tokens
// AssumeRoleWithWebIdentity accepts
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
// IAM names a provider by its URL: the entity's name is the URL without
// its scheme, "HOST[/PATH]", its ARN (and id)
// arn:aws:iam::ACCOUNT:oidc-provider/HOST[/PATH]. Its client ids
// (audiences) and thumbprints are links from it (store.IAMClientID,
// store.IAMThumbprint), so they are listed in order.

// OpenID Connect providers' quotas, AWS's defaults.
const (
	maxClientIDs     = 100
	maxThumbprints   = 5
	maxOIDCProviders = 100
)

// The messages of a provider that is not there:
// DeleteOpenIDConnectProvider words it its own way.
const (
	providerNotFound        = "OpenIDConnect Provider not found for arn %s"
	providerNotFoundDeleted = "OpenId connect Provider %s cannot be found."
)

// OIDCProvider is an OpenID Connect provider registered in an account.
type OIDCProvider struct {
	ARN string
	// URL is the issuer without its scheme: "HOST[/PATH]".
	URL                    string
	ClientIDs, Thumbprints []string
}

// OIDCProviderInfo is a provider as GetOpenIDConnectProvider shows it.
type OIDCProviderInfo struct {
	OIDCProvider
	Created time.Time
	Tags    map[string]string
}

// NewOIDCProvider describes a provider to create.
type NewOIDCProvider struct {
	// URL is https://HOST[/PATH], as the request has it.
	URL                    string
	ClientIDs, Thumbprints []string
	Tags                   map[string]string
}

// providerURL checks a provider's URL and returns it without its scheme.
// IAM takes https://HOST[/PATH], where HOST is a DNS name or an IPv4
// address without user, and neither a query nor a fragment: a URL
// without scheme or host is a ValidationError, any other refusal
// InvalidInput. Vigil also takes a port (AWS's documentation says the
// URL should have none), so that issuers served on another port than
// 443, a test's or one on premises, can be registered.
func providerURL(raw string) (string, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host, path := rest[:end], rest[end:]
	if !ok || !isScheme(scheme) || host == "" {
		return "", errorf(ValidationError, "Invalid Open ID Connect Provider URL")
	}
	if scheme != "https" {
		return "", errorf(InvalidInput, "Invalid Open ID Connect Provider URL. The URL must begin with https://.")
	}
	name, port, hasPort := strings.Cut(host, ":")
	if !isHost(name) || (hasPort && !isPort(port)) || !isPath(path) {
		return "", errorf(InvalidInput, "Invalid Open ID Connect Provider URL.")
	}
	return rest, nil
}

// isScheme says whether s is a URL scheme (RFC 3986: a letter, then
// letters, digits, "+", "-" and ".").
func isScheme(s string) bool {
	return s != "" && asciiWord(s, "+-.") && !strings.ContainsAny(s[:1], "0123456789+-.")
}

// isHost says whether s is a host name: dot-separated labels of letters,
// digits and hyphens (which an IPv4 address also is).
func isHost(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || !asciiWord(label, "-") {
			return false
		}
	}
	return true
}

// isPort says whether s is a TCP port: 1 to 65535, in decimal.
func isPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && asciiWord(s, "") && 0 < n && n < 1<<16
}

// isPath says whether s is "" or a URL path: "/" and printable ASCII
// but for the delimiters and unsafe characters of RFC 3986 and 1738.
func isPath(s string) bool {
	return !strings.ContainsFunc(s, func(c rune) bool { return c <= ' ' || c >= 0x7f || strings.ContainsRune("?#\\\"<>^`{|}", c) })
}

// asciiWord says whether s is made of ASCII letters, digits and the
// bytes of extra.
func asciiWord(s, extra string) bool {
	return !strings.ContainsFunc(s, func(c rune) bool {
		return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune(extra, c))
	})
}

// oidcThumbprints checks a provider's thumbprints and returns them as IAM
// keeps them: in lower case, without repeats. Their length is the API
// model's (40 characters); IAM does not check that they are hex.
func oidcThumbprints(list []string) ([]string, error) {
	if len(list) > maxThumbprints {
		return nil, errorf(InvalidInput, "Thumbprint list must contain fewer than %d entries.", maxThumbprints)
	}
	out := make([]string, len(list))
	for i, t := range list {
		out[i] = strings.ToLower(t)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// oidcName returns the name of the provider an ARN of the account
// names, or "" (which names none) when it is not such an ARN.
func oidcName(account, providerARN string) string {
	name, ok := strings.CutPrefix(providerARN, arn(account, "oidc-provider", "/", ""))
	if !ok {
		return ""
	}
	return name
}

// findOIDCProvider reads the provider an ARN names: NoSuchEntity,
// worded by msg (a format of the ARN), when there is none. Like names,
// ARNs are found case-insensitively.
func findOIDCProvider(r store.IAMReader, account, providerARN, msg string) (store.IAMEntity, error) {
	e, err := r.Entity(store.IAMOIDCProvider, oidcName(account, providerARN))
	if errors.Is(err, store.ErrNotFound) {
		return e, errorf(NoSuchEntity, msg, providerARN)
	}
	return e, err
}

// linkTargets returns the targets of the links of a kind from an entity.
func linkTargets(r store.IAMReader, kind store.IAMLinkKind, from string) ([]string, error) {
	links, err := r.Links(kind, from)
	out := make([]string, len(links))
	for i, l := range links {
		out[i] = l.To
	}
	return out, err
}

// linkAll adds the links of a kind from an entity to each target.
func linkAll(w store.IAMWriter, kind store.IAMLinkKind, from string, to []string, at time.Time) error {
	for _, t := range to {
		if err := w.Link(store.IAMLink{Kind: kind, From: from, To: t, Created: at}); err != nil {
			return err
		}
	}
	return nil
}

// readOIDCProvider reads a provider's client ids and thumbprints.
func readOIDCProvider(r store.IAMReader, e store.IAMEntity) (OIDCProvider, error) {
	p := OIDCProvider{ARN: e.ARN, URL: e.Name}
	var err error
	if p.ClientIDs, err = linkTargets(r, store.IAMClientID, e.ID); err != nil {
		return p, err
	}
	p.Thumbprints, err = linkTargets(r, store.IAMThumbprint, e.ID)
	return p, err
}

// CreateOIDCProvider registers an OpenID Connect provider and returns
// its ARN. A URL that is there already is refused, as are more than 100
// client ids, 5 thumbprints or 100 providers in the account; thumbprints
// are optional, as they are in AWS since 2023.
func (s *Service) CreateOIDCProvider(ctx context.Context, account string, in NewOIDCProvider) (string, error) {
	name, err := providerURL(in.URL)
	if err != nil {
		return "", err
	}
	thumbs, err := oidcThumbprints(in.Thumbprints)
	if err != nil {
		return "", err
	}
	if len(in.ClientIDs) > maxClientIDs {
		return "", quota("ClientIdsPerOpenIdConnectProvider", maxClientIDs)
	}
	if err := checkNewTags(in.Tags); err != nil {
		return "", err
	}
	clients := slices.Compact(slices.Sorted(slices.Values(in.ClientIDs)))
	a := arn(account, "oidc-provider", "/", name)
	p := store.IAMEntity{Kind: store.IAMOIDCProvider, ID: a, Name: name, Path: "/", ARN: a, Created: s.now()}
	err = s.update(ctx, account, func(w store.IAMWriter) error {
		// The id is the ARN, which PutEntity would replace: the URL is
		// looked for first.
		if _, err := w.Entity(store.IAMOIDCProvider, name); err == nil {
			return errorf(EntityAlreadyExists, "Provider with url %s already exists.", in.URL)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if n, err := count(w.Entities(store.IAMOIDCProvider, "/")); err != nil {
			return err
		} else if n >= maxOIDCProviders {
			return quota("OpenIdConnectProvidersPerAccount", maxOIDCProviders)
		}
		if err := w.PutEntity(p); err != nil {
			return err
		}
		if err := linkAll(w, store.IAMClientID, a, clients, p.Created); err != nil {
			return err
		}
		if err := linkAll(w, store.IAMThumbprint, a, thumbs, p.Created); err != nil {
			return err
		}
		return w.TagEntity(a, in.Tags, nil)
	})
	if err != nil {
		return "", err
	}
	return a, nil
}

// GetOIDCProvider returns the provider an ARN names.
func (s *Service) GetOIDCProvider(ctx context.Context, account, providerARN string) (*OIDCProviderInfo, error) {
	var out *OIDCProviderInfo
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := findOIDCProvider(r, account, providerARN, providerNotFound)
		if err != nil {
			return err
		}
		p, err := readOIDCProvider(r, e)
		if err != nil {
			return err
		}
		tags, err := r.Tags(e.ID)
		out = &OIDCProviderInfo{OIDCProvider: p, Created: e.Created, Tags: tags}
		return err
	})
	return out, err
}

// ListOIDCProviders returns the ARNs of the account's providers, by URL.
func (s *Service) ListOIDCProviders(ctx context.Context, account string) ([]string, error) {
	var out []string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		list, err := r.Entities(store.IAMOIDCProvider, "/")
		for _, e := range list {
			out = append(out, e.ARN)
		}
		return err
	})
	return out, err
}

// DeleteOIDCProvider deletes a provider with its client ids,
// thumbprints and tags.
func (s *Service) DeleteOIDCProvider(ctx context.Context, account, providerARN string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := findOIDCProvider(w, account, providerARN, providerNotFoundDeleted)
		if err != nil {
			return err
		}
		return w.DeleteEntity(e.ID)
	})
}

// AddOIDCClientID adds a client id to a provider; one it has already is
// no change.
func (s *Service) AddOIDCClientID(ctx context.Context, account, providerARN, clientID string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := findOIDCProvider(w, account, providerARN, providerNotFound)
		if err != nil {
			return err
		}
		ids, err := linkTargets(w, store.IAMClientID, e.ID)
		switch {
		case err != nil || slices.Contains(ids, clientID):
			return err
		case len(ids) >= maxClientIDs:
			return quota("ClientIdsPerOpenIdConnectProvider", maxClientIDs)
		}
		return linkAll(w, store.IAMClientID, e.ID, []string{clientID}, s.now())
	})
}

// RemoveOIDCClientID removes a client id of a provider; one it does not
// have is no change.
func (s *Service) RemoveOIDCClientID(ctx context.Context, account, providerARN, clientID string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := findOIDCProvider(w, account, providerARN, providerNotFound)
		if err != nil {
			return err
		}
		if err := w.Unlink(store.IAMClientID, e.ID, clientID); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
}

// UpdateOIDCThumbprints replaces the thumbprints of a provider.
func (s *Service) UpdateOIDCThumbprints(ctx context.Context, account, providerARN string, list []string) error {
	thumbs, err := oidcThumbprints(list)
	if err != nil {
		return err
	}
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := findOIDCProvider(w, account, providerARN, providerNotFound)
		if err != nil {
			return err
		}
		old, err := linkTargets(w, store.IAMThumbprint, e.ID)
		if err != nil {
			return err
		}
		for _, t := range old {
			if err := w.Unlink(store.IAMThumbprint, e.ID, t); err != nil {
				return err
			}
		}
		return linkAll(w, store.IAMThumbprint, e.ID, thumbs, s.now())
	})
}

// onOIDCProvider runs a tag operation on the provider an ARN names,
// wording its absence as AWS does.
func onOIDCProvider(account, providerARN string, op func(Ref) error) error {
	err := op(Ref{Kind: store.IAMOIDCProvider, Name: oidcName(account, providerARN)})
	var e *Error
	if errors.As(err, &e) && e.Code == NoSuchEntity {
		return errorf(NoSuchEntity, providerNotFound, providerARN)
	}
	return err
}

// TagOIDCProvider adds tags to a provider, as TagEntity does.
func (s *Service) TagOIDCProvider(ctx context.Context, account, providerARN string, tags map[string]string) error {
	return onOIDCProvider(account, providerARN, func(ref Ref) error { return s.TagEntity(ctx, account, ref, tags) })
}

// UntagOIDCProvider removes tags of a provider, as UntagEntity does.
func (s *Service) UntagOIDCProvider(ctx context.Context, account, providerARN string, keys []string) error {
	return onOIDCProvider(account, providerARN, func(ref Ref) error { return s.UntagEntity(ctx, account, ref, keys) })
}

// OIDCProviderTags lists a provider's tags by key.
func (s *Service) OIDCProviderTags(ctx context.Context, account, providerARN string, p Page) (Paged[Tag], error) {
	var out Paged[Tag]
	err := onOIDCProvider(account, providerARN, func(ref Ref) (err error) {
		out, err = s.EntityTags(ctx, account, ref, p)
		return err
	})
	return out, err
}

// OIDCProviderFor returns the provider of an account whose URL is
// issuer's (issuer as a token's iss claim has it: with or without
// https://, compared without a trailing slash, host case-insensitively):
// an error matching store.ErrNotFound when there is none. When the
// account has the URL both with and without a trailing slash, the one
// written as issuer wins.
func (s *Service) OIDCProviderFor(ctx context.Context, account, issuer string) (*OIDCProvider, error) {
	url := strings.TrimPrefix(issuer, "https://")
	bare := strings.TrimSuffix(url, "/")
	names := []string{bare, bare + "/"}
	if url != bare {
		slices.Reverse(names)
	}
	var out *OIDCProvider
	err := s.view(ctx, account, func(r store.IAMReader) error {
		for _, name := range names {
			e, err := r.Entity(store.IAMOIDCProvider, name)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !sameOIDCIssuer(e.Name, bare)) {
				continue
			} else if err != nil {
				return err
			}
			p, err := readOIDCProvider(r, e)
			if err == nil {
				out = &p
			}
			return err
		}
		return nil
	})
	if err == nil && out == nil {
		err = fmt.Errorf("no OpenID Connect provider of account %s has the URL %s: %w", account, issuer, store.ErrNotFound)
	}
	return out, err
}

// sameOIDCIssuer says whether a provider's URL is bare (a URL without
// scheme or trailing slash): its host compared case-insensitively, its
// path as it is.
func sameOIDCIssuer(name, bare string) bool {
	host, path, _ := strings.Cut(strings.TrimSuffix(name, "/"), "/")
	bareHost, barePath, _ := strings.Cut(bare, "/")
	return strings.EqualFold(host, bareHost) && path == barePath
}
