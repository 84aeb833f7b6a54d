package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// KeySets fetches and caches the signing keys (JWKS) of OpenID Connect
// issuers: ISSUER/.well-known/openid-configuration names the jwks_uri.
// Keys are kept for an hour; an unknown key id fetches them again (at
// most once a minute per issuer), as issuers rotate keys.
//
// The issuer's HTTPS certificate is trusted as AWS trusts it: when the
// IAM provider lists thumbprints, a certificate of the server's chain
// must have one of them as its SHA-1 fingerprint; without thumbprints,
// the chain must verify against the system's roots.
type KeySets struct {
	// Transport fetches the documents (http.DefaultTransport's settings
	// when nil); its TLS verification is replaced when thumbprints are
	// given.
	Transport *http.Transport
	// Now tells the time (of the cache, not of tokens).
	Now func() time.Time

	mu   sync.Mutex
	sets map[string]*keySet
}

type keySet struct {
	keys    map[string]crypto.PublicKey
	fetched time.Time
	err     error // of a failed fetch
}

const (
	keySetTTL      = time.Hour
	keySetMinFetch = time.Minute
	// maxDocument bounds the documents read from an issuer.
	maxDocument = 1 << 20
	// fetchTimeout bounds a fetch from an issuer.
	fetchTimeout = 10 * time.Second
	// maxKeySets bounds the key sets kept: past it, the cache starts over.
	maxKeySets = 1024
)

// errNoKey: the issuer has no key of that id.
var errNoKey = errors.New("the identity provider has no key of the token's key id")

// Key returns the key of an issuer (the https:// URL of its IAM
// provider) with a key id ("" when the token names none and the issuer
// has one key); thumbprints are the IAM provider's. Keys are cached by
// issuer and how it is trusted (a provider trusting other thumbprints
// fetches its own); a failed fetch is not tried again for a minute.
func (k *KeySets) Key(ctx context.Context, issuer, kid string, thumbprints []string) (crypto.PublicKey, error) {
	now := k.Now()
	id := issuer + " " + strings.Join(slices.Sorted(slices.Values(thumbprints)), ",")
	k.mu.Lock()
	set := k.sets[id]
	k.mu.Unlock()
	if set != nil && now.Sub(set.fetched) < keySetTTL {
		if key, ok := set.pick(kid); ok || now.Sub(set.fetched) < keySetMinFetch {
			if set.err != nil {
				return nil, set.err
			}
			if !ok {
				return nil, errNoKey
			}
			return key, nil
		}
	}
	keys, err := k.fetch(ctx, issuer, k.client(thumbprints))
	set = &keySet{keys: keys, fetched: now, err: err}
	k.mu.Lock()
	if k.sets == nil || len(k.sets) >= maxKeySets {
		k.sets = map[string]*keySet{}
	}
	k.sets[id] = set
	k.mu.Unlock()
	if err != nil {
		return nil, err
	}
	key, ok := set.pick(kid)
	if !ok {
		return nil, errNoKey
	}
	return key, nil
}

func (s *keySet) pick(kid string) (crypto.PublicKey, bool) {
	if kid == "" && len(s.keys) == 1 {
		for _, key := range s.keys {
			return key, true
		}
	}
	key, ok := s.keys[kid]
	return key, ok
}

// client returns the client that fetches from an issuer with the
// thumbprints given.
func (k *KeySets) client(thumbprints []string) *http.Client {
	t := k.Transport
	if t == nil {
		t = http.DefaultTransport.(*http.Transport)
	}
	client := &http.Client{Transport: t, Timeout: fetchTimeout, CheckRedirect: noRedirects}
	if len(thumbprints) == 0 {
		return client
	}
	t = t.Clone()
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		raw, err := (&net.Dialer{Timeout: fetchTimeout}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := tls.Client(raw, &tls.Config{ServerName: host,
			// The chain is verified by pinned, anchored at the pinned
			// certificates instead of the system's roots.
			InsecureSkipVerify: true,
			VerifyConnection:   func(cs tls.ConnectionState) error { return pinned(cs.PeerCertificates, host, thumbprints) },
		})
		if err := c.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return c, nil
	}
	client.Transport = t
	return client
}

