package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/store"
)

// CreateRole creates a role.
func (p *Provider) CreateRole(ctx context.Context, in *CreateRoleRequest) (*CreateRoleResponse, error) {
	r, err := p.svc.CreateRole(ctx, account(ctx), iamsvc.NewRole{
		NewEntity:   iamsvc.NewEntity{Name: *in.RoleName, Path: api.Value(in.Path), Boundary: api.Value(in.PermissionsBoundary), Tags: tagMap(in.Tags)},
		TrustPolicy: *in.AssumeRolePolicyDocument, Description: api.Value(in.Description), MaxSessionDuration: int(api.Value(in.MaxSessionDuration)),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := role(r.IAMEntity, r.Tags, true)
	out.RoleLastUsed = nil
	return &CreateRoleResponse{Role: &out}, nil
}

// GetRole returns a role.
func (p *Provider) GetRole(ctx context.Context, in *GetRoleRequest) (*GetRoleResponse, error) {
	r, err := p.svc.GetRole(ctx, account(ctx), *in.RoleName)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetRoleResponse{Role: api.Ptr(role(r.IAMEntity, r.Tags, true))}, nil
}

// ListRoles lists roles.
func (p *Provider) ListRoles(ctx context.Context, in *ListRolesRequest) (*ListRolesResponse, error) {
	list, err := p.svc.ListRoles(ctx, account(ctx), api.Value(in.PathPrefix), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListRolesResponse{Roles: listOf(list.Items, func(e store.IAMEntity) Role { return role(e, nil, false) })}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// UpdateRole changes a role's description or maximum session duration.
func (p *Provider) UpdateRole(ctx context.Context, in *UpdateRoleRequest) (*UpdateRoleResponse, error) {
	c := iamsvc.RoleChange{Description: in.Description}
	if in.MaxSessionDuration != nil {
		c.MaxSessionDuration = api.Ptr(int(*in.MaxSessionDuration))
	}
	_, err := p.svc.UpdateRole(ctx, account(ctx), *in.RoleName, c)
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateRoleResponse{}, nil
}

// UpdateRoleDescription changes a role's description and returns the
// role.
func (p *Provider) UpdateRoleDescription(ctx context.Context, in *UpdateRoleDescriptionRequest) (*UpdateRoleDescriptionResponse, error) {
	r, err := p.svc.UpdateRole(ctx, account(ctx), *in.RoleName, iamsvc.RoleChange{Description: in.Description})
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateRoleDescriptionResponse{Role: api.Ptr(role(r.IAMEntity, r.Tags, true))}, nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (p *Provider) UpdateAssumeRolePolicy(ctx context.Context, in *UpdateAssumeRolePolicyRequest) (*UpdateAssumeRolePolicyOutput, error) {
	_, err := p.svc.UpdateRole(ctx, account(ctx), *in.RoleName, iamsvc.RoleChange{TrustPolicy: in.PolicyDocument})
	return nil, apiError(err)
}

// DeleteRole deletes a role.
func (p *Provider) DeleteRole(ctx context.Context, in *DeleteRoleRequest) (*DeleteRoleOutput, error) {
	return nil, apiError(p.svc.DeleteRole(ctx, account(ctx), *in.RoleName))
}

// CreateServiceLinkedRole creates the role of a service Vigil runs.
func (p *Provider) CreateServiceLinkedRole(ctx context.Context, in *CreateServiceLinkedRoleRequest) (*CreateServiceLinkedRoleResponse, error) {
	r, err := p.svc.CreateServiceLinkedRole(ctx, account(ctx), *in.AWSServiceName, api.Value(in.Description), api.Value(in.CustomSuffix))
	if err != nil {
		return nil, apiError(err)
	}
	out := role(r.IAMEntity, nil, false)
	return &CreateServiceLinkedRoleResponse{Role: &out}, nil
}

// DeleteServiceLinkedRole deletes a service-linked role.
func (p *Provider) DeleteServiceLinkedRole(ctx context.Context, in *DeleteServiceLinkedRoleRequest) (*DeleteServiceLinkedRoleResponse, error) {
	task, err := p.svc.DeleteServiceLinkedRole(ctx, account(ctx), *in.RoleName)
	if err != nil {
		return nil, apiError(err)
	}
	return &DeleteServiceLinkedRoleResponse{DeletionTaskId: &task}, nil
}

// GetServiceLinkedRoleDeletionStatus returns the status of a deletion.
func (p *Provider) GetServiceLinkedRoleDeletionStatus(_ context.Context, in *GetServiceLinkedRoleDeletionStatusRequest) (*GetServiceLinkedRoleDeletionStatusResponse, error) {
	status, err := p.svc.ServiceLinkedRoleDeletionStatus(*in.DeletionTaskId)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetServiceLinkedRoleDeletionStatusResponse{Status: DeletionTaskStatusType(status)}, nil
}

// CreateInstanceProfile creates an instance profile.
func (p *Provider) CreateInstanceProfile(ctx context.Context, in *CreateInstanceProfileRequest) (*CreateInstanceProfileResponse, error) {
	ip, err := p.svc.CreateInstanceProfile(ctx, account(ctx), iamsvc.NewEntity{Name: *in.InstanceProfileName, Path: api.Value(in.Path), Tags: tagMap(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateInstanceProfileResponse{InstanceProfile: api.Ptr(instanceProfile(*ip))}, nil
}

// GetInstanceProfile returns an instance profile.
func (p *Provider) GetInstanceProfile(ctx context.Context, in *GetInstanceProfileRequest) (*GetInstanceProfileResponse, error) {
	ip, err := p.svc.GetInstanceProfile(ctx, account(ctx), *in.InstanceProfileName)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetInstanceProfileResponse{InstanceProfile: api.Ptr(instanceProfile(*ip))}, nil
}

// ListInstanceProfiles lists instance profiles.
func (p *Provider) ListInstanceProfiles(ctx context.Context, in *ListInstanceProfilesRequest) (*ListInstanceProfilesResponse, error) {
	list, err := p.svc.ListInstanceProfiles(ctx, account(ctx), api.Value(in.PathPrefix), "", page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListInstanceProfilesResponse{InstanceProfiles: listOf(list.Items, instanceProfile)}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// ListInstanceProfilesForRole lists the instance profiles of a role.
func (p *Provider) ListInstanceProfilesForRole(ctx context.Context, in *ListInstanceProfilesForRoleRequest) (*ListInstanceProfilesForRoleResponse, error) {
	list, err := p.svc.ListInstanceProfiles(ctx, account(ctx), "", *in.RoleName, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListInstanceProfilesForRoleResponse{InstanceProfiles: listOf(list.Items, instanceProfile)}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// DeleteInstanceProfile deletes an instance profile.
func (p *Provider) DeleteInstanceProfile(ctx context.Context, in *DeleteInstanceProfileRequest) (*DeleteInstanceProfileOutput, error) {
	return nil, apiError(p.svc.DeleteInstanceProfile(ctx, account(ctx), *in.InstanceProfileName))
}

// AddRoleToInstanceProfile puts a role in an instance profile.
func (p *Provider) AddRoleToInstanceProfile(ctx context.Context, in *AddRoleToInstanceProfileRequest) (*AddRoleToInstanceProfileOutput, error) {
	return nil, apiError(p.svc.AddRoleToInstanceProfile(ctx, account(ctx), *in.InstanceProfileName, *in.RoleName))
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (p *Provider) RemoveRoleFromInstanceProfile(ctx context.Context, in *RemoveRoleFromInstanceProfileRequest) (*RemoveRoleFromInstanceProfileOutput, error) {
	return nil, apiError(p.svc.RemoveRoleFromInstanceProfile(ctx, account(ctx), *in.InstanceProfileName, *in.RoleName))
}
