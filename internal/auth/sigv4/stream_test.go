package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestPayloadReader(t *testing.T) {
	body := "hello world"
	sum := sha256.Sum256([]byte(body))
	good := hex.EncodeToString(sum[:])
	f := func(name, payloadHash string, h http.Header, sent string, want Kind) {
		t.Helper()
		var sig *Signature
		if payloadHash != "" {
			sig = &Signature{PayloadHash: payloadHash}
		}
		r, err := NewPayloadReader(sig, h, strings.NewReader(sent))
		if err == nil {
			var got []byte
			got, err = io.ReadAll(r)
			if err == nil && string(got) != sent {
				t.Errorf("%s: read %q; want %q", name, got, sent)
			}
		}
		if KindOf(err) != want {
			t.Errorf("%s: error %v (kind %v); want kind %v", name, err, KindOf(err), want)
		}
	}
	crc := http.Header{"X-Amz-Checksum-Crc32": {"DUoRhQ=="}}
	f("hash matches", good, nil, body, 0)
	f("hash differs", good, nil, "jello world", KindPayloadHashMismatch)
	f("unsigned payload", UnsignedPayload, nil, "anything", 0)
	f("no signature", "", nil, "anything", 0)
	f("checksum matches", good, crc, body, 0)
	f("checksum differs", UnsignedPayload, crc, "jello world", KindChecksumMismatch)
	f("checksum not base64", "", http.Header{"X-Amz-Checksum-Crc32": {"!"}}, body, KindChecksumMismatch)
	if _, err := NewPayloadReader(nil, http.Header{"X-Amz-Checksum-Md7": {"x"}}, strings.NewReader(body)); KindOf(err) != KindInvalidPayloadHash {
		t.Errorf("unknown algorithm: %v; want KindInvalidPayloadHash", err)
	}
}
