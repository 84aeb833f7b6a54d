package store

import (
	"context"
	"time"
)

// IAM's identities: each account's users, groups, roles, managed
// policies, instance profiles, virtual MFA devices and OpenID Connect
// providers (entities), the links between them (group members, attached
// policies, the roles of instance profiles, the MFA devices of users, the
// client ids and thumbprints of providers), inline policies, policy
// versions, access keys, login profiles, tags and the account's settings.
//
// The store keeps rows; AWS's rules (which deletion conflicts, quotas,
// the validity of documents) are the engine's, applied inside the
// transactions UpdateIAM runs, so that a check and the write it allows
// are never torn apart by a concurrent request. Every row is scoped to
// its account: a transaction sees and changes one account only.

// IAMKind is the kind of an IAM entity.
type IAMKind string

// The kinds of entities.
const (
	IAMUser            IAMKind = "user"
	IAMGroup           IAMKind = "group"
	IAMRole            IAMKind = "role"
	IAMPolicy          IAMKind = "policy"
	IAMInstanceProfile IAMKind = "instance-profile"
	IAMMFADevice       IAMKind = "mfa"
	IAMOIDCProvider    IAMKind = "oidc-provider"
)

// IAMEntity is a named IAM resource of an account. The fields after
// Created belong to some kinds only, as each says; the others leave them
// zero.
type IAMEntity struct {
	Kind IAMKind
	// ID is the entity's unique id (AIDA…, AGPA…, AROA…, ANPA…,
	// AIPA…); a virtual MFA device's is its serial number (its ARN), an
	// OpenID Connect provider's its ARN.
	ID string
	// Name is unique among the account's entities of its kind, compared
	// case-insensitively, as IAM compares names; an OpenID Connect
	// provider's is its URL without the scheme ("HOST[/PATH]").
	Name, Path, ARN string
	Created         time.Time
	// Updated is when a policy's default version last changed.
	Updated time.Time
	// Description is a role's or a policy's.
	Description string
	// Document is a role's trust policy.
	Document string
	// Boundary is the ARN of the managed policy that bounds a user's or a
	// role's permissions ("" for none).
	Boundary string
	// MaxSessionDuration is a role's, in seconds.
	MaxSessionDuration int
	// DefaultVersion is a policy's default version id ("v1"), and
	// NextVersion the number of its next version (ids are never reused).
	DefaultVersion string
	NextVersion    int
	// Secret is a virtual MFA device's seed, sealed by the engine.
	Secret []byte
}

// IAMLinkKind is the kind of a link between entities.
type IAMLinkKind string

// The kinds of links.
const (
	// IAMMember links a group (From, its id) to a user (To, its id).
	IAMMember IAMLinkKind = "member"
	// IAMAttached links a user, group or role (From, its id) to a managed
	// policy (To, the policy's ARN: AWS's own policies have no row).
	IAMAttached IAMLinkKind = "attached"
	// IAMProfileRole links an instance profile (From) to a role (To).
	IAMProfileRole IAMLinkKind = "profile-role"
	// IAMUserMFA links a user (From) to a virtual MFA device (To, its
	// serial number) enabled for it at Created.
	IAMUserMFA IAMLinkKind = "mfa"
	// IAMClientID links an OpenID Connect provider (From) to a client id
	// (an audience) it accepts (To, compared case-sensitively).
	IAMClientID IAMLinkKind = "oidc-client-id"
	// IAMThumbprint links an OpenID Connect provider (From) to the
	// thumbprint of a server certificate it trusts (To).
	IAMThumbprint IAMLinkKind = "oidc-thumbprint"
)

// IAMLink is a link between two entities.
type IAMLink struct {
	Kind     IAMLinkKind
	From, To string
	Created  time.Time
}

// IAMInlinePolicy is a policy embedded in a user, group or role (Owner,
// its id).
type IAMInlinePolicy struct {
	Owner, Name, Document string
}

// IAMPolicyVersion is a version of a managed policy (Policy, its id).
type IAMPolicyVersion struct {
	Policy string
	// ID is "v" and the version's number.
	ID       string
	Document string
	Created  time.Time
}

// IAMAccessKey is an access key as IAM shows it: the key (its UserID is
// the id of the user it belongs to, the account id for the root's) and
// its last use (zero when never used).
type IAMAccessKey struct {
	AccessKey
	LastUsed                time.Time
	LastRegion, LastService string
}

// IAMKeyUse is a use of an access key.
type IAMKeyUse struct {
	Key, Account    string
	Time            time.Time
	Region, Service string
}

// IAMLoginProfile is a user's (User, its id) console password.
type IAMLoginProfile struct {
	User string
	// Hash is the password's hash, encoded by the engine.
	Hash          string
	ResetRequired bool
	// Created is when the profile was created, Changed when its password
	// last changed.
	Created, Changed time.Time
}

// IAMPasswordPolicy is an account's password policy.
type IAMPasswordPolicy struct {
	MinimumLength                      int
	RequireSymbols, RequireNumbers     bool
	RequireUppercase, RequireLowercase bool
	AllowUsersToChange, HardExpiry     bool
	MaxAgeDays, ReusePrevention        int
}

// IAMAccount is an account's IAM settings.
type IAMAccount struct {
	// Created is when Vigil created the account; zero for an account it
	// does not host (dev mode's made-up accounts).
	Created time.Time
	// Alias is the account's alias ("" for none).
	Alias string
	// PasswordPolicy is nil when the account has none.
	PasswordPolicy *IAMPasswordPolicy
}

// IAMReport is an account's credential report.
type IAMReport struct {
	Generated time.Time
	Content   []byte
}

