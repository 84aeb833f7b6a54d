package iam

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestUsers(t *testing.T) {
	f := newFixture(t)
	u, err := f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "alice", Path: "/eng/", Tags: map[string]string{"team": "obs"}})
	f.must(err)
	if len(u.ID) != 21 || u.ID[:4] != "AIDA" || u.ARN != "arn:aws:iam::"+acct+":user/eng/alice" || !u.Created.Equal(start) {
		t.Errorf("CreateUser = %+v; want an AIDA id, the ARN with its path, created now", u)
	}
	_, err = f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "Alice"})
	wantError(t, "CreateUser(Alice)", err, EntityAlreadyExists, "User with name Alice already exists.")
	_, err = f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "x", Tags: map[string]string{"a": "1", "A": "2"}})
	wantError(t, "CreateUser(tags a and A)", err, InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
	_, err = f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "x", Boundary: "arn:aws:iam::aws:policy/NoSuch"})
	wantError(t, "CreateUser(unknown boundary)", err, NoSuchEntity, "Scope ARN: arn:aws:iam::aws:policy/NoSuch does not exist or is not attachable.")

	got, err := f.svc.GetUser(f.ctx, f.root, "ALICE")
	if err != nil || got.ID != u.ID || got.Tags["team"] != "obs" {
		t.Errorf("GetUser(ALICE) = %+v, %v; want alice with her tags", got, err)
	}
	_, err = f.svc.GetUser(f.ctx, f.root, "nobody")
	wantError(t, "GetUser(nobody)", err, NoSuchEntity, "The user with name nobody cannot be found.")
	root, err := f.svc.GetUser(f.ctx, f.root, "")
	if err != nil || root.Name != "" || root.ID != acct || root.ARN != f.root.ARN || !root.Created.Equal(start.Add(-time.Hour)) {
		t.Errorf("GetUser() by the root = %+v, %v; want the root, created with the account", root, err)
	}
	self, err := f.svc.GetUser(f.ctx, Caller{Account: acct, ARN: u.ARN, UserID: u.ID}, "")
	if err != nil || self.Name != "alice" {
		t.Errorf("GetUser() by alice = %+v, %v", self, err)
	}
	_, err = f.svc.GetUser(f.ctx, Caller{Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s", UserID: "AROAX:s"}, "")
	wantError(t, "GetUser() by a role", err, ValidationError, "Must specify userName when calling with non-User credentials")
}

func TestListUsersPages(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"dave", "Carol", "bob", "alice"} {
		f.user(name)
	}
	_, err := f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "eve", Path: "/ops/"})
	f.must(err)
	var got [][]string
	p := Page{MaxItems: 2}
	for range 5 {
		page, err := f.svc.ListUsers(f.ctx, acct, "", p)
		f.must(err)
		got = append(got, names(page.Items))
		if page.Marker == "" {
			break
		}
		p.Marker = page.Marker
	}
	want := [][]string{{"alice", "bob"}, {"Carol", "dave"}, {"eve"}}
	if len(got) != len(want) {
		t.Fatalf("ListUsers by pages of 2 = %q; want %q", got, want)
	}
	for i := range want {
		sameNames(t, "page", got[i], want[i])
	}
	ops, err := f.svc.ListUsers(f.ctx, acct, "/ops/", Page{})
	f.must(err)
	sameNames(t, "ListUsers(/ops/)", names(ops.Items), []string{"eve"})
	_, err = f.svc.ListUsers(f.ctx, acct, "", Page{Marker: "not-a-marker"})
	wantError(t, "ListUsers(bad marker)", err, ValidationError, "")
	groups, err := f.svc.ListGroups(f.ctx, acct, "", Page{})
	f.must(err)
	if len(groups.Items) != 0 {
		t.Errorf("ListGroups = %v; want none", names(groups.Items))
	}
}

func TestUpdateUserMovesKeys(t *testing.T) {
	f := newFixture(t)
	u := f.user("alice")
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	f.forgot()
	f.user("bob")
	wantError(t, "UpdateUser(to bob)", f.svc.UpdateUser(f.ctx, acct, "alice", "BOB", ""), EntityAlreadyExists, "User with name BOB already exists.")
	f.must(f.svc.UpdateUser(f.ctx, acct, "alice", "alicia", "/x/"))
	signs, err := f.st.Accounts().AccessKey(f.ctx, k.ID)
	if err != nil || signs.PrincipalARN != "arn:aws:iam::"+acct+":user/x/alicia" || signs.UserID != u.ID {
		t.Errorf("the key after renaming its user = %+v, %v; want it to sign as the new ARN", signs, err)
	}
	sameNames(t, "keys forgotten after the rename", f.forgot(), []string{k.ID})
}

