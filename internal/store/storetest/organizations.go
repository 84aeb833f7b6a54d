package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Organizations checks the backend's store.Organizations.
func Organizations(t *testing.T, open Open) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	const orgA, orgB = "o-aaaaaaaaaa", "o-bbbbbbbbbb"
	const mgmt, member, other = "111111111111", "222222222222", "333333333333"
	orgs := func(t *testing.T, b Backend) store.Organizations {
		t.Helper()
		need(t, b.Organizations != nil, "Organizations")
		return b.Organizations
	}
	// ok fails the test on the error of a transaction.
	ok := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("transaction: %v", err)
		}
	}
	organization := func(id, account string) store.Organization {
		return store.Organization{ID: id, ARN: "arn:aws:organizations::" + account + ":organization/" + id, FeatureSet: "ALL",
			ManagementAccount: account, Created: at}
	}
	root := store.OrgNode{Kind: store.OrgRoot, ID: "r-abcd", ARN: "arn:root", Name: "Root", Created: at,
		PolicyTypes: []string{"SERVICE_CONTROL_POLICY", "TAG_POLICY"}}
	ou := store.OrgNode{Kind: store.OrgUnit, ID: "ou-abcd-11111111", ARN: "arn:ou", Name: "eng", Parent: root.ID, Created: at}
	account := func(id, parent, email string) store.OrgNode {
		return store.OrgNode{Kind: store.OrgAccount, ID: id, ARN: "arn:account/" + id, Name: "n" + id, Parent: parent, Created: at,
			Email: email, State: "ACTIVE", JoinedMethod: "CREATED"}
	}
	scp := store.OrgPolicy{ID: "p-11111111", ARN: "arn:policy/p-11111111", Name: "deny", Description: "d",
		Type: "SERVICE_CONTROL_POLICY", Content: `{"Version":"2012-10-17"}`}
	// fill creates organization A: its root, an OU, the management
	// account in the root and a member in the OU.
	fill := func(t *testing.T, s store.Organizations) {
		t.Helper()
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			if err := w.PutOrganization(organization(orgA, mgmt)); err != nil {
				return err
			}
			for _, n := range []store.OrgNode{root, ou, account(mgmt, root.ID, "m@example.com"), account(member, ou.ID, "x@example.com")} {
				if err := w.PutNode(n); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	ids := func(ns []store.OrgNode) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, n.ID)
		}
		return out
	}

	t.Run("tree", func(t *testing.T) {
		s := orgs(t, fresh(t, open))
		if _, err := s.OrganizationOf(ctx, mgmt); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("OrganizationOf before any organization = %v; want ErrNotFound", err)
		}
		fill(t, s)
		for _, acct := range []string{mgmt, member} {
			if got, err := s.OrganizationOf(ctx, acct); err != nil || got != orgA {
				t.Errorf("OrganizationOf(%s) = %q, %v; want %s", acct, got, err, orgA)
			}
		}
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if got, err := r.Organization(); err != nil || !reflect.DeepEqual(got, organization(orgA, mgmt)) {
				t.Errorf("Organization = %+v, %v", got, err)
			}
			for _, want := range []store.OrgNode{root, ou, account(member, ou.ID, "x@example.com")} {
				if got, err := r.Node(want.ID); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("Node(%s) = %+v, %v; want %+v", want.ID, got, err, want)
				}
			}
			if _, err := r.Node("ou-none-00000000"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Node(missing) = %v; want ErrNotFound", err)
			}
			for _, c := range []struct {
				kind   store.OrgNodeKind
				parent string
				want   []string
			}{
				{"", "", []string{mgmt, member, ou.ID, root.ID}},
				{store.OrgAccount, "", []string{mgmt, member}},
				{"", root.ID, []string{mgmt, ou.ID}},
				{store.OrgUnit, root.ID, []string{ou.ID}},
				{store.OrgAccount, ou.ID, []string{member}},
			} {
				if got, err := r.Nodes(c.kind, c.parent); err != nil || !reflect.DeepEqual(ids(got), c.want) {
					t.Errorf("Nodes(%q, %q) = %v, %v; want %v", c.kind, c.parent, ids(got), err, c.want)
				}
			}
			for email, want := range map[string]bool{"X@Example.com": true, "y@example.com": false} {
				if got, err := r.EmailInUse(email); err != nil || got != want {
					t.Errorf("EmailInUse(%s) = %v, %v; want %v", email, got, err, want)
				}
			}
			return nil
		}))
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			moved := account(member, root.ID, "x@example.com")
			if err := w.PutNode(moved); err != nil {
				return err
			}
			got, err := w.Node(member)
			if err != nil || got.Parent != root.ID {
				t.Errorf("Node after moving it = %+v, %v; want its new parent, in the same transaction", got, err)
			}
			return nil
		}))
		ok(t, s.UpdateOrganization(ctx, orgB, func(w store.OrgWriter) error {
			if err := w.PutOrganization(organization(orgB, other)); err != nil {
				return err
			}
			if err := w.PutNode(account(member, "r-bbbb", "z@example.com")); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutNode(an account of another organization) = %v; want ErrExists", err)
			}
			return w.PutNode(account(other, "r-bbbb", "o@example.com"))
		}))
		ok(t, s.ViewOrganization(ctx, orgB, func(r store.OrgReader) error {
			if got, err := r.Nodes("", ""); err != nil || !reflect.DeepEqual(ids(got), []string{other}) {
				t.Errorf("Nodes of organization B = %v, %v; want only its own", ids(got), err)
			}
			if inUse, err := r.EmailInUse("x@example.com"); err != nil || !inUse {
				t.Errorf("EmailInUse(an email of organization A) in B = %v, %v; want true", inUse, err)
			}
			return nil
		}))
	})

	t.Run("policies and attachments", func(t *testing.T) {
		b := fresh(t, open)
		s := orgs(t, b)
		need(t, b.Tags != nil, "Tags")
		fill(t, s)
		tag := store.OrgPolicy{ID: "p-00000000", ARN: "arn:policy/p-00000000", Name: "tags", Type: "TAG_POLICY", Content: "{}"}
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			for _, p := range []store.OrgPolicy{scp, tag} {
				if err := w.PutPolicy(p); err != nil {
					return err
				}
			}
			for _, a := range [][2]string{{scp.ID, ou.ID}, {scp.ID, member}, {"p-FullAWSAccess", ou.ID}, {"p-FullAWSAccess", root.ID}} {
				if err := w.Attach(a[0], a[1]); err != nil {
					return err
				}
			}
			if err := w.Attach(scp.ID, ou.ID); !errors.Is(err, store.ErrExists) {
				t.Errorf("Attach twice = %v; want ErrExists", err)
			}
			if err := w.Detach(scp.ID, root.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Detach(not attached) = %v; want ErrNotFound", err)
			}
			return w.Tag(scp.ARN, map[string]string{"a": "1", "b": "2"}, nil)
		}))
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if got, err := r.Policy(scp.ID); err != nil || !reflect.DeepEqual(got, scp) {
				t.Errorf("Policy = %+v, %v; want %+v", got, err, scp)
			}
			if got, err := r.Policies("SERVICE_CONTROL_POLICY"); err != nil || !reflect.DeepEqual(got, []store.OrgPolicy{scp}) {
				t.Errorf("Policies(SCP) = %+v, %v", got, err)
			}
			if got, err := r.PoliciesOf(ou.ID); err != nil || !reflect.DeepEqual(got, []string{"p-11111111", "p-FullAWSAccess"}) {
				t.Errorf("PoliciesOf(ou) = %v, %v", got, err)
			}
			if got, err := r.TargetsOf(scp.ID); err != nil || !reflect.DeepEqual(got, []string{member, ou.ID}) {
				t.Errorf("TargetsOf = %v, %v", got, err)
			}
			return nil
		}))
		if got, err := b.Tags.ResourceTags(ctx, scp.ARN); err != nil || !reflect.DeepEqual(got, map[string]string{"a": "1", "b": "2"}) {
			t.Errorf("ResourceTags(policy) = %v, %v; want the tags Tag set", got, err)
		}
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			if err := w.Tag(ou.ARN, map[string]string{"k": "v"}, nil); err != nil {
				return err
			}
			if err := w.Tag(scp.ARN, map[string]string{"c": "3"}, []string{"a", "none"}); err != nil {
				return err
			}
			if got, err := w.Tags(scp.ARN); err != nil || !reflect.DeepEqual(got, map[string]string{"b": "2", "c": "3"}) {
				t.Errorf("Tags after Tag = %v, %v", got, err)
			}
			if err := w.DeleteNode(ou.ID); err != nil {
				return err
			}
			if err := w.DeleteNode(ou.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteNode twice = %v; want ErrNotFound", err)
			}
			if err := w.Detach(scp.ID, member); err != nil {
				return err
			}
			return w.DeletePolicy(scp.ID)
		}))
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if got, err := r.TargetsOf("p-FullAWSAccess"); err != nil || !reflect.DeepEqual(got, []string{root.ID}) {
				t.Errorf("TargetsOf after deleting the OU = %v, %v; want its attachments gone", got, err)
			}
			if _, err := r.Policy(scp.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Policy after DeletePolicy = %v; want ErrNotFound", err)
			}
			if got, err := r.Tags(ou.ARN); err != nil || len(got) != 0 {
				t.Errorf("Tags of a deleted OU = %v, %v; want none", got, err)
			}
			return nil
		}))
		if got, err := b.Tags.ResourceTags(ctx, scp.ARN); err != nil || len(got) != 0 {
			t.Errorf("ResourceTags of a deleted policy = %v, %v; want none", got, err)
		}
	})

	t.Run("requests and delegations", func(t *testing.T) {
		s := orgs(t, fresh(t, open))
		fill(t, s)
		done := store.OrgAccountRequest{ID: "car-00000001", AccountName: "a", State: "SUCCEEDED", AccountID: member,
			Requested: at, Completed: at.Add(time.Second)}
		running := store.OrgAccountRequest{ID: "car-00000002", AccountName: "b", State: "IN_PROGRESS", AccountID: other, Requested: at}
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			for _, r := range []store.OrgAccountRequest{running, done} {
				if err := w.PutAccountRequest(r); err != nil {
					return err
				}
			}
			for _, svc := range []string{"guardduty.amazonaws.com", "config.amazonaws.com"} {
				if err := w.PutDelegation(store.OrgDelegation{Account: member, Service: svc, Created: at}); err != nil {
					return err
				}
			}
			if err := w.PutDelegation(store.OrgDelegation{Account: member, Service: "config.amazonaws.com", Created: at}); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutDelegation twice = %v; want ErrExists", err)
			}
			if err := w.DeleteDelegation(mgmt, "config.amazonaws.com"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteDelegation(missing) = %v; want ErrNotFound", err)
			}
			return w.DeleteDelegation(member, "guardduty.amazonaws.com")
		}))
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if got, err := r.AccountRequests(); err != nil || !reflect.DeepEqual(got, []store.OrgAccountRequest{done, running}) {
				t.Errorf("AccountRequests = %+v, %v", got, err)
			}
			if _, err := r.AccountRequest("car-none0000"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AccountRequest(missing) = %v; want ErrNotFound", err)
			}
			want := []store.OrgDelegation{{Account: member, Service: "config.amazonaws.com", Created: at}}
			for _, acct := range []string{"", member} {
				if got, err := r.Delegations(acct); err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("Delegations(%q) = %+v, %v; want %+v", acct, got, err, want)
				}
			}
			return nil
		}))
	})

	t.Run("a failed update keeps nothing", func(t *testing.T) {
		s := orgs(t, fresh(t, open))
		fill(t, s)
		boom := errors.New("boom")
		err := s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			if err := w.PutPolicy(scp); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("UpdateOrganization = %v; want fn's error", err)
		}
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if _, err := r.Policy(scp.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Policy of a failed update = %v; want ErrNotFound", err)
			}
			return nil
		}))
	})

	t.Run("delete an organization", func(t *testing.T) {
		b := fresh(t, open)
		s := orgs(t, b)
		need(t, b.Tags != nil, "Tags")
		fill(t, s)
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error {
			if err := w.PutPolicy(scp); err != nil {
				return err
			}
			return w.Tag(root.ARN, map[string]string{"k": "v"}, nil)
		}))
		ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error { return w.DeleteOrganization() }))
		if _, err := s.OrganizationOf(ctx, member); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("OrganizationOf after DeleteOrganization = %v; want ErrNotFound", err)
		}
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if _, err := r.Organization(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Organization after DeleteOrganization = %v; want ErrNotFound", err)
			}
			if got, err := r.Policies(scp.Type); err != nil || len(got) != 0 {
				t.Errorf("Policies after DeleteOrganization = %v, %v; want none", got, err)
			}
			return nil
		}))
		if got, err := b.Tags.ResourceTags(ctx, root.ARN); err != nil || len(got) != 0 {
			t.Errorf("ResourceTags of a deleted root = %v, %v; want none", got, err)
		}
	})

	t.Run("durable", func(t *testing.T) {
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := orgs(t, b)
			fill(t, s)
			ok(t, s.UpdateOrganization(ctx, orgA, func(w store.OrgWriter) error { return w.Attach(scp.ID, member) }))
		})
		s := orgs(t, b)
		if got, err := s.OrganizationOf(ctx, member); err != nil || got != orgA {
			t.Errorf("OrganizationOf after reopening = %q, %v", got, err)
		}
		ok(t, s.ViewOrganization(ctx, orgA, func(r store.OrgReader) error {
			if got, err := r.PoliciesOf(member); err != nil || !reflect.DeepEqual(got, []string{scp.ID}) {
				t.Errorf("PoliciesOf after reopening = %v, %v", got, err)
			}
			return nil
		}))
	})
}
