// Package iam is Vigil's AWS Identity and Access Management: the users,
// groups, roles, managed and inline policies, instance profiles, access
// keys, login profiles, virtual MFA devices and account settings of each
// account, with AWS's ids, ARNs, quotas, conflicts and error messages,
// kept in the store (store.IAM) so that every acknowledged change is
// durable.
//
// The access keys of IAM users sign requests: they are stored where the
// authenticator looks keys up, as the user's ARN and unique id, and every
// change of a key (created, deactivated, deleted, its user renamed) is
// told to Options.Forget, which the composition root wires to the
// authenticator's cache; every change of an account is told to
// Options.Changed, for what caches its policies. The last use of keys is
// noted in memory (NoteKeyUse) and written in batches (FlushKeyUses, a
// job).
//
// Policy documents are checked for their structure (validateDocument);
// evaluating them, and STS, come with the policy engine.
package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes, named after IAM's exceptions.
const (
	InvalidInput Code = iota + 1
	NoSuchEntity
	EntityAlreadyExists
	DeleteConflict
	LimitExceeded
	MalformedPolicyDocument
	PasswordPolicyViolation
	InvalidAuthenticationCode
	UnmodifiableEntity
	ReportNotPresent
	ReportExpired
	InvalidUserType
	// ValidationError is a parameter the model's constraints refuse,
	// worded as the protocol layer words its own.
	ValidationError
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// Sealer encrypts the secrets IAM keeps (secret access keys, MFA seeds)
// under the master key; auth.Sealer is one.
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// Options configure a Service.
type Options struct {
	Store store.IAM
	// Sealer seals secret access keys and MFA seeds.
	Sealer Sealer
	// Forget is told the id of every access key whose state changed
	// (created, activated, deactivated, deleted, its user renamed), once
	// the change is durable: the authenticator drops what it cached of
	// it. Nil: nobody caches keys.
	Forget func(accessKeyID string)
	// Changed is told the account of every change IAM makes, once it is
	// durable: what caches an account's policies drops them. Nil: nobody
	// does.
	Changed func(account string)
	// Host makes an account one whose access keys sign requests before
	// IAM gives it a key (dev mode's accounts, which exist as soon as a
	// request names them); nil: keys of accounts Vigil does not host
	// sign nothing.
	Host  func(ctx context.Context, account string) error
	Clock clock.Clock
}

// Service is Vigil's IAM.
type Service struct {
	opt   Options
	usage keyUsage
	// codes guards the MFA codes STS checks against replay and guessing.
	codes codeGuard
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Forget == nil {
		opt.Forget = func(string) {}
	}
	if opt.Changed == nil {
		opt.Changed = func(string) {}
	}
	return &Service{opt: opt, usage: newKeyUsage()}
}

// Caller is the identity that makes a request.
type Caller = request.Principal

// isRoot says whether the caller is its account's root.
func isRoot(c Caller) bool { return strings.HasSuffix(c.ARN, ":root") }

// now returns the clock's time to the second, as IAM shows times.
func (s *Service) now() time.Time { return s.opt.Clock.Now().UTC().Truncate(time.Second) }

// view and update run fn over the caller's account's IAM data, mapping
// the store's not-found and exists errors that fn lets through to
// internal errors: fn words the ones a client sees itself.
func (s *Service) view(ctx context.Context, account string, fn func(r store.IAMReader) error) error {
	return internal(s.opt.Store.ViewIAM(ctx, account, fn), account)
}

func (s *Service) update(ctx context.Context, account string, fn func(w store.IAMWriter) error) error {
	err := s.opt.Store.UpdateIAM(ctx, account, fn)
	if err == nil {
		s.opt.Changed(account)
	}
	return internal(err, account)
}

func internal(err error, account string) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("cannot access the IAM data of account %s: %w", account, err)
}

