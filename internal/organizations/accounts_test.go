package organizations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestCreateAccount(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	f.clock.Advance(time.Minute)
	req, err := f.svc.CreateAccount(f.ctx, mgmt, NewAccount{Name: "dev", Email: "dev@example.com", Tags: []Tag{{"team", "obs"}}})
	f.must(err)
	wantMatch(t, "request id", req.ID, `car-[a-z0-9]{8}`)
	if req.State != RequestInProgress || req.AccountID != "" || !req.Completed.IsZero() || req.AccountName != "dev" {
		t.Errorf("CreateAccount = %+v; want the request IN_PROGRESS, as AWS answers", req)
	}
	done, err := f.svc.DescribeCreateAccountStatus(f.ctx, mgmt, req.ID)
	f.must(err)
	wantMatch(t, "account id", done.AccountID, `\d{12}`)
	if done.State != RequestSucceeded || done.Completed.IsZero() || !done.Requested.Equal(req.Requested) {
		t.Errorf("DescribeCreateAccountStatus = %+v; want it SUCCEEDED", done)
	}
	id := done.AccountID
	hosted, err := f.st.Accounts().ListAccounts(f.ctx)
	f.must(err)
	if !slices.ContainsFunc(hosted, func(a store.Account) bool { return a.ID == id && a.Name == "dev" }) {
		t.Errorf("hosted accounts = %+v; want %s among them", hosted, id)
	}
	if len(f.roles) != 1 || f.roles[0].account != id || f.roles[0].name != DefaultRoleName ||
		!slices.Equal(f.roles[0].policies, []string{"arn:aws:iam::aws:policy/AdministratorAccess"}) {
		t.Fatalf("roles created = %+v", f.roles)
	}
	var trust struct {
		Statement []struct {
			Effect    string
			Principal struct{ AWS string }
			Action    string
		}
	}
	if err := json.Unmarshal([]byte(f.roles[0].trust), &trust); err != nil || len(trust.Statement) != 1 ||
		trust.Statement[0].Principal.AWS != "arn:aws:iam::"+mgmt+":root" || trust.Statement[0].Action != "sts:AssumeRole" {
		t.Errorf("trust policy = %s; want the management account's root allowed sts:AssumeRole", f.roles[0].trust)
	}
	acct, err := f.svc.DescribeAccount(f.ctx, mgmt, id)
	f.must(err)
	o, err := f.svc.DescribeOrganization(f.ctx, mgmt)
	f.must(err)
	if acct.ARN != "arn:aws:organizations::"+mgmt+":account/"+o.ID+"/"+id || acct.Email != "dev@example.com" || acct.Parent != rt.ID ||
		acct.JoinedMethod != "CREATED" || acct.State != "ACTIVE" {
		t.Errorf("DescribeAccount = %+v", acct)
	}
	tags, err := f.svc.ListTagsForResource(f.ctx, mgmt, id, Page{})
	if err != nil || !slices.Equal(tags.Items, []Tag{{"team", "obs"}}) {
		t.Errorf("tags of the new account = %+v, %v", tags, err)
	}

	f.roleErr = errors.New("IAM is down")
	failed, err := f.svc.CreateAccount(f.ctx, mgmt, NewAccount{Name: "broken", Email: "broken@example.com", RoleName: "Admin"})
	f.must(err)
	f.roleErr = nil
	dup, err := f.svc.CreateAccount(f.ctx, mgmt, NewAccount{Name: "again", Email: "DEV@example.com"})
	f.must(err)
	for id, reason := range map[string]string{failed.ID: "INTERNAL_FAILURE", dup.ID: "EMAIL_ALREADY_EXISTS"} {
		got, err := f.svc.DescribeCreateAccountStatus(f.ctx, mgmt, id)
		if err != nil || got.State != RequestFailed || got.FailureReason != reason || got.AccountID != "" {
			t.Errorf("DescribeCreateAccountStatus(%s) = %+v, %v; want FAILED with %s", id, got, err, reason)
		}
	}
	all, err := f.svc.ListCreateAccountStatus(f.ctx, mgmt, nil, Page{})
	if err != nil || len(all.Items) != 3 {
		t.Errorf("ListCreateAccountStatus = %+v, %v; want the 3 requests", all, err)
	}
	succeeded, err := f.svc.ListCreateAccountStatus(f.ctx, mgmt, []string{RequestSucceeded}, Page{})
	if err != nil || len(succeeded.Items) != 1 || succeeded.Items[0].ID != req.ID {
		t.Errorf("ListCreateAccountStatus(SUCCEEDED) = %+v, %v", succeeded, err)
	}
	_, err = f.svc.DescribeCreateAccountStatus(f.ctx, mgmt, "car-00000000")
	wantError(t, "DescribeCreateAccountStatus(unknown)", err, CreateAccountStatusNotFound, "")
	_, err = f.svc.CreateAccount(f.ctx, outsider, NewAccount{Name: "x", Email: "x@example.com"})
	wantError(t, "CreateAccount outside an organization", err, NotInUse, "")
}

