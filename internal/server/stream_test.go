package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/protocol"
)

// fakeS3 reads PutObject's streamed body and answers its length as the
// ETag, or the read's error.
type fakeS3 struct{ s3.Unimplemented }

func (fakeS3) PutObject(_ context.Context, in *s3.PutObjectRequest) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{ETag: aws.String(strings.Repeat("x", len(b)))}, nil
}

// TestStreamedUpload: a streamed body is verified as it is read, and
// bounded by StreamLimit rather than the service's body limit.
func TestStreamedUpload(t *testing.T) {
	st, sealer, creds := testAccounts(t)
	rt := protocol.NewRouter()
	rt.Register(s3.Model, s3.Handlers(fakeS3{}))
	s := New(Options{Router: rt, Auth: auth.New(auth.Options{Keys: st.Accounts(), Sealer: sealer}),
		BodyLimit: func(*protocol.Service) int64 { return 16 }, StreamLimit: 64})
	put := func(body, signedAs string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("PUT", "http://vigil.test/bucket/key", strings.NewReader(body))
		sum := sha256.Sum256([]byte(signedAs))
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		c := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), c, r, hex.EncodeToString(sum[:]), "s3", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w
	}
	body := strings.Repeat("b", 40) // over the body limit, under the stream limit
	if w := put(body, body); w.Code != 200 || w.Header().Get("ETag") != strings.Repeat("x", 40) {
		t.Errorf("streamed PutObject = %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := put(body, "other"); w.Code != 400 || !strings.Contains(w.Body.String(), "XAmzContentSHA256Mismatch") {
		t.Errorf("PutObject whose body is not what it signed = %d %s; want 400 XAmzContentSHA256Mismatch", w.Code, w.Body)
	}
	big := strings.Repeat("b", 65)
	if w := put(big, big); w.Code != 413 {
		t.Errorf("PutObject over the stream limit = %d %s; want 413", w.Code, w.Body)
	}
}
