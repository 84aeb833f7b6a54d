package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3Foundation runs testdata/foundation.py against Vigil.
func TestBoto3Foundation(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "testdata/foundation.py", v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("foundation.py: %v", err)
	}
}

// TestAWSCLIv1 runs the AWS CLI 1.45 from python3 with the exports Vigil
// prints.
func TestAWSCLIv1(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	aws := func(args ...string) (string, error) {
		cmd := exec.Command(py, append([]string{"-m", "awscli"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := aws("sts", "get-caller-identity", "--output", "json")
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	var ident struct{ Account, Arn, UserId string }
	if err := json.Unmarshal([]byte(out), &ident); err != nil || ident.Account != v.app.Root().AccountID {
		t.Errorf("aws sts get-caller-identity = %s (%v); want account %s", out, err, v.app.Root().AccountID)
	}
	out, err = aws("logs", "describe-log-groups")
	if err == nil || !strings.Contains(out, "(NotImplemented)") || !strings.Contains(out, "DescribeLogGroups") {
		t.Errorf("aws logs describe-log-groups = %v\n%s; want a NotImplemented error", err, out)
	}
}
