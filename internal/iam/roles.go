package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Roles' quotas and defaults.
const (
	// maxTrustPolicySize caps a trust policy (white space not counted).
	maxTrustPolicySize = 2048
	// defaultSessionDuration is a role's MaxSessionDuration unless set.
	defaultSessionDuration = 3600
)

// NewRole describes a role to create.
type NewRole struct {
	NewEntity
	TrustPolicy, Description string
	// MaxSessionDuration is in seconds (0: an hour).
	MaxSessionDuration int
}

// checkTrustPolicy checks a role's trust policy.
func checkTrustPolicy(doc string) error {
	if err := validateDocument(TrustPolicy, doc); err != nil {
		return err
	}
	if policySize(doc) > maxTrustPolicySize {
		return quota("ACLSizePerRole", maxTrustPolicySize)
	}
	return nil
}

// CreateRole creates a role.
func (s *Service) CreateRole(ctx context.Context, account string, in NewRole) (*Entity, error) {
	if err := checkTrustPolicy(in.TrustPolicy); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Path, serviceRolePath) {
		return nil, errorf(InvalidInput, "Path prefix %s is reserved for service-linked roles: use CreateServiceLinkedRole.", serviceRolePath)
	}
	return s.createRole(ctx, account, in)
}

func (s *Service) createRole(ctx context.Context, account string, in NewRole) (*Entity, error) {
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = defaultSessionDuration
	}
	path := pathOr(in.Path)
	r := store.IAMEntity{Kind: store.IAMRole, ID: newID(rolePrefix), ARN: arn(account, "role", path, in.Name),
		Document: in.TrustPolicy, Description: in.Description, MaxSessionDuration: in.MaxSessionDuration}
	return s.create(ctx, account, r, in.NewEntity)
}

// GetRole returns a role with its tags.
func (s *Service) GetRole(ctx context.Context, account, name string) (*Entity, error) {
	var out *Entity
	err := s.view(ctx, account, func(r store.IAMReader) error {
		role, err := entity(r, store.IAMRole, name)
		if err != nil {
			return err
		}
		tags, err := r.Tags(role.ID)
		out = &Entity{IAMEntity: role, Tags: tags}
		return err
	})
	return out, err
}

// ListRoles lists the roles whose path starts with pathPrefix.
func (s *Service) ListRoles(ctx context.Context, account, pathPrefix string, p Page) (Paged[store.IAMEntity], error) {
	return s.listEntities(ctx, account, store.IAMRole, pathPrefix, p)
}

// RoleChange changes a role: the fields that are not nil.
type RoleChange struct {
	Description        *string
	MaxSessionDuration *int
	TrustPolicy        *string
}

// UpdateRole changes a role and returns it.
func (s *Service) UpdateRole(ctx context.Context, account, name string, c RoleChange) (*Entity, error) {
	if c.TrustPolicy != nil {
		if err := checkTrustPolicy(*c.TrustPolicy); err != nil {
			return nil, err
		}
	}
	var out *Entity
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		role, err := entity(w, store.IAMRole, name)
		if err != nil {
			return err
		}
		if isServiceLinked(role) && (c.TrustPolicy != nil || c.MaxSessionDuration != nil) {
			return protectedRole(role)
		}
		if c.Description != nil {
			role.Description = *c.Description
		}
		if c.MaxSessionDuration != nil {
			role.MaxSessionDuration = *c.MaxSessionDuration
		}
		if c.TrustPolicy != nil {
			role.Document = *c.TrustPolicy
		}
		if err := w.PutEntity(role); err != nil {
			return err
		}
		tags, err := w.Tags(role.ID)
		out = &Entity{IAMEntity: role, Tags: tags}
		return err
	})
	return out, err
}

// DeleteRole deletes a role that is in no instance profile and has no
// policies left; service-linked roles are deleted by
// DeleteServiceLinkedRole.
func (s *Service) DeleteRole(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		role, err := entity(w, store.IAMRole, name)
		if err != nil {
			return err
		}
		if isServiceLinked(role) {
			return protectedRole(role)
		}
		return deleteRole(w, role)
	})
}

