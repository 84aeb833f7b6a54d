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
}

const (
	keySetTTL      = time.Hour
	keySetMinFetch = time.Minute
	// maxDocument bounds the documents read from an issuer.
	maxDocument = 1 << 20
	// fetchTimeout bounds a fetch from an issuer.
	fetchTimeout = 10 * time.Second
)

// errNoKey: the issuer has no key of that id.
var errNoKey = errors.New("the identity provider has no key of the token's key id")

// Key returns the key of an issuer (an https:// URL) with a key id (""
// when the token names none and the issuer has one key); thumbprints are
// the IAM provider's.
func (k *KeySets) Key(ctx context.Context, issuer, kid string, thumbprints []string) (crypto.PublicKey, error) {
	now := k.Now()
	k.mu.Lock()
	set := k.sets[issuer]
	k.mu.Unlock()
	if set != nil && now.Sub(set.fetched) < keySetTTL {
		if key, ok := set.pick(kid); ok || now.Sub(set.fetched) < keySetMinFetch {
			if !ok {
				return nil, errNoKey
			}
			return key, nil
		}
	}
	keys, err := k.fetch(ctx, issuer, k.client(thumbprints))
	if err != nil {
		return nil, err
	}
	set = &keySet{keys: keys, fetched: now}
	k.mu.Lock()
	if k.sets == nil {
		k.sets = map[string]*keySet{}
	}
	k.sets[issuer] = set
	k.mu.Unlock()
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
	if len(thumbprints) == 0 {
		return &http.Client{Transport: t, Timeout: fetchTimeout}
	}
	t = t.Clone()
	t.TLSClientConfig = &tls.Config{
		// The chain is checked by thumbprint instead (below).
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			for _, der := range raw {
				sum := sha1.Sum(der)
				if slices.Contains(thumbprints, strings.ToLower(hex.EncodeToString(sum[:]))) {
					return nil
				}
			}
			return errors.New("no certificate of the identity provider's chain has a thumbprint of its IAM provider")
		},
	}
	return &http.Client{Transport: t, Timeout: fetchTimeout}
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
