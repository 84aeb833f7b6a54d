package snsmsg

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzCanonical checks that whatever Parse accepts has a string to sign
// and marshals to JSON that parses back to the same message, with the
// same string to sign, and marshals again to the same bytes; and that
// Verify never panics on it.
func FuzzCanonical(f *testing.F) {
	s := testSigner(f)
	for _, dir := range []string{"testdata", filepath.Join("testdata", "aws")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Type":"Notification","MessageId":"","TopicArn":"","Message":"","Timestamp":"","SignatureVersion":"","Signature":"","SigningCertURL":"","UnsubscribeURL":"","MessageAttributes":{"a":{"Value":"\u0000","Type":"\ud800"}}}`))
	f.Add([]byte(`{"Type":"UnsubscribeConfirmation","Subject":"x"}`))
	f.Add([]byte(`{"Type" : "Notification", "Type" : "Notification"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			return
		}
		sts, err := m.StringToSign()
		if err != nil {
			t.Fatalf("Parse accepted a message without a string to sign: %v", err)
		}
		b, err := m.Marshal()
		if err != nil {
			t.Fatalf("Parse accepted a message Marshal refuses: %v", err)
		}
		if !json.Valid(b) {
			t.Fatalf("Marshal wrote invalid JSON:\n%s", b)
		}
		again, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse refuses what Marshal wrote: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("the message changed through Marshal and Parse:\n%+v\n%+v", m, again)
		}
		if sts2, _ := again.StringToSign(); sts2 != sts {
			t.Fatalf("the string to sign changed through Marshal and Parse:\n%q\n%q", sts, sts2)
		}
		if b2, _ := again.Marshal(); !bytes.Equal(b2, b) {
			t.Fatalf("Marshal is not stable:\n%s\n%s", b, b2)
		}
		_ = s.Verify(m)
	})
}
