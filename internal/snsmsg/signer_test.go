package snsmsg

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLoadOrCreateSigner(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sns")
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s, err := LoadOrCreateSigner(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]os.FileMode{KeyFile: 0o600, CertFile: 0o644} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %v; want %v", name, fi.Mode().Perm(), want)
		}
	}

	cert := parseCert(t, s.CertificatePEM())
	if cert.Subject.CommonName != "Vigil SNS message signing" || cert.Issuer.String() != cert.Subject.String() {
		t.Errorf("certificate subject %q, issuer %q; want a self-signed Vigil SNS message signing", cert.Subject, cert.Issuer)
	}
	if !cert.NotBefore.Equal(now) || !cert.NotAfter.Equal(now.AddDate(10, 0, 0)) {
		t.Errorf("certificate valid from %v to %v; want ten years from %v", cert.NotBefore, cert.NotAfter, now)
	}
	if err := cert.CheckSignatureFrom(cert); err == nil {
		t.Error("the certificate says it is a CA")
	}
	if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
		t.Errorf("the certificate's self-signature does not verify: %v", err)
	}
	if pub := cert.PublicKey.(*rsa.PublicKey); pub.N.BitLen() != 2048 {
		t.Errorf("the key has %d bits; want 2048", pub.N.BitLen())
	}
	if name := s.CertFileName(); !regexp.MustCompile(`^VigilSNS-[0-9a-f]{32}\.pem$`).MatchString(name) {
		t.Errorf("CertFileName = %q", name)
	}

	// A later start reads the same key and certificate back.
	body := sign(t, s, sampleMessages()[0], SignatureVersion2)
	again, err := LoadOrCreateSigner(dir, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.CertificatePEM(), s.CertificatePEM()) || again.CertFileName() != s.CertFileName() {
		t.Error("reloading gives another certificate")
	}
	if got := sign(t, again, sampleMessages()[0], SignatureVersion2); !bytes.Equal(got, body) {
		t.Error("reloading gives another key")
	}
	if err := awsVerify(body, again.CertificatePEM()); err != nil {
		t.Errorf("the reloaded certificate does not verify the first signer's message: %v", err)
	}
}

func TestLoadOrCreateSignerRepairs(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	dir := t.TempDir()
	s, err := LoadOrCreateSigner(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	body := sign(t, s, sampleMessages()[1], SignatureVersion1)

	// A key without its certificate gets a new certificate of the key.
	if err := os.Remove(filepath.Join(dir, CertFile)); err != nil {
		t.Fatal(err)
	}
	later := now.AddDate(1, 0, 0)
	recert, err := LoadOrCreateSigner(dir, later)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(recert.CertificatePEM(), s.CertificatePEM()) || recert.CertFileName() == s.CertFileName() {
		t.Error("the certificate was not renewed")
	}
	if cert := parseCert(t, recert.CertificatePEM()); !cert.NotBefore.Equal(later) {
		t.Errorf("the new certificate starts %v; want %v", cert.NotBefore, later)
	}
	if err := awsVerify(body, recert.CertificatePEM()); err != nil {
		t.Errorf("the new certificate is not of the key: %v", err)
	}

	// A certificate without its key is replaced along with the new key.
	if err := os.Remove(filepath.Join(dir, KeyFile)); err != nil {
		t.Fatal(err)
	}
	rekey, err := LoadOrCreateSigner(dir, later)
	if err != nil {
		t.Fatal(err)
	}
	if err := awsVerify(sign(t, rekey, sampleMessages()[1], SignatureVersion1), rekey.CertificatePEM()); err != nil {
		t.Errorf("the new key and certificate do not match: %v", err)
	}
}

func TestLoadOrCreateSignerRefuses(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	fixture, err := os.ReadFile(filepath.Join("testdata", "signer", CertFile))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file string
		data       []byte
		err        string
	}{
		{"another key's certificate", CertFile, fixture, "is not of the key"},
		{"damaged certificate", CertFile, []byte("junk"), "no PEM CERTIFICATE block"},
		{"damaged certificate DER", CertFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}}), "is damaged"},
		{"damaged key", KeyFile, []byte("junk"), "no PEM PRIVATE KEY block"},
		{"damaged key DER", KeyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2}}), "is damaged"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		if _, err := LoadOrCreateSigner(dir, now); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, tt.file), tt.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateSigner(dir, now); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: LoadOrCreateSigner = %v; want an error with %q", tt.name, err, tt.err)
		}
	}
}

func parseCert(t *testing.T, certPEM []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("not a PEM certificate:\n%s", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
