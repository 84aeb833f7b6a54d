package organizations

import (
	"slices"
	"strings"
	"testing"
)

const denyS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`

func TestCreatePolicy(t *testing.T) {
	f := newFixture(t)
	f.organization()
	p := f.scp("no-s3", denyS3)
	o, err := f.svc.DescribeOrganization(f.ctx, mgmt)
	f.must(err)
	wantMatch(t, "policy id", p.ID, `p-[a-z0-9]{8}`)
	if p.ARN != "arn:aws:organizations::"+mgmt+":policy/"+o.ID+"/service_control_policy/"+p.ID || p.AWSManaged || p.Content != denyS3 {
		t.Errorf("CreatePolicy = %+v", p)
	}
	for _, c := range []struct {
		what string
		in   NewPolicy
		code Code
		msg  string
	}{
		{"malformed", NewPolicy{Name: "x", Type: SCPType, Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"}]}`},
			MalformedPolicyDocument, "The provided policy document does not meet the requirements of the specified policy type."},
		{"with a principal", NewPolicy{Name: "x", Type: SCPType,
			Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`},
			MalformedPolicyDocument, ""},
		{"of a taken name", NewPolicy{Name: "no-s3", Type: SCPType, Content: denyS3}, DuplicatePolicy, "A policy with the same name already exists."},
		{"named as AWS's", NewPolicy{Name: "FullAWSAccess", Type: SCPType, Content: denyS3}, DuplicatePolicy, ""},
		{"of another type", NewPolicy{Name: "x", Type: "TAG_POLICY", Content: "{}"}, InvalidInput, ""},
	} {
		_, err := f.svc.CreatePolicy(f.ctx, mgmt, c.in)
		wantError(t, "CreatePolicy "+c.what, err, c.code, c.msg)
	}
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("a", maxSCPSize) + `"}]}`
	_, err = f.svc.CreatePolicy(f.ctx, mgmt, NewPolicy{Name: "big", Type: SCPType, Content: big})
	wantReason(t, "CreatePolicy past 5,120 characters", err, ConstraintViolation, "POLICY_CONTENT_LIMIT_EXCEEDED")

	name, doc := "allow-all-but-s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}`
	updated, err := f.svc.UpdatePolicy(f.ctx, mgmt, p.ID, PolicyChange{Name: &name, Content: &doc})
	if err != nil || updated.Name != name || updated.Content != doc || updated.ARN != p.ARN {
		t.Errorf("UpdatePolicy = %+v, %v", updated, err)
	}
	_, err = f.svc.UpdatePolicy(f.ctx, mgmt, FullAWSAccessID, PolicyChange{Name: &name})
	wantReason(t, "UpdatePolicy(FullAWSAccess)", err, InvalidInput, "IMMUTABLE_POLICY")
	listed, err := f.svc.ListPolicies(f.ctx, mgmt, SCPType, Page{})
	f.must(err)
	got := []string{}
	for _, p := range listed.Items {
		got = append(got, p.Name)
	}
	want := []string{"FullAWSAccess", name}
	if p.ID < FullAWSAccessID {
		want = []string{name, "FullAWSAccess"}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListPolicies = %v; want %v", got, want)
	}
	if others, err := f.svc.ListPolicies(f.ctx, mgmt, "TAG_POLICY", Page{}); err != nil || len(others.Items) != 0 {
		t.Errorf("ListPolicies(TAG_POLICY) = %+v, %v; want none", others, err)
	}
	full, err := f.svc.DescribePolicy(f.ctx, mgmt, FullAWSAccessID)
	if err != nil || !full.AWSManaged || full.ARN != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
		t.Errorf("DescribePolicy(FullAWSAccess) = %+v, %v", full, err)
	}
	f.must(f.svc.DeletePolicy(f.ctx, mgmt, p.ID))
	_, err = f.svc.DescribePolicy(f.ctx, mgmt, p.ID)
	wantError(t, "DescribePolicy after DeletePolicy", err, PolicyNotFound, "You specified a policy that doesn't exist.")
	wantReason(t, "DeletePolicy(FullAWSAccess)", f.svc.DeletePolicy(f.ctx, mgmt, FullAWSAccessID), InvalidInput, "IMMUTABLE_POLICY")
}

