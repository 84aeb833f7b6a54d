package tlsca

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// t0 is the time the certificates are issued at: now, because the TLS
// handshake checks their validity on the wall clock.
var t0 = time.Now().UTC().Truncate(time.Hour)

// leaf returns the certificate a configuration serves.
func leaf(t *testing.T, cfg *tls.Config) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoadOrCreate(t *testing.T) {
	dir := t.TempDir()
	hosts := []string{"localhost", "127.0.0.1"}
	cfg, caPath, err := LoadOrCreate(dir, hosts, t0)
	if err != nil {
		t.Fatal(err)
	}
	if caPath != filepath.Join(dir, CAFile) {
		t.Errorf("CA at %s", caPath)
	}
	for _, f := range []string{caKeyFile, certKeyFile} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want mode 0600", f, fi.Mode(), err)
		}
	}
	first := leaf(t, cfg)

	// A client that trusts the CA file connects to a server with it.
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(caPath)
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("cannot read the CA: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.TLS = cfg
	srv.StartTLS()
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET over TLS with the CA trusted: %v", err)
	}
	resp.Body.Close()

	// Opened again: the same certificate.
	again, _, err := LoadOrCreate(dir, hosts, t0.Add(time.Hour))
	if err != nil || !leaf(t, again).Equal(first) {
		t.Errorf("reopened: a new certificate (%v)", err)
	}
	// A new host, or a certificate about to expire: issued again by the
	// same authority.
	more, _, err := LoadOrCreate(dir, append(hosts, "vigil.internal"), t0.Add(time.Hour))
	if err != nil || leaf(t, more).Equal(first) || leaf(t, more).VerifyHostname("vigil.internal") != nil {
		t.Errorf("a new host: %v", err)
	}
	late, _, err := LoadOrCreate(dir, hosts, t0.Add(certLifetime-time.Hour))
	if err != nil || !leaf(t, late).NotAfter.After(t0.Add(certLifetime)) {
		t.Errorf("near expiry: not renewed (%v)", err)
	}
	if _, err := leaf(t, late).Verify(x509.VerifyOptions{Roots: pool, CurrentTime: t0.Add(certLifetime), DNSName: "localhost"}); err != nil {
		t.Errorf("the renewed certificate does not verify with the same CA: %v", err)
	}
	if ip := net.ParseIP("127.0.0.1"); leaf(t, late).VerifyHostname(ip.String()) != nil {
		t.Error("the certificate does not name 127.0.0.1")
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := LoadOrCreate(dir, []string{"localhost"}, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, certFile), filepath.Join(dir, certKeyFile)); err != nil {
		t.Errorf("Load of a valid pair: %v", err)
	}
	if _, err := Load(filepath.Join(dir, certFile), filepath.Join(dir, "nope.pem")); err == nil {
		t.Error("Load of a missing key succeeded")
	}
}