// IAMReader reads an account's IAM data within a transaction.
type IAMReader interface {
	// Account returns the account's settings.
	Account() (IAMAccount, error)
	// Entity returns the entity of a kind with a name (compared
	// case-insensitively), or ErrNotFound.
	Entity(kind IAMKind, name string) (IAMEntity, error)
	// EntityByID returns the entity with an id, or ErrNotFound.
	EntityByID(id string) (IAMEntity, error)
	// Entities lists the entities of a kind whose path starts with
	// pathPrefix, ordered by name compared case-insensitively.
	Entities(kind IAMKind, pathPrefix string) ([]IAMEntity, error)
	// Links lists the links of a kind from an entity, ordered by To;
	// with from "", every link of the kind, ordered by From and To.
	Links(kind IAMLinkKind, from string) ([]IAMLink, error)
	// LinksTo lists the links of a kind to a target, ordered by From.
	LinksTo(kind IAMLinkKind, to string) ([]IAMLink, error)
	// InlinePolicy returns an owner's inline policy, or ErrNotFound.
	InlinePolicy(owner, name string) (IAMInlinePolicy, error)
	// InlinePolicies lists an owner's inline policies by name; with
	// owner "", every inline policy of the account, by owner and name.
	InlinePolicies(owner string) ([]IAMInlinePolicy, error)
	// PolicyVersions lists a managed policy's versions, oldest first.
	PolicyVersions(policy string) ([]IAMPolicyVersion, error)
	// AccessKey returns the account's access key with an id, or
	// ErrNotFound.
	AccessKey(id string) (IAMAccessKey, error)
	// AccessKeys lists the access keys of a user (by id; the account id
	// for the root's), oldest first; with user "", every key of the
	// account, by user and age.
	AccessKeys(user string) ([]IAMAccessKey, error)
	// LoginProfile returns a user's login profile, or ErrNotFound.
	LoginProfile(user string) (IAMLoginProfile, error)
	// Tags returns an entity's tags (an empty map when it has none).
	Tags(id string) (map[string]string, error)
	// Report returns the account's credential report, or ErrNotFound.
	Report() (IAMReport, error)
}

// IAMWriter reads and changes an account's IAM data within a
// transaction.
type IAMWriter interface {
	IAMReader
	// PutEntity creates an entity, or replaces the one with its id; it
	// fails with ErrExists when another entity of its kind has its name.
	// Replacing a user whose ARN changes makes its access keys sign as
	// the new ARN.
	PutEntity(e IAMEntity) error
	// DeleteEntity deletes an entity with its tags, inline policies,
	// policy versions, login profile and the links from and to its id,
	// or fails with ErrNotFound. It leaves access keys alone.
	DeleteEntity(id string) error
	// Link adds a link, or fails with ErrExists.
	Link(l IAMLink) error
	// Unlink removes a link, or fails with ErrNotFound.
	Unlink(kind IAMLinkKind, from, to string) error
	// PutInlinePolicy creates or replaces an inline policy.
	PutInlinePolicy(p IAMInlinePolicy) error
	// DeleteInlinePolicy deletes an inline policy, or fails with
	// ErrNotFound.
	DeleteInlinePolicy(owner, name string) error
	// PutPolicyVersion adds a policy version, or fails with ErrExists.
	PutPolicyVersion(v IAMPolicyVersion) error
	// DeletePolicyVersion deletes a policy version, or fails with
	// ErrNotFound.
	DeletePolicyVersion(policy, id string) error
	// PutAccessKey stores a new access key of the account (ErrExists when
	// its id is taken). A key of an account Vigil hosts signs requests
	// (Accounts.AccessKey finds it); one of an account it does not host
	// (dev mode's, which accepts any credentials) is kept for IAM only.
	PutAccessKey(k AccessKey) error
	// SetAccessKeyActive activates or deactivates a key, or fails with
	// ErrNotFound.
	SetAccessKeyActive(id string, active bool) error
	// DeleteAccessKey deletes a key and its last use, or fails with
	// ErrNotFound.
	DeleteAccessKey(id string) error
	// PutLoginProfile creates or replaces a user's login profile.
	PutLoginProfile(p IAMLoginProfile) error
	// DeleteLoginProfile deletes a user's login profile, or fails with
	// ErrNotFound.
	DeleteLoginProfile(user string) error
	// TagEntity removes the tags of an entity whose keys are in remove,
	// then adds or replaces those of add.
	TagEntity(id string, add map[string]string, remove []string) error
	// SetAlias sets the account's alias ("" removes it); it fails with
	// ErrExists when another account has the alias.
	SetAlias(alias string) error
	// SetPasswordPolicy sets the account's password policy (nil deletes
	// it).
	SetPasswordPolicy(p *IAMPasswordPolicy) error
	// PutReport stores the account's credential report, replacing the
	// one before.
	PutReport(r IAMReport) error
}

// IAM stores the identities of IAM.
type IAM interface {
	// ViewIAM runs fn over a consistent snapshot of an account's IAM
	// data, which sees every acknowledged write.
	ViewIAM(ctx context.Context, account string, fn func(IAMReader) error) error
	// UpdateIAM runs fn in one write transaction over an account's IAM
	// data: when it returns nil, fn's writes are durable; when fn fails,
	// none of them is kept and its error is returned. fn runs on the
	// store's writer, which it holds: it must do no slow work (hashing,
	// key generation belong before) and must not keep the IAMWriter.
	UpdateIAM(ctx context.Context, account string, fn func(IAMWriter) error) error
	// RecordKeyUses stores the last use of access keys, each kept only
	// when it is later than the one stored; uses of keys that do not
	// exist are dropped.
	RecordKeyUses(ctx context.Context, uses []IAMKeyUse) error
}
