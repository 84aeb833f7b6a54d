package organizations

import (
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func TestOrganizationLifecycle(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.DescribeOrganization(f.ctx, mgmt)
	wantError(t, "DescribeOrganization before any", err, NotInUse, "Your account is not a member of an organization.")
	o, err := f.svc.CreateOrganization(f.ctx, mgmt, "")
	f.must(err)
	wantMatch(t, "organization id", o.ID, `o-[a-z0-9]{10}`)
	if o.ARN != "arn:aws:organizations::"+mgmt+":organization/"+o.ID || o.FeatureSet != FeatureSetAll || o.ManagementAccount != mgmt {
		t.Errorf("CreateOrganization = %+v", o)
	}
	_, err = f.svc.CreateOrganization(f.ctx, mgmt, "")
	wantError(t, "CreateOrganization again", err, AlreadyInOrganization, "The provided account is already a member of an organization.")

	roots, err := f.svc.ListRoots(f.ctx, mgmt, Page{})
	f.must(err)
	if len(roots.Items) != 1 {
		t.Fatalf("ListRoots = %+v; want one root", roots)
	}
	rt := roots.Items[0]
	wantMatch(t, "root id", rt.ID, `r-[a-z0-9]{4}`)
	if rt.ARN != "arn:aws:organizations::"+mgmt+":root/"+o.ID+"/"+rt.ID || rt.Name != "Root" || len(rt.PolicyTypes) != 0 {
		t.Errorf("root = %+v", rt)
	}
	acct, err := f.svc.DescribeAccount(f.ctx, mgmt, mgmt)
	f.must(err)
	if acct.ARN != "arn:aws:organizations::"+mgmt+":account/"+o.ID+"/"+mgmt || acct.Parent != rt.ID ||
		acct.JoinedMethod != "INVITED" || acct.State != "ACTIVE" || !acct.Created.Equal(start) {
		t.Errorf("the management account = %+v", acct)
	}

	member := f.account("dev")
	got, err := f.svc.DescribeOrganization(f.ctx, member)
	if err != nil || got.ID != o.ID {
		t.Errorf("DescribeOrganization by a member = %+v, %v; want the organization", got, err)
	}
	wantError(t, "DeleteOrganization with a member", f.svc.DeleteOrganization(f.ctx, mgmt), OrganizationNotEmpty, "")
	wantError(t, "DeleteOrganization by a member", f.svc.DeleteOrganization(f.ctx, member), AccessDenied, "")
	f.must(f.svc.RemoveAccountFromOrganization(f.ctx, mgmt, member))
	f.must(f.svc.DeleteOrganization(f.ctx, mgmt))
	_, err = f.svc.DescribeOrganization(f.ctx, mgmt)
	wantError(t, "DescribeOrganization after DeleteOrganization", err, NotInUse, "")
	if _, err := f.svc.CreateOrganization(f.ctx, member, "CONSOLIDATED_BILLING"); err != nil {
		t.Errorf("the removed member creates its own organization: %v", err)
	}
}

// TestAccess checks who may call what: the management account
// everything, delegated administrators the reads, other members only
// DescribeOrganization.
func TestAccess(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	member, admin := f.account("member"), f.account("admin")
	f.must(f.svc.RegisterDelegatedAdministrator(f.ctx, mgmt, admin, "guardduty.amazonaws.com"))
	if _, err := f.svc.ListAccounts(f.ctx, admin, "", Page{}); err != nil {
		t.Errorf("ListAccounts by a delegated administrator = %v; want it allowed", err)
	}
	for who, code := range map[string]Code{member: AccessDenied, outsider: NotInUse} {
		_, err := f.svc.ListAccounts(f.ctx, who, "", Page{})
		wantError(t, "ListAccounts by "+who, err, code, "")
	}
	for _, who := range []string{member, admin} {
		_, err := f.svc.CreateOrganizationalUnit(f.ctx, who, rt.ID, "x", nil)
		wantError(t, "CreateOrganizationalUnit by "+who, err, AccessDenied, "You don't have permissions to access this resource.")
	}
}

func TestUnits(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	eng := f.unit(rt.ID, "eng")
	wantMatch(t, "OU id", eng.ID, `ou-`+rt.ID[2:]+`-[a-z0-9]{8}`)
	_, err := f.svc.CreateOrganizationalUnit(f.ctx, mgmt, rt.ID, "eng", nil)
	wantError(t, "CreateOrganizationalUnit of a taken name", err, DuplicateOrganizationalUnit, "An OU with the same name already exists.")
	_, err = f.svc.CreateOrganizationalUnit(f.ctx, mgmt, "ou-none-00000000", "x", nil)
	wantError(t, "CreateOrganizationalUnit in no parent", err, ParentNotFound, "")
	_, err = f.svc.CreateOrganizationalUnit(f.ctx, mgmt, mgmt, "x", nil)
	wantError(t, "CreateOrganizationalUnit in an account", err, ParentNotFound, "")

	parent := eng.ID
	for i := 2; i <= maxDepth; i++ {
		parent = f.unit(parent, "level").ID
	}
	_, err = f.svc.CreateOrganizationalUnit(f.ctx, mgmt, parent, "too-deep", nil)
	wantReason(t, "CreateOrganizationalUnit 6 levels deep", err, ConstraintViolation, "OU_DEPTH_LIMIT_EXCEEDED")

	ops := f.unit(rt.ID, "ops")
	_, err = f.svc.UpdateOrganizationalUnit(f.ctx, mgmt, ops.ID, "eng")
	wantError(t, "UpdateOrganizationalUnit to a sibling's name", err, DuplicateOrganizationalUnit, "")
	renamed, err := f.svc.UpdateOrganizationalUnit(f.ctx, mgmt, ops.ID, "platform")
	if err != nil || renamed.Name != "platform" {
		t.Errorf("UpdateOrganizationalUnit = %+v, %v", renamed, err)
	}
	if got, err := f.svc.DescribeOrganizationalUnit(f.ctx, mgmt, ops.ID); err != nil || got.Name != "platform" || got.ARN != ops.ARN {
		t.Errorf("DescribeOrganizationalUnit after renaming = %+v, %v", got, err)
	}
	_, err = f.svc.DescribeOrganizationalUnit(f.ctx, mgmt, rt.ID)
	wantError(t, "DescribeOrganizationalUnit of the root", err, OrganizationalUnitNotFound, "")

	units, err := f.svc.ListChildren(f.ctx, mgmt, rt.ID, store.OrgUnit, Page{})
	want := []string{eng.ID, ops.ID}
	slices.Sort(want)
	if err != nil || !slices.Equal(ids(units.Items), want) {
		t.Errorf("ListChildren(root, OUs) = %v, %v; want %v", ids(units.Items), err, want)
	}
	accounts, err := f.svc.ListChildren(f.ctx, mgmt, rt.ID, store.OrgAccount, Page{})
	if err != nil || !slices.Equal(ids(accounts.Items), []string{mgmt}) {
		t.Errorf("ListChildren(root, accounts) = %v, %v", ids(accounts.Items), err)
	}
	parents, err := f.svc.ListParents(f.ctx, mgmt, eng.ID, Page{})
	if err != nil || !slices.Equal(ids(parents.Items), []string{rt.ID}) {
		t.Errorf("ListParents(eng) = %v, %v", ids(parents.Items), err)
	}
	_, err = f.svc.ListParents(f.ctx, mgmt, rt.ID, Page{})
	wantError(t, "ListParents(root)", err, ChildNotFound, "")

	member := f.account("m")
	f.must(f.svc.MoveAccount(f.ctx, mgmt, member, rt.ID, ops.ID))
	wantError(t, "DeleteOrganizationalUnit with an account", f.svc.DeleteOrganizationalUnit(f.ctx, mgmt, ops.ID), OrganizationalUnitNotEmpty, "")
	f.must(f.svc.MoveAccount(f.ctx, mgmt, member, ops.ID, rt.ID))
	f.must(f.svc.DeleteOrganizationalUnit(f.ctx, mgmt, ops.ID))
	wantError(t, "DeleteOrganizationalUnit twice", f.svc.DeleteOrganizationalUnit(f.ctx, mgmt, ops.ID), OrganizationalUnitNotFound, "")
}

func TestMoveAccount(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	ou, other := f.unit(rt.ID, "ou"), f.unit(rt.ID, "other")
	member := f.account("m")
	for _, c := range []struct {
		what           string
		acct, from, to string
		code           Code
	}{
		{"an unknown account", "123456789012", rt.ID, ou.ID, AccountNotFound},
		{"from no parent", member, "ou-none-00000000", ou.ID, SourceParentNotFound},
		{"to no parent", member, rt.ID, "ou-none-00000000", DestinationParentNotFound},
		{"to where it is", member, rt.ID, rt.ID, DuplicateAccount},
		{"from where it is not", member, ou.ID, other.ID, AccountNotFound},
	} {
		wantError(t, "MoveAccount "+c.what, f.svc.MoveAccount(f.ctx, mgmt, c.acct, c.from, c.to), c.code, "")
	}
	f.must(f.svc.MoveAccount(f.ctx, mgmt, member, rt.ID, ou.ID))
	in, err := f.svc.ListAccounts(f.ctx, mgmt, ou.ID, Page{})
	if err != nil || !slices.Equal(ids(in.Items), []string{member}) {
		t.Errorf("ListAccountsForParent(ou) = %v, %v", ids(in.Items), err)
	}
}

func TestPages(t *testing.T) {
	f := newFixture(t)
	f.organization()
	var all []string
	for _, name := range []string{"a", "b", "c", "d"} {
		all = append(all, f.account(name))
	}
	all = append(all, mgmt)
	slices.Sort(all)
	var got []string
	p := Page{MaxResults: 2}
	for range 10 {
		page, err := f.svc.ListAccounts(f.ctx, mgmt, "", p)
		f.must(err)
		if len(page.Items) > 2 {
			t.Fatalf("a page of %d", len(page.Items))
		}
		got = append(got, ids(page.Items)...)
		if page.NextToken == "" {
			break
		}
		p.NextToken = page.NextToken
	}
	if !slices.Equal(got, all) {
		t.Errorf("ListAccounts by pages of 2 = %v; want %v", got, all)
	}
	_, err := f.svc.ListAccounts(f.ctx, mgmt, "", Page{NextToken: "bogus!"})
	wantReason(t, "ListAccounts with a bad token", err, InvalidInput, "INVALID_NEXT_TOKEN")
	roots, err := f.svc.ListRoots(f.ctx, mgmt, Page{})
	f.must(err)
	_, err = f.svc.ListRoots(f.ctx, mgmt, Page{NextToken: p.NextToken})
	wantReason(t, "ListRoots with a token of ListAccounts", err, InvalidInput, "INVALID_NEXT_TOKEN")
	if roots.NextToken != "" {
		t.Errorf("ListRoots = %+v; want one page", roots)
	}
}
