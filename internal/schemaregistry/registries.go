package schemaregistry

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Registry is a registry as DescribeRegistry returns it.
type Registry struct {
	Name, ARN, Description string
	Tags                   map[string]string
}

// The descriptions of the registries AWS manages.
const (
	awsEventsDescription  = "Schemas of the events AWS services send; in Vigil, those of the events Vigil's own services send."
	discoveredDescription = "Schemas discovered in the events put on event buses."
)

// isAWSRegistry reports whether a registry is one AWS manages.
func isAWSRegistry(name string) bool { return name == AWSEventsRegistry || name == DiscoveredRegistry }

// CreateRegistry creates a registry with its tags.
func (s *Service) CreateRegistry(ctx context.Context, sc Scope, name, description string, tags map[string]string) (Registry, error) {
	if err := validName("RegistryName", name, maxRegistryName); err != nil {
		return Registry{}, err
	}
	if isAWSRegistry(name) {
		return Registry{}, errorf(BadRequest, "Registry name %s is reserved for the registry AWS manages.", name)
	}
	if len(tags) > maxTags {
		return Registry{}, errorf(BadRequest, "A resource takes at most %d tags.", maxTags)
	}
	now := s.now()
	r := store.Registry{Account: sc.Account, Region: sc.Region, Name: name, ARN: registryARN(sc, name), Description: description,
		Created: now, Updated: now}
	if err := s.opt.Store.CreateRegistry(ctx, r); err != nil {
		if errors.Is(err, store.ErrExists) {
			return Registry{}, errorf(Conflict, "Registry %s already exists.", name)
		}
		return Registry{}, err
	}
	if err := s.tag(ctx, r.ARN, tags, nil); err != nil {
		return Registry{}, err
	}
	return Registry{Name: name, ARN: r.ARN, Description: description, Tags: tags}, nil
}

// registry reads a stored registry of the caller's scope by name.
func (s *Service) registry(ctx context.Context, sc Scope, name string) (*store.Registry, error) {
	r, err := s.opt.Store.Registry(ctx, registryARN(sc, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, registryNotFound(name)
	}
	return r, err
}

// DescribeRegistry describes a registry.
func (s *Service) DescribeRegistry(ctx context.Context, sc Scope, name string) (Registry, error) {
	if name == AWSEventsRegistry {
		return Registry{Name: name, ARN: registryARN(sc, name), Description: awsEventsDescription}, nil
	}
	r, err := s.registry(ctx, sc, name)
	if err != nil {
		return Registry{}, err
	}
	return s.withTags(ctx, r)
}

func (s *Service) withTags(ctx context.Context, r *store.Registry) (Registry, error) {
	tags, err := s.opt.Tags.ResourceTags(ctx, r.ARN)
	return Registry{Name: r.Name, ARN: r.ARN, Description: r.Description, Tags: tags}, err
}

// UpdateRegistry replaces a registry's description.
func (s *Service) UpdateRegistry(ctx context.Context, sc Scope, name, description string) (Registry, error) {
	if isAWSRegistry(name) {
		return Registry{}, errorf(Forbidden, "Registry %s is managed by AWS: it cannot be changed.", name)
	}
	if err := s.opt.Store.UpdateRegistry(ctx, registryARN(sc, name), description, s.now()); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Registry{}, registryNotFound(name)
		}
		return Registry{}, err
	}
	return s.DescribeRegistry(ctx, sc, name)
}

// DeleteRegistry deletes a registry with its schemas, and their tags.
func (s *Service) DeleteRegistry(ctx context.Context, sc Scope, name string) error {
	if isAWSRegistry(name) {
		return errorf(Forbidden, "Registry %s is managed by AWS: it cannot be deleted.", name)
	}
	arn := registryARN(sc, name)
	schemas, err := s.opt.Store.Schemas(ctx, store.SchemaQuery{Account: sc.Account, Region: sc.Region, Registry: name})
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteRegistry(ctx, arn); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return registryNotFound(name)
		}
		return err
	}
	for _, x := range schemas {
		if err := store.RemoveTags(ctx, s.opt.Tags, x.ARN); err != nil {
			return err
		}
	}
	return store.RemoveTags(ctx, s.opt.Tags, arn)
}

// The scopes of ListRegistries.
const (
	ScopeLocal = "LOCAL"
	ScopeAWS   = "AWS"
)

