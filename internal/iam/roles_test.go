package iam

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestRoles(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "app", Path: "/svc/"}, TrustPolicy: trustEC2})
	f.must(err)
	if r.ID[:4] != "AROA" || r.ARN != "arn:aws:iam::"+acct+":role/svc/app" || r.MaxSessionDuration != 3600 || r.Document != trustEC2 {
		t.Errorf("CreateRole = %+v; want an AROA id, its ARN, an hour's sessions and its trust policy", r)
	}
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "APP"}, TrustPolicy: trustEC2})
	wantError(t, "CreateRole(APP)", err, EntityAlreadyExists, "Role with name APP already exists.")
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "x"},
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`})
	wantError(t, "CreateRole(no principal)", err, MalformedPolicyDocument, "Missing required field Principal.")
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "x"}, TrustPolicy: "not json"})
	wantError(t, "CreateRole(not JSON)", err, MalformedPolicyDocument, "Syntax errors in policy.")
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "x", Path: "/aws-service-role/x/"}, TrustPolicy: trustEC2})
	wantError(t, "CreateRole(a service role's path)", err, InvalidInput, "")

	desc, hours := "the app", 7200
	got, err := f.svc.UpdateRole(f.ctx, acct, "app", RoleChange{Description: &desc, MaxSessionDuration: &hours})
	if err != nil || got.Description != desc || got.MaxSessionDuration != hours {
		t.Errorf("UpdateRole = %+v, %v", got, err)
	}
	_, err = f.svc.UpdateRole(f.ctx, acct, "app", RoleChange{TrustPolicy: &desc})
	wantError(t, "UpdateRole(trust policy not JSON)", err, MalformedPolicyDocument, "")
	list, err := f.svc.ListRoles(f.ctx, acct, "/svc/", Page{})
	f.must(err)
	sameNames(t, "ListRoles(/svc/)", names(list.Items), []string{"app"})

	p, err := f.svc.CreateInstanceProfile(f.ctx, acct, NewEntity{Name: "web"})
	f.must(err)
	if p.ID[:4] != "AIPA" || p.ARN != "arn:aws:iam::"+acct+":instance-profile/web" {
		t.Errorf("CreateInstanceProfile = %+v", p)
	}
	f.must(f.svc.AddRoleToInstanceProfile(f.ctx, acct, "web", "app"))
	wantError(t, "AddRoleToInstanceProfile(a second)", f.svc.AddRoleToInstanceProfile(f.ctx, acct, "web", "app"), LimitExceeded,
		"Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	got2, err := f.svc.GetInstanceProfile(f.ctx, acct, "web")
	if err != nil || len(got2.Roles) != 1 || got2.Roles[0].Name != "app" {
		t.Errorf("GetInstanceProfile = %+v, %v", got2, err)
	}
	forRole, err := f.svc.ListInstanceProfiles(f.ctx, acct, "", "app", Page{})
	f.must(err)
	if len(forRole.Items) != 1 || forRole.Items[0].Name != "web" {
		t.Errorf("ListInstanceProfilesForRole(app) = %+v", forRole.Items)
	}
	wantError(t, "DeleteRole(in a profile)", f.svc.DeleteRole(f.ctx, acct, "app"), DeleteConflict,
		"Cannot delete entity, must remove roles from instance profile first.")
	wantError(t, "DeleteInstanceProfile(with a role)", f.svc.DeleteInstanceProfile(f.ctx, acct, "web"), DeleteConflict,
		"Cannot delete entity, must remove roles from instance profile first.")
	f.must(f.svc.RemoveRoleFromInstanceProfile(f.ctx, acct, "web", "app"))
	f.must(f.svc.DeleteInstanceProfile(f.ctx, acct, "web"))
	_, err = f.svc.GetInstanceProfile(f.ctx, acct, "web")
	wantError(t, "GetInstanceProfile(deleted)", err, NoSuchEntity, "Instance Profile web cannot be found.")
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "app"}, "p", allowLogs))
	wantError(t, "DeleteRole(with a policy)", f.svc.DeleteRole(f.ctx, acct, "app"), DeleteConflict, "Cannot delete entity, must delete policies first.")
	f.must(f.svc.DeleteInlinePolicy(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "app"}, "p"))
	f.must(f.svc.DeleteRole(f.ctx, acct, "app"))
	_, err = f.svc.GetRole(f.ctx, acct, "app")
	wantError(t, "GetRole(deleted)", err, NoSuchEntity, "The role with name app cannot be found.")
}

func TestServiceLinkedRoles(t *testing.T) {
	f := newFixture(t)
	r, err := f.svc.CreateServiceLinkedRole(f.ctx, acct, "config.amazonaws.com", "d", "")
	f.must(err)
	if r.Name != "AWSServiceRoleForConfig" || r.Path != "/aws-service-role/config.amazonaws.com/" ||
		r.ARN != "arn:aws:iam::"+acct+":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" {
		t.Errorf("CreateServiceLinkedRole = %+v", r)
	}
	if err := validateDocument(TrustPolicy, r.Document); err != nil {
		t.Errorf("its trust policy: %v", err)
	}
	_, err = f.svc.CreateServiceLinkedRole(f.ctx, acct, "config.amazonaws.com", "", "")
	wantError(t, "CreateServiceLinkedRole(again)", err, InvalidInput,
		"Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.")
	second, err := f.svc.CreateServiceLinkedRole(f.ctx, acct, "config.amazonaws.com", "", "two")
	if err != nil || second.Name != "AWSServiceRoleForConfig_two" {
		t.Errorf("CreateServiceLinkedRole(suffix two) = %+v, %v", second, err)
	}
	_, err = f.svc.CreateServiceLinkedRole(f.ctx, acct, "ecs.amazonaws.com", "", "")
	wantError(t, "CreateServiceLinkedRole(ECS)", err, InvalidInput, "")
	role := Ref{Kind: store.IAMRole, Name: r.Name}
	wantError(t, "DeleteRole(service-linked)", f.svc.DeleteRole(f.ctx, acct, r.Name), UnmodifiableEntity,
		"Cannot perform the operation on the protected role 'AWSServiceRoleForConfig' - this role is only modifiable by AWS")
	wantError(t, "AttachPolicy(to a service-linked role)", f.svc.AttachPolicy(f.ctx, acct, role, "arn:aws:iam::aws:policy/ReadOnlyAccess"), UnmodifiableEntity, "")
	task, err := f.svc.DeleteServiceLinkedRole(f.ctx, acct, r.Name)
	f.must(err)
	if status, err := f.svc.ServiceLinkedRoleDeletionStatus(task); err != nil || status != "SUCCEEDED" {
		t.Errorf("ServiceLinkedRoleDeletionStatus(%s) = %s, %v", task, status, err)
	}
	if _, err := f.svc.ServiceLinkedRoleDeletionStatus("task/other"); err == nil {
		t.Error("ServiceLinkedRoleDeletionStatus(task/other) succeeded")
	}
}
