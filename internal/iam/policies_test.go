package iam

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

const allowLogs = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Get*","Resource":"*"}]}`

// policy creates a managed policy and returns its ARN.
func (f *fixture) policy(name string) string {
	f.t.Helper()
	p, err := f.svc.CreatePolicy(f.ctx, acct, NewPolicy{Name: name, Document: allowLogs})
	f.must(err)
	return p.ARN
}

// TestAWSManagedPolicies checks the AWS managed policies Vigil carries:
// every one the services need, each document valid.
func TestAWSManagedPolicies(t *testing.T) {
	want := []string{"AdministratorAccess", "AmazonEventBridgeFullAccess", "AmazonEventBridgeReadOnlyAccess", "AmazonS3FullAccess",
		"AmazonS3ReadOnlyAccess", "AmazonSNSFullAccess", "AmazonSNSReadOnlyAccess", "AmazonSQSFullAccess", "AmazonSQSReadOnlyAccess",
		"AWSCloudTrail_FullAccess", "AWSCloudTrail_ReadOnlyAccess", "AWSConfigUserAccess", "CloudWatchAgentServerPolicy",
		"CloudWatchFullAccess", "CloudWatchLogsFullAccess", "CloudWatchLogsReadOnlyAccess", "CloudWatchReadOnlyAccess",
		"IAMFullAccess", "IAMReadOnlyAccess", "ReadOnlyAccess"}
	var got []string
	for _, e := range awsPolicyList() {
		got = append(got, e.Name)
		p, err := awsPolicy(e.ARN)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateDocument(ManagedPolicy, p.document); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
		if e.ARN != "arn:aws:iam::aws:policy/"+e.Name || !strings.HasPrefix(e.ID, "ANPA") || e.DefaultVersion == "" || e.Created.IsZero() {
			t.Errorf("%s = %+v", e.Name, e)
		}
	}
	slices.SortFunc(got, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	slices.SortFunc(want, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	sameNames(t, "AWS managed policies", got, want)
}

func TestPolicyVersions(t *testing.T) {
	f := newFixture(t)
	p, err := f.svc.CreatePolicy(f.ctx, acct, NewPolicy{Name: "p", Path: "/app/", Description: "d", Document: allowLogs, Tags: map[string]string{"k": "v"}})
	f.must(err)
	if p.ARN != "arn:aws:iam::"+acct+":policy/app/p" || p.DefaultVersion != "v1" || p.ID[:4] != "ANPA" {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	_, err = f.svc.CreatePolicy(f.ctx, acct, NewPolicy{Name: "P", Document: allowLogs})
	wantError(t, "CreatePolicy(P)", err, EntityAlreadyExists, "A policy called P already exists. Duplicate names are not allowed.")
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":[` + strings.TrimSuffix(strings.Repeat(`"s3:GetObjectAcl",`, 500), ",") + `],"Resource":"*"}}`
	_, err = f.svc.CreatePolicy(f.ctx, acct, NewPolicy{Name: "big", Document: big})
	wantError(t, "CreatePolicy(7 KB)", err, LimitExceeded, "Cannot exceed quota for PolicySize: 6144")
	for i := range 4 {
		f.clock.Advance(time.Minute)
		v, err := f.svc.CreatePolicyVersion(f.ctx, acct, p.ARN, allowLogs, i == 1)
		f.must(err)
		if want := "v" + string(rune('2'+i)); v.ID != want || v.IsDefault != (i == 1) {
			t.Errorf("CreatePolicyVersion #%d = %s (default %t); want %s", i, v.ID, v.IsDefault, want)
		}
	}
	_, err = f.svc.CreatePolicyVersion(f.ctx, acct, p.ARN, allowLogs, false)
	wantError(t, "CreatePolicyVersion(a 6th)", err, LimitExceeded,
		"A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
	wantError(t, "DeletePolicyVersion(the default)", f.svc.DeletePolicyVersion(f.ctx, acct, p.ARN, "v3"), DeleteConflict,
		"Cannot delete the default version of a policy.")
	f.must(f.svc.DeletePolicyVersion(f.ctx, acct, p.ARN, "v5"))
	v, err := f.svc.CreatePolicyVersion(f.ctx, acct, p.ARN, allowLogs, false)
	f.must(err)
	if v.ID != "v6" {
		t.Errorf("CreatePolicyVersion after deleting v5 = %s; want v6 (ids are never reused)", v.ID)
	}
	_, err = f.svc.GetPolicyVersion(f.ctx, acct, p.ARN, "v5")
	wantError(t, "GetPolicyVersion(v5)", err, NoSuchEntity, "Policy "+p.ARN+" version v5 does not exist or is not attachable.")
	list, err := f.svc.ListPolicyVersions(f.ctx, acct, p.ARN, Page{MaxItems: 3})
	f.must(err)
	var ids []string
	for _, v := range list.Items {
		ids = append(ids, v.ID)
	}
	sameNames(t, "ListPolicyVersions(3)", ids, []string{"v1", "v2", "v3"})
	f.must(f.svc.SetDefaultPolicyVersion(f.ctx, acct, p.ARN, "v6"))
	got, err := f.svc.GetPolicy(f.ctx, acct, p.ARN)
	f.must(err)
	if got.DefaultVersion != "v6" || !got.Updated.Equal(f.clock.Now()) || got.Tags["k"] != "v" || got.Description != "d" {
		t.Errorf("GetPolicy = %+v; want v6 the default, updated now", got)
	}
	wantError(t, "DeletePolicy(with versions)", f.svc.DeletePolicy(f.ctx, acct, p.ARN), DeleteConflict,
		"This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, id := range []string{"v1", "v2", "v3", "v4"} {
		f.must(f.svc.DeletePolicyVersion(f.ctx, acct, p.ARN, id))
	}
	f.must(f.svc.DeletePolicy(f.ctx, acct, p.ARN))
	_, err = f.svc.GetPolicy(f.ctx, acct, p.ARN)
	wantError(t, "GetPolicy(deleted)", err, NoSuchEntity, "Policy "+p.ARN+" was not found.")
	_, err = f.svc.GetPolicy(f.ctx, acct, "arn:aws:s3:::bucket")
	wantError(t, "GetPolicy(not a policy ARN)", err, InvalidInput, "ARN arn:aws:s3:::bucket is not valid.")
	wantError(t, "DeletePolicy(AWS's)", f.svc.DeletePolicy(f.ctx, acct, "arn:aws:iam::aws:policy/ReadOnlyAccess"), UnmodifiableEntity, "")
}

func TestAttachments(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	local := f.policy("local")
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	alice := Ref{Kind: store.IAMUser, Name: "alice"}
	f.must(f.svc.AttachPolicy(f.ctx, acct, alice, ro))
	f.must(f.svc.AttachPolicy(f.ctx, acct, alice, ro)) // again: nothing changes
	f.must(f.svc.AttachPolicy(f.ctx, acct, alice, local))
	_, err := f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "r", Boundary: local}, TrustPolicy: trustEC2})
	f.must(err)
	wantError(t, "AttachPolicy(unknown)", f.svc.AttachPolicy(f.ctx, acct, alice, "arn:aws:iam::"+acct+":policy/none"), NoSuchEntity,
		"Policy arn:aws:iam::"+acct+":policy/none does not exist or is not attachable.")
	wantError(t, "DetachPolicy(not attached)", f.svc.DetachPolicy(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "r"}, ro), NoSuchEntity,
		"Policy "+ro+" was not found.")
	attached, err := f.svc.AttachedPolicies(f.ctx, acct, alice, "", Page{})
	f.must(err)
	if len(attached.Items) != 2 || attached.Items[0].Name != "local" || attached.Items[1].ARN != ro {
		t.Errorf("AttachedPolicies(alice) = %+v; want local and ReadOnlyAccess, by name", attached.Items)
	}
	p, err := f.svc.GetPolicy(f.ctx, acct, local)
	f.must(err)
	if p.Attachments != 1 || p.Boundaries != 1 {
		t.Errorf("GetPolicy(local) counts %d attachments and %d boundaries; want 1 and 1", p.Attachments, p.Boundaries)
	}
	for _, tc := range []struct {
		filter PolicyFilter
		want   []string
	}{
		{PolicyFilter{Scope: "Local"}, []string{"local"}},
		{PolicyFilter{Scope: "AWS", OnlyAttached: true}, []string{"ReadOnlyAccess"}},
		{PolicyFilter{OnlyAttached: true}, []string{"local", "ReadOnlyAccess"}},
		{PolicyFilter{OnlyAttached: true, Usage: "PermissionsBoundary"}, []string{"local"}},
		{PolicyFilter{Scope: "Local", PathPrefix: "/other/"}, nil},
	} {
		list, err := f.svc.ListPolicies(f.ctx, acct, tc.filter, Page{})
		f.must(err)
		var got []string
		for _, p := range list.Items {
			got = append(got, p.Name)
		}
		sameNames(t, "ListPolicies", got, tc.want)
	}
	ents, err := f.svc.EntitiesForPolicy(f.ctx, acct, local, PolicyEntities{}, Page{})
	f.must(err)
	sameNames(t, "EntitiesForPolicy(local)", names(ents.Items), []string{"alice"})
	ents, err = f.svc.EntitiesForPolicy(f.ctx, acct, local, PolicyEntities{Boundary: true}, Page{})
	f.must(err)
	sameNames(t, "EntitiesForPolicy(local, as a boundary)", names(ents.Items), []string{"r"})
	wantError(t, "DeletePolicy(attached)", f.svc.DeletePolicy(f.ctx, acct, local), DeleteConflict, "Cannot delete a policy attached to entities.")

	for i := range maxAttached - 2 {
		f.must(f.svc.AttachPolicy(f.ctx, acct, alice, f.policy("p"+string(rune('a'+i)))))
	}
	wantError(t, "AttachPolicy(an 11th)", f.svc.AttachPolicy(f.ctx, acct, alice, f.policy("eleventh")), LimitExceeded,
		"Cannot exceed quota for PoliciesPerUser: 10")
}

