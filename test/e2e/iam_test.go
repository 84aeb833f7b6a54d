package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3IAM runs testdata/iam_boto3.py: IAM's users, groups, policies,
// roles, access keys (which then sign requests), passwords, MFA devices,
// account settings and credential report, with boto3.
func TestBoto3IAM(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "testdata/iam_boto3.py", v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("iam_boto3.py: %v", err)
	}
}

// TestAWSCLIIAM drives IAM with the AWS CLI 1.45 and, when installed,
// the Debian AWS CLI 2.9: both decode the URL-encoded documents IAM
// returns, and page with Marker.
func TestAWSCLIIAM(t *testing.T) {
	py := python3(t)
	clis := map[string][]string{"awscli-1.45": {py, "-m", "awscli"}}
	if _, err := exec.LookPath(debianAWSCLI); err == nil {
		clis["awscli-2.9"] = []string{debianAWSCLI}
	}
	for name, cli := range clis {
		t.Run(name, func(t *testing.T) {
			v := start(t, false)
			aws := func(args ...string) string {
				t.Helper()
				cmd := exec.Command(cli[0], append(append(cli[1:], "--endpoint-url", v.endpoint, "--output", "json", "iam"), args...)...)
				cmd.Env = v.env()
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("aws iam %v: %v\n%s", args, err, out)
				}
				return string(out)
			}
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"*"}]}`
			var created struct{ Policy struct{ Arn string } }
			if err := json.Unmarshal([]byte(aws("create-policy", "--policy-name", "p", "--policy-document", doc)), &created); err != nil {
				t.Fatal(err)
			}
			var got struct {
				PolicyVersion struct {
					Document struct{ Statement []struct{ Action string } }
				}
			}
			if err := json.Unmarshal([]byte(aws("get-policy-version", "--policy-arn", created.Policy.Arn, "--version-id", "v1")), &got); err != nil ||
				len(got.PolicyVersion.Document.Statement) != 1 || got.PolicyVersion.Document.Statement[0].Action != "sns:Publish" {
				t.Errorf("get-policy-version = %+v, %v; want the document decoded", got, err)
			}
			for _, u := range []string{"u1", "u2", "u3"} {
				aws("create-user", "--user-name", u)
			}
			var users struct{ Users []struct{ UserName string } }
			if err := json.Unmarshal([]byte(aws("list-users", "--page-size", "1")), &users); err != nil || len(users.Users) != 3 {
				t.Errorf("list-users by pages of 1 = %+v, %v; want the 3 users", users, err)
			}
			if out := aws("list-attached-user-policies", "--user-name", "u1"); !strings.Contains(out, `"AttachedPolicies": []`) {
				t.Errorf("list-attached-user-policies = %s; want an empty list", out)
			}
		})
	}
}
