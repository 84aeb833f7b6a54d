package snsmsg

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// awsVerify verifies an SNS document as AWS's published procedure does
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html),
// sharing no code with the package: it decodes the JSON, takes the
// public key from the certificate, builds the string to sign from the
// decoded values ("Message", "MessageId", "Subject" if present,
// "Timestamp", "TopicArn", "Type" for a Notification; "Message",
// "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"
// for a confirmation), each as name, newline, value, newline, and checks
// the Base64 Signature as SHA1withRSA (version 1) or SHA256withRSA
// (version 2).
func awsVerify(body, certPEM []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return errors.New("no PEM block in the certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("not an RSA certificate")
	}
	var names []string
	switch doc["Type"] {
	case "Notification":
		names = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		names = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	default:
		return fmt.Errorf("unknown Type %v", doc["Type"])
	}
	var sts strings.Builder
	for _, name := range names {
		v, ok := doc[name].(string)
		if !ok {
			if name == "Subject" && doc[name] == nil {
				continue
			}
			return fmt.Errorf("%s is missing", name)
		}
		sts.WriteString(name + "\n" + v + "\n")
	}
	sigText, _ := doc["Signature"].(string)
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil {
		return err
	}
	switch doc["SignatureVersion"] {
	case "1":
		sum := sha1.Sum([]byte(sts.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
	case "2":
		sum := sha256.Sum256([]byte(sts.String()))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	return fmt.Errorf("unknown SignatureVersion %v", doc["SignatureVersion"])
}

// edit returns body with its members changed by f, re-encoded: the
// verifier reads values, not layout.
func edit(t *testing.T, body []byte, f func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	f(doc)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignVerify(t *testing.T) {
	s := testSigner(t)
	for _, m := range sampleMessages() {
		for _, version := range []string{SignatureVersion1, SignatureVersion2} {
			t.Run(m.Type+"/"+version, func(t *testing.T) {
				body := sign(t, s, m, version)
				if err := awsVerify(body, s.CertificatePEM()); err != nil {
					t.Fatalf("AWS's procedure refuses the signed message: %v\n%s", err, body)
				}
				got, err := Parse(body)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Verify(got); err != nil {
					t.Errorf("Verify: %v", err)
				}
			})
		}
	}
}

func TestTamperedMessagesFail(t *testing.T) {
	s := testSigner(t)
	samples := sampleMessages()
	note, sub, bare := samples[0], samples[1], samples[3]
	other := map[string]string{"1": "2", "2": "1"}
	tests := []struct {
		name string
		m    *Message
		edit func(doc map[string]any)
	}{
		{"Message", note, func(doc map[string]any) { doc["Message"] = "ALARM: \"cpu-high\" in US West (Oregon)" }},
		{"Subject changed", note, func(doc map[string]any) { doc["Subject"] = "OK: \"cpu-high\"" }},
		{"Subject removed", note, func(doc map[string]any) { delete(doc, "Subject") }},
		{"Subject added", bare, func(doc map[string]any) { doc["Subject"] = "ALARM" }},
		{"Timestamp", note, func(doc map[string]any) { doc["Timestamp"] = "2026-01-02T03:04:05.679Z" }},
		{"TopicArn", note, func(doc map[string]any) { doc["TopicArn"] = "arn:aws:sns:us-east-1:123456789012:other" }},
		{"MessageId", note, func(doc map[string]any) { doc["MessageId"] = "00000000-0000-0000-0000-000000000000" }},
		{"SignatureVersion", note, func(doc map[string]any) { doc["SignatureVersion"] = other[doc["SignatureVersion"].(string)] }},
		{"Signature", note, func(doc map[string]any) { doc["Signature"] = "AAAA" + doc["Signature"].(string)[4:] }},
		{"Token", sub, func(doc map[string]any) { doc["Token"] = "2336412f" }},
		{"SubscribeURL", sub, func(doc map[string]any) { doc["SubscribeURL"] = "https://evil.example/" }},
		{"Type", sub, func(doc map[string]any) { doc["Type"] = UnsubscribeConfirmation }},
		{"confirmation SignatureVersion", sub, func(doc map[string]any) { doc["SignatureVersion"] = other[doc["SignatureVersion"].(string)] }},
	}
	for _, tt := range tests {
		for _, version := range []string{SignatureVersion1, SignatureVersion2} {
			t.Run(tt.name+"/"+version, func(t *testing.T) {
				body := edit(t, sign(t, s, tt.m, version), tt.edit)
				if err := awsVerify(body, s.CertificatePEM()); err == nil {
					t.Errorf("AWS's procedure accepts the tampered message:\n%s", body)
				}
				m, err := Parse(body)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Verify(m); err == nil {
					t.Errorf("Verify accepts the tampered message:\n%s", body)
				}
			})
		}
	}
}

// TestUnsignedMembers pins that the signature covers what AWS signs and
// nothing more: the URLs and the message attributes are not signed, so a
// receiver verifying as AWS says still accepts them changed.
func TestUnsignedMembers(t *testing.T) {
	s := testSigner(t)
	body := edit(t, sign(t, s, sampleMessages()[0], SignatureVersion2), func(doc map[string]any) {
		doc["UnsubscribeURL"] = "https://other.example/"
		doc["SigningCertURL"] = "https://other.example/cert.pem"
		delete(doc, "MessageAttributes")
	})
	if err := awsVerify(body, s.CertificatePEM()); err != nil {
		t.Errorf("AWS's procedure refuses a message whose unsigned members changed: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	s := testSigner(t)
	signed := *sampleMessages()[0]
	if err := s.Sign(&signed, SignatureVersion2); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(m *Message){
		"unknown version":  func(m *Message) { m.SignatureVersion = "3" },
		"not Base64":       func(m *Message) { m.Signature = "not base64!" },
		"unknown type":     func(m *Message) { m.Type = "Notice" },
		"another signer's": func(m *Message) { m.Signature = base64.StdEncoding.EncodeToString(make([]byte, 256)) },
	} {
		m := signed
		f(&m)
		if err := s.Verify(&m); err == nil {
			t.Errorf("%s: Verify accepts it", name)
		}
	}
}