func TestInlinePolicies(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	alice := Ref{Kind: store.IAMUser, Name: "alice"}
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, alice, "b", allowLogs))
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, alice, "a", allowLogs))
	doc, err := f.svc.InlinePolicy(f.ctx, acct, alice, "a")
	if err != nil || doc != allowLogs {
		t.Errorf("InlinePolicy(a) = %q, %v", doc, err)
	}
	_, err = f.svc.InlinePolicy(f.ctx, acct, alice, "c")
	wantError(t, "InlinePolicy(c)", err, NoSuchEntity, "The user policy with name c cannot be found.")
	list, err := f.svc.InlinePolicies(f.ctx, acct, alice, Page{})
	f.must(err)
	sameNames(t, "InlinePolicies", list.Items, []string{"a", "b"})
	big := `{"Statement":{"Effect":"Allow","Action":[` + strings.TrimSuffix(strings.Repeat(`"logs:GetLogEvents",`, 150), ",") + `],"Resource":"*"}}`
	wantError(t, "PutInlinePolicy(3 KB)", f.svc.PutInlinePolicy(f.ctx, acct, alice, "c", big), LimitExceeded,
		"Maximum policy size of 2048 bytes exceeded for user alice")
	wantError(t, "PutInlinePolicy(with a principal)", f.svc.PutInlinePolicy(f.ctx, acct, alice, "c",
		`{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`), MalformedPolicyDocument,
		"Policy document should not specify a principal.")
	f.must(f.svc.DeleteInlinePolicy(f.ctx, acct, alice, "a"))
	wantError(t, "DeleteInlinePolicy(a again)", f.svc.DeleteInlinePolicy(f.ctx, acct, alice, "a"), NoSuchEntity, "")
}

