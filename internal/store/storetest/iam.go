package storetest

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// IAM checks the backend's store.IAM.
func IAM(t *testing.T, open Open) {
	ctx := context.Background()
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	const acct, other = "123456789012", "210987654321"
	iam := func(t *testing.T, b Backend) store.IAM {
		t.Helper()
		need(t, b.IAM != nil, "IAM")
		return b.IAM
	}
	update := func(t *testing.T, s store.IAM, account string, fn func(w store.IAMWriter) error) {
		t.Helper()
		if err := s.UpdateIAM(ctx, account, fn); err != nil {
			t.Fatalf("UpdateIAM: %v", err)
		}
	}
	view := func(t *testing.T, s store.IAM, account string, fn func(r store.IAMReader) error) {
		t.Helper()
		if err := s.ViewIAM(ctx, account, fn); err != nil {
			t.Fatalf("ViewIAM: %v", err)
		}
	}
	user := func(name, path string) store.IAMEntity {
		return store.IAMEntity{Kind: store.IAMUser, ID: "AIDA" + name, Name: name, Path: path,
			ARN: "arn:aws:iam::" + acct + ":user" + path + name, Created: at}
	}
	names := func(es []store.IAMEntity) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.Name)
		}
		return out
	}

	t.Run("entities", func(t *testing.T) {
		s := iam(t, fresh(t, open))
		role := store.IAMEntity{Kind: store.IAMRole, ID: "AROAX", Name: "bob", Path: "/", ARN: "arn:aws:iam::" + acct + ":role/bob",
			Created: at, Description: "d", Document: `{"Version":"2012-10-17"}`, Boundary: "arn:aws:iam::aws:policy/ReadOnlyAccess",
			MaxSessionDuration: 7200}
		policy := store.IAMEntity{Kind: store.IAMPolicy, ID: "ANPAX", Name: "p", Path: "/", ARN: "arn:aws:iam::" + acct + ":policy/p",
			Created: at, Updated: at.Add(time.Hour), DefaultVersion: "v2", NextVersion: 3}
		mfa := store.IAMEntity{Kind: store.IAMMFADevice, ID: "arn:aws:iam::" + acct + ":mfa/m", Name: "m", Path: "/",
			ARN: "arn:aws:iam::" + acct + ":mfa/m", Created: at, Secret: []byte{0, 1, 2}}
		update(t, s, acct, func(w store.IAMWriter) error {
			for _, e := range []store.IAMEntity{user("carol", "/b/"), user("Bob", "/a/"), user("alice", "/a/x/"), role, policy, mfa} {
				if err := w.PutEntity(e); err != nil {
					return err
				}
			}
			dup := user("BOB", "/")
			dup.ID = "AIDAOTHER"
			if err := w.PutEntity(dup); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutEntity(a user named BOB beside Bob) = %v; want ErrExists", err)
			}
			return nil
		})
		view(t, s, acct, func(r store.IAMReader) error {
			for _, e := range []store.IAMEntity{role, policy, mfa} {
				got, err := r.Entity(e.Kind, e.Name)
				if err != nil || !reflect.DeepEqual(got, e) {
					t.Errorf("Entity(%s, %s) = %+v, %v; want %+v", e.Kind, e.Name, got, err, e)
				}
			}
			if got, err := r.Entity(store.IAMUser, "BOB"); err != nil || got.Name != "Bob" {
				t.Errorf("Entity(user, BOB) = %+v, %v; want Bob, found case-insensitively", got, err)
			}
			if got, err := r.EntityByID("AROAX"); err != nil || got.Name != "bob" || got.Kind != store.IAMRole {
				t.Errorf("EntityByID(AROAX) = %+v, %v; want the role bob", got, err)
			}
			if _, err := r.Entity(store.IAMGroup, "bob"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Entity(group, bob) = %v; want ErrNotFound", err)
			}
			for prefix, want := range map[string][]string{"/": {"alice", "Bob", "carol"}, "/a/": {"alice", "Bob"}, "/a/x": {"alice"}, "/c": {}} {
				got, err := r.Entities(store.IAMUser, prefix)
				if err != nil || !reflect.DeepEqual(names(got), want) {
					t.Errorf("Entities(user, %q) = %v, %v; want %v", prefix, names(got), err, want)
				}
			}
			return nil
		})
		view(t, s, other, func(r store.IAMReader) error {
			if got, err := r.Entities(store.IAMUser, "/"); err != nil || len(got) != 0 {
				t.Errorf("Entities of another account = %v, %v; want none", names(got), err)
			}
			return nil
		})
		renamed := user("carla", "/c/")
		renamed.ID = "AIDAcarol"
		update(t, s, acct, func(w store.IAMWriter) error { return w.PutEntity(renamed) })
		view(t, s, acct, func(r store.IAMReader) error {
			if _, err := r.Entity(store.IAMUser, "carol"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Entity(carol) after the rename = %v; want ErrNotFound", err)
			}
			if got, err := r.Entity(store.IAMUser, "carla"); err != nil || got.ID != "AIDAcarol" || got.Path != "/c/" {
				t.Errorf("Entity(carla) = %+v, %v; want the renamed user", got, err)
			}
			return nil
		})
	})

	t.Run("a failed update changes nothing", func(t *testing.T) {
		s := iam(t, fresh(t, open))
		boom := errors.New("boom")
		err := s.UpdateIAM(ctx, acct, func(w store.IAMWriter) error {
			if err := w.PutEntity(user("dave", "/")); err != nil {
				return err
			}
			if err := w.SetAlias("dave"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("UpdateIAM = %v; want fn's error", err)
		}
		view(t, s, acct, func(r store.IAMReader) error {
			if _, err := r.Entity(store.IAMUser, "dave"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Entity(dave) after a failed update = %v; want ErrNotFound", err)
			}
			if a, err := r.Account(); err != nil || a.Alias != "" {
				t.Errorf("Account() after a failed update = %+v, %v; want no alias", a, err)
			}
			return nil
		})
	})

	t.Run("links, inline policies, versions and tags", func(t *testing.T) {
		s := iam(t, fresh(t, open))
		group := store.IAMEntity{Kind: store.IAMGroup, ID: "AGPAG", Name: "g", Path: "/", ARN: "arn:aws:iam::" + acct + ":group/g", Created: at}
		pol := "arn:aws:iam::aws:policy/ReadOnlyAccess"
		update(t, s, acct, func(w store.IAMWriter) error {
			for _, e := range []store.IAMEntity{user("u1", "/"), user("u2", "/"), group} {
				if err := w.PutEntity(e); err != nil {
					return err
				}
			}
			link := func(kind store.IAMLinkKind, from, to string) store.IAMLink {
				return store.IAMLink{Kind: kind, From: from, To: to, Created: at}
			}
			for _, l := range []store.IAMLink{link(store.IAMMember, "AGPAG", "AIDAu2"), link(store.IAMMember, "AGPAG", "AIDAu1"),
				link(store.IAMAttached, "AIDAu1", pol), link(store.IAMAttached, "AGPAG", pol)} {
				if err := w.Link(l); err != nil {
					return err
				}
			}
			if err := w.Link(link(store.IAMMember, "AGPAG", "AIDAu1")); !errors.Is(err, store.ErrExists) {
				t.Errorf("Link(again) = %v; want ErrExists", err)
			}
			if err := w.Unlink(store.IAMMember, "AGPAG", "AIDAnone"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Unlink(missing) = %v; want ErrNotFound", err)
			}
			for _, p := range [][3]string{{"AIDAu1", "b", "{1}"}, {"AIDAu1", "a", "{2}"}, {"AGPAG", "a", "{3}"}, {"AIDAu1", "a", "{4}"}} {
				if err := w.PutInlinePolicy(store.IAMInlinePolicy{Owner: p[0], Name: p[1], Document: p[2]}); err != nil {
					return err
				}
			}
			for i, id := range []string{"v1", "v2", "v10"} {
				if err := w.PutPolicyVersion(store.IAMPolicyVersion{Policy: "ANPAP", ID: id, Document: "{}", Created: at.Add(time.Duration(i) * time.Second)}); err != nil {
					return err
				}
			}
			if err := w.PutPolicyVersion(store.IAMPolicyVersion{Policy: "ANPAP", ID: "v1", Document: "{}", Created: at}); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutPolicyVersion(v1 again) = %v; want ErrExists", err)
			}
			if err := w.TagEntity("AIDAu1", map[string]string{"a": "1", "b": "2"}, nil); err != nil {
				return err
			}
			return w.TagEntity("AIDAu1", map[string]string{"c": "3", "a": "0"}, []string{"b", "none"})
		})
		view(t, s, acct, func(r store.IAMReader) error {
			links, err := r.Links(store.IAMMember, "AGPAG")
			if err != nil || len(links) != 2 || links[0].To != "AIDAu1" || links[1].To != "AIDAu2" || !links[0].Created.Equal(at) {
				t.Errorf("Links(member, g) = %+v, %v; want u1 and u2", links, err)
			}
			to, err := r.LinksTo(store.IAMAttached, pol)
			if err != nil || len(to) != 2 || to[0].From != "AGPAG" || to[1].From != "AIDAu1" {
				t.Errorf("LinksTo(attached, %s) = %+v, %v; want g and u1", pol, to, err)
			}
			all, err := r.Links(store.IAMAttached, "")
			if err != nil || len(all) != 2 {
				t.Errorf("Links(attached, \"\") = %+v, %v; want both", all, err)
			}
			ps, err := r.InlinePolicies("AIDAu1")
			if err != nil || len(ps) != 2 || ps[0].Name != "a" || ps[0].Document != "{4}" || ps[1].Name != "b" {
				t.Errorf("InlinePolicies(u1) = %+v, %v; want a (replaced) and b", ps, err)
			}
			if ps, err := r.InlinePolicies(""); err != nil || len(ps) != 3 {
				t.Errorf("InlinePolicies(\"\") = %+v, %v; want 3", ps, err)
			}
			if _, err := r.InlinePolicy("AGPAG", "b"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("InlinePolicy(g, b) = %v; want ErrNotFound", err)
			}
			vs, err := r.PolicyVersions("ANPAP")
			if err != nil || len(vs) != 3 || vs[0].ID != "v1" || vs[2].ID != "v10" {
				t.Errorf("PolicyVersions = %+v, %v; want v1, v2, v10", vs, err)
			}
			if tags, err := r.Tags("AIDAu1"); err != nil || !reflect.DeepEqual(tags, map[string]string{"a": "0", "c": "3"}) {
				t.Errorf("Tags(u1) = %v, %v", tags, err)
			}
			return nil
		})
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.DeletePolicyVersion("ANPAP", "v2"); err != nil {
				return err
			}
			if err := w.DeleteInlinePolicy("AIDAu1", "zz"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteInlinePolicy(missing) = %v; want ErrNotFound", err)
			}
			if err := w.PutLoginProfile(store.IAMLoginProfile{User: "AIDAu1", Hash: "h", Created: at, Changed: at}); err != nil {
				return err
			}
			if err := w.DeleteEntity("AIDAu1"); err != nil {
				return err
			}
			if err := w.DeleteEntity("AIDAu1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteEntity(again) = %v; want ErrNotFound", err)
			}
			return nil
		})
		view(t, s, acct, func(r store.IAMReader) error {
			if ps, err := r.InlinePolicies("AIDAu1"); err != nil || len(ps) != 0 {
				t.Errorf("InlinePolicies of a deleted user = %+v, %v; want none", ps, err)
			}
			if tags, err := r.Tags("AIDAu1"); err != nil || len(tags) != 0 {
				t.Errorf("Tags of a deleted user = %v, %v; want none", tags, err)
			}
			if _, err := r.LoginProfile("AIDAu1"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LoginProfile of a deleted user = %v; want ErrNotFound", err)
			}
			if ls, err := r.Links(store.IAMMember, "AGPAG"); err != nil || len(ls) != 1 || ls[0].To != "AIDAu2" {
				t.Errorf("members after deleting u1 = %+v, %v; want u2", ls, err)
			}
			if vs, err := r.PolicyVersions("ANPAP"); err != nil || len(vs) != 2 {
				t.Errorf("PolicyVersions after deleting v2 = %+v, %v", vs, err)
			}
			return nil
		})
	})

	t.Run("access keys", func(t *testing.T) {
		b := fresh(t, open)
		s := iam(t, b)
		need(t, b.Accounts != nil, "Accounts")
		if err := b.Accounts.CreateAccount(ctx, store.Account{ID: acct, Name: "root", Created: at}); err != nil {
			t.Fatal(err)
		}
		root := store.AccessKey{ID: "AKIAROOT", AccountID: acct, PrincipalARN: "arn:aws:iam::" + acct + ":root", UserID: acct,
			SealedSecret: []byte{9}, Active: true, Created: at}
		if err := b.Accounts.CreateAccessKey(ctx, root); err != nil {
			t.Fatal(err)
		}
		u := user("kim", "/")
		k := store.AccessKey{ID: "AKIAKIM", AccountID: acct, PrincipalARN: u.ARN, UserID: u.ID, SealedSecret: []byte{1, 2}, Active: true, Created: at}
		dev := store.AccessKey{ID: "AKIADEV", AccountID: other, PrincipalARN: "arn:aws:iam::" + other + ":user/x", UserID: "AIDAx", Active: true, Created: at}
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.PutEntity(u); err != nil {
				return err
			}
			if err := w.PutAccessKey(k); err != nil {
				return err
			}
			if err := w.PutAccessKey(root); !errors.Is(err, store.ErrExists) {
				t.Errorf("PutAccessKey(the root's id) = %v; want ErrExists", err)
			}
			return nil
		})
		update(t, s, other, func(w store.IAMWriter) error { return w.PutAccessKey(dev) })
		got, err := b.Accounts.AccessKey(ctx, k.ID)
		if err != nil || got.PrincipalARN != u.ARN || got.UserID != u.ID || !bytes.Equal(got.SealedSecret, k.SealedSecret) || !got.Active {
			t.Errorf("Accounts.AccessKey(%s) = %+v, %v; want the user's key, which signs", k.ID, got, err)
		}
		if _, err := b.Accounts.AccessKey(ctx, dev.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Accounts.AccessKey(a key of an account Vigil does not host) = %v; want ErrNotFound", err)
		}
		uses := []store.IAMKeyUse{
			{Key: k.ID, Account: acct, Time: at.Add(2 * time.Minute), Region: "eu-west-1", Service: "logs"},
			{Key: k.ID, Account: acct, Time: at.Add(time.Minute), Region: "us-east-1", Service: "iam"},
			{Key: "AKIANONE", Account: acct, Time: at},
			{Key: dev.ID, Account: other, Time: at, Region: "us-east-1", Service: "sts"},
		}
		if err := s.RecordKeyUses(ctx, uses); err != nil {
			t.Fatal(err)
		}
		renamed := u
		renamed.Name, renamed.ARN = "kimberly", "arn:aws:iam::"+acct+":user/kimberly"
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.PutEntity(renamed); err != nil {
				return err
			}
			return w.SetAccessKeyActive(k.ID, false)
		})
		if got, err := b.Accounts.AccessKey(ctx, k.ID); err != nil || got.Active || got.PrincipalARN != renamed.ARN {
			t.Errorf("Accounts.AccessKey after deactivating and renaming = %+v, %v; want inactive, of the new ARN", got, err)
		}
		view(t, s, acct, func(r store.IAMReader) error {
			got, err := r.AccessKey(k.ID)
			if err != nil || got.Active || !got.LastUsed.Equal(uses[0].Time) || got.LastRegion != "eu-west-1" || got.LastService != "logs" {
				t.Errorf("AccessKey(%s) = %+v, %v; want inactive, last used as the latest use", k.ID, got, err)
			}
			if keys, err := r.AccessKeys(acct); err != nil || len(keys) != 1 || keys[0].ID != root.ID || !keys[0].LastUsed.IsZero() {
				t.Errorf("AccessKeys(the root) = %+v, %v; want the root's key, never used", keys, err)
			}
			if keys, err := r.AccessKeys(""); err != nil || len(keys) != 2 {
				t.Errorf("AccessKeys(\"\") = %+v, %v; want both keys of the account", keys, err)
			}
			if _, err := r.AccessKey(dev.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AccessKey(another account's) = %v; want ErrNotFound", err)
			}
			return nil
		})
		view(t, s, other, func(r store.IAMReader) error {
			if keys, err := r.AccessKeys("AIDAx"); err != nil || len(keys) != 1 || keys[0].LastService != "sts" {
				t.Errorf("AccessKeys of a key Vigil does not host = %+v, %v; want it, used", keys, err)
			}
			return nil
		})
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.DeleteAccessKey(k.ID); err != nil {
				return err
			}
			if err := w.DeleteAccessKey(k.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteAccessKey(again) = %v; want ErrNotFound", err)
			}
			if err := w.SetAccessKeyActive(dev.ID, false); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SetAccessKeyActive(another account's key) = %v; want ErrNotFound", err)
			}
			return nil
		})
		update(t, s, other, func(w store.IAMWriter) error { return w.SetAccessKeyActive(dev.ID, false) })
		view(t, s, other, func(r store.IAMReader) error {
			if got, err := r.AccessKey(dev.ID); err != nil || got.Active {
				t.Errorf("AccessKey(%s) after deactivating = %+v, %v; want inactive", dev.ID, got, err)
			}
			return nil
		})
		if _, err := b.Accounts.AccessKey(ctx, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Accounts.AccessKey of a deleted key = %v; want ErrNotFound", err)
		}
	})

	t.Run("account settings", func(t *testing.T) {
		s := iam(t, fresh(t, open))
		pp := &store.IAMPasswordPolicy{MinimumLength: 12, RequireSymbols: true, RequireLowercase: true, MaxAgeDays: 90, ReusePrevention: 3, HardExpiry: true}
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.SetAlias("my-alias"); err != nil {
				return err
			}
			if err := w.SetPasswordPolicy(pp); err != nil {
				return err
			}
			return w.PutReport(store.IAMReport{Generated: at, Content: []byte("user,arn\n")})
		})
		err := s.UpdateIAM(ctx, other, func(w store.IAMWriter) error { return w.SetAlias("my-alias") })
		if !errors.Is(err, store.ErrExists) {
			t.Errorf("SetAlias(another account's alias) = %v; want ErrExists", err)
		}
		view(t, s, acct, func(r store.IAMReader) error {
			a, err := r.Account()
			if err != nil || a.Alias != "my-alias" || !reflect.DeepEqual(a.PasswordPolicy, pp) || !a.Created.IsZero() {
				t.Errorf("Account() = %+v, %v", a, err)
			}
			if rep, err := r.Report(); err != nil || !rep.Generated.Equal(at) || string(rep.Content) != "user,arn\n" {
				t.Errorf("Report() = %+v, %v", rep, err)
			}
			return nil
		})
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.SetAlias(""); err != nil {
				return err
			}
			return w.SetPasswordPolicy(nil)
		})
		view(t, s, other, func(r store.IAMReader) error {
			if _, err := r.Report(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Report() of an account without one = %v; want ErrNotFound", err)
			}
			return nil
		})
		view(t, s, acct, func(r store.IAMReader) error {
			if a, err := r.Account(); err != nil || a.Alias != "" || a.PasswordPolicy != nil {
				t.Errorf("Account() after removing alias and policy = %+v, %v", a, err)
			}
			return nil
		})
	})

	t.Run("OpenID Connect providers", func(t *testing.T) {
		s := iam(t, fresh(t, open))
		arn := "arn:aws:iam::" + acct + ":oidc-provider/example.com/id/AB"
		p := store.IAMEntity{Kind: store.IAMOIDCProvider, ID: arn, Name: "example.com/id/AB", Path: "/", ARN: arn, Created: at}
		update(t, s, acct, func(w store.IAMWriter) error {
			if err := w.PutEntity(p); err != nil {
				return err
			}
			for _, l := range []store.IAMLink{{Kind: store.IAMClientID, To: "app"}, {Kind: store.IAMClientID, To: "App"}, {Kind: store.IAMThumbprint, To: "ab01"}} {
				l.From, l.Created = arn, at
				if err := w.Link(l); err != nil {
					return err
				}
			}
			return w.TagEntity(arn, map[string]string{"k": "v"}, nil)
		})
		view(t, s, acct, func(r store.IAMReader) error {
			if got, err := r.Entity(store.IAMOIDCProvider, "EXAMPLE.com/id/AB"); err != nil || !reflect.DeepEqual(got, p) {
				t.Errorf("Entity(oidc-provider, EXAMPLE.com/id/AB) = %+v, %v; want %+v", got, err, p)
			}
			if ls, err := r.Links(store.IAMClientID, arn); err != nil || len(ls) != 2 || ls[0].To != "App" || ls[1].To != "app" {
				t.Errorf("Links(client ids) = %+v, %v; want App and app, told apart by case", ls, err)
			}
			return nil
		})
		update(t, s, acct, func(w store.IAMWriter) error { return w.DeleteEntity(arn) })
		view(t, s, acct, func(r store.IAMReader) error {
			for _, kind := range []store.IAMLinkKind{store.IAMClientID, store.IAMThumbprint} {
				if ls, err := r.Links(kind, arn); err != nil || len(ls) != 0 {
					t.Errorf("Links(%s) of a deleted provider = %+v, %v; want none", kind, ls, err)
				}
			}
			if tags, err := r.Tags(arn); err != nil || len(tags) != 0 {
				t.Errorf("Tags of a deleted provider = %v, %v; want none", tags, err)
			}
			return nil
		})
	})

	t.Run("durable", func(t *testing.T) {
		b := reopen(t, open, func(t *testing.T, b Backend) {
			update(t, iam(t, b), acct, func(w store.IAMWriter) error {
				if err := w.PutEntity(user("eve", "/")); err != nil {
					return err
				}
				return w.PutLoginProfile(store.IAMLoginProfile{User: "AIDAeve", Hash: "h1", ResetRequired: true, Created: at, Changed: at.Add(time.Hour)})
			})
		})
		view(t, iam(t, b), acct, func(r store.IAMReader) error {
			if _, err := r.Entity(store.IAMUser, "eve"); err != nil {
				t.Errorf("Entity(eve) after reopening: %v", err)
			}
			p, err := r.LoginProfile("AIDAeve")
			if err != nil || p.Hash != "h1" || !p.ResetRequired || !p.Changed.Equal(at.Add(time.Hour)) {
				t.Errorf("LoginProfile(eve) after reopening = %+v, %v", p, err)
			}
			return nil
		})
	})
}
