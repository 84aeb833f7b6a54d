package auth

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

func TestSealer(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("secret"))
	if bytes.Contains(sealed, []byte("secret")) {
		t.Error("sealed secret contains the plaintext")
	}
	again, err := OpenSealer(dir) // the same key from the file
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.Open(sealed); err != nil || string(got) != "secret" {
		t.Errorf("Open = %q, %v; want the secret", got, err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, MasterKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("master key mode = %v; want 0600", fi.Mode())
	}
	other, _ := OpenSealer(t.TempDir())
	if _, err := other.Open(sealed); err == nil {
		t.Error("a different master key opened the secret")
	}
	os.WriteFile(filepath.Join(dir, MasterKeyFile), []byte("short"), 0o600)
	if _, err := OpenSealer(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("OpenSealer(short key) = %v; want a damaged-key error", err)
	}
}

func TestEnsureRoot(t *testing.T) {
	dir := t.TempDir()
	st, err := embedded.Open(context.Background(), dir, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sealer, _ := OpenSealer(dir)
	first, err := EnsureRoot(context.Background(), st.Accounts(), sealer, dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || len(first.AccountID) != 12 || first.AccountID[0] == '0' || !strings.HasPrefix(first.AccessKeyID, "AKIA") ||
		len(first.AccessKeyID) != 20 || len(first.SecretAccessKey) != 40 {
		t.Errorf("root credentials = %+v", first)
	}
	os.Remove(filepath.Join(dir, CredentialsFile))
	second, err := EnsureRoot(context.Background(), st.Accounts(), sealer, dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.AccountID != first.AccountID || second.SecretAccessKey != first.SecretAccessKey {
		t.Errorf("second start = %+v; want the first start's credentials", second)
	}
	b, err := os.ReadFile(filepath.Join(dir, CredentialsFile))
	want := "[vigil]\naws_access_key_id = " + first.AccessKeyID + "\naws_secret_access_key = " + first.SecretAccessKey + "\n"
	if err != nil || string(b) != want {
		t.Errorf("credentials file = %q, %v; want it rewritten", b, err)
	}
}

func TestProtocolErrors(t *testing.T) {
	sig := &sigv4.Signature{AccessKeyID: "AKIAX", AmzDate: "20260101T000000Z", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Expires: time.Minute, Signature: "abc"}
	now := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		kind     sigv4.Kind
		protocol protocol.Kind
		code     string
		query    string
		status   int
	}{
		{sigv4.KindUnsigned, protocol.AWSJSON11, "MissingAuthenticationTokenException", "MissingAuthenticationToken", 400},
		{sigv4.KindUnsigned, protocol.AWSQuery, "MissingAuthenticationToken", "", 403},
		{sigv4.KindUnsigned, protocol.RESTXML, "AccessDenied", "", 403},
		{KindUnknownKey, protocol.RPCv2CBOR, "UnrecognizedClientException", "InvalidClientTokenId", 400},
		{KindUnknownKey, protocol.AWSQuery, "InvalidClientTokenId", "", 403},
		{KindUnknownKey, protocol.RESTJSON, "UnrecognizedClientException", "InvalidClientTokenId", 403},
		{KindUnknownKey, protocol.RESTXML, "InvalidAccessKeyId", "", 403},
		{sigv4.KindSignatureMismatch, protocol.AWSJSON10, "InvalidSignatureException", "SignatureDoesNotMatch", 400},
		{sigv4.KindSignatureMismatch, protocol.AWSQuery, "SignatureDoesNotMatch", "", 403},
		{sigv4.KindTimeSkew, protocol.RESTXML, "RequestTimeTooSkewed", "", 403},
		{sigv4.KindExpired, protocol.RESTXML, "AccessDenied", "", 403},
		{sigv4.KindMalformed, protocol.AWSQuery, "IncompleteSignature", "", 400},
		{sigv4.KindPayloadHashMismatch, protocol.RESTXML, "XAmzContentSHA256Mismatch", "", 400},
	}
	for _, tt := range tests {
		e := (&Error{Kind: tt.kind, Message: "m", AccessKey: "AKIAX", Signature: sig, Now: now}).ProtocolError(tt.protocol)
		if e.Code != tt.code || e.QueryCode != tt.query || e.Status != tt.status {
			t.Errorf("%v over %s = %s/%s/%d; want %s/%s/%d", tt.kind, tt.protocol, e.Code, e.QueryCode, e.Status, tt.code, tt.query, tt.status)
		}
	}
	skew := (&Error{Kind: sigv4.KindTimeSkew, Signature: sig, Now: now}).ProtocolError(protocol.RESTXML)
	if len(skew.Fields) != 3 || skew.Fields[0] != (protocol.Field{Name: "RequestTime", Value: "20260101T000000Z"}) ||
		skew.Fields[2] != (protocol.Field{Name: "MaxAllowedSkewMilliseconds", Value: "900000"}) {
		t.Errorf("RequestTimeTooSkewed fields = %+v", skew.Fields)
	}
}
