package buckets

import (
	"context"
	"strings"
	"testing"
)

// TestCrossAccount: another account acts on a bucket exactly as far as
// the bucket's policy allows it; the owner's account always may.
func TestCrossAccount(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := newService(t)
	other := Scope{Account: "222222222222", Region: "us-east-1", Principal: "arn:aws:iam::222222222222:root"}
	third := Scope{Account: "333333333333", Region: "us-east-1"}
	if _, err := s.CreateBucket(ctx, sc, "shared", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutObject(ctx, sc, Put{Bucket: "shared", Key: "docs/a", Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	f := func(what string, err error, want string) {
		t.Helper()
		if got := code(err); got != want {
			t.Errorf("%s: %q, want %q", what, got, want)
		}
	}
	get := func(who Scope, key string) error {
		_, err := s.GetObject(ctx, who, "shared", key, "", "", Conditions{})
		return err
	}
	put := func(who Scope, key string) error {
		_, err := s.PutObject(ctx, who, Put{Bucket: "shared", Key: key, Body: strings.NewReader("x")})
		return err
	}
	list := func(who Scope) error {
		_, err := s.ListObjects(ctx, who, List{Bucket: "shared", MaxKeys: 10})
		return err
	}
	f("GetObject without a policy", get(other, "docs/a"), "AccessDenied")
	f("ListObjects without a policy", list(other), "AccessDenied")
	f("GetObject of a missing bucket", func() error { _, err := s.GetObject(ctx, other, "nope", "k", "", "", Conditions{}); return err }(), "NoSuchBucket")

	policy := `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared/docs/*"},
{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["s3:ListBucket","s3:GetBucketPolicy"],"Resource":"arn:aws:s3:::shared"},
{"Effect":"Deny","Principal":{"AWS":"222222222222"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/docs/locked*"}]}`
	if err := s.PutConfig(ctx, sc, "shared", ConfigPolicy, policy); err != nil {
		t.Fatal(err)
	}
	f("GetObject allowed", get(other, "docs/a"), "")
	f("PutObject by the owner", put(sc, "private"), "")
	f("GetObject outside the resource", get(other, "private"), "AccessDenied")
	f("PutObject allowed", put(other, "docs/b"), "")
	f("PutObject explicitly denied", put(other, "docs/locked-1"), "AccessDenied")
	f("ListObjects allowed", list(other), "")
	f("DeleteObject not allowed", func() error { _, err := s.DeleteObject(ctx, other, "shared", "docs/a", ""); return err }(), "AccessDenied")
	f("GetObject by a third account", get(third, "docs/a"), "AccessDenied")
	f("PutObject by the owner in the denied place", put(sc, "docs/locked-2"), "")
	_, err := s.Config(ctx, other, "shared", ConfigPolicy)
	f("GetBucketPolicy by another account", err, "MethodNotAllowed")
	_, err = s.Config(ctx, third, "shared", ConfigPolicy)
	f("GetBucketPolicy by an account the policy does not name", err, "AccessDenied")
	f("DeleteBucket by another account", s.DeleteBucket(ctx, other, "shared"), "AccessDenied")
	f("PutBucketTagging by another account", s.PutConfig(ctx, other, "shared", ConfigTagging, `{}`), "AccessDenied")
	f("DeleteBucketPolicy by the owner", s.DeleteConfig(ctx, sc, "shared", ConfigPolicy), "")
	f("GetObject once the policy is gone", get(other, "docs/a"), "AccessDenied")
}
