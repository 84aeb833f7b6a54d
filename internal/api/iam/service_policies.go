package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/store"
)

// Refs of the entities operations name.
func userRef(name *string) iamsvc.Ref  { return iamsvc.Ref{Kind: store.IAMUser, Name: *name} }
func groupRef(name *string) iamsvc.Ref { return iamsvc.Ref{Kind: store.IAMGroup, Name: *name} }
func roleRef(name *string) iamsvc.Ref  { return iamsvc.Ref{Kind: store.IAMRole, Name: *name} }

// CreatePolicy creates a managed policy.
func (p *Provider) CreatePolicy(ctx context.Context, in *CreatePolicyRequest) (*CreatePolicyResponse, error) {
	pol, err := p.svc.CreatePolicy(ctx, account(ctx), iamsvc.NewPolicy{Name: *in.PolicyName, Path: api.Value(in.Path),
		Description: api.Value(in.Description), Document: *in.PolicyDocument, Tags: tagMap(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreatePolicyResponse{Policy: api.Ptr(policy(*pol, true))}, nil
}

// GetPolicy returns a managed policy.
func (p *Provider) GetPolicy(ctx context.Context, in *GetPolicyRequest) (*GetPolicyResponse, error) {
	pol, err := p.svc.GetPolicy(ctx, account(ctx), *in.PolicyArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetPolicyResponse{Policy: api.Ptr(policy(*pol, true))}, nil
}

// ListPolicies lists managed policies.
func (p *Provider) ListPolicies(ctx context.Context, in *ListPoliciesRequest) (*ListPoliciesResponse, error) {
	list, err := p.svc.ListPolicies(ctx, account(ctx), iamsvc.PolicyFilter{Scope: string(in.Scope), OnlyAttached: api.Value(in.OnlyAttached),
		Usage: string(in.PolicyUsageFilter), PathPrefix: api.Value(in.PathPrefix)}, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListPoliciesResponse{Policies: listOf(list.Items, func(pol iamsvc.Policy) Policy { return policy(pol, false) })}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// DeletePolicy deletes a managed policy.
func (p *Provider) DeletePolicy(ctx context.Context, in *DeletePolicyRequest) (*DeletePolicyOutput, error) {
	return nil, apiError(p.svc.DeletePolicy(ctx, account(ctx), *in.PolicyArn))
}

// CreatePolicyVersion adds a version to a managed policy.
func (p *Provider) CreatePolicyVersion(ctx context.Context, in *CreatePolicyVersionRequest) (*CreatePolicyVersionResponse, error) {
	v, err := p.svc.CreatePolicyVersion(ctx, account(ctx), *in.PolicyArn, *in.PolicyDocument, api.Value(in.SetAsDefault))
	if err != nil {
		return nil, apiError(err)
	}
	out := version(*v)
	out.Document = nil // AWS returns the document from GetPolicyVersion only
	return &CreatePolicyVersionResponse{PolicyVersion: &out}, nil
}

// GetPolicyVersion returns a version of a managed policy, its document
// URL-encoded.
func (p *Provider) GetPolicyVersion(ctx context.Context, in *GetPolicyVersionRequest) (*GetPolicyVersionResponse, error) {
	v, err := p.svc.GetPolicyVersion(ctx, account(ctx), *in.PolicyArn, *in.VersionId)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetPolicyVersionResponse{PolicyVersion: api.Ptr(version(*v))}, nil
}

// ListPolicyVersions lists the versions of a managed policy (without
// their documents, as AWS lists them).
func (p *Provider) ListPolicyVersions(ctx context.Context, in *ListPolicyVersionsRequest) (*ListPolicyVersionsResponse, error) {
	list, err := p.svc.ListPolicyVersions(ctx, account(ctx), *in.PolicyArn, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListPolicyVersionsResponse{Versions: listOf(list.Items, func(v iamsvc.Version) PolicyVersion {
		pv := version(v)
		pv.Document = nil
		return pv
	})}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// DeletePolicyVersion deletes a version of a managed policy.
func (p *Provider) DeletePolicyVersion(ctx context.Context, in *DeletePolicyVersionRequest) (*DeletePolicyVersionOutput, error) {
	return nil, apiError(p.svc.DeletePolicyVersion(ctx, account(ctx), *in.PolicyArn, *in.VersionId))
}

// SetDefaultPolicyVersion makes a version the default of its policy.
func (p *Provider) SetDefaultPolicyVersion(ctx context.Context, in *SetDefaultPolicyVersionRequest) (*SetDefaultPolicyVersionOutput, error) {
	return nil, apiError(p.svc.SetDefaultPolicyVersion(ctx, account(ctx), *in.PolicyArn, *in.VersionId))
}

// AttachUserPolicy attaches a managed policy to a user.
func (p *Provider) AttachUserPolicy(ctx context.Context, in *AttachUserPolicyRequest) (*AttachUserPolicyOutput, error) {
	return nil, apiError(p.svc.AttachPolicy(ctx, account(ctx), userRef(in.UserName), *in.PolicyArn))
}

// AttachGroupPolicy attaches a managed policy to a group.
func (p *Provider) AttachGroupPolicy(ctx context.Context, in *AttachGroupPolicyRequest) (*AttachGroupPolicyOutput, error) {
	return nil, apiError(p.svc.AttachPolicy(ctx, account(ctx), groupRef(in.GroupName), *in.PolicyArn))
}

// AttachRolePolicy attaches a managed policy to a role.
func (p *Provider) AttachRolePolicy(ctx context.Context, in *AttachRolePolicyRequest) (*AttachRolePolicyOutput, error) {
	return nil, apiError(p.svc.AttachPolicy(ctx, account(ctx), roleRef(in.RoleName), *in.PolicyArn))
}

// DetachUserPolicy detaches a managed policy from a user.
func (p *Provider) DetachUserPolicy(ctx context.Context, in *DetachUserPolicyRequest) (*DetachUserPolicyOutput, error) {
	return nil, apiError(p.svc.DetachPolicy(ctx, account(ctx), userRef(in.UserName), *in.PolicyArn))
}

// DetachGroupPolicy detaches a managed policy from a group.
func (p *Provider) DetachGroupPolicy(ctx context.Context, in *DetachGroupPolicyRequest) (*DetachGroupPolicyOutput, error) {
	return nil, apiError(p.svc.DetachPolicy(ctx, account(ctx), groupRef(in.GroupName), *in.PolicyArn))
}

// DetachRolePolicy detaches a managed policy from a role.
func (p *Provider) DetachRolePolicy(ctx context.Context, in *DetachRolePolicyRequest) (*DetachRolePolicyOutput, error) {
	return nil, apiError(p.svc.DetachPolicy(ctx, account(ctx), roleRef(in.RoleName), *in.PolicyArn))
}

// attachedPage reads a page of the policies attached to an entity as
// the ListAttached…Policies responses hold it.
func (p *Provider) attachedPage(ctx context.Context, to iamsvc.Ref, prefix, marker *string, maxItems *int32) ([]AttachedPolicy, *bool, *string, error) {
	list, err := p.svc.AttachedPolicies(ctx, account(ctx), to, api.Value(prefix), page(marker, maxItems))
	if err != nil {
		return nil, nil, nil, apiError(err)
	}
	truncated, next := paged(list)
	return listOf(list.Items, attached), truncated, next, nil
}

// ListAttachedUserPolicies lists the managed policies of a user.
func (p *Provider) ListAttachedUserPolicies(ctx context.Context, in *ListAttachedUserPoliciesRequest) (*ListAttachedUserPoliciesResponse, error) {
	out := &ListAttachedUserPoliciesResponse{}
	var err error
	out.AttachedPolicies, out.IsTruncated, out.Marker, err = p.attachedPage(ctx, userRef(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	return out, err
}

// ListAttachedGroupPolicies lists the managed policies of a group.
func (p *Provider) ListAttachedGroupPolicies(ctx context.Context, in *ListAttachedGroupPoliciesRequest) (*ListAttachedGroupPoliciesResponse, error) {
	out := &ListAttachedGroupPoliciesResponse{}
	var err error
	out.AttachedPolicies, out.IsTruncated, out.Marker, err = p.attachedPage(ctx, groupRef(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems)
	return out, err
}

// ListAttachedRolePolicies lists the managed policies of a role.
func (p *Provider) ListAttachedRolePolicies(ctx context.Context, in *ListAttachedRolePoliciesRequest) (*ListAttachedRolePoliciesResponse, error) {
	out := &ListAttachedRolePoliciesResponse{}
	var err error
	out.AttachedPolicies, out.IsTruncated, out.Marker, err = p.attachedPage(ctx, roleRef(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	return out, err
}

// entityFilters map ListEntitiesForPolicy's EntityFilter to a kind.
var entityFilters = map[EntityType]store.IAMKind{EntityTypeUser: store.IAMUser, EntityTypeGroup: store.IAMGroup, EntityTypeRole: store.IAMRole}

// ListEntitiesForPolicy lists the users, groups and roles a managed
// policy is attached to, or bounds.
func (p *Provider) ListEntitiesForPolicy(ctx context.Context, in *ListEntitiesForPolicyRequest) (*ListEntitiesForPolicyResponse, error) {
	f := iamsvc.PolicyEntities{Kind: entityFilters[in.EntityFilter], PathPrefix: api.Value(in.PathPrefix),
		Boundary: in.PolicyUsageFilter == PolicyUsageTypePermissionsBoundary}
	list, err := p.svc.EntitiesForPolicy(ctx, account(ctx), *in.PolicyArn, f, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListEntitiesForPolicyResponse{PolicyGroups: []PolicyGroup{}, PolicyUsers: []PolicyUser{}, PolicyRoles: []PolicyRole{}}
	for _, e := range list.Items {
		switch e.Kind {
		case store.IAMGroup:
			out.PolicyGroups = append(out.PolicyGroups, PolicyGroup{GroupName: api.Ptr(e.Name), GroupId: api.Ptr(e.ID)})
		case store.IAMUser:
			out.PolicyUsers = append(out.PolicyUsers, PolicyUser{UserName: api.Ptr(e.Name), UserId: api.Ptr(e.ID)})
		case store.IAMRole:
			out.PolicyRoles = append(out.PolicyRoles, PolicyRole{RoleName: api.Ptr(e.Name), RoleId: api.Ptr(e.ID)})
		}
	}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// PutUserPermissionsBoundary sets a user's permissions boundary.
func (p *Provider) PutUserPermissionsBoundary(ctx context.Context, in *PutUserPermissionsBoundaryRequest) (*PutUserPermissionsBoundaryOutput, error) {
	return nil, apiError(p.svc.SetBoundary(ctx, account(ctx), userRef(in.UserName), *in.PermissionsBoundary))
}

// PutRolePermissionsBoundary sets a role's permissions boundary.
func (p *Provider) PutRolePermissionsBoundary(ctx context.Context, in *PutRolePermissionsBoundaryRequest) (*PutRolePermissionsBoundaryOutput, error) {
	return nil, apiError(p.svc.SetBoundary(ctx, account(ctx), roleRef(in.RoleName), *in.PermissionsBoundary))
}

// DeleteUserPermissionsBoundary removes a user's permissions boundary.
func (p *Provider) DeleteUserPermissionsBoundary(ctx context.Context, in *DeleteUserPermissionsBoundaryRequest) (*DeleteUserPermissionsBoundaryOutput, error) {
	return nil, apiError(p.svc.SetBoundary(ctx, account(ctx), userRef(in.UserName), ""))
}

// DeleteRolePermissionsBoundary removes a role's permissions boundary.
func (p *Provider) DeleteRolePermissionsBoundary(ctx context.Context, in *DeleteRolePermissionsBoundaryRequest) (*DeleteRolePermissionsBoundaryOutput, error) {
	return nil, apiError(p.svc.SetBoundary(ctx, account(ctx), roleRef(in.RoleName), ""))
}
