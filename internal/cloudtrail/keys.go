package cloudtrail

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// keyLifetime is how long a region's signing key signs digests before
// the next one takes over; keys stay listed by ListPublicKeys after.
const keyLifetime = 30 * 24 * time.Hour

// keyBits is the size of the signing keys.
const keyBits = 2048

// signingKey is a stored key with its private half opened.
type signingKey struct {
	store.SigningKey
	private *rsa.PrivateKey // nil until the key first signs
}

// PublicKey is a key ListPublicKeys shows.
type PublicKey struct {
	// Value is the DER PKCS#1 public key.
	Value       []byte
	From, To    time.Time
	Fingerprint string
}

// regionKeys returns the keys of a region, loading them once.
func (s *Service) regionKeys(ctx context.Context, region string) ([]signingKey, error) {
	if ks, ok := s.keys[region]; ok {
		return ks, nil
	}
	stored, err := s.opt.Store.SigningKeys(ctx, region)
	if err != nil {
		return nil, err
	}
	ks := make([]signingKey, len(stored))
	for i, k := range stored {
		ks[i] = signingKey{SigningKey: k}
	}
	s.keys[region] = ks
	return ks, nil
}

// signer returns the key of a region that signs at now, making one when
// none does.
func (s *Service) signer(ctx context.Context, region string, now time.Time) (*signingKey, error) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	ks, err := s.regionKeys(ctx, region)
	if err != nil {
		return nil, err
	}
	t := ms(now)
	for i := len(ks) - 1; i >= 0; i-- {
		k := &ks[i]
		if k.From <= t && t < k.To {
			if k.private == nil {
				der, err := s.opt.Sealer.Open(k.SealedPrivate)
				if err != nil {
					return nil, fmt.Errorf("cannot open the CloudTrail signing key %s: %w", k.Fingerprint, err)
				}
				if k.private, err = x509.ParsePKCS1PrivateKey(der); err != nil {
					return nil, fmt.Errorf("damaged CloudTrail signing key %s: %w", k.Fingerprint, err)
				}
			}
			return k, nil
		}
	}
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, err
	}
	pub := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	sum := md5.Sum(pub)
	k := signingKey{SigningKey: store.SigningKey{
		Region: region, Fingerprint: hex.EncodeToString(sum[:]), Public: pub,
		SealedPrivate: s.opt.Sealer.Seal(x509.MarshalPKCS1PrivateKey(priv)),
		From:          t, To: ms(now.Add(keyLifetime)),
	}, private: priv}
	if err := s.opt.Store.PutSigningKey(ctx, k.SigningKey); err != nil {
		return nil, err
	}
	s.keys[region] = append(ks, k)
	s.opt.Logger.Info("CloudTrail made a digest signing key", "region", region, "fingerprint", k.Fingerprint)
	return &s.keys[region][len(s.keys[region])-1], nil
}

// sign signs msg with SHA256withRSA and returns the signature in hex.
func (k *signingKey) sign(msg []byte) (string, error) {
	sum := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.private, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sig), nil
}

// PublicKeys returns the region's keys that signed, or sign, at some time
// from start to end (both now when zero: the current key).
func (s *Service) PublicKeys(ctx context.Context, region string, start, end time.Time) ([]PublicKey, error) {
	now := s.opt.Clock.Now()
	if start.IsZero() {
		start = now
	}
	if end.IsZero() {
		end = now
	}
	if start.After(end) {
		return nil, errorf(InvalidTimeRange, "Start time must be before end time.")
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	ks, err := s.regionKeys(ctx, region)
	if err != nil {
		return nil, err
	}
	var out []PublicKey
	for _, k := range ks {
		if k.From <= ms(end) && ms(start) < k.To {
			out = append(out, PublicKey{Value: k.Public, From: TimeOf(k.From), To: TimeOf(k.To), Fingerprint: k.Fingerprint})
		}
	}
	return out, nil
}