// noRedirects refuses the redirects of an issuer: its documents are
// fetched where its IAM provider says, over HTTPS.
func noRedirects(req *http.Request, _ []*http.Request) error {
	return fmt.Errorf("the identity provider redirects to %s: not followed", req.URL.Redacted())
}

// pinned verifies the chain a server presents, for its name and at the
// current time, with the certificates whose SHA-1 thumbprints are pinned
// as its only roots: one of them must be in the chain the leaf verifies
// to.
func pinned(certs []*x509.Certificate, host string, thumbprints []string) error {
	if len(certs) == 0 {
		return errors.New("the identity provider presented no certificate")
	}
	roots, intermediates := x509.NewCertPool(), x509.NewCertPool()
	anchored := false
	for _, c := range certs {
		sum := sha1.Sum(c.Raw)
		if slices.Contains(thumbprints, hex.EncodeToString(sum[:])) {
			roots.AddCert(c)
			anchored = true
		} else {
			intermediates.AddCert(c)
		}
	}
	if !anchored {
		return errors.New("no certificate of the identity provider's chain has a thumbprint of its IAM provider")
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, DNSName: host})
	return err
}

// fetch reads an issuer's discovery document, then its key set.
func (k *KeySets) fetch(ctx context.Context, issuer string, client *http.Client) (map[string]crypto.PublicKey, error) {
	var discovery struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := get(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &discovery); err != nil {
		return nil, err
	}
	if discovery.JWKSURI == "" {
		return nil, fmt.Errorf("the discovery document of %s names no jwks_uri", issuer)
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := get(ctx, client, discovery.JWKSURI, &set); err != nil {
		return nil, err
	}
	keys := map[string]crypto.PublicKey{}
	for _, j := range set.Keys {
		if key, err := j.publicKey(); err == nil && (j.Use == "" || j.Use == "sig") {
			keys[j.Kid] = key
		}
	}
	return keys, nil
}

func get(ctx context.Context, client *http.Client, url string, v any) error {
	if !strings.HasPrefix(url, "https://") {
		return fmt.Errorf("cannot fetch %q: not an https URL", url)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// jwk is a JSON Web Key (RFC 7517): RSA or EC (P-256, P-384).
type jwk struct {
	Kty, Kid, Use, Crv string
	N, E, X, Y         string
}

func (j jwk) publicKey() (crypto.PublicKey, error) {
	switch j.Kty {
	case "RSA":
		n, err1 := b64Int(j.N)
		e, err2 := b64Int(j.E)
		if err := errors.Join(err1, err2); err != nil || !e.IsInt64() || e.Int64() > 1<<31 || n.BitLen() < 2048 {
			return nil, fmt.Errorf("bad RSA key %q: %v", j.Kid, err)
		}
		return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
	case "EC":
		var curve elliptic.Curve
		size := 0
		switch j.Crv {
		case "P-256":
			curve, size = elliptic.P256(), 32
		case "P-384":
			curve, size = elliptic.P384(), 48
		default:
			return nil, fmt.Errorf("unsupported curve %q", j.Crv)
		}
		x, err1 := base64.RawURLEncoding.DecodeString(j.X)
		y, err2 := base64.RawURLEncoding.DecodeString(j.Y)
		if err := errors.Join(err1, err2); err != nil || len(x) != size || len(y) != size {
			return nil, fmt.Errorf("bad EC key %q", j.Kid)
		}
		// The point is checked to be on the curve.
		return ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, x...), y...))
	}
	return nil, fmt.Errorf("unsupported key type %q", j.Kty)
}

func b64Int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("bad base64url integer")
	}
	return new(big.Int).SetBytes(b), nil
}
