// Package tlsca gives Vigil its HTTPS certificate: the one an operator
// provides, or one Vigil issues itself from a certificate authority it
// creates in its data directory on first use, whose certificate clients
// are told to trust (AWS_CA_BUNDLE).
package tlsca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/atomicfile"
)

// The files of the authority and of the certificate it issues, in the
// data directory.
const (
	CAFile      = "vigil-ca.pem"
	caKeyFile   = "vigil-ca-key.pem"
	certFile    = "vigil-tls.pem"
	certKeyFile = "vigil-tls-key.pem"
)

// Lifetimes: the authority lasts ten years; a certificate it issues a
// year, and is issued again when it has less than a month left or does
// not name every host.
const (
	caLifetime   = 10 * 365 * 24 * time.Hour
	certLifetime = 365 * 24 * time.Hour
	renewBefore  = 30 * 24 * time.Hour
)

// Load reads an operator's certificate and key (PEM files).
func Load(certPath, keyPath string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("cannot load the TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// LoadOrCreate returns a TLS configuration with a certificate for hosts
// (names and IP addresses) issued by Vigil's own authority in dir, which
// it creates on first use, and the path of the authority's certificate.
func LoadOrCreate(dir string, hosts []string, now time.Time) (*tls.Config, string, error) {
	ca, caKey, err := loadOrCreateCA(dir, now)
	if err != nil {
		return nil, "", err
	}
	cert, err := loadCert(dir, ca, hosts, now)
	if err != nil {
		if cert, err = issue(dir, ca, caKey, hosts, now); err != nil {
			return nil, "", err
		}
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, filepath.Join(dir, CAFile), nil
}

// newKey returns a P-256 key and its PKCS#8 PEM.
func newKey() (*ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}

// loadOrCreateCA reads the authority, or creates it.
func loadOrCreateCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, CAFile), filepath.Join(dir, caKeyFile))
	if err == nil {
		key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
		if !ok {
			return nil, nil, errors.New("the key of Vigil's certificate authority is not an ECDSA key")
		}
		ca, err := x509.ParseCertificate(pair.Certificate[0])
		return ca, key, err
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("cannot read Vigil's certificate authority: %w", err)
	}
	key, keyPEM, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: "Vigil local certificate authority", Organization: []string{"Vigil"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(caLifetime),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	if err := atomicfile.Write(filepath.Join(dir, caKeyFile), keyPEM, 0o600); err != nil {
		return nil, nil, err
	}
	if err := atomicfile.Write(filepath.Join(dir, CAFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return nil, nil, err
	}
	ca, err := x509.ParseCertificate(der)
	return ca, key, err
}

// loadCert reads the issued certificate, and fails when it is missing,
// not the authority's, about to expire, or does not name every host.
func loadCert(dir string, ca *x509.Certificate, hosts []string, now time.Time) (tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, certFile), filepath.Join(dir, certKeyFile))
	if err != nil {
		return pair, err
	}
	c, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return pair, err
	}
	if err := c.CheckSignatureFrom(ca); err != nil {
		return pair, err
	}
	if now.Add(renewBefore).After(c.NotAfter) {
		return pair, errors.New("the certificate expires soon")
	}
	for _, h := range hosts {
		if c.VerifyHostname(h) != nil {
			return pair, fmt.Errorf("the certificate does not name %s", h)
		}
	}
	return pair, nil
}

// issue issues a certificate for hosts and keeps it in dir.
func issue(dir string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, hosts []string, now time.Time) (tls.Certificate, error) {
	key, keyPEM, err := newKey()
	if err != nil {
		return tls.Certificate{}, err
	}
	sn, err := serial()
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: sn, Subject: pkix.Name{CommonName: hosts[0], Organization: []string{"Vigil"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(certLifetime),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range slices.Compact(slices.Sorted(slices.Values(hosts))) {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := atomicfile.Write(filepath.Join(dir, certKeyFile), keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.Write(filepath.Join(dir, certFile), certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}
