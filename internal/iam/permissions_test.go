package iam

import (
	"errors"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func TestPermissions(t *testing.T) {
	f := newFixture(t)
	var changed []string
	f.svc.opt.Changed = func(account string) { changed = append(changed, account) }
	f.user("alice")
	_, err := f.svc.CreateGroup(f.ctx, acct, "g", "")
	f.must(err)
	f.must(f.svc.AddUserToGroup(f.ctx, acct, "g", "alice"))
	local := f.policy("local")
	alice, group := Ref{Kind: store.IAMUser, Name: "alice"}, Ref{Kind: store.IAMGroup, Name: "g"}
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, alice, "mine", allowLogs))
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, group, "ours", trustless))
	f.must(f.svc.AttachPolicy(f.ctx, acct, group, local))
	f.must(f.svc.SetBoundary(f.ctx, acct, alice, "arn:aws:iam::aws:policy/AdministratorAccess"))
	f.must(f.svc.TagEntity(f.ctx, acct, alice, map[string]string{"team": "obs"}))
	if len(changed) != 9 || slices.ContainsFunc(changed, func(a string) bool { return a != acct }) {
		t.Errorf("Changed was told %q; want the account once a change", changed)
	}
	p, err := f.svc.Permissions(f.ctx, acct, store.IAMUser, "alice")
	f.must(err)
	admin, err := awsPolicy("arn:aws:iam::aws:policy/AdministratorAccess")
	f.must(err)
	if !slices.Equal(p.Inline, []string{allowLogs, trustless}) || !slices.Equal(p.Managed, []string{allowLogs}) ||
		p.Boundary != admin.document || p.Tags["team"] != "obs" {
		t.Errorf("Permissions(alice) = %+v; want her and her group's policies, her boundary and tags", p)
	}
	if _, err := f.svc.Permissions(f.ctx, acct, store.IAMRole, "none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Permissions(no such role) = %v; want ErrNotFound", err)
	}
	if doc, err := f.svc.ManagedPolicy(f.ctx, local); err != nil || doc != allowLogs {
		t.Errorf("ManagedPolicy(local) = %q, %v", doc, err)
	}
	for _, arn := range []string{"arn:aws:iam::" + acct + ":policy/none", "arn:aws:iam::aws:policy/None", "not an ARN"} {
		if _, err := f.svc.ManagedPolicy(f.ctx, arn); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ManagedPolicy(%s) = %v; want ErrNotFound", arn, err)
		}
	}
}

// trustless is an identity policy that denies.
const trustless = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`
