package store

import (
	"context"
	"time"
)

// AWS Organizations: each organization's root, organizational units and
// member accounts (nodes of one tree), its policies and where they are
// attached, its create-account requests, its delegated administrators
// and the tags of its resources (kept by ARN with every resource's tags:
// see Tags).
//
// The store keeps rows; AWS's rules (who may call, which moves and
// deletions are allowed, quotas) are the engine's, applied inside the
// transactions UpdateOrganization runs. Every row is scoped to its
// organization: a transaction sees and changes one organization only,
// but for the two facts that span organizations, which the store keeps
// unique — an account belongs to one organization at most (an account
// node's id is unique among all organizations), and EmailInUse.

// OrgNodeKind is the kind of a node of an organization's tree, named as
// Organizations' API names them (ListChildren's and ListParents' Type).
type OrgNodeKind string

// The kinds of nodes.
const (
	OrgRoot    OrgNodeKind = "ROOT"
	OrgUnit    OrgNodeKind = "ORGANIZATIONAL_UNIT"
	OrgAccount OrgNodeKind = "ACCOUNT"
)

// Organization is an organization.
type Organization struct {
	// ID is o- and 10 characters; ARN its ARN.
	ID, ARN string
	// FeatureSet is ALL or CONSOLIDATED_BILLING.
	FeatureSet string
	// ManagementAccount is the id of the account that created it.
	ManagementAccount string
	Created           time.Time
}

// OrgNode is a root, an organizational unit or an account of an
// organization. The fields after Created belong to some kinds only, as
// each says; the others leave them zero.
type OrgNode struct {
	Kind OrgNodeKind
	// ID is r-…, ou-…-… or the 12-digit account id; ARN its ARN.
	ID, ARN, Name string
	// Parent is the id of the root or OU the node is in ("" for the
	// root).
	Parent string
	// Created is when the node was created, or when an account joined.
	Created time.Time
	// Email, State and JoinedMethod are an account's.
	Email, State, JoinedMethod string
	// PolicyTypes are the policy types enabled in a root, sorted.
	PolicyTypes []string
}

// OrgPolicy is a policy of an organization (AWS's own policies have no
// row).
type OrgPolicy struct {
	// ID is p- and 8 characters; ARN its ARN.
	ID, ARN, Name, Description string
	// Type is the policy's type (SERVICE_CONTROL_POLICY).
	Type string
	// Content is the policy's document.
	Content string
}

// OrgAccountRequest is a request to create an account (CreateAccount),
// the record DescribeCreateAccountStatus reads.
type OrgAccountRequest struct {
	// ID is car- and 8 characters.
	ID, AccountName string
	// State is IN_PROGRESS, SUCCEEDED or FAILED.
	State string
	// AccountID is the id of the account the request creates (chosen
	// when it starts); FailureReason says why a request failed.
	AccountID, FailureReason string
	// Requested is when the request was made, Completed when it ended
	// (zero while it is in progress).
	Requested, Completed time.Time
}

// OrgDelegation makes an account a delegated administrator of a service
// (its service principal) since Created.
type OrgDelegation struct {
	Account, Service string
	Created          time.Time
}

// OrgReader reads an organization within a transaction.
type OrgReader interface {
	// Organization returns the organization, or ErrNotFound.
	Organization() (Organization, error)
	// Node returns the node with an id, or ErrNotFound.
	Node(id string) (OrgNode, error)
	// Nodes lists the nodes of a kind ("": of every kind) in the root or
	// OU parent ("": anywhere), ordered by id.
	Nodes(kind OrgNodeKind, parent string) ([]OrgNode, error)
	// Policy returns the policy with an id, or ErrNotFound.
	Policy(id string) (OrgPolicy, error)
	// Policies lists the policies of a type, ordered by id.
	Policies(typ string) ([]OrgPolicy, error)
	// PoliciesOf lists the ids of the policies attached to a node,
	// ordered.
	PoliciesOf(target string) ([]string, error)
	// TargetsOf lists the ids of the nodes a policy is attached to,
	// ordered.
	TargetsOf(policy string) ([]string, error)
	// AccountRequest returns the create-account request with an id, or
	// ErrNotFound.
	AccountRequest(id string) (OrgAccountRequest, error)
	// AccountRequests lists the create-account requests, ordered by id.
	AccountRequests() ([]OrgAccountRequest, error)
	// Delegations lists the delegations of an account ("": of every
	// account), ordered by account and service.
	Delegations(account string) ([]OrgDelegation, error)
	// Tags returns the tags of the node or policy with an ARN (an empty
	// map when it has none): the tags Tags.ResourceTags reads.
	Tags(arn string) (map[string]string, error)
	// EmailInUse reports whether an account of any organization has an
	// email address (compared case-insensitively).
	EmailInUse(email string) (bool, error)
}

// OrgWriter reads and changes an organization within a transaction.
type OrgWriter interface {
	OrgReader
	// PutOrganization creates the organization, or replaces it.
	PutOrganization(o Organization) error
	// DeleteOrganization deletes the organization and everything of it,
	// tags included.
	DeleteOrganization() error
	// PutNode creates a node, or replaces the one with its id; it fails
	// with ErrExists when an account node's id is an account of another
	// organization.
	PutNode(n OrgNode) error
	// DeleteNode deletes a node with its tags and the attachments of
	// policies to it, or fails with ErrNotFound.
	DeleteNode(id string) error
	// PutPolicy creates a policy, or replaces the one with its id.
	PutPolicy(p OrgPolicy) error
	// DeletePolicy deletes a policy with its tags, or fails with
	// ErrNotFound.
	DeletePolicy(id string) error
	// Attach attaches a policy to a node, or fails with ErrExists.
	Attach(policy, target string) error
	// Detach detaches a policy from a node, or fails with ErrNotFound.
	Detach(policy, target string) error
	// PutAccountRequest creates a create-account request, or replaces
	// the one with its id.
	PutAccountRequest(r OrgAccountRequest) error
	// PutDelegation adds a delegation, or fails with ErrExists.
	PutDelegation(d OrgDelegation) error
	// DeleteDelegation removes a delegation, or fails with ErrNotFound.
	DeleteDelegation(account, service string) error
	// Tag removes the tags of the node or policy with an ARN whose keys
	// are in remove, then adds or replaces those of add.
	Tag(arn string, add map[string]string, remove []string) error
}

// Organizations stores AWS Organizations' organizations.
type Organizations interface {
	// OrganizationOf returns the id of the organization an account is
	// the management account or a member of, or ErrNotFound.
	OrganizationOf(ctx context.Context, account string) (string, error)
	// ViewOrganization runs fn over a consistent snapshot of an
	// organization, which sees every acknowledged write.
	ViewOrganization(ctx context.Context, org string, fn func(OrgReader) error) error
	// UpdateOrganization runs fn in one write transaction over an
	// organization (one being created included): when it returns nil,
	// fn's writes are durable; when fn fails, none of them is kept and
	// its error is returned. fn runs on the store's writer, which it
	// holds: it must do no slow work and must not keep the OrgWriter.
	UpdateOrganization(ctx context.Context, org string, fn func(OrgWriter) error) error
}
