package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vigilhq/vigil/internal/clock"
)

// ExternalS3 is an S3-compatible store that trails and Logs export tasks
// deliver to when their bucket is not one of Vigil's (AWS S3, MinIO,
// another Vigil).
type ExternalS3 struct {
	// Endpoint is its URL (path-style requests: Endpoint/bucket/key).
	Endpoint string
	// Region signs the requests; AccessKeyID and SecretAccessKey are
	// the credentials Vigil uses there.
	Region, AccessKeyID, SecretAccessKey string
}

// externalS3 writes objects into an ExternalS3 with SigV4-signed
// requests.
type externalS3 struct {
	cfg    ExternalS3
	client *http.Client
	signer *v4.Signer
	// clock signs the requests: the real one, which the store checks
	// signatures against, whatever Vigil's clock shows.
	clock clock.Clock
}

func newExternalS3(cfg ExternalS3) (*externalS3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the external S3 endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, fmt.Errorf("the external S3 endpoint %s needs an access key id and a secret access key", cfg.Endpoint)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	cfg.Endpoint = strings.TrimSuffix(cfg.Endpoint, "/")
	return &externalS3{cfg: cfg, client: &http.Client{Timeout: time.Minute}, signer: v4.NewSigner(), clock: clock.System{}}, nil
}

// externalError is an external store's refusal: its S3 error code, or the
// HTTP status's (a HEAD answers no body).
type externalError struct {
	Code, Message string
}

func (e *externalError) Error() string { return e.Code + ": " + e.Message }

// objectURL is the path-style URL of bucket/key, each segment escaped.
func (x *externalS3) objectURL(bucket, key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	u := x.cfg.Endpoint + "/" + url.PathEscape(bucket)
	if key != "" {
		u += "/" + strings.Join(parts, "/")
	}
	return u
}

// do signs and sends a request with body.
func (x *externalS3) do(ctx context.Context, method, target string, body []byte, header http.Header) error {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: x.cfg.AccessKeyID, SecretAccessKey: x.cfg.SecretAccessKey}
	if err := x.signer.SignHTTP(ctx, creds, req, hash, "s3", x.cfg.Region, x.clock.Now()); err != nil {
		return err
	}
	resp, err := x.client.Do(req)
	if err != nil {
		return fmt.Errorf("external S3 %s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	var e struct{ Code, Message string }
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if xml.Unmarshal(b, &e) != nil || e.Code == "" {
		e.Code, e.Message = statusCode(resp.StatusCode), resp.Status
	}
	return &externalError{Code: e.Code, Message: e.Message}
}

// statusCode names the S3 error of a status without a body.
func statusCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return "NoSuchBucket"
	case http.StatusForbidden:
		return "AccessDenied"
	}
	return http.StatusText(status)
}

// put writes an object as a delivering service does: readable by the
// bucket's owner.
func (x *externalS3) put(ctx context.Context, bucket, key, contentType string, body []byte, metadata map[string]string) error {
	h := http.Header{"Content-Type": {contentType}, "X-Amz-Acl": {"bucket-owner-full-control"}}
	for k, v := range metadata {
		h.Set("X-Amz-Meta-"+k, v)
	}
	return x.do(ctx, http.MethodPut, x.objectURL(bucket, key), body, h)
}

// check says whether the bucket exists and lets Vigil's credentials in.
func (x *externalS3) check(ctx context.Context, bucket string) error {
	return x.do(ctx, http.MethodHead, x.objectURL(bucket, ""), nil, nil)
}