// ListRegistries lists the registries whose names begin with prefix, of
// a scope (LOCAL: the caller's own; AWS: aws.events and
// discovered-schemas; "": both), a page of at most limit after the page
// of nextToken.
func (s *Service) ListRegistries(ctx context.Context, sc Scope, prefix, scope, nextToken string, limit int) ([]Registry, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	scope = strings.ToUpper(scope)
	if scope != "" && scope != ScopeLocal && scope != ScopeAWS {
		return nil, "", errorf(BadRequest, "Invalid Scope %s: it is LOCAL or AWS.", scope)
	}
	stored, err := s.opt.Store.Registries(ctx, sc.Account, sc.Region, prefix, after, 0)
	if err != nil {
		return nil, "", err
	}
	if strings.HasPrefix(AWSEventsRegistry, prefix) && AWSEventsRegistry > after {
		stored = append(stored, store.Registry{Name: AWSEventsRegistry, ARN: registryARN(sc, AWSEventsRegistry)})
	}
	stored = slices.DeleteFunc(stored, func(r store.Registry) bool {
		return scope == ScopeLocal && isAWSRegistry(r.Name) || scope == ScopeAWS && !isAWSRegistry(r.Name)
	})
	slices.SortFunc(stored, func(a, b store.Registry) int { return strings.Compare(a.Name, b.Name) })
	stored, next := page(stored, limit, func(r *store.Registry) string { return r.Name })
	out := make([]Registry, len(stored))
	for i := range stored {
		if out[i], err = s.withTags(ctx, &stored[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// Policy is a registry's resource policy and its revision.
type Policy struct {
	Policy, RevisionID string
}

// policyRegistry checks the RegistryName of a policy operation.
func (s *Service) policyRegistry(ctx context.Context, sc Scope, name string) (*store.Registry, error) {
	switch {
	case name == "":
		return nil, errorf(BadRequest, "RegistryName is required: Vigil keeps resource policies on registries.")
	case name == AWSEventsRegistry:
		return nil, readOnly()
	}
	return s.registry(ctx, sc, name)
}

// maxPolicy is the longest policy a registry takes, in bytes; AWS
// documents none.
const maxPolicy = 20480

// PutPolicy replaces a registry's resource policy; a revision id, when
// given, must be the current policy's (else PreconditionFailed).
func (s *Service) PutPolicy(ctx context.Context, sc Scope, name, doc, revision string) (Policy, error) {
	r, err := s.policyRegistry(ctx, sc, name)
	if err != nil {
		return Policy{}, err
	}
	if len(doc) > maxPolicy {
		return Policy{}, errorf(BadRequest, "The policy is %d bytes long; a registry takes at most %d.", len(doc), maxPolicy)
	}
	if _, err := policy.Parse([]byte(doc)); err != nil {
		return Policy{}, errorf(BadRequest, "Invalid policy: %s", err.Error())
	}
	if revision != "" && revision != r.PolicyRevision {
		return Policy{}, stalePolicy(revision)
	}
	next := request.NewUUID()
	if err := s.opt.Store.PutRegistryPolicy(ctx, r.ARN, doc, next, r.PolicyRevision, s.now()); err != nil {
		return Policy{}, s.policyError(err, name, revision)
	}
	return Policy{Policy: doc, RevisionID: next}, nil
}

func stalePolicy(revision string) error {
	return errorf(PreconditionFailed, "The RevisionId %s is not the revision of the registry's current policy.", revision)
}

// policyError maps the store's refusals of a policy write.
func (s *Service) policyError(err error, name, revision string) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return registryNotFound(name)
	case errors.Is(err, store.ErrPrecondition):
		// Another write came between the read and this one.
		return stalePolicy(revision)
	}
	return err
}

// GetPolicy returns a registry's resource policy.
func (s *Service) GetPolicy(ctx context.Context, sc Scope, name string) (Policy, error) {
	r, err := s.policyRegistry(ctx, sc, name)
	if err != nil {
		return Policy{}, err
	}
	if r.Policy == "" {
		return Policy{}, errorf(NotFound, "Registry %s has no resource policy.", name)
	}
	return Policy{Policy: r.Policy, RevisionID: r.PolicyRevision}, nil
}

// DeletePolicy deletes a registry's resource policy.
func (s *Service) DeletePolicy(ctx context.Context, sc Scope, name string) error {
	r, err := s.policyRegistry(ctx, sc, name)
	if err != nil {
		return err
	}
	if r.Policy == "" {
		return errorf(NotFound, "Registry %s has no resource policy.", name)
	}
	return s.policyError(s.opt.Store.PutRegistryPolicy(ctx, r.ARN, "", "", r.PolicyRevision, s.now()), name, r.PolicyRevision)
}
