package iam

import (
	"context"

	iamsvc "github.com/vigilhq/vigil/internal/iam"
)

// PutUserPolicy adds or replaces an inline policy of a user.
func (p *Provider) PutUserPolicy(ctx context.Context, in *PutUserPolicyRequest) (*PutUserPolicyOutput, error) {
	return nil, apiError(p.svc.PutInlinePolicy(ctx, account(ctx), userRef(in.UserName), *in.PolicyName, *in.PolicyDocument))
}

// PutGroupPolicy adds or replaces an inline policy of a group.
func (p *Provider) PutGroupPolicy(ctx context.Context, in *PutGroupPolicyRequest) (*PutGroupPolicyOutput, error) {
	return nil, apiError(p.svc.PutInlinePolicy(ctx, account(ctx), groupRef(in.GroupName), *in.PolicyName, *in.PolicyDocument))
}

// PutRolePolicy adds or replaces an inline policy of a role.
func (p *Provider) PutRolePolicy(ctx context.Context, in *PutRolePolicyRequest) (*PutRolePolicyOutput, error) {
	return nil, apiError(p.svc.PutInlinePolicy(ctx, account(ctx), roleRef(in.RoleName), *in.PolicyName, *in.PolicyDocument))
}

// inlineDocument reads an inline policy's document, URL-encoded as Get…
// Policy returns it.
func (p *Provider) inlineDocument(ctx context.Context, of iamsvc.Ref, name string) (*string, error) {
	doc, err := p.svc.InlinePolicy(ctx, account(ctx), of, name)
	if err != nil {
		return nil, apiError(err)
	}
	return document(doc), nil
}

// GetUserPolicy returns an inline policy of a user.
func (p *Provider) GetUserPolicy(ctx context.Context, in *GetUserPolicyRequest) (*GetUserPolicyResponse, error) {
	doc, err := p.inlineDocument(ctx, userRef(in.UserName), *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetUserPolicyResponse{UserName: in.UserName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// GetGroupPolicy returns an inline policy of a group.
func (p *Provider) GetGroupPolicy(ctx context.Context, in *GetGroupPolicyRequest) (*GetGroupPolicyResponse, error) {
	doc, err := p.inlineDocument(ctx, groupRef(in.GroupName), *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetGroupPolicyResponse{GroupName: in.GroupName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// GetRolePolicy returns an inline policy of a role.
func (p *Provider) GetRolePolicy(ctx context.Context, in *GetRolePolicyRequest) (*GetRolePolicyResponse, error) {
	doc, err := p.inlineDocument(ctx, roleRef(in.RoleName), *in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &GetRolePolicyResponse{RoleName: in.RoleName, PolicyName: in.PolicyName, PolicyDocument: doc}, nil
}

// DeleteUserPolicy deletes an inline policy of a user.
func (p *Provider) DeleteUserPolicy(ctx context.Context, in *DeleteUserPolicyRequest) (*DeleteUserPolicyOutput, error) {
	return nil, apiError(p.svc.DeleteInlinePolicy(ctx, account(ctx), userRef(in.UserName), *in.PolicyName))
}

// DeleteGroupPolicy deletes an inline policy of a group.
func (p *Provider) DeleteGroupPolicy(ctx context.Context, in *DeleteGroupPolicyRequest) (*DeleteGroupPolicyOutput, error) {
	return nil, apiError(p.svc.DeleteInlinePolicy(ctx, account(ctx), groupRef(in.GroupName), *in.PolicyName))
}

// DeleteRolePolicy deletes an inline policy of a role.
func (p *Provider) DeleteRolePolicy(ctx context.Context, in *DeleteRolePolicyRequest) (*DeleteRolePolicyOutput, error) {
	return nil, apiError(p.svc.DeleteInlinePolicy(ctx, account(ctx), roleRef(in.RoleName), *in.PolicyName))
}

// inlineNames reads a page of the names of an entity's inline policies.
func (p *Provider) inlineNames(ctx context.Context, of iamsvc.Ref, marker *string, maxItems *int32) ([]string, *bool, *string, error) {
	list, err := p.svc.InlinePolicies(ctx, account(ctx), of, page(marker, maxItems))
	if err != nil {
		return nil, nil, nil, apiError(err)
	}
	truncated, next := paged(list)
	return append([]string{}, list.Items...), truncated, next, nil
}

// ListUserPolicies lists the names of a user's inline policies.
func (p *Provider) ListUserPolicies(ctx context.Context, in *ListUserPoliciesRequest) (*ListUserPoliciesResponse, error) {
	out := &ListUserPoliciesResponse{}
	var err error
	out.PolicyNames, out.IsTruncated, out.Marker, err = p.inlineNames(ctx, userRef(in.UserName), in.Marker, in.MaxItems)
	return out, err
}

// ListGroupPolicies lists the names of a group's inline policies.
func (p *Provider) ListGroupPolicies(ctx context.Context, in *ListGroupPoliciesRequest) (*ListGroupPoliciesResponse, error) {
	out := &ListGroupPoliciesResponse{}
	var err error
	out.PolicyNames, out.IsTruncated, out.Marker, err = p.inlineNames(ctx, groupRef(in.GroupName), in.Marker, in.MaxItems)
	return out, err
}

// ListRolePolicies lists the names of a role's inline policies.
func (p *Provider) ListRolePolicies(ctx context.Context, in *ListRolePoliciesRequest) (*ListRolePoliciesResponse, error) {
	out := &ListRolePoliciesResponse{}
	var err error
	out.PolicyNames, out.IsTruncated, out.Marker, err = p.inlineNames(ctx, roleRef(in.RoleName), in.Marker, in.MaxItems)
	return out, err
}
