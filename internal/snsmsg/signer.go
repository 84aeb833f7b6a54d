package snsmsg

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // for crypto.SHA1.New
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vigilhq/vigil/internal/atomicfile"
)

// The files of a Signer in its directory.
const (
	// KeyFile holds the RSA private key, PKCS #8 in PEM, mode 0600.
	KeyFile = "sns-signing-key.pem"
	// CertFile holds the self-signed certificate of the key, in PEM.
	CertFile = "sns-signing-cert.pem"
)

// certValidity is how long a new certificate is valid for: the receivers
// cache it by URL and few check its dates, so it should outlive any
// deployment rather than lapse unnoticed.
const certValidity = 10 // years

// Signer signs messages with an RSA key, whose X.509 certificate it gives
// to receivers. It is safe for concurrent use.
type Signer struct {
	key     *rsa.PrivateKey
	certPEM []byte
	certDER []byte
}

// LoadOrCreateSigner returns the Signer kept in dir. On first use it
// creates dir, a 2048-bit RSA key and a self-signed certificate for it,
// named "Vigil SNS message signing" and valid for ten years from now;
// later it reads them back. A key without its certificate gets a new
// certificate, and a certificate without its key is replaced along with
// the new key; a certificate not of the key is an error, which deleting
// both files clears. Either way receivers must fetch the new certificate,
// which CertFileName names anew.
func LoadOrCreateSigner(dir string, now time.Time) (*Signer, error) {
	key, created, err := loadOrCreateKey(dir)
	if err != nil {
		return nil, err
	}
	certPath := filepath.Join(dir, CertFile)
	certPEM, err := os.ReadFile(certPath)
	if created || errors.Is(err, os.ErrNotExist) {
		if certPEM, err = newCertificate(key, now); err != nil {
			return nil, fmt.Errorf("cannot create the SNS signing certificate: %w", err)
		}
		if err := atomicfile.Write(certPath, certPEM, 0o644); err != nil {
			return nil, fmt.Errorf("cannot write the SNS signing certificate: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cannot read the SNS signing certificate: %w", err)
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("SNS signing certificate %s is damaged: no PEM CERTIFICATE block", certPath)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("SNS signing certificate %s is damaged: %w", certPath, err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, fmt.Errorf("SNS signing certificate %s is not of the key in %s: delete both to create new ones", certPath, KeyFile)
	}
	return &Signer{key: key, certPEM: certPEM, certDER: block.Bytes}, nil
}

// loadOrCreateKey reads the key in dir, or creates it and reports so.
func loadOrCreateKey(dir string) (key *rsa.PrivateKey, created bool, err error) {
	path := filepath.Join(dir, KeyFile)
	keyPEM, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, false, fmt.Errorf("cannot generate the SNS signing key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, false, fmt.Errorf("cannot encode the SNS signing key: %w", err)
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, false, fmt.Errorf("cannot create the SNS signing key's directory: %w", err)
		}
		if err := atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
			return nil, false, fmt.Errorf("cannot write the SNS signing key: %w", err)
		}
		return key, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("cannot read the SNS signing key: %w", err)
	}
	block, _ := pem.Decode(keyPEM)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, false, fmt.Errorf("SNS signing key %s is damaged: no PEM PRIVATE KEY block", path)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, false, fmt.Errorf("SNS signing key %s is damaged: %w", path, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("SNS signing key %s is a %T, not an RSA key", path, parsed)
	}
	return key, false, nil
}

// newCertificate returns a self-signed certificate of key in PEM, valid
// from now for certValidity years. It names Vigil, not Amazon: it
// vouches for nothing but the key.
func newCertificate(key *rsa.PrivateKey, now time.Time) ([]byte, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Vigil SNS message signing", Organization: []string{"Vigil"}},
		NotBefore:             now,
		NotAfter:              now.AddDate(certValidity, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// CertificatePEM returns the certificate, in PEM, to serve at the
// SigningCertURL of the messages s signs.
func (s *Signer) CertificatePEM() []byte {
	return bytes.Clone(s.certPEM)
}

// CertFileName returns a name for the certificate's file in a
// SigningCertURL: "VigilSNS-" and 32 hexadecimal digits of the SHA-256 of
// the certificate, then ".pem", which validators require. Receivers cache
// certificates by URL, so a new certificate must be served at a new URL.
func (s *Signer) CertFileName() string {
	sum := sha256.Sum256(s.certDER)
	return "VigilSNS-" + hex.EncodeToString(sum[:16]) + ".pem"
}

// Sign signs m with signature version SignatureVersion1 (SHA1withRSA) or
// SignatureVersion2 (SHA256withRSA), setting its SignatureVersion and
// Signature. The caller sets every other member first, SigningCertURL
// included. Sign fails, leaving m as it was, for an unknown version and
// for a Message Marshal would refuse.
func (s *Signer) Sign(m *Message, version string) error {
	hash, err := versionHash(version)
	if err != nil {
		return fmt.Errorf("cannot sign an SNS message: %w", err)
	}
	if err := m.check(); err != nil {
		return fmt.Errorf("cannot sign an SNS message: %w", err)
	}
	digest, err := m.digest(hash)
	if err != nil {
		return fmt.Errorf("cannot sign an SNS message: %w", err)
	}
	sig, err := rsa.SignPKCS1v15(nil, s.key, hash, digest)
	if err != nil {
		return fmt.Errorf("cannot sign an SNS message: %w", err)
	}
	m.SignatureVersion, m.Signature = version, base64.StdEncoding.EncodeToString(sig)
	return nil
}

// Verify checks that s signed m, as a receiver does with the certificate
// at m's SigningCertURL (which Verify does not read).
func (s *Signer) Verify(m *Message) error {
	hash, err := versionHash(m.SignatureVersion)
	if err != nil {
		return fmt.Errorf("cannot verify an SNS message: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("cannot verify an SNS message: its Signature is not Base64: %w", err)
	}
	digest, err := m.digest(hash)
	if err != nil {
		return fmt.Errorf("cannot verify an SNS message: %w", err)
	}
	if err := rsa.VerifyPKCS1v15(&s.key.PublicKey, hash, digest, sig); err != nil {
		return fmt.Errorf("the SNS message's signature does not verify: %w", err)
	}
	return nil
}

// versionHash returns the hash of a signature version.
func versionHash(version string) (crypto.Hash, error) {
	switch version {
	case SignatureVersion1:
		return crypto.SHA1, nil
	case SignatureVersion2:
		return crypto.SHA256, nil
	}
	return 0, fmt.Errorf("unknown SignatureVersion %q: want 1 or 2", version)
}

// digest returns the hash of m's StringToSign.
func (m *Message) digest(hash crypto.Hash) ([]byte, error) {
	sts, err := m.StringToSign()
	if err != nil {
		return nil, err
	}
	h := hash.New()
	h.Write([]byte(sts))
	return h.Sum(nil), nil
}
