package e2e

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// oidcIssuer is a local OpenID Connect issuer over HTTPS (its discovery
// document and key set) that signs ID tokens with RS256.
type oidcIssuer struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	is := &oidcIssuer{key: key}
	b64 := base64.RawURLEncoding.EncodeToString
	is.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]string{"issuer": is.srv.URL, "jwks_uri": is.srv.URL + "/keys"})
		case "/keys":
			json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{
				{"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes())}}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(is.srv.Close)
	return is
}

// token returns an ID token of sub for aud, valid for 10 minutes from now.
func (is *oidcIssuer) token(t *testing.T, sub, aud string, now time.Time) string {
	t.Helper()
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	signed := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": is.srv.URL, "sub": sub, "aud": aud, "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, is.key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// TestAssumeRoleWithWebIdentity: a CI job holding an ID token of an
// OpenID Connect provider registered in IAM (trusted by its certificate's
// thumbprint) assumes a role whose trust policy names the provider and
// the token's subject, unsigned, through aws-sdk-go-v2, boto3 and the AWS
// CLI; another subject is refused.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	base := time.Now().UTC().Truncate(time.Second)
	v := startStill(t, base)
	is := newOIDCIssuer(t)
	ctx := context.Background()
	root := iam.NewFromConfig(v.devConfig(accountA))
	thumb := sha1.Sum(is.srv.Certificate().Raw)
	p, err := root.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: &is.srv.URL,
		ClientIDList: []string{"vigil-ci"}, ThumbprintList: []string{hex.EncodeToString(thumb[:])}})
	if err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(is.srv.URL, "https://")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + *p.OpenIDConnectProviderArn + `"},
		"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"vigil-ci"},"StringLike":{"` + host + `:sub":"repo:vigil/*"}}}]}`
	if _, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("ci"), AssumeRolePolicyDocument: &trust}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ci"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	const role = "arn:aws:iam::111111111111:role/ci"
	anonymous := sts.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(v.endpoint), RetryMaxAttempts: 1})
	got, err := anonymous.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role),
		RoleSessionName: aws.String("build-1"), WebIdentityToken: aws.String(is.token(t, "repo:vigil/main", "vigil-ci", base))})
	if err != nil {
		t.Fatal(err)
	}
	if *got.AssumedRoleUser.Arn != "arn:aws:sts::111111111111:assumed-role/ci/build-1" || *got.SubjectFromWebIdentityToken != "repo:vigil/main" ||
		*got.Audience != "vigil-ci" || *got.Provider != host {
		t.Errorf("AssumeRoleWithWebIdentity = %+v", got)
	}
	c := got.Credentials
	logs := cloudwatchlogs.NewFromConfig(v.keyConfig(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken))
	if _, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Errorf("the role session reads logs: %v", err)
	}
	_, err = anonymous.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role),
		RoleSessionName: aws.String("build-2"), WebIdentityToken: aws.String(is.token(t, "repo:other/main", "vigil-ci", base))})
	apiError(t, err, "AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity")

	t.Run("boto3", func(t *testing.T) {
		cmd := exec.Command(python3(t), "-c", `
import boto3, sys
from botocore import UNSIGNED
from botocore.config import Config
c = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1", config=Config(signature_version=UNSIGNED))
r = c.assume_role_with_web_identity(RoleArn=sys.argv[2], RoleSessionName="build-3", WebIdentityToken=sys.argv[3])
print(r["AssumedRoleUser"]["Arn"])
`, v.endpoint, role, is.token(t, "repo:vigil/main", "vigil-ci", base))
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "arn:aws:sts::111111111111:assumed-role/ci/build-3" {
			t.Errorf("boto3: %v\n%s", err, out)
		}
	})
	t.Run("awscli-1.45", func(t *testing.T) {
		cmd := exec.Command(python3(t), "-m", "awscli", "--endpoint-url", v.endpoint, "--output", "text", "sts", "assume-role-with-web-identity",
			"--role-arn", role, "--role-session-name", "build-4", "--web-identity-token", is.token(t, "repo:vigil/main", "vigil-ci", base),
			"--query", "AssumedRoleUser.Arn")
		cmd.Env = append(v.env(), "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "arn:aws:sts::111111111111:assumed-role/ci/build-4" {
			t.Errorf("aws sts assume-role-with-web-identity: %v\n%s", err, out)
		}
	})
}
