package sts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"testing"
	"time"
)

// cert makes a certificate for name signed by parent (itself when nil).
func cert(t *testing.T, name string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: ca, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func thumbprint(c *x509.Certificate) string {
	sum := sha1.Sum(c.Raw)
	return hex.EncodeToString(sum[:])
}

// A pinned certificate anchors the chain the leaf verifies to; carried
// along beside a leaf it did not sign, or for another name, it vouches
// for nothing.
func TestPinned(t *testing.T) {
	ca, caKey := cert(t, "ca", true, nil, nil)
	leaf, _ := cert(t, "issuer.example", false, ca, caKey)
	pin := []string{thumbprint(ca)}
	if err := pinned([]*x509.Certificate{leaf, ca}, "issuer.example", pin); err != nil {
		t.Errorf("the issuer's chain: %v", err)
	}
	if err := pinned([]*x509.Certificate{leaf, ca}, "other.example", pin); err == nil {
		t.Error("a chain for another name")
	}
	forged, _ := cert(t, "issuer.example", false, nil, nil)
	if err := pinned([]*x509.Certificate{forged, ca}, "issuer.example", pin); err == nil {
		t.Error("a leaf the pinned certificate did not sign, carried along with it")
	}
	if err := pinned([]*x509.Certificate{leaf, ca}, "issuer.example", []string{thumbprint(forged)}); err == nil {
		t.Error("a chain without the pinned certificate")
	}
}
