package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sidi test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

// TestServeTLS: with --tls-cert and --tls-key the server speaks HTTPS only,
// its cookies are Secure and it sends HSTS; half a pair or unreadable files
// are refused before anything is served.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--no-serve", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	certFile, keyFile, pool := selfSigned(t, t.TempDir())

	for _, args := range [][]string{
		{"serve", "--data", dir, "--tls-cert", certFile},
		{"serve", "--data", dir, "--tls-key", keyFile},
		{"serve", "--data", dir, "--tls-cert", keyFile, "--tls-key", certFile},
		{"serve", "--data", dir, "--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", keyFile},
	} {
		if code, _, errs := runCLI(t, args...); code == 0 || !strings.Contains(strings.ToLower(errs), "tls") {
			t.Errorf("%v: exit %d, %q; want a refusal naming the TLS flags", args, code, errs)
		}
	}

	url, _, stop := startServer(t, "serve", "--addr", "127.0.0.1:0", "--data", dir, "--tls-cert", certFile, "--tls-key", keyFile)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("printed URL %q is not https", url)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := hc.Get(url + "login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("GET /login over TLS: %d", resp.StatusCode)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
	secure := false
	for _, c := range resp.Cookies() {
		secure = secure || c.Secure
		if !c.Secure {
			t.Errorf("cookie %s over TLS is not Secure", c.Name)
		}
	}
	if !secure {
		t.Error("no cookie set on /login")
	}
	// Plain HTTP on the TLS port gets no page.
	if r, err := http.Get("http://" + strings.TrimPrefix(url, "https://") + "plan"); err == nil {
		if r.StatusCode == 200 {
			t.Error("plain HTTP answered 200 on the TLS port")
		}
		r.Body.Close()
	}
	stop()
}