// takenAccounts is an Accounts hook whose first ids are taken.
type takenAccounts struct {
	store.Accounts
	taken int
}

func (a *takenAccounts) CreateAccount(ctx context.Context, acct store.Account) error {
	if a.taken > 0 {
		a.taken--
		return store.ErrExists
	}
	return a.Accounts.CreateAccount(ctx, acct)
}

func TestCreateAccountDrawsAnotherID(t *testing.T) {
	f := newFixture(t)
	f.svc.opt.Accounts = &takenAccounts{Accounts: f.st.Accounts(), taken: 2}
	f.organization()
	if id := f.account("x"); id == "" {
		t.Error("no account created")
	}
}

func TestRemoveAndLeave(t *testing.T) {
	f := newFixture(t)
	f.organization()
	a, b := f.account("a"), f.account("b")
	wantError(t, "RemoveAccountFromOrganization(management)", f.svc.RemoveAccountFromOrganization(f.ctx, mgmt, mgmt),
		MasterCannotLeaveOrganization, "")
	wantError(t, "LeaveOrganization by the management account", f.svc.LeaveOrganization(f.ctx, mgmt), MasterCannotLeaveOrganization, "")
	wantError(t, "RemoveAccountFromOrganization(unknown)", f.svc.RemoveAccountFromOrganization(f.ctx, mgmt, outsider), AccountNotFound, "")
	wantError(t, "RemoveAccountFromOrganization by a member", f.svc.RemoveAccountFromOrganization(f.ctx, a, b), AccessDenied, "")
	f.must(f.svc.RegisterDelegatedAdministrator(f.ctx, mgmt, a, "cloudtrail.amazonaws.com"))
	wantReason(t, "RemoveAccountFromOrganization(a delegated administrator)", f.svc.RemoveAccountFromOrganization(f.ctx, mgmt, a),
		ConstraintViolation, "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	f.must(f.svc.DeregisterDelegatedAdministrator(f.ctx, mgmt, a, "cloudtrail.amazonaws.com"))
	f.must(f.svc.RemoveAccountFromOrganization(f.ctx, mgmt, a))
	f.must(f.svc.LeaveOrganization(f.ctx, b))
	for _, id := range []string{a, b} {
		_, err := f.svc.DescribeOrganization(f.ctx, id)
		wantError(t, "DescribeOrganization by a removed account", err, NotInUse, "")
	}
	accounts, err := f.svc.ListAccounts(f.ctx, mgmt, "", Page{})
	if err != nil || !slices.Equal(ids(accounts.Items), []string{mgmt}) {
		t.Errorf("ListAccounts = %v, %v; want the management account alone", ids(accounts.Items), err)
	}
}

func TestDelegatedAdministrators(t *testing.T) {
	f := newFixture(t)
	f.organization()
	a := f.account("a")
	f.clock.Advance(time.Hour)
	f.must(f.svc.RegisterDelegatedAdministrator(f.ctx, mgmt, a, "guardduty.amazonaws.com"))
	f.clock.Advance(time.Hour)
	f.must(f.svc.RegisterDelegatedAdministrator(f.ctx, mgmt, a, "config.amazonaws.com"))
	for _, c := range []struct {
		what, acct, service string
		code                Code
		reason, msg         string
	}{
		{"again", a, "config.amazonaws.com", AccountAlreadyRegistered, "",
			"The provided account is already a delegated administrator for your organization."},
		{"of the management account", mgmt, "config.amazonaws.com", ConstraintViolation, "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", ""},
		{"of an unknown service", a, "ec2.amazonaws.com", InvalidInput, "UNRECOGNIZED_SERVICE_PRINCIPAL", ""},
		{"of an unknown account", outsider, "config.amazonaws.com", AccountNotFound, "", ""},
	} {
		err := f.svc.RegisterDelegatedAdministrator(f.ctx, mgmt, c.acct, c.service)
		wantError(t, "RegisterDelegatedAdministrator "+c.what, err, c.code, c.msg)
		wantReason(t, "RegisterDelegatedAdministrator "+c.what, err, c.code, c.reason)
	}
	admins, err := f.svc.ListDelegatedAdministrators(f.ctx, mgmt, "", Page{})
	f.must(err)
	if len(admins.Items) != 1 || admins.Items[0].ID != a || !admins.Items[0].Since.Created.Equal(start.Add(time.Hour)) {
		t.Errorf("ListDelegatedAdministrators = %+v; want a, since its first delegation", admins)
	}
	if got, err := f.svc.ListDelegatedAdministrators(f.ctx, mgmt, "cloudtrail.amazonaws.com", Page{}); err != nil || len(got.Items) != 0 {
		t.Errorf("ListDelegatedAdministrators(cloudtrail) = %+v, %v; want none", got, err)
	}
	services, err := f.svc.ListDelegatedServicesForAccount(f.ctx, a, a, Page{})
	f.must(err)
	var names []string
	for _, d := range services.Items {
		names = append(names, d.Service)
	}
	if !slices.Equal(names, []string{"config.amazonaws.com", "guardduty.amazonaws.com"}) {
		t.Errorf("ListDelegatedServicesForAccount, by the delegated administrator = %v", names)
	}
	_, err = f.svc.ListDelegatedServicesForAccount(f.ctx, mgmt, mgmt, Page{})
	wantError(t, "ListDelegatedServicesForAccount(management)", err, AccountNotRegistered, "")
	err = f.svc.DeregisterDelegatedAdministrator(f.ctx, mgmt, a, "cloudtrail.amazonaws.com")
	wantError(t, "DeregisterDelegatedAdministrator of a service it is not", err, AccountNotRegistered, "")
}

func TestTags(t *testing.T) {
	f := newFixture(t)
	rt := f.organization()
	p := f.scp("p", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	for _, id := range []string{rt.ID, mgmt, p.ID} {
		f.must(f.svc.TagResource(f.ctx, mgmt, id, []Tag{{"b", "2"}, {"a", "1"}}))
		f.must(f.svc.UntagResource(f.ctx, mgmt, id, []string{"b", "none"}))
		got, err := f.svc.ListTagsForResource(f.ctx, mgmt, id, Page{})
		if err != nil || !slices.Equal(got.Items, []Tag{{"a", "1"}}) {
			t.Errorf("ListTagsForResource(%s) = %+v, %v", id, got, err)
		}
	}
	err := f.svc.TagResource(f.ctx, mgmt, "ou-none-00000000", []Tag{{"a", "1"}})
	wantError(t, "TagResource(unknown)", err, TargetNotFound, "You specified a target that doesn't exist.")
	wantReason(t, "TagResource(FullAWSAccess)", f.svc.TagResource(f.ctx, mgmt, FullAWSAccessID, []Tag{{"a", "1"}}),
		InvalidInput, "IMMUTABLE_POLICY")
	wantReason(t, "TagResource(aws:…)", f.svc.TagResource(f.ctx, mgmt, rt.ID, []Tag{{"aws:x", "1"}}), InvalidInput, "INVALID_SYSTEM_TAGS_PARAMETER")
	wantReason(t, "TagResource(a key twice)", f.svc.TagResource(f.ctx, mgmt, rt.ID, []Tag{{"k", "1"}, {"k", "2"}}), InvalidInput, "DUPLICATE_TAG_KEY")
	var many []Tag
	for i := range maxTags {
		many = append(many, Tag{Key: string(rune('A'+i%26)) + string(rune('a'+i/26)), Value: "v"})
	}
	wantReason(t, "TagResource(past 50 tags)", f.svc.TagResource(f.ctx, mgmt, rt.ID, many), ConstraintViolation, "MAX_TAG_LIMIT_EXCEEDED")
}

// An organization has at most AWS's default quota of accounts: each
// CreateAccount makes an account Vigil hosts.
func TestAccountQuota(t *testing.T) {
	f := newFixture(t)
	f.organization()
	var err error
	for i := range maxAccounts {
		if _, err = f.svc.CreateAccount(f.ctx, mgmt, NewAccount{Name: fmt.Sprint("a", i), Email: fmt.Sprint("a", i, "@example.com")}); err != nil {
			break
		}
	}
	wantReason(t, "CreateAccount past the quota", err, ConstraintViolation, "ACCOUNT_NUMBER_LIMIT_EXCEEDED")
}
