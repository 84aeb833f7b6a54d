package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// simulateBoto3 drives IAM's policy simulator with boto3: a user's own,
// group, managed and boundary policies, named and placed as AWS names
// and places them, missing context keys, a resource policy across
// accounts, the paginator, and the refusals. It asserts as it goes.
const simulateBoto3 = `
import json, sys
import boto3, botocore.config, botocore.exceptions

ACCOUNT = sys.argv[1]
iam = boto3.client("iam", config=botocore.config.Config(retries={"max_attempts": 1}))

iam.create_user(UserName="alice", Path="/eng/")
iam.create_group(GroupName="devs")
iam.add_user_to_group(GroupName="devs", UserName="alice")
home = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/home/${aws:username}/*"},
    {"Sid": "Lab", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::lab/*",
     "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}
iam.put_user_policy(UserName="alice", PolicyName="home", PolicyDocument=json.dumps(home, indent=2))
iam.attach_group_policy(GroupName="devs", PolicyArn="arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")
iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary="arn:aws:iam::aws:policy/AmazonS3FullAccess")
alice = f"arn:aws:iam::{ACCOUNT}:user/eng/alice"

out = iam.simulate_principal_policy(PolicySourceArn=alice, ActionNames=["s3:GetObject"],
    ResourceArns=["arn:aws:s3:::b/home/alice/k", "arn:aws:s3:::lab/x", "arn:aws:s3:::b/home/bob/k"])
[r] = out["EvaluationResults"]
assert r["EvalActionName"] == "s3:GetObject" and r["EvalDecision"] == "implicitDeny" and "EvalResourceName" not in r, r
assert r["MissingContextValues"] == ["aws:SourceIp"], r
assert r["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}, r
assert r["EvalDecisionDetails"] == {}, r
got = [(x["EvalResourceName"], x["EvalResourceDecision"]) for x in r["ResourceSpecificResults"]]
assert got == [("arn:aws:s3:::b/home/alice/k", "allowed"), ("arn:aws:s3:::lab/x", "implicitDeny"),
               ("arn:aws:s3:::b/home/bob/k", "implicitDeny")], got
home_match = r["ResourceSpecificResults"][0]["MatchedStatements"][0]
assert home_match == {"SourcePolicyId": "user_alice_home", "SourcePolicyType": "IAM Policy",
    "StartPosition": {"Line": 3, "Column": 17}, "EndPosition": {"Line": 9, "Column": 6}}, home_match
assert r["ResourceSpecificResults"][1]["MissingContextValues"] == ["aws:SourceIp"], r

out = iam.simulate_principal_policy(PolicySourceArn=alice, ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::lab/x"],
    ContextEntries=[{"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["10.1.2.3"], "ContextKeyType": "ip"}])
[r] = out["EvaluationResults"]
assert r["EvalDecision"] == "allowed" and r["EvalResourceName"] == "arn:aws:s3:::lab/x" and r["MissingContextValues"] == [], r
assert [m["SourcePolicyId"] for m in r["MatchedStatements"]] == ["user_alice_home", "AmazonS3FullAccess"], r
assert r["MatchedStatements"][1]["SourcePolicyType"] == "Permissions Boundary Policy", r

out = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/devs", ActionNames=["sqs:GetQueueUrl"])
[r] = out["EvaluationResults"]
assert r["EvalDecision"] == "allowed" and r["EvalResourceName"] == "*", r
assert r["MatchedStatements"][0]["SourcePolicyId"] == "AmazonSQSReadOnlyAccess", r
assert "ResourceSpecificResults" not in r or r["ResourceSpecificResults"] == [], r

actions = ["sqs:ReceiveMessage", "sqs:SendMessage", "s3:GetObject", "s3:PutObject", "logs:GetLogEvents"]
pages = iam.get_paginator("simulate_principal_policy").paginate(
    PolicySourceArn=alice, ActionNames=actions, PaginationConfig={"PageSize": 2})
got = [r["EvalActionName"] for page in pages for r in page["EvaluationResults"]]
assert got == actions, got

queue = f"arn:aws:sqs:us-east-1:999999999999:q"
out = iam.simulate_custom_policy(ActionNames=["sqs:SendMessage"], ResourceArns=[queue], CallerArn=alice,
    PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]})],
    ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": {"AWS": alice},
        "Action": "sqs:SendMessage", "Resource": queue}]}))
[r] = out["EvaluationResults"]
assert r["EvalDecision"] == "explicitDeny", r
assert r["MatchedStatements"] == [{"SourcePolicyId": "ResourcePolicy", "SourcePolicyType": "Resource Policy",
    "StartPosition": {"Line": 1, "Column": 41}, "EndPosition": {"Line": 1, "Column": 206}}], r
assert r["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "explicitDeny"}, r

def fails(code, message, fn, **kwargs):
    try:
        fn(**kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]
        assert got["Code"] == code and got["Message"] == message, got
        return
    raise AssertionError(f"{fn.__name__}{kwargs} succeeded; want {code}")

fails("NoSuchEntity", "The role with name nobody cannot be found.", iam.simulate_principal_policy,
      PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:role/nobody", ActionNames=["s3:GetObject"])
fails("InvalidInput", "Invalid caller - Caller must be an IAM user in this context.", iam.simulate_principal_policy,
      PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:group/devs", ActionNames=["s3:GetObject"], ResourcePolicy='{"Statement":[]}')
fails("InvalidInput", "PolicyInputList.1: Syntax errors in policy.", iam.simulate_custom_policy,
      PolicyInputList=["{"], ActionNames=["s3:GetObject"])
print("simulator: ok")
`

