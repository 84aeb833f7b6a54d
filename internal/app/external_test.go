package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestExternalS3: objects go to an external store path-style, signed,
// with the delivering service's ACL and the metadata; its refusals come
// back as S3's error codes, from the XML body or, for a HEAD, the status.
func TestExternalS3(t *testing.T) {
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got, body = r, string(b)
		switch {
		case strings.HasPrefix(r.URL.Path, "/denied"):
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case r.Method == http.MethodHead && r.URL.Path == "/absent":
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	if _, err := newExternalS3(ExternalS3{Endpoint: "ftp://x"}); err == nil {
		t.Error("an ftp endpoint was accepted")
	}
	x, err := newExternalS3(ExternalS3{Endpoint: srv.URL + "/", AccessKeyID: "AKID", SecretAccessKey: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := x.put(ctx, "logs", "AWSLogs/1/a b+c.json.gz", "application/json", []byte("data"), map[string]string{"signature": "abc"}); err != nil {
		t.Fatal(err)
	}
	if got.Method != http.MethodPut || got.URL.EscapedPath() != "/logs/AWSLogs/1/a%20b+c.json.gz" || body != "data" ||
		got.Header.Get("X-Amz-Acl") != "bucket-owner-full-control" || got.Header.Get("X-Amz-Meta-Signature") != "abc" ||
		!strings.Contains(got.Header.Get("Authorization"), "Credential=AKID/") || !strings.Contains(got.Header.Get("Authorization"), "/us-east-1/s3/aws4_request") {
		t.Errorf("PUT %s %v", got.URL, got.Header)
	}
	var ext *externalError
	if err := x.put(ctx, "denied", "k", "text/plain", nil, nil); !errors.As(err, &ext) || ext.Code != "AccessDenied" {
		t.Errorf("put into a refusing bucket = %v; want AccessDenied", err)
	}
	if err := x.check(ctx, "absent"); !errors.As(err, &ext) || ext.Code != "NoSuchBucket" {
		t.Errorf("check of an absent bucket = %v; want NoSuchBucket", err)
	}
	if err := x.check(ctx, "logs"); err != nil || got.Method != http.MethodHead || got.URL.Path != "/logs" {
		t.Errorf("check = %v (%s %s)", err, got.Method, got.URL)
	}
}