func TestBoundaries(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	alice := Ref{Kind: store.IAMUser, Name: "alice"}
	ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	f.must(f.svc.SetBoundary(f.ctx, acct, alice, ro))
	u, err := f.svc.GetUser(f.ctx, f.root, "alice")
	if err != nil || u.Boundary != ro {
		t.Errorf("GetUser after PutUserPermissionsBoundary = %+v, %v", u, err)
	}
	f.must(f.svc.SetBoundary(f.ctx, acct, alice, ""))
	wantError(t, "SetBoundary(unknown)", f.svc.SetBoundary(f.ctx, acct, alice, "arn:aws:iam::aws:policy/None"), NoSuchEntity, "")
}

// TestDocumentsRoundTrip checks that documents come back as sent.
func TestDocumentsRoundTrip(t *testing.T) {
	f := newFixture(t)
	doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::a+b c\"}]\n}"
	p, err := f.svc.CreatePolicy(f.ctx, acct, NewPolicy{Name: "p", Document: doc})
	f.must(err)
	v, err := f.svc.GetPolicyVersion(f.ctx, acct, p.ARN, "v1")
	if err != nil || v.Document != doc || !json.Valid([]byte(v.Document)) {
		t.Errorf("GetPolicyVersion = %q, %v; want the document as sent", v.Document, err)
	}
}
