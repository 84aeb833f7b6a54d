package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestBoto3Organizations runs testdata/organizations_boto3.py: an
// organization with OUs, SCPs, an account created in it and administered
// through the role CreateAccount makes, delegated administrators, tags,
// the refusals a member account meets, and the organization's deletion,
// with boto3.
func TestBoto3Organizations(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "testdata/organizations_boto3.py", v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("organizations_boto3.py: %v", err)
	}
}

// TestAWSCLIOrganizations drives Organizations with the AWS CLI 1.45: its
// paginators follow NextToken, and its errors name AWS's exceptions.
func TestAWSCLIOrganizations(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	aws := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(py, append([]string{"-m", "awscli", "--endpoint-url", v.endpoint, "--output", "json", "organizations"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	must := func(into any, args ...string) {
		t.Helper()
		out, err := aws(args...)
		if err != nil {
			t.Fatalf("aws organizations %v: %v\n%s", args, err, out)
		}
		if into != nil {
			if err := json.Unmarshal([]byte(out), into); err != nil {
				t.Fatalf("aws organizations %v: %v\n%s", args, err, out)
			}
		}
	}
	if out, err := aws("describe-organization"); err == nil || !strings.Contains(out, "AWSOrganizationsNotInUseException") {
		t.Errorf("describe-organization before any = %v\n%s; want AWSOrganizationsNotInUseException", err, out)
	}
	must(nil, "create-organization", "--feature-set", "ALL")
	var roots struct{ Roots []struct{ Id string } }
	must(&roots, "list-roots")
	if len(roots.Roots) != 1 {
		t.Fatalf("list-roots = %+v", roots)
	}
	root := roots.Roots[0].Id
	for _, name := range []string{"a", "b", "c"} {
		must(nil, "create-organizational-unit", "--parent-id", root, "--name", name)
	}
	var units struct{ OrganizationalUnits []struct{ Name string } }
	must(&units, "list-organizational-units-for-parent", "--parent-id", root, "--page-size", "1")
	if len(units.OrganizationalUnits) != 3 {
		t.Errorf("list-organizational-units-for-parent by pages of 1 = %+v; want the 3 OUs", units)
	}
	must(nil, "enable-policy-type", "--root-id", root, "--policy-type", "SERVICE_CONTROL_POLICY")
	var created struct {
		Policy struct{ PolicySummary struct{ Id string } }
	}
	must(&created, "create-policy", "--name", "no-s3", "--description", "", "--type", "SERVICE_CONTROL_POLICY",
		"--content", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	must(nil, "attach-policy", "--policy-id", created.Policy.PolicySummary.Id, "--target-id", root)
	var attached struct{ Policies []struct{ Name string } }
	must(&attached, "list-policies-for-target", "--target-id", root, "--filter", "SERVICE_CONTROL_POLICY")
	if len(attached.Policies) != 2 {
		t.Errorf("list-policies-for-target(root) = %+v; want FullAWSAccess and no-s3", attached)
	}
	if out, err := aws("attach-policy", "--policy-id", created.Policy.PolicySummary.Id, "--target-id", root); err == nil ||
		!strings.Contains(out, "DuplicatePolicyAttachmentException") {
		t.Errorf("attach-policy twice = %v\n%s; want DuplicatePolicyAttachmentException", err, out)
	}
	var status struct{ CreateAccountStatus struct{ Id, State string } }
	must(&status, "create-account", "--email", "a@example.com", "--account-name", "a")
	var done struct {
		CreateAccountStatus struct{ State, AccountId string }
	}
	must(&done, "describe-create-account-status", "--create-account-request-id", status.CreateAccountStatus.Id)
	if done.CreateAccountStatus.State != "SUCCEEDED" || len(done.CreateAccountStatus.AccountId) != 12 {
		t.Errorf("describe-create-account-status = %+v; want SUCCEEDED with the account id", done)
	}
	var accounts struct{ Accounts []struct{ Id string } }
	must(&accounts, "list-accounts", "--page-size", "1")
	if len(accounts.Accounts) != 2 {
		t.Errorf("list-accounts by pages of 1 = %+v; want the management account and the new one", accounts)
	}
}