func TestAttachPolicies(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	ou := f.unit(rt.ID, "ou")
	member := f.account("m")
	p := f.scp("no-s3", denyS3)
	wantError(t, "AttachPolicy before SCPs are enabled", f.svc.AttachPolicy(f.ctx, mgmt, p.ID, ou.ID), PolicyTypeNotEnabled, "")

	enabled, err := f.svc.EnablePolicyType(f.ctx, mgmt, rt.ID, SCPType)
	if err != nil || !slices.Equal(enabled.PolicyTypes, []string{SCPType}) {
		t.Fatalf("EnablePolicyType = %+v, %v", enabled, err)
	}
	_, err = f.svc.EnablePolicyType(f.ctx, mgmt, rt.ID, SCPType)
	wantError(t, "EnablePolicyType again", err, PolicyTypeAlreadyEnabled, "")
	_, err = f.svc.EnablePolicyType(f.ctx, mgmt, "r-none", SCPType)
	wantError(t, "EnablePolicyType(unknown root)", err, RootNotFound, "")
	targets, err := f.svc.ListTargetsForPolicy(f.ctx, mgmt, FullAWSAccessID, Page{})
	want := []string{rt.ID, ou.ID, mgmt, member}
	slices.Sort(want)
	if err != nil || !slices.Equal(ids(targets.Items), want) {
		t.Errorf("ListTargetsForPolicy(FullAWSAccess) = %v, %v; want every node %v", ids(targets.Items), err, want)
	}
	later := f.unit(rt.ID, "later")
	if got, err := f.svc.ListPoliciesForTarget(f.ctx, mgmt, later.ID, SCPType, Page{}); err != nil || len(got.Items) != 1 ||
		got.Items[0].ID != FullAWSAccessID {
		t.Errorf("ListPoliciesForTarget(a new OU) = %+v, %v; want FullAWSAccess", got, err)
	}

	f.must(f.svc.AttachPolicy(f.ctx, mgmt, p.ID, ou.ID))
	wantError(t, "AttachPolicy twice", f.svc.AttachPolicy(f.ctx, mgmt, p.ID, ou.ID), DuplicatePolicyAttachment,
		"The selected policy is already attached to the specified target.")
	wantError(t, "AttachPolicy(unknown target)", f.svc.AttachPolicy(f.ctx, mgmt, p.ID, "ou-none-00000000"), TargetNotFound, "")
	wantError(t, "AttachPolicy(unknown policy)", f.svc.AttachPolicy(f.ctx, mgmt, "p-00000000", ou.ID), PolicyNotFound, "")
	wantError(t, "DeletePolicy while attached", f.svc.DeletePolicy(f.ctx, mgmt, p.ID), PolicyInUse, "")
	for i := range 3 {
		f.must(f.svc.AttachPolicy(f.ctx, mgmt, f.scp("extra"+string(rune('0'+i)), denyS3).ID, ou.ID))
	}
	sixth := f.scp("sixth", denyS3)
	wantReason(t, "AttachPolicy of a sixth SCP", f.svc.AttachPolicy(f.ctx, mgmt, sixth.ID, ou.ID), ConstraintViolation,
		"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")

	wantError(t, "DetachPolicy(not attached)", f.svc.DetachPolicy(f.ctx, mgmt, p.ID, member), PolicyNotAttached,
		"The policy isn't attached to the specified target in the specified root.")
	wantReason(t, "DetachPolicy of the last SCP", f.svc.DetachPolicy(f.ctx, mgmt, FullAWSAccessID, member), ConstraintViolation,
		"MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	f.must(f.svc.DetachPolicy(f.ctx, mgmt, FullAWSAccessID, ou.ID))
	attached, err := f.svc.ListPoliciesForTarget(f.ctx, mgmt, ou.ID, SCPType, Page{})
	if err != nil || len(attached.Items) != 4 || slices.ContainsFunc(attached.Items, func(p Policy) bool { return p.AWSManaged }) {
		t.Errorf("ListPoliciesForTarget(ou) = %+v, %v; want the 4 SCPs attached", attached, err)
	}

	disabled, err := f.svc.DisablePolicyType(f.ctx, mgmt, rt.ID, SCPType)
	if err != nil || len(disabled.PolicyTypes) != 0 {
		t.Errorf("DisablePolicyType = %+v, %v", disabled, err)
	}
	for _, id := range []string{FullAWSAccessID, p.ID} {
		if got, err := f.svc.ListTargetsForPolicy(f.ctx, mgmt, id, Page{}); err != nil || len(got.Items) != 0 {
			t.Errorf("ListTargetsForPolicy(%s) after DisablePolicyType = %v, %v; want nothing attached", id, ids(got.Items), err)
		}
	}
	_, err = f.svc.DisablePolicyType(f.ctx, mgmt, rt.ID, SCPType)
	wantError(t, "DisablePolicyType again", err, PolicyTypeNotEnabled, "")
	f.must(f.svc.DeletePolicy(f.ctx, mgmt, p.ID))
}

func TestPoliciesNeedAllFeatures(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateOrganization(f.ctx, mgmt, "CONSOLIDATED_BILLING")
	f.must(err)
	roots, err := f.svc.ListRoots(f.ctx, mgmt, Page{})
	f.must(err)
	_, err = f.svc.EnablePolicyType(f.ctx, mgmt, roots.Items[0].ID, SCPType)
	wantError(t, "EnablePolicyType in a consolidated-billing organization", err, PolicyTypeNotAvailable, "")
	_, err = f.svc.CreatePolicy(f.ctx, mgmt, NewPolicy{Name: "x", Type: SCPType, Content: denyS3})
	wantError(t, "CreatePolicy in a consolidated-billing organization", err, PolicyTypeNotAvailable, "")
}
