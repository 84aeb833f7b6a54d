package app

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/vigilhq/vigil/internal/access"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/authz"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/fault"
	iamengine "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
	stsengine "github.com/vigilhq/vigil/internal/sts"
)

// keyUsageFlushEvery is how often each node stores the last use of the
// access keys it authenticated: IAM's GetAccessKeyLastUsed and the
// credential report lag by up to this (AWS's by up to four hours).
const keyUsageFlushEvery = time.Minute

// keyUsage is the audit sink that notes, for IAM, which access key
// signed each call, where and to which service: off the request's
// goroutine, one map update a call, stored in batches by the
// iam-key-usage job.
type keyUsage struct{ iam *iamengine.Service }

// Record notes the use of the call's access key.
func (k keyUsage) Record(_ context.Context, e *audit.Event) {
	k.iam.NoteKeyUse(e.Principal.Account, e.Principal.AccessKey, e.Region, e.Service, e.Time)
}

// iamRoles are IAM's roles, as STS's AssumeRole reads them.
type iamRoles struct{ iam *iamengine.Service }

func (r iamRoles) Role(ctx context.Context, account, name string) (*stsengine.Role, error) {
	role, err := r.iam.GetRole(ctx, account, name)
	var fe *fault.Error
	if errors.As(err, &fe) && fe.Code == iamengine.NoSuchEntity {
		return nil, fmt.Errorf("%w: %v", stsengine.ErrNoSuchRole, err)
	}
	if err != nil {
		return nil, err
	}
	return &stsengine.Role{ARN: role.ARN, ID: role.ID, Trust: role.Document, MaxSession: time.Duration(role.MaxSessionDuration) * time.Second}, nil
}

// trustPolicy is the resource-based policy of sts:AssumeRole: the trust
// policy of the role assumed.
func (r iamRoles) trustPolicy(ctx context.Context, arn string) (*policy.Policy, string, error) {
	account, name, ok := stsengine.ParseRoleARN(arn)
	if !ok {
		return nil, "", nil
	}
	role, err := r.Role(ctx, account, name)
	if errors.Is(err, stsengine.ErrNoSuchRole) || err == nil && role.ARN != arn {
		return nil, account, nil
	}
	if err != nil {
		return nil, "", err
	}
	p, err := policy.ParseTrust([]byte(role.Trust))
	return p, account, err
}

// iamMFA checks STS's MFA codes against IAM's devices.
type iamMFA struct{ iam *iamengine.Service }

func (m iamMFA) CheckCode(ctx context.Context, p request.Principal, serial, code string) error {
	return m.iam.CheckMFACode(ctx, p, serial, code)
}

// iamIdentities are IAM's users and roles, as the authorizer reads their
// policies.
type iamIdentities struct{ iam *iamengine.Service }

func (i iamIdentities) Identity(ctx context.Context, account, kind, name string) (*access.Identity, error) {
	p, err := i.iam.Permissions(ctx, account, store.IAMKind(kind), name)
	if err != nil {
		return nil, err
	}
	return &access.Identity{Inline: p.Inline, Managed: p.Managed, Boundary: p.Boundary, Tags: p.Tags}, nil
}

// entity is access.Options.Entity.
func (i iamIdentities) entity(ctx context.Context, account, kind, name string) (arn, id, boundary string, err error) {
	e, err := i.iam.EntityRef(ctx, account, kind, name)
	if err != nil {
		return "", "", "", err
	}
	return e.ARN, e.ID, e.Boundary, nil
}

func (i iamIdentities) ManagedPolicy(ctx context.Context, arn string) (string, error) {
	return i.iam.ManagedPolicy(ctx, arn)
}

// newAuthorizer returns the front door's authorizer over the routed
// services.
func newAuthorizer(apis []api, ids iamIdentities, roles iamRoles, bucketPolicy access.ResourcePolicy, policies map[string]access.ResourcePolicy,
	scps func(context.Context, string) ([][]string, uint64, error), tags store.Tags, c clock.Clock) (*access.Authorizer, error) {
	var services []authz.Service
	for _, api := range apis {
		s := authz.Service{Prefix: api.model.IAMPrefix, Inputs: map[string]reflect.Type{}}
		for name, op := range api.model.Operations {
			s.Inputs[name] = op.Input
		}
		services = append(services, s)
	}
	resolver, err := authz.New(services...)
	if err != nil {
		return nil, fmt.Errorf("cannot load the IAM actions of the services: %w", err)
	}
	// A role's trust policy decides who may assume it, tag its sessions
	// and set their source identity.
	trust := map[string]access.ResourcePolicy{}
	for _, action := range []string{"sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"} {
		trust[action] = roles.trustPolicy
	}
	// A bucket's, queue's, topic's or bus's policy takes part in every
	// call on it: its Deny statements bind the owner's principals too.
	policies["s3"] = bucketPolicy
	return access.New(access.Options{Resolver: resolver, Identities: ids, Clock: c, Resources: trust, Entity: ids.entity, SCPs: scps,
		ResourceTags: tags.ResourceTags, ServiceResources: policies}), nil
}

// hostAccount makes a dev-mode account one Vigil hosts, so that the
// access keys IAM gives its users sign requests.
func hostAccount(accounts store.Accounts, c clock.Clock) func(context.Context, string) error {
	return func(ctx context.Context, account string) error {
		err := accounts.CreateAccount(ctx, store.Account{ID: account, Name: account, Created: c.Now()})
		if errors.Is(err, store.ErrExists) {
			return nil
		}
		return err
	}
}

// iamProviders are IAM's OpenID Connect providers, as STS's
// AssumeRoleWithWebIdentity reads them.
type iamProviders struct{ iam *iamengine.Service }

func (p iamProviders) Provider(ctx context.Context, account, issuer string) (*stsengine.Provider, error) {
	got, err := p.iam.OIDCProviderFor(ctx, account, issuer)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", stsengine.ErrNoSuchProvider, err)
	}
	if err != nil {
		return nil, err
	}
	return &stsengine.Provider{ARN: got.ARN, URL: got.URL, ClientIDs: got.ClientIDs, Thumbprints: got.Thumbprints}, nil
}

// iamAccessRoles creates, for Organizations, the role through which a
// management account administers each account it creates.
type iamAccessRoles struct{ iam *iamengine.Service }

func (r iamAccessRoles) CreateRole(ctx context.Context, account, name, trust string, policyARNs []string) error {
	if _, err := r.iam.CreateRole(ctx, account, iamengine.NewRole{NewEntity: iamengine.NewEntity{Name: name}, TrustPolicy: trust}); err != nil {
		return err
	}
	for _, arn := range policyARNs {
		if err := r.iam.AttachPolicy(ctx, account, iamengine.Ref{Kind: store.IAMRole, Name: name}, arn); err != nil {
			return err
		}
	}
	return nil
}