// The prefixes of unique ids.
const (
	userPrefix            = "AIDA"
	groupPrefix           = "AGPA"
	rolePrefix            = "AROA"
	policyPrefix          = "ANPA"
	instanceProfilePrefix = "AIPA"
	accessKeyPrefix       = "AKIA"
)

// newID returns a unique id with a prefix: 21 characters of the base32
// alphabet (A-Z, 2-7), as AWS's.
func newID(prefix string) string { return prefix + rand.Text()[:17] }

// newAccessKey returns a new access key id (AKIA and 16 characters) and
// secret (40 characters of the base64 alphabet), as AWS's.
func newAccessKey() (id, secret string) {
	b := make([]byte, 30)
	if _, err := rand.Read(b); err != nil {
		panic("BUG: iam: crypto/rand failed: " + err.Error())
	}
	return accessKeyPrefix + rand.Text()[:16], base64.StdEncoding.EncodeToString(b)
}

// arn returns the ARN of an entity of the account: resource is "user",
// "role" …; path starts and ends with "/".
func arn(account, resource, path, name string) string {
	return "arn:aws:iam::" + account + ":" + resource + path + name
}

// pathOr returns path, or "/" when it is empty (the default of every
// path).
func pathOr(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// notFound and exists word, for each kind, the refusal of a name that
// is not there and of one that is taken, as AWS words them.
var (
	notFound = map[store.IAMKind]string{
		store.IAMUser: "The user with name %s cannot be found.", store.IAMGroup: "The group with name %s cannot be found.",
		store.IAMRole: "The role with name %s cannot be found.", store.IAMInstanceProfile: "Instance Profile %s cannot be found.",
	}
	exists = map[store.IAMKind]string{
		store.IAMUser: "User with name %s already exists.", store.IAMGroup: "Group with name %s already exists.",
		store.IAMRole: "Role with name %s already exists.", store.IAMInstanceProfile: "Instance Profile %s already exists.",
		store.IAMPolicy:    "A policy called %s already exists. Duplicate names are not allowed.",
		store.IAMMFADevice: "MFADevice entity at the same path and name already exists.",
	}
)

// entity reads the entity of a kind with a name: NoSuchEntity when there
// is none.
func entity(r store.IAMReader, kind store.IAMKind, name string) (store.IAMEntity, error) {
	e, err := r.Entity(kind, name)
	if errors.Is(err, store.ErrNotFound) {
		return e, errorf(NoSuchEntity, notFound[kind], name)
	}
	return e, err
}

// putNew stores a new entity: EntityAlreadyExists when its name is
// taken.
func putNew(w store.IAMWriter, e store.IAMEntity) error {
	// PutEntity replaces an entity of the same id: an MFA device's id is
	// its serial number, which its name and path make.
	_, err := w.EntityByID(e.ID)
	if err == nil {
		err = store.ErrExists
	} else if errors.Is(err, store.ErrNotFound) {
		err = w.PutEntity(e)
	}
	if errors.Is(err, store.ErrExists) {
		if e.Kind == store.IAMMFADevice {
			return errorf(EntityAlreadyExists, "%s", exists[e.Kind])
		}
		return errorf(EntityAlreadyExists, exists[e.Kind], e.Name)
	}
	return err
}

// conflict is a check before a deletion: what the entity still has, and
// the message that refuses the deletion when it has some.
type conflict struct {
	count func() (int, error)
	msg   string
}

// conflicts returns DeleteConflict with the message of the first check
// that counts something.
func conflicts(checks []conflict) error {
	for _, c := range checks {
		if n, err := c.count(); err != nil {
			return err
		} else if n > 0 {
			return errorf(DeleteConflict, "%s", c.msg)
		}
	}
	return nil
}

// count returns the length of a list read, or the read's error.
func count[T any](list []T, err error) (int, error) { return len(list), err }

// quota words a quota reached: "Cannot exceed quota for
// AccessKeysPerUser: 2".
func quota(name string, n int) error {
	return errorf(LimitExceeded, "Cannot exceed quota for %s: %d", name, n)
}