// TestSimulatorClients drives SimulatePrincipalPolicy and
// SimulateCustomPolicy with boto3 and with the AWS CLI 1.45, whose
// documented example of simulate-custom-policy answers as in AWS's
// documentation.
func TestSimulatorClients(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	script := filepath.Join(t.TempDir(), "simulate.py")
	if err := os.WriteFile(script, []byte(simulateBoto3), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("the simulator through boto3: %v", err)
	}

	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(py, append([]string{"-m", "awscli", "--output", "json", "iam"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws iam %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	policy := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	type result struct {
		EvalActionName, EvalResourceName, EvalDecision string
		MatchedStatements                              []struct {
			SourcePolicyId, SourcePolicyType string
			StartPosition, EndPosition       struct{ Line, Column int }
		}
		MissingContextValues []string
	}
	var got struct{ EvaluationResults []result }
	for date, want := range map[string]string{"2019-04-25T11:00:00Z": "allowed", "2014-04-25T11:00:00Z": "implicitDeny"} {
		body := aws("simulate-custom-policy", "--policy-input-list", policy, "--action-names", "dynamodb:CreateBackup",
			"--context-entries", "ContextKeyName='aws:CurrentTime',ContextKeyValues='"+date+"',ContextKeyType=date")
		if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.EvaluationResults) != 1 {
			t.Fatalf("simulate-custom-policy = %s, %v", body, err)
		}
		r := got.EvaluationResults[0]
		if r.EvalActionName != "dynamodb:CreateBackup" || r.EvalResourceName != "*" || r.EvalDecision != want || r.MissingContextValues == nil {
			t.Errorf("simulate-custom-policy on %s = %s; want %s on *", date, body, want)
		}
		switch m := r.MatchedStatements; {
		case want == "implicitDeny" && len(m) != 0,
			want == "allowed" && (len(m) != 1 || m[0].SourcePolicyId != "PolicyInputList.1" || m[0].SourcePolicyType != "IAM Policy" ||
				m[0].StartPosition.Line != 1 || m[0].StartPosition.Column != 38 || m[0].EndPosition.Line != 1 || m[0].EndPosition.Column != 167):
			t.Errorf("simulate-custom-policy on %s matched %+v; want PolicyInputList.1 from 1:38 to 1:167 when allowed, nothing else", date, m)
		}
	}
	body := aws("simulate-principal-policy", "--policy-source-arn", "arn:aws:iam::"+v.app.Root().AccountID+":user/eng/alice",
		"--action-names", "sqs:GetQueueUrl", "sqs:DeleteQueue", "--page-size", "1")
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.EvaluationResults) != 2 ||
		got.EvaluationResults[0].EvalDecision != "implicitDeny" || got.EvaluationResults[1].EvalDecision != "implicitDeny" ||
		!strings.Contains(body, `"AllowedByPermissionsBoundary": false`) {
		t.Errorf("simulate-principal-policy by pages of 1 = %s, %v; want both actions denied by alice's boundary", body, err)
	}
}