func deleteRole(w store.IAMWriter, role store.IAMEntity) error {
	checks := []conflict{
		{func() (int, error) { return count(w.LinksTo(store.IAMProfileRole, role.ID)) }, "Cannot delete entity, must remove roles from instance profile first."},
		{func() (int, error) { return count(w.InlinePolicies(role.ID)) }, "Cannot delete entity, must delete policies first."},
		{func() (int, error) { return count(w.Links(store.IAMAttached, role.ID)) }, "Cannot delete entity, must detach all policies first."},
	}
	if err := conflicts(checks); err != nil {
		return err
	}
	return w.DeleteEntity(role.ID)
}

// serviceRolePath starts the paths of service-linked roles.
const serviceRolePath = "/aws-service-role/"

// serviceRoles are the service-linked roles of the services Vigil runs:
// each service principal's role name after AWSServiceRoleFor.
var serviceRoles = map[string]string{
	"cloudtrail.amazonaws.com":              "CloudTrail",
	"cloudwatch-crossaccount.amazonaws.com": "CloudWatchCrossAccount",
	"config.amazonaws.com":                  "Config",
	"delivery.logs.amazonaws.com":           "LogDelivery",
	"events.amazonaws.com":                  "CloudWatchEvents",
	"guardduty.amazonaws.com":               "AmazonGuardDuty",
	"inspector.amazonaws.com":               "AmazonInspector",
	"inspector2.amazonaws.com":              "AmazonInspector2",
	"schemas.amazonaws.com":                 "Schemas",
	"support.amazonaws.com":                 "Support",
	"trustedadvisor.amazonaws.com":          "TrustedAdvisor",
}

// isServiceLinked says whether a role is service-linked: only its
// service changes it.
func isServiceLinked(role store.IAMEntity) bool { return strings.HasPrefix(role.Path, serviceRolePath) }

func protectedRole(role store.IAMEntity) error {
	return errorf(UnmodifiableEntity, "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", role.Name)
}

// CreateServiceLinkedRole creates the role a service Vigil runs uses:
// AWSServiceRoleFor… (and _suffix), under /aws-service-role/SERVICE/,
// which the service's principal may assume.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, account, service, description, suffix string) (*Entity, error) {
	base, ok := serviceRoles[service]
	if !ok {
		return nil, errorf(InvalidInput, "Service %s has no service-linked role in Vigil, which has those of %s.", service, strings.Join(sortedKeys(serviceRoles), ", "))
	}
	name := "AWSServiceRoleFor" + base
	if suffix != "" {
		name += "_" + suffix
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
	role, err := s.createRole(ctx, account, NewRole{NewEntity: NewEntity{Name: name, Path: serviceRolePath + service + "/"}, TrustPolicy: trust, Description: description})
	var e *Error
	if errors.As(err, &e) && e.Code == EntityAlreadyExists {
		return nil, errorf(InvalidInput, "Service role name %s has been taken in this account, please try a different suffix.", name)
	}
	return role, err
}

// deletionTaskPrefix starts the ids of service-linked role deletions.
const deletionTaskPrefix = "task/aws-service-role/"

// DeleteServiceLinkedRole deletes a service-linked role at once (it has
// no resources to wait for in Vigil) and returns the id of its deletion
// task.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, account, name string) (string, error) {
	var task string
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		role, err := entity(w, store.IAMRole, name)
		if err != nil {
			return err
		}
		if !isServiceLinked(role) {
			return errorf(InvalidInput, "Role %s is not a service-linked role.", name)
		}
		task = "task" + role.Path + role.Name + "/" + request.NewUUID()
		return deleteRole(w, role)
	})
	return task, err
}

// ServiceLinkedRoleDeletionStatus returns the status of a deletion task:
// deletions end at once, so a task of the account is SUCCEEDED.
func (s *Service) ServiceLinkedRoleDeletionStatus(taskID string) (string, error) {
	if !strings.HasPrefix(taskID, deletionTaskPrefix) || strings.Count(taskID, "/") < 4 {
		return "", errorf(InvalidInput, "Invalid deletion task id %s.", taskID)
	}
	return "SUCCEEDED", nil
}
