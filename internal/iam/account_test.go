package iam

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func TestAccountAlias(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"ab", "Upper", "-lead", "trail-", "two--hyphens", "under_score"} {
		wantError(t, "CreateAccountAlias("+bad+")", f.svc.CreateAccountAlias(f.ctx, acct, bad), ValidationError, "")
	}
	f.must(f.svc.CreateAccountAlias(f.ctx, acct, "my-org"))
	wantError(t, "CreateAccountAlias(another account's)", f.svc.CreateAccountAlias(f.ctx, "210987654321", "my-org"), EntityAlreadyExists,
		"The account alias my-org already exists.")
	f.must(f.svc.CreateAccountAlias(f.ctx, acct, "my-org-2")) // replaces the alias
	aliases, err := f.svc.AccountAliases(f.ctx, acct)
	f.must(err)
	sameNames(t, "AccountAliases", aliases, []string{"my-org-2"})
	wantError(t, "DeleteAccountAlias(the old one)", f.svc.DeleteAccountAlias(f.ctx, acct, "my-org"), NoSuchEntity, "")
	f.must(f.svc.DeleteAccountAlias(f.ctx, acct, "my-org-2"))
	f.must(f.svc.CreateAccountAlias(f.ctx, "210987654321", "my-org"))
}

func TestAccountSummary(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	f.user("bob")
	_, err := f.svc.CreateGroup(f.ctx, acct, "g", "")
	f.must(err)
	f.must(f.svc.AttachPolicy(f.ctx, acct, Ref{Kind: store.IAMGroup, Name: "g"}, "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	_, err = f.svc.CreateAccessKey(f.ctx, f.root, "")
	f.must(err)
	m, err := f.svc.AccountSummary(f.ctx, acct)
	f.must(err)
	for k, want := range map[string]int{"Users": 2, "Groups": 1, "Roles": 0, "Policies": 0, "AccountAccessKeysPresent": 1,
		"PolicyVersionsInUse": 1, "UsersQuota": 5000, "AccessKeysPerUserQuota": 2, "VersionsPerPolicyQuota": 5} {
		if m[k] != want {
			t.Errorf("AccountSummary[%s] = %d; want %d", k, m[k], want)
		}
	}
}

func TestAuthorizationDetails(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	_, err := f.svc.CreateGroup(f.ctx, acct, "g", "")
	f.must(err)
	f.must(f.svc.AddUserToGroup(f.ctx, acct, "g", "alice"))
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "r"}, TrustPolicy: trustEC2})
	f.must(err)
	_, err = f.svc.CreateInstanceProfile(f.ctx, acct, NewEntity{Name: "ip"})
	f.must(err)
	f.must(f.svc.AddRoleToInstanceProfile(f.ctx, acct, "ip", "r"))
	local := f.policy("local")
	f.must(f.svc.AttachPolicy(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "r"}, "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	f.must(f.svc.AttachPolicy(f.ctx, acct, Ref{Kind: store.IAMUser, Name: "alice"}, local))
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, Ref{Kind: store.IAMGroup, Name: "g"}, "inline", allowLogs))

	var users, groups, roles, policies []string
	p := Page{MaxItems: 2}
	for range 5 {
		d, err := f.svc.AuthorizationDetails(f.ctx, acct, nil, p)
		f.must(err)
		for _, u := range d.Users {
			users = append(users, u.Name)
			if len(u.Groups) != 1 || u.Groups[0] != "g" || len(u.Attached) != 1 || u.Attached[0].ARN != local {
				t.Errorf("alice's details = %+v", u)
			}
		}
		for _, g := range d.Groups {
			groups = append(groups, g.Name)
			if len(g.Inline) != 1 || g.Inline[0].Document != allowLogs {
				t.Errorf("g's details = %+v", g)
			}
		}
		for _, r := range d.Roles {
			roles = append(roles, r.Name)
			if len(r.Profiles) != 1 || r.Profiles[0].Name != "ip" || len(r.Profiles[0].Roles) != 1 {
				t.Errorf("r's details = %+v", r)
			}
		}
		for _, pd := range d.Policies {
			policies = append(policies, pd.Name)
			if len(pd.Versions) != 1 || !pd.Versions[0].IsDefault || pd.Attachments != 1 {
				t.Errorf("%s's details = %+v", pd.Name, pd)
			}
		}
		if d.Marker == "" {
			break
		}
		p.Marker = d.Marker
	}
	sameNames(t, "users", users, []string{"alice"})
	sameNames(t, "groups", groups, []string{"g"})
	sameNames(t, "roles", roles, []string{"r"})
	sameNames(t, "policies (the account's, and AWS's in use)", policies, []string{"local", "ReadOnlyAccess"})
	d, err := f.svc.AuthorizationDetails(f.ctx, acct, []string{FilterRole, FilterAWSManagedPolicy}, Page{})
	f.must(err)
	if len(d.Users) != 0 || len(d.Roles) != 1 || len(d.Policies) != 1 || d.Policies[0].Name != "ReadOnlyAccess" {
		t.Errorf("AuthorizationDetails(Role, AWSManagedPolicy) = %+v", d)
	}
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	alice := Ref{Kind: store.IAMUser, Name: "alice"}
	f.must(f.svc.TagEntity(f.ctx, acct, alice, map[string]string{"Env": "dev", "team": "obs"}))
	f.must(f.svc.TagEntity(f.ctx, acct, alice, map[string]string{"env": "prod"})) // replaces Env: keys are case-insensitive
	tags, err := f.svc.EntityTags(f.ctx, acct, alice, Page{})
	f.must(err)
	if len(tags.Items) != 2 || tags.Items[0] != (Tag{"env", "prod"}) || tags.Items[1] != (Tag{"team", "obs"}) {
		t.Errorf("EntityTags = %+v; want env=prod and team=obs", tags.Items)
	}
	f.must(f.svc.UntagEntity(f.ctx, acct, alice, []string{"TEAM"}))
	many := map[string]string{}
	for i := range maxTags {
		many["k"+string(rune('A'+i/26))+string(rune('a'+i%26))] = "v"
	}
	wantError(t, "TagEntity(51 tags)", f.svc.TagEntity(f.ctx, acct, alice, many), LimitExceeded, "")
	p := f.policy("p")
	f.must(f.svc.TagEntity(f.ctx, acct, Ref{Kind: store.IAMPolicy, Name: p}, map[string]string{"a": "b"}))
	wantError(t, "TagEntity(an AWS policy)", f.svc.TagEntity(f.ctx, acct, Ref{Kind: store.IAMPolicy, Name: "arn:aws:iam::aws:policy/ReadOnlyAccess"},
		map[string]string{"a": "b"}), UnmodifiableEntity, "")
	if aws, err := f.svc.EntityTags(f.ctx, acct, Ref{Kind: store.IAMPolicy, Name: "arn:aws:iam::aws:policy/ReadOnlyAccess"}, Page{}); err != nil || len(aws.Items) != 0 {
		t.Errorf("EntityTags(an AWS policy) = %+v, %v; want none", aws, err)
	}
	wantError(t, "TagEntity(no such role)", f.svc.TagEntity(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "r"}, map[string]string{"a": "b"}), NoSuchEntity,
		"The role with name r cannot be found.")
}
