package iam

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/golden"
	"github.com/vigilhq/vigil/internal/store"
)

// TestCredentialReport pins the report's CSV (AWS's columns) for a root
// with a key, a user with a password, MFA and a used key, and a user with
// nothing: testdata/credential-report.csv.
func TestCredentialReport(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CredentialReport(f.ctx, acct)
	wantError(t, "CredentialReport before one is made", err, ReportNotPresent, "")
	_, err = f.svc.CreateAccessKey(f.ctx, f.root, "")
	f.must(err)
	f.user("alice")
	f.clock.Advance(time.Hour)
	f.user("bob")
	_, err = f.svc.CreateLoginProfile(f.ctx, f.root, "alice", "Correct-Horse-9", false)
	f.must(err)
	d, err := f.svc.CreateVirtualMFADevice(f.ctx, acct, NewEntity{Name: "phone"})
	f.must(err)
	f.enable(t, "alice", d)
	k, err := f.svc.CreateAccessKey(f.ctx, f.root, "alice")
	f.must(err)
	f.clock.Advance(time.Minute)
	f.svc.NoteKeyUse(acct, k.ID, "eu-west-1", "logs", f.clock.Now())
	f.must(f.svc.FlushKeyUses(f.ctx, f.clock.Now()))
	f.must(f.svc.SetPasswordPolicy(f.ctx, acct, store.IAMPasswordPolicy{MinimumLength: 8, MaxAgeDays: 90}))

	state, desc, err := f.svc.GenerateCredentialReport(f.ctx, acct)
	if err != nil || state != ReportStarted || desc != "No report exists. Starting a new report generation task" {
		t.Errorf("GenerateCredentialReport = %s %q, %v; want STARTED", state, desc, err)
	}
	f.clock.Advance(3 * time.Hour)
	if state, _, err := f.svc.GenerateCredentialReport(f.ctx, acct); err != nil || state != ReportComplete {
		t.Errorf("GenerateCredentialReport 3 hours later = %s, %v; want COMPLETE", state, err)
	}
	r, err := f.svc.CredentialReport(f.ctx, acct)
	f.must(err)
	if !r.Generated.Equal(start.Add(time.Hour + time.Minute)) {
		t.Errorf("the report was generated at %s; want at the first GenerateCredentialReport", r.Generated)
	}
	golden.Check(t, "credential-report.csv", r.Content)

	f.clock.Advance(time.Hour)
	_, err = f.svc.CredentialReport(f.ctx, acct)
	wantError(t, "CredentialReport 4 hours later", err, ReportExpired, "")
	if state, _, err := f.svc.GenerateCredentialReport(f.ctx, acct); err != nil || state != ReportStarted {
		t.Errorf("GenerateCredentialReport of an expired report = %s, %v; want STARTED", state, err)
	}
}
