// Package organizations is Vigil's AWS Organizations: organizations of
// the accounts Vigil hosts, their roots, organizational units and member
// accounts, service control policies (SCPs) and where they are attached,
// accounts created in an organization, delegated administrators and
// tags, with AWS's ids, ARNs, rules and error messages, kept in the store
// (store.Organizations) so that every acknowledged change is durable.
//
// Only an organization's management account changes it; its delegated
// administrators may read it too, and its other members may only
// describe it (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html).
//
// Accounts that CreateAccount makes become accounts Vigil hosts
// (Options.Accounts) with a role their management account administers
// them through (Options.Roles): hooks the composition root wires to the
// store's accounts and to IAM. SCPs returns, for the front door, the SCPs
// that restrict an account, cached, and Options.Changed is told of every
// change.
package organizations

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// Code is the kind of an Error, named after the exception the API
// answers.
type Code int

// The error codes.
const (
	InvalidInput Code = iota + 1
	NotInUse
	AccessDenied
	AlreadyInOrganization
	OrganizationNotEmpty
	ConstraintViolation
	RootNotFound
	ParentNotFound
	ChildNotFound
	OrganizationalUnitNotFound
	OrganizationalUnitNotEmpty
	DuplicateOrganizationalUnit
	AccountNotFound
	DuplicateAccount
	SourceParentNotFound
	DestinationParentNotFound
	MasterCannotLeaveOrganization
	CreateAccountStatusNotFound
	PolicyNotFound
	DuplicatePolicy
	PolicyInUse
	DuplicatePolicyAttachment
	PolicyNotAttached
	PolicyTypeAlreadyEnabled
	PolicyTypeNotEnabled
	PolicyTypeNotAvailable
	MalformedPolicyDocument
	TargetNotFound
	AccountAlreadyRegistered
	AccountNotRegistered
)

