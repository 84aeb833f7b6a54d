package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/store"
)

// GetAccountAuthorizationDetails returns the account's users, groups,
// roles and managed policies with their policies and relations.
func (p *Provider) GetAccountAuthorizationDetails(ctx context.Context, in *GetAccountAuthorizationDetailsRequest) (*GetAccountAuthorizationDetailsResponse, error) {
	filter := make([]string, len(in.Filter))
	for i, f := range in.Filter {
		filter[i] = string(f)
	}
	d, err := p.svc.AuthorizationDetails(ctx, account(ctx), filter, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetAccountAuthorizationDetailsResponse{
		UserDetailList: listOf(d.Users, func(u iamsvc.Detail) UserDetail {
			return UserDetail{Path: api.Ptr(u.Path), UserName: api.Ptr(u.Name), UserId: api.Ptr(u.ID), Arn: api.Ptr(u.ARN),
				CreateDate: api.Ptr(u.Created), UserPolicyList: inlineDetails(u.Inline), GroupList: append([]string{}, u.Groups...),
				AttachedManagedPolicies: listOf(u.Attached, attached), PermissionsBoundary: boundary(u.Boundary), Tags: tagList(u.Tags)}
		}),
		GroupDetailList: listOf(d.Groups, func(g iamsvc.Detail) GroupDetail {
			return GroupDetail{Path: api.Ptr(g.Path), GroupName: api.Ptr(g.Name), GroupId: api.Ptr(g.ID), Arn: api.Ptr(g.ARN),
				CreateDate: api.Ptr(g.Created), GroupPolicyList: inlineDetails(g.Inline), AttachedManagedPolicies: listOf(g.Attached, attached)}
		}),
		RoleDetailList: listOf(d.Roles, func(r iamsvc.Detail) RoleDetail {
			return RoleDetail{Path: api.Ptr(r.Path), RoleName: api.Ptr(r.Name), RoleId: api.Ptr(r.ID), Arn: api.Ptr(r.ARN),
				CreateDate: api.Ptr(r.Created), AssumeRolePolicyDocument: document(r.Document),
				InstanceProfileList: listOf(r.Profiles, instanceProfile), RolePolicyList: inlineDetails(r.Inline),
				AttachedManagedPolicies: listOf(r.Attached, attached), PermissionsBoundary: boundary(r.Boundary),
				Tags: tagList(r.Tags), RoleLastUsed: &RoleLastUsed{}}
		}),
		Policies: listOf(d.Policies, func(pd iamsvc.PolicyDetail) ManagedPolicyDetail {
			pol := policy(pd.Policy, true)
			return ManagedPolicyDetail{PolicyName: pol.PolicyName, PolicyId: pol.PolicyId, Arn: pol.Arn, Path: pol.Path,
				DefaultVersionId: pol.DefaultVersionId, AttachmentCount: pol.AttachmentCount,
				PermissionsBoundaryUsageCount: pol.PermissionsBoundaryUsageCount, IsAttachable: pol.IsAttachable,
				Description: pol.Description, CreateDate: pol.CreateDate, UpdateDate: pol.UpdateDate,
				PolicyVersionList: listOf(pd.Versions, version)}
		}),
		IsTruncated: api.Ptr(d.Marker != ""), Marker: api.OptionalString(d.Marker),
	}, nil
}

// inlineDetails writes inline policies with their documents.
func inlineDetails(ps []store.IAMInlinePolicy) []PolicyDetail {
	return listOf(ps, func(p store.IAMInlinePolicy) PolicyDetail {
		return PolicyDetail{PolicyName: api.Ptr(p.Name), PolicyDocument: document(p.Document)}
	})
}
