package organizations

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

// The accounts of the tests: mgmt creates the organization; outsider is
// in none.
const (
	mgmt     = "111111111111"
	outsider = "999999999999"
)

// start is the fake clock's time in the tests.
var start = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// role is a role the Roles hook was asked to create.
type role struct {
	account, name, trust string
	policies             []string
}

// fixture is the service on a fresh store and a fake clock.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *Service
	st    *embedded.Store
	clock *clock.Fake

	mu      sync.Mutex
	roles   []role
	roleErr error
	changes int
}

func (f *fixture) CreateRole(_ context.Context, account, name, trust string, policies []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.roleErr != nil {
		return f.roleErr
	}
	f.roles = append(f.roles, role{account, name, trust, policies})
	return nil
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), st: embeddedtest.Open(t), clock: clock.NewFake(start)}
	f.svc = New(Options{Store: f.st.Organizations(), Accounts: f.st.Accounts(), Roles: f, Clock: f.clock, Changed: func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.changes++
	}})
	return f
}

// must fails the test on err.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// organization creates mgmt's organization and returns its root.
func (f *fixture) organization() store.OrgNode {
	f.t.Helper()
	_, err := f.svc.CreateOrganization(f.ctx, mgmt, "")
	f.must(err)
	roots, err := f.svc.ListRoots(f.ctx, mgmt, Page{})
	f.must(err)
	return roots.Items[0]
}

// unit creates an OU.
func (f *fixture) unit(parent, name string) store.OrgNode {
	f.t.Helper()
	ou, err := f.svc.CreateOrganizationalUnit(f.ctx, mgmt, parent, name, nil)
	f.must(err)
	return *ou
}

// account creates an account and returns its id.
func (f *fixture) account(name string) string {
	f.t.Helper()
	req, err := f.svc.CreateAccount(f.ctx, mgmt, NewAccount{Name: name, Email: name + "@example.com"})
	f.must(err)
	done, err := f.svc.DescribeCreateAccountStatus(f.ctx, mgmt, req.ID)
	f.must(err)
	if done.State != RequestSucceeded {
		f.t.Fatalf("create account %s: %+v", name, done)
	}
	return done.AccountID
}

// scp creates an SCP with a document.
func (f *fixture) scp(name, doc string) Policy {
	f.t.Helper()
	p, err := f.svc.CreatePolicy(f.ctx, mgmt, NewPolicy{Name: name, Type: SCPType, Content: doc})
	f.must(err)
	return *p
}

// wantError checks that err is the service's error of a code, with a
// message when msg is not "".
func wantError(t *testing.T, what string, err error, code Code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || (msg != "" && e.Message != msg) {
		t.Errorf("%s = %v; want code %d %q", what, err, code, msg)
	}
}

// wantReason checks that err is a ConstraintViolation or InvalidInput
// error of a reason.
func wantReason(t *testing.T, what string, err error, code Code, reason string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || e.Reason != reason {
		t.Errorf("%s = %v; want code %d reason %s", what, err, code, reason)
	}
}

// wantMatch checks a value against a pattern.
func wantMatch(t *testing.T, what, got, pattern string) {
	t.Helper()
	if !regexp.MustCompile(`^` + pattern + `$`).MatchString(got) {
		t.Errorf("%s = %q; want it to match %s", what, got, pattern)
	}
}

// ids lists the ids of nodes.
func ids(ns []store.OrgNode) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}