func TestDeleteUserConflicts(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	g, err := f.svc.CreateGroup(f.ctx, acct, "g", "")
	f.must(err)
	f.must(f.svc.AddUserToGroup(f.ctx, acct, g.Name, "alice"))
	ref := Ref{Kind: store.IAMUser, Name: "alice"}
	f.must(f.svc.AttachPolicy(f.ctx, acct, ref, "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, ref, "p", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`))
	d, err := f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone"})
	f.must(err)
	f.enable(t, "alice", d)
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	_, err = f.svc.CreateLoginProfile(f.ctx, f.root, "alice", "Correct-Horse-9", false)
	f.must(err)

	// Each conflict in turn, and what removes it.
	steps := []struct {
		msg    string
		remove func() error
	}{
		{"Cannot delete entity, must delete login profile first.", func() error { return f.svc.DeleteLoginProfile(f.ctx, f.root, "alice") }},
		{"Cannot delete entity, must delete access keys first.", func() error { return f.svc.DeleteAccessKey(f.ctx, f.root, "alice", k.ID) }},
		{"Cannot delete entity, must delete MFA device first.", func() error { return f.svc.DeactivateMFADevice(f.ctx, f.root, "alice", d.ARN) }},
		{"Cannot delete entity, must delete policies first.", func() error { return f.svc.DeleteInlinePolicy(f.ctx, acct, ref, "p") }},
		{"Cannot delete entity, must detach all policies first.", func() error {
			return f.svc.DetachPolicy(f.ctx, acct, ref, "arn:aws:iam::aws:policy/ReadOnlyAccess")
		}},
		{"Cannot delete entity, must remove users from group first.", func() error { return f.svc.RemoveUserFromGroup(f.ctx, acct, "g", "alice") }},
	}
	for _, s := range steps {
		wantError(t, "DeleteUser", f.svc.DeleteUser(f.ctx, acct, "alice"), DeleteConflict, s.msg)
		f.must(s.remove())
	}
	f.must(f.svc.DeleteUser(f.ctx, acct, "alice"))
	wantError(t, "DeleteUser(again)", f.svc.DeleteUser(f.ctx, acct, "alice"), NoSuchEntity, "The user with name alice cannot be found.")
}

func TestGroups(t *testing.T) {
	f := newFixture(t)
	g, err := f.svc.CreateGroup(f.ctx, acct, "admins", "/ops/")
	f.must(err)
	if g.ID[:4] != "AGPA" || g.ARN != "arn:aws:iam::"+acct+":group/ops/admins" {
		t.Errorf("CreateGroup = %+v", g)
	}
	_, err = f.svc.CreateGroup(f.ctx, acct, "Admins", "")
	wantError(t, "CreateGroup(Admins)", err, EntityAlreadyExists, "Group with name Admins already exists.")
	for _, name := range []string{"bob", "alice"} {
		f.user(name)
		f.must(f.svc.AddUserToGroup(f.ctx, acct, "admins", name))
	}
	f.must(f.svc.AddUserToGroup(f.ctx, acct, "admins", "alice")) // twice: nothing changes
	_, members, err := f.svc.GetGroup(f.ctx, acct, "admins", Page{})
	f.must(err)
	sameNames(t, "GetGroup users", names(members.Items), []string{"alice", "bob"})
	wantError(t, "AddUserToGroup(nobody)", f.svc.AddUserToGroup(f.ctx, acct, "admins", "nobody"), NoSuchEntity, "The user with name nobody cannot be found.")
	for i := range maxGroupsPerUser - 1 {
		name := string(rune('a'+i)) + "-group"
		_, err := f.svc.CreateGroup(f.ctx, acct, name, "")
		f.must(err)
		f.must(f.svc.AddUserToGroup(f.ctx, acct, name, "alice"))
	}
	_, err = f.svc.CreateGroup(f.ctx, acct, "one-too-many", "")
	f.must(err)
	wantError(t, "AddUserToGroup(an 11th group)", f.svc.AddUserToGroup(f.ctx, acct, "one-too-many", "alice"), LimitExceeded,
		"Cannot exceed quota for GroupsPerUser: 10")
	groups, err := f.svc.GroupsForUser(f.ctx, acct, "bob", Page{})
	f.must(err)
	sameNames(t, "GroupsForUser(bob)", names(groups.Items), []string{"admins"})
	f.must(f.svc.UpdateGroup(f.ctx, acct, "admins", "operators", ""))
	groups, err = f.svc.GroupsForUser(f.ctx, acct, "bob", Page{})
	f.must(err)
	if len(groups.Items) != 1 || groups.Items[0].ARN != "arn:aws:iam::"+acct+":group/ops/operators" {
		t.Errorf("GroupsForUser(bob) after the rename = %+v; want operators, its path kept", groups.Items)
	}
	wantError(t, "RemoveUserFromGroup(not a member)", f.svc.RemoveUserFromGroup(f.ctx, acct, "one-too-many", "bob"), NoSuchEntity, "")
}
