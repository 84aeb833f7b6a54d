package iam

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestAccessKeys(t *testing.T) {
	f := newFixture(t)
	u := f.user("alice")
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	if len(k.ID) != 20 || k.ID[:4] != "AKIA" || len(k.Secret) != 40 || !k.Active || k.UserName != "alice" {
		t.Errorf("CreateAccessKey = %+v; want an active AKIA key with a 40-character secret", k)
	}
	sameNames(t, "keys forgotten after CreateAccessKey", f.forgot(), []string{k.ID})
	signs, err := f.st.Accounts().AccessKey(f.ctx, k.ID)
	if err != nil || signs.PrincipalARN != u.ARN || signs.UserID != u.ID || !signs.Active {
		t.Fatalf("the authenticator's key = %+v, %v; want alice's ARN and id", signs, err)
	}
	alice := Caller{Account: acct, ARN: u.ARN, UserID: u.ID, AccessKey: k.ID}
	second, err := f.svc.CreateAccessKey(f.ctx, alice, "") // her own
	f.must(err)
	_, err = f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	wantError(t, "CreateAccessKey(a third)", err, LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2")
	list, err := f.svc.ListAccessKeys(f.ctx, alice, "", Page{})
	f.must(err)
	if len(list.Items) != 2 {
		t.Errorf("ListAccessKeys() by alice = %+v; want her two keys", list.Items)
	}
	f.forgot()

	f.must(f.svc.SetAccessKeyActive(f.ctx, f.root, "alice", k.ID, false))
	if signs, err := f.st.Accounts().AccessKey(f.ctx, k.ID); err != nil || signs.Active {
		t.Errorf("the authenticator's key after deactivating it = %+v, %v; want inactive", signs, err)
	}
	sameNames(t, "keys forgotten after deactivating", f.forgot(), []string{k.ID})
	f.user("bob")
	wantError(t, "SetAccessKeyActive(alice's key as bob's)", f.svc.SetAccessKeyActive(f.ctx, f.root, "bob", k.ID, true), NoSuchEntity,
		"The Access Key with id "+k.ID+" cannot be found.")
	f.must(f.svc.DeleteAccessKey(f.ctx, alice, "", second.ID))
	if _, err := f.st.Accounts().AccessKey(f.ctx, second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the authenticator's key after deleting it: %v; want ErrNotFound", err)
	}
	sameNames(t, "keys forgotten after deleting", f.forgot(), []string{second.ID})
}

func TestRootKeys(t *testing.T) {
	f := newFixture(t)
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "")
	f.must(err)
	if k.UserID != acct || k.PrincipalARN != f.root.ARN || k.UserName != "" {
		t.Errorf("CreateAccessKey() by the root = %+v; want a root key", k.IAMAccessKey)
	}
	wantError(t, "DeleteAccessKey(the root's last)", f.svc.DeleteAccessKey(f.ctx, f.root, "", k.ID), InvalidInput, "")
	wantError(t, "SetAccessKeyActive(the root's last, inactive)", f.svc.SetAccessKeyActive(f.ctx, f.root, "", k.ID, false), InvalidInput, "")
	other, err := f.svc.CreateAccessKey(f.ctx, f.root, "")
	f.must(err)
	f.must(f.svc.SetAccessKeyActive(f.ctx, f.root, "", k.ID, false))
	f.must(f.svc.DeleteAccessKey(f.ctx, f.root, "", k.ID))
	wantError(t, "DeleteAccessKey(the root's last)", f.svc.DeleteAccessKey(f.ctx, f.root, "", other.ID), InvalidInput, "")
}

func TestKeyLastUsed(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	got, err := f.svc.AccessKeyLastUsed(f.ctx, acct, k.ID)
	if err != nil || got.UserName != "alice" || !got.LastUsed.IsZero() {
		t.Errorf("AccessKeyLastUsed of a key never used = %+v, %v", got, err)
	}
	used := f.clock.Now()
	f.svc.NoteKeyUse(acct, k.ID, "eu-west-1", "logs", used)
	f.svc.NoteKeyUse(acct, k.ID, "us-east-1", "iam", used.Add(-time.Second)) // older: dropped
	got, err = f.svc.AccessKeyLastUsed(f.ctx, acct, k.ID)
	if err != nil || !got.LastUsed.IsZero() {
		t.Errorf("AccessKeyLastUsed before the flush = %+v, %v; want no use stored yet", got, err)
	}
	f.must(f.svc.FlushKeyUses(f.ctx, f.clock.Now()))
	got, err = f.svc.AccessKeyLastUsed(f.ctx, acct, k.ID)
	if err != nil || !got.LastUsed.Equal(used) || got.LastRegion != "eu-west-1" || got.LastService != "logs" {
		t.Errorf("AccessKeyLastUsed after the flush = %+v, %v; want the latest use", got, err)
	}
	_, err = f.svc.AccessKeyLastUsed(f.ctx, acct, "AKIANOSUCHKEY0000000")
	wantError(t, "AccessKeyLastUsed(unknown)", err, NoSuchEntity, "The Access Key with id AKIANOSUCHKEY0000000 cannot be found.")

	// Uses of made-up keys (dev mode) are bounded in memory.
	for i := range maxPendingKeyUses + 10 {
		f.svc.NoteKeyUse(acct, "AKIADEV"+strconv.Itoa(i), "us-east-1", "sts", used)
	}
	if n := len(f.svc.usage.pending); n != maxPendingKeyUses {
		t.Errorf("%d uses pending; want at most %d", n, maxPendingKeyUses)
	}
	f.must(f.svc.FlushKeyUses(f.ctx, f.clock.Now()))
	if n := len(f.svc.usage.pending); n != 0 {
		t.Errorf("%d uses pending after a flush; want none", n)
	}
}
