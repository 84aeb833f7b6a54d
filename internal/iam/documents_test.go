package iam

import (
	"testing"
)

// TestValidateDocument: documents are checked by package policy (whose
// tests hold the corpus of IAM's messages); IAM answers its refusals as
// MalformedPolicyDocument, by the kind of document.
func TestValidateDocument(t *testing.T) {
	for _, tc := range []struct {
		kind DocumentKind
		doc  string
		want string // the message of MalformedPolicyDocument; "" for valid
	}{
		{ManagedPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":["s3:GetObject"],"Resource":"*"}]}`, ""},
		{InlinePolicy, `{"Statement":{"Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x",
			"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}}`, ""},
		{InlinePolicy, `{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, ""},
		{ManagedPolicy, `{"Version":"2008-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
			"Policy document must be version 2012-10-17 or greater."},
		{InlinePolicy, `not json`, "Syntax errors in policy."},
		{InlinePolicy, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Policy statement must contain actions."},
		{InlinePolicy, `{"Statement":{"Effect":"Allow","Action":"*"}}`, "Policy statement must contain resources."},
		{InlinePolicy, `{"Statement":[{"Sid":"a","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"*","Resource":"*"}]}`,
			"Statement IDs (SID) in a single policy must be unique."},
		{InlinePolicy, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, "Policy document should not specify a principal."},
		{TrustPolicy, trustEC2, ""},
		{TrustPolicy, `{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","111122223333"]},"Action":["sts:AssumeRole","sts:TagSession"]}}`, ""},
		{TrustPolicy, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, ""},
		{TrustPolicy, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, "Missing required field Principal."},
		{TrustPolicy, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`,
			"Has prohibited field Resource"},
		{TrustPolicy, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}}`,
			"AssumeRole policy may only specify STS AssumeRole actions."},
	} {
		err := validateDocument(tc.kind, tc.doc)
		if tc.want == "" {
			if err != nil {
				t.Errorf("validateDocument(%d, %s) = %v; want valid", tc.kind, tc.doc, err)
			}
			continue
		}
		wantError(t, "validateDocument("+tc.doc+")", err, MalformedPolicyDocument, tc.want)
	}
}

func TestPolicySize(t *testing.T) {
	if n := policySize("{ \"a\" :\n\t\"b c\" }"); n != 10 {
		t.Errorf("policySize = %d; want 10 (white space not counted)", n)
	}
}

// FuzzValidateDocument checks that any bytes a client sends are accepted
// or refused with MalformedPolicyDocument, never a panic or another
// error.
func FuzzValidateDocument(f *testing.F) {
	for _, seed := range []string{trustEC2, allowLogs, `{"Statement":{}}`, `{"Statement":[null]}`, `{"Statement":{"Effect":"Allow","Principal":{"AWS":null}}}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []DocumentKind{ManagedPolicy, InlinePolicy, TrustPolicy} {
			if err := validateDocument(kind, doc); err != nil {
				wantError(t, "validateDocument", err, MalformedPolicyDocument, "")
			}
		}
	})
}
