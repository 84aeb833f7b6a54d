package iam

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

const acct = "123456789012"

// start is the fake clock's time in the tests.
var start = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// fixture is an IAM service on a fresh store and a fake clock, called by
// the root of acct (an account Vigil hosts, so its keys sign).
type fixture struct {
	t     *testing.T
	ctx   context.Context
	svc   *Service
	st    *embedded.Store
	clock *clock.Fake
	root  Caller

	mu        sync.Mutex
	forgotten []string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), st: embeddedtest.Open(t), clock: clock.NewFake(start),
		root: Caller{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct, AccessKey: "AKIAROOT"}}
	if err := f.st.Accounts().CreateAccount(f.ctx, store.Account{ID: acct, Name: "root", Created: start.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.OpenSealer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = New(Options{Store: f.st.IAM(), Sealer: sealer, Clock: f.clock, Forget: func(id string) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.forgotten = append(f.forgotten, id)
	}})
	return f
}

// forgot returns the key ids told to Forget since the last call.
func (f *fixture) forgot() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.forgotten
	f.forgotten = nil
	return out
}

// must fails the test on err.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// user creates a user.
func (f *fixture) user(name string) *Entity {
	f.t.Helper()
	u, err := f.svc.CreateUser(f.ctx, acct, NewEntity{Name: name})
	f.must(err)
	return u
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

// names lists the names of entities.
func names(es []store.IAMEntity) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// sameNames checks a list of names.
func sameNames(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q; want %q", what, got, want)
	}
}
