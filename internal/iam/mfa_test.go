package iam

import (
	"encoding/base32"
	"testing"
	"time"
)

// TestTOTP checks the codes of RFC 6238's test vectors (SHA-1), cut to
// six digits.
func TestTOTP(t *testing.T) {
	secret := []byte("12345678901234567890")
	for at, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"} {
		if got := totp(secret, uint64(at)/30); got != want {
			t.Errorf("totp(T=%d) = %s; want %s", at, got, want)
		}
	}
}

// codes returns the codes of a device's two steps before the clock's
// current one, as its owner's app shows them.
func (f *fixture) codes(d *VirtualMFADevice, stepsBack int) (string, string) {
	f.t.Helper()
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(d.Seed)
	f.must(err)
	step := uint64(f.clock.Now().Unix()/30) - uint64(stepsBack)
	return totp(secret, step-1), totp(secret, step)
}

// enable enables a device for a user with its current codes.
func (f *fixture) enable(t *testing.T, user string, d *VirtualMFADevice) {
	t.Helper()
	c1, c2 := f.codes(d, 0)
	f.must(f.svc.EnableMFADevice(f.ctx, acct, user, d.ARN, c1, c2))
}

func TestVirtualMFADevice(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	f.user("bob")
	d, err := f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone", Path: "/p/"})
	f.must(err)
	if d.ARN != "arn:aws:iam::"+acct+":mfa/p/phone" || len(d.Seed) != 64 || string(d.QRCodePNG[:8]) != "\x89PNG\r\n\x1a\n" {
		t.Fatalf("CreateVirtualMFADevice = serial %s, seed %q, QR %q", d.ARN, d.Seed, d.QRCodePNG[:8])
	}
	_, err = f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone"})
	wantError(t, "CreateVirtualMFADevice(phone again)", err, EntityAlreadyExists, "MFADevice entity at the same path and name already exists.")

	c1, c2 := f.codes(d, 0)
	wantError(t, "EnableMFADevice(swapped codes)", f.svc.EnableMFADevice(f.ctx, acct, "alice", d.ARN, c2, c1), InvalidAuthenticationCode,
		"Authentication code for device is not valid.")
	old1, old2 := f.codes(d, driftSteps+1)
	wantError(t, "EnableMFADevice(codes of 5 minutes ago)", f.svc.EnableMFADevice(f.ctx, acct, "alice", d.ARN, old1, old2), InvalidAuthenticationCode, "")
	late1, late2 := f.codes(d, 3) // a device whose clock is behind
	f.must(f.svc.EnableMFADevice(f.ctx, acct, "alice", d.ARN, late1, late2))
	wantError(t, "EnableMFADevice(for bob too)", f.svc.EnableMFADevice(f.ctx, acct, "bob", d.ARN, c1, c2), EntityAlreadyExists, "MFA Device is already in use.")

	f.clock.Advance(time.Hour)
	c1, c2 = f.codes(d, 0)
	f.must(f.svc.ResyncMFADevice(f.ctx, f.root, "alice", d.ARN, c1, c2))
	wantError(t, "ResyncMFADevice(bob's)", f.svc.ResyncMFADevice(f.ctx, f.root, "bob", d.ARN, c1, c2), NoSuchEntity, "")
	list, err := f.svc.ListMFADevices(f.ctx, f.root, "alice", Page{})
	f.must(err)
	if len(list.Items) != 1 || list.Items[0].Serial != d.ARN || !list.Items[0].Enabled.Equal(start) {
		t.Errorf("ListMFADevices(alice) = %+v; want the phone, enabled at the start", list.Items)
	}
	for status, want := range map[string]int{"Assigned": 1, "Unassigned": 0, "Any": 1, "": 1} {
		got, err := f.svc.ListVirtualMFADevices(f.ctx, acct, status, Page{})
		f.must(err)
		if len(got.Items) != want || (want == 1 && (got.Items[0].User == nil || got.Items[0].User.Name != "alice")) {
			t.Errorf("ListVirtualMFADevices(%q) = %+v; want %d, alice's", status, got.Items, want)
		}
	}
	wantError(t, "DeleteVirtualMFADevice(in use)", f.svc.DeleteVirtualMFADevice(f.ctx, acct, d.ARN), DeleteConflict, "MFA VirtualDevice in use. Must deactivate first.")
	f.must(f.svc.DeactivateMFADevice(f.ctx, f.root, "alice", d.ARN))
	f.must(f.svc.DeleteVirtualMFADevice(f.ctx, acct, d.ARN))
	wantError(t, "DeleteVirtualMFADevice(again)", f.svc.DeleteVirtualMFADevice(f.ctx, acct, d.ARN), NoSuchEntity,
		"The MFA device with serial number "+d.ARN+" cannot be found.")
}