// Error is a refused request: its code, the reason that
// ConstraintViolationException and InvalidInputException carry (one of
// their Reason enums), and the message the client sees.
type Error struct {
	Code    Code
	Reason  string
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// violation refuses a request that would break a limit: a
// ConstraintViolationException with its reason.
func violation(reason, msg string) error {
	return &Error{Code: ConstraintViolation, Reason: reason, Message: msg}
}

// invalid refuses an invalid parameter: an InvalidInputException with
// its reason.
func invalid(reason, msg string) error {
	return &Error{Code: InvalidInput, Reason: reason, Message: msg}
}

// The messages of errors that several operations answer.
const (
	msgNotInUse     = "Your account is not a member of an organization."
	msgAccessDenied = "You don't have permissions to access this resource."
	msgInvalidValue = "You specified an invalid value."
)

// Accounts makes the accounts CreateAccount creates ones Vigil hosts;
// store.Accounts is one. CreateAccount fails with store.ErrExists when
// the id is taken.
type Accounts interface {
	CreateAccount(ctx context.Context, a store.Account) error
}

// Roles creates, in the accounts CreateAccount creates, the role their
// management account administers them through: IAM.
type Roles interface {
	// CreateRole creates the role named name in account, with the trust
	// policy trust, and attaches the managed policies of policyARNs
	// (AWS's own: arn:aws:iam::aws:policy/…).
	CreateRole(ctx context.Context, account, name, trust string, policyARNs []string) error
}

// Options configure a Service.
type Options struct {
	Store store.Organizations
	// Accounts and Roles set up the accounts CreateAccount creates.
	Accounts Accounts
	Roles    Roles
	// Changed is told, once it is durable, of every change of any
	// organization: what caches SCPs (or anything else the organizations
	// decide) drops it. Nil: nobody does.
	Changed func()
	Clock   clock.Clock
	// Logger logs what fails a create-account request.
	Logger *slog.Logger
}

// Service is Vigil's AWS Organizations.
type Service struct {
	opt Options
	// scps caches the SCPs of accounts; versions numbers what it caches
	// (see SCPs).
	scps     *cache.TTL[string, *scpEntry]
	versions atomic.Uint64
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Changed == nil {
		opt.Changed = func() {}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt, scps: cache.NewTTL[string, *scpEntry](scpCacheSize, scpCacheTTL)}
}

// now returns the clock's time to the millisecond, as Organizations
// shows times.
func (s *Service) now() time.Time { return s.opt.Clock.Now().UTC().Truncate(time.Millisecond) }

// access is what a caller must be to its organization for an operation.
type access int

const (
	// member: any account of the organization.
	member access = iota
	// reader: the management account or a delegated administrator.
	reader
	// manager: the management account.
	manager
)

// org returns the organization of the caller's account: NotInUse when
// it is in none.
func (s *Service) org(ctx context.Context, caller string) (string, error) {
	org, err := s.opt.Store.OrganizationOf(ctx, caller)
	if errors.Is(err, store.ErrNotFound) {
		return "", errorf(NotInUse, msgNotInUse)
	}
	return org, err
}

// allowed checks that the caller may act as need asks on its
// organization o: AccessDenied when it may not.
func allowed(r store.OrgReader, o store.Organization, caller string, need access) error {
	if need == member || caller == o.ManagementAccount {
		return nil
	}
	if need == reader {
		ds, err := r.Delegations(caller)
		if err != nil || len(ds) > 0 {
			return err
		}
	}
	return errorf(AccessDenied, msgAccessDenied)
}

// enter reads the organization of a transaction, once the caller is
// allowed what need asks.
func enter(r store.OrgReader, caller string, need access) (store.Organization, error) {
	o, err := organization(r)
	if err == nil {
		err = allowed(r, o, caller, need)
	}
	return o, err
}

// view runs fn over the caller's organization, once the caller is
// allowed what need asks.
func (s *Service) view(ctx context.Context, caller string, need access, fn func(r store.OrgReader, o store.Organization) error) error {
	org, err := s.org(ctx, caller)
	if err != nil {
		return err
	}
	return internal(s.opt.Store.ViewOrganization(ctx, org, func(r store.OrgReader) error {
		o, err := enter(r, caller, need)
		if err != nil {
			return err
		}
		return fn(r, o)
	}), org)
}

// update runs fn in a transaction over the caller's organization, once
// the caller is allowed what need asks, and tells of the change.
func (s *Service) update(ctx context.Context, caller string, need access, fn func(w store.OrgWriter, o store.Organization) error) error {
	org, err := s.org(ctx, caller)
	if err != nil {
		return err
	}
	return s.write(ctx, org, func(w store.OrgWriter) error {
		o, err := enter(w, caller, need)
		if err != nil {
			return err
		}
		return fn(w, o)
	})
}

// write runs fn in a transaction over an organization and, once it is
// durable, tells of the change.
func (s *Service) write(ctx context.Context, org string, fn func(w store.OrgWriter) error) error {
	err := s.opt.Store.UpdateOrganization(ctx, org, fn)
	if err == nil {
		s.changed()
	}
	return internal(err, org)
}

// changed drops what is cached of every organization and tells
// Options.Changed.
func (s *Service) changed() {
	s.scps.ForgetIf(func(string) bool { return true })
	s.opt.Changed()
}

// organization reads the organization of a transaction: NotInUse when it
// was deleted meanwhile.
func organization(r store.OrgReader) (store.Organization, error) {
	o, err := r.Organization()
	if errors.Is(err, store.ErrNotFound) {
		return o, errorf(NotInUse, msgNotInUse)
	}
	return o, err
}

// internal words an error that is not a refusal as an internal one.
func internal(err error, org string) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("cannot access organization %s: %w", org, err)
}

// The alphabet of ids: lower-case letters and digits.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomString returns n characters of alphabet, drawn uniformly.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	size := big.NewInt(int64(len(alphabet)))
	for i := range b {
		k, err := rand.Int(rand.Reader, size)
		if err != nil {
			panic("BUG: organizations: crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// The ids of new resources, with AWS's prefixes and lengths.
func newOrganizationID() string { return "o-" + randomString(idAlphabet, 10) }
func newRootID() string         { return "r-" + randomString(idAlphabet, 4) }
func newPolicyID() string       { return "p-" + randomString(idAlphabet, 8) }
func newRequestID() string      { return "car-" + randomString(idAlphabet, 8) }
func newAccountID() string      { return randomString("0123456789", 12) }

// newUnitID returns the id of a new OU of the root root: ou-, the root's
// id without r-, - and 8 characters.
func newUnitID(root string) string {
	return "ou-" + root[len("r-"):] + "-" + randomString(idAlphabet, 8)
}

// arn returns the ARN of a resource of an organization o: kind is
// "account", "ou", "root" …, rest the path after the organization's id.
func arn(o store.Organization, kind, rest string) string {
	return "arn:aws:organizations::" + o.ManagementAccount + ":" + kind + "/" + o.ID + "/" + rest
}
