package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestPasswordHash(t *testing.T) {
	h := hashPassword("Correct-Horse-9")
	if !strings.HasPrefix(h, "pbkdf2-sha256$600000$") || strings.Count(h, "$") != 3 {
		t.Errorf("hashPassword = %s; want pbkdf2-sha256$600000$SALT$KEY", h)
	}
	if !checkPassword(h, "Correct-Horse-9") || checkPassword(h, "Correct-Horse-8") || checkPassword("bcrypt$x", "Correct-Horse-9") {
		t.Errorf("checkPassword does not tell the password from others")
	}
	if hashPassword("Correct-Horse-9") == h {
		t.Errorf("two hashes of a password are equal: the salt is not random")
	}
}

func TestPasswordPolicy(t *testing.T) {
	strict := &store.IAMPasswordPolicy{MinimumLength: 10, RequireSymbols: true, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true}
	for _, tc := range []struct {
		policy   *store.IAMPasswordPolicy
		password string
		ok       bool
	}{
		{nil, "abcdefgh", false}, // one kind
		{nil, "abcdEFGH", false}, // two kinds
		{nil, "abcdEF12", true},  // three kinds, 8 characters
		{nil, "aB1!", false},     // four kinds, too short
		{strict, "abcdEF12!x", true},
		{strict, "abcdEF12xx", false}, // no symbol
		{strict, "ABCD12!!XX", false}, // no lower case
		{strict, "abcdEF1!", false},   // too short
		{&store.IAMPasswordPolicy{MinimumLength: 6}, "aaaaaa", true},
	} {
		err := checkPasswordPolicy(tc.policy, tc.password)
		if (err == nil) != tc.ok {
			t.Errorf("checkPasswordPolicy(%+v, %q) = %v; want ok %t", tc.policy, tc.password, err, tc.ok)
		}
	}
}

func TestLoginProfiles(t *testing.T) {
	f := newFixture(t)
	u := f.user("alice")
	_, err := f.svc.CreateLoginProfile(f.ctx, f.root, "alice", "short", false)
	wantError(t, "CreateLoginProfile(short)", err, PasswordPolicyViolation, "Password does not conform to the account password policy.")
	lp, err := f.svc.CreateLoginProfile(f.ctx, f.root, "alice", "Correct-Horse-9", true)
	if err != nil || lp.UserName != "alice" || !lp.ResetRequired || !lp.Created.Equal(start) {
		t.Fatalf("CreateLoginProfile = %+v, %v", lp, err)
	}
	_, err = f.svc.CreateLoginProfile(f.ctx, f.root, "alice", "Correct-Horse-9", true)
	wantError(t, "CreateLoginProfile(again)", err, EntityAlreadyExists, "Login Profile for user alice already exists.")
	_, err = f.svc.CreateLoginProfile(f.ctx, f.root, "", "Correct-Horse-9", true)
	wantError(t, "CreateLoginProfile() by the root", err, ValidationError, "")
	f.user("bob")
	_, err = f.svc.GetLoginProfile(f.ctx, f.root, "bob")
	wantError(t, "GetLoginProfile(bob)", err, NoSuchEntity, "Login Profile for User bob cannot be found.")

	alice := Caller{Account: acct, ARN: u.ARN, UserID: u.ID}
	wantError(t, "ChangePassword(wrong old password)", f.svc.ChangePassword(f.ctx, alice, "Wrong-Horse-9", "New-Horse-10"), InvalidInput, "")
	wantError(t, "ChangePassword(by the root)", f.svc.ChangePassword(f.ctx, f.root, "a", "b"), InvalidUserType, "")
	f.clock.Advance(24 * time.Hour)
	f.must(f.svc.ChangePassword(f.ctx, alice, "Correct-Horse-9", "New-Horse-10"))
	mine, err := f.svc.GetLoginProfile(f.ctx, alice, "")
	if err != nil || mine.ResetRequired || !mine.Changed.Equal(f.clock.Now()) || !checkPassword(mine.Hash, "New-Horse-10") {
		t.Errorf("GetLoginProfile() by alice after ChangePassword = %+v, %v; want the new password, no reset", mine, err)
	}

	_, err = f.svc.PasswordPolicy(f.ctx, acct)
	wantError(t, "PasswordPolicy(none)", err, NoSuchEntity, "The Password Policy with domain name "+acct+" cannot be found.")
	f.must(f.svc.SetPasswordPolicy(f.ctx, acct, store.IAMPasswordPolicy{MinimumLength: 20}))
	long := "a-password-of-twenty-one"
	wantError(t, "UpdateLoginProfile(under the policy)", f.svc.UpdateLoginProfile(f.ctx, acct, "alice", &[]string{"New-Horse-11"}[0], nil),
		PasswordPolicyViolation, "")
	f.must(f.svc.UpdateLoginProfile(f.ctx, acct, "alice", &long, nil))
	f.must(f.svc.DeletePasswordPolicy(f.ctx, acct))
	wantError(t, "DeletePasswordPolicy(again)", f.svc.DeletePasswordPolicy(f.ctx, acct), NoSuchEntity,
		"The account policy with name PasswordPolicy cannot be found.")
	f.must(f.svc.DeleteLoginProfile(f.ctx, f.root, "alice"))
	wantError(t, "DeleteLoginProfile(again)", f.svc.DeleteLoginProfile(f.ctx, f.root, "alice"), NoSuchEntity, "")
}
