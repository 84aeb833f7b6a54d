package iam

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// A code is good once, within a step of the clock; five wrong ones lock
// the device out for a while.
func TestCodeGuard(t *testing.T) {
	secret := []byte("0123456789abcdef0123")
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	step := uint64(now.Unix()) / 30
	var g codeGuard
	if err := g.check("d", secret, totp(secret, step), now); err != nil {
		t.Fatalf("the current code: %v", err)
	}
	if err := g.check("d", secret, totp(secret, step), now); err == nil {
		t.Error("a code accepted twice")
	}
	if err := g.check("d", secret, totp(secret, step+1), now); err != nil {
		t.Errorf("the next step's code: %v", err)
	}
	if err := g.check("d", secret, totp(secret, step-3), now); err == nil {
		t.Error("a code three steps old")
	}
	for range maxCodeFailures - 2 {
		g.check("d", secret, "000000", now)
	}
	later := now.Add(time.Minute)
	if err := g.check("d", secret, "111111", later); err == nil {
		t.Fatal("a wrong code")
	}
	good := totp(secret, uint64(later.Unix())/30)
	if err := g.check("d", secret, good, later); err == nil {
		t.Error("a good code while the device is locked out")
	}
	after := later.Add(codeLockout + time.Minute)
	if err := g.check("d", secret, totp(secret, uint64(after.Unix())/30), after); err != nil {
		t.Errorf("a good code after the lockout: %v", err)
	}
}

// A virtual MFA device of a name and path taken is refused, not replaced
// (its seed would change under its user).
func TestVirtualMFADeviceTwice(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone"})
	wantError(t, "CreateVirtualMFADevice(phone) again", err, EntityAlreadyExists, exists[store.IAMMFADevice])
}
