package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/store"
)

// Refs of the entities that the tag operations name.
func policyRef(arn *string) iamsvc.Ref { return iamsvc.Ref{Kind: store.IAMPolicy, Name: *arn} }
func profileRef(name *string) iamsvc.Ref {
	return iamsvc.Ref{Kind: store.IAMInstanceProfile, Name: *name}
}
func mfaRef(serial *string) iamsvc.Ref { return iamsvc.Ref{Kind: store.IAMMFADevice, Name: *serial} }

// tag adds tags to an entity.
func (p *Provider) tag(ctx context.Context, ref iamsvc.Ref, tags []Tag) error {
	return apiError(p.svc.TagEntity(ctx, account(ctx), ref, tagMap(tags)))
}

// untag removes tags of an entity.
func (p *Provider) untag(ctx context.Context, ref iamsvc.Ref, keys []string) error {
	return apiError(p.svc.UntagEntity(ctx, account(ctx), ref, keys))
}

// tags reads a page of an entity's tags.
func (p *Provider) tags(ctx context.Context, ref iamsvc.Ref, marker *string, maxItems *int32) ([]Tag, *bool, *string, error) {
	list, err := p.svc.EntityTags(ctx, account(ctx), ref, page(marker, maxItems))
	if err != nil {
		return nil, nil, nil, apiError(err)
	}
	truncated, next := paged(list)
	return listOf(list.Items, func(t iamsvc.Tag) Tag { return Tag{Key: api.Ptr(t.Key), Value: api.Ptr(t.Value)} }), truncated, next, nil
}

// TagUser tags a user.
func (p *Provider) TagUser(ctx context.Context, in *TagUserRequest) (*TagUserOutput, error) {
	return nil, p.tag(ctx, userRef(in.UserName), in.Tags)
}

// UntagUser removes tags of a user.
func (p *Provider) UntagUser(ctx context.Context, in *UntagUserRequest) (*UntagUserOutput, error) {
	return nil, p.untag(ctx, userRef(in.UserName), in.TagKeys)
}

// ListUserTags lists a user's tags.
func (p *Provider) ListUserTags(ctx context.Context, in *ListUserTagsRequest) (*ListUserTagsResponse, error) {
	out := &ListUserTagsResponse{}
	var err error
	out.Tags, out.IsTruncated, out.Marker, err = p.tags(ctx, userRef(in.UserName), in.Marker, in.MaxItems)
	return out, err
}

// TagRole tags a role.
func (p *Provider) TagRole(ctx context.Context, in *TagRoleRequest) (*TagRoleOutput, error) {
	return nil, p.tag(ctx, roleRef(in.RoleName), in.Tags)
}

// UntagRole removes tags of a role.
func (p *Provider) UntagRole(ctx context.Context, in *UntagRoleRequest) (*UntagRoleOutput, error) {
	return nil, p.untag(ctx, roleRef(in.RoleName), in.TagKeys)
}

// ListRoleTags lists a role's tags.
func (p *Provider) ListRoleTags(ctx context.Context, in *ListRoleTagsRequest) (*ListRoleTagsResponse, error) {
	out := &ListRoleTagsResponse{}
	var err error
	out.Tags, out.IsTruncated, out.Marker, err = p.tags(ctx, roleRef(in.RoleName), in.Marker, in.MaxItems)
	return out, err
}

// TagPolicy tags a managed policy.
func (p *Provider) TagPolicy(ctx context.Context, in *TagPolicyRequest) (*TagPolicyOutput, error) {
	return nil, p.tag(ctx, policyRef(in.PolicyArn), in.Tags)
}

// UntagPolicy removes tags of a managed policy.
func (p *Provider) UntagPolicy(ctx context.Context, in *UntagPolicyRequest) (*UntagPolicyOutput, error) {
	return nil, p.untag(ctx, policyRef(in.PolicyArn), in.TagKeys)
}

// ListPolicyTags lists a managed policy's tags.
func (p *Provider) ListPolicyTags(ctx context.Context, in *ListPolicyTagsRequest) (*ListPolicyTagsResponse, error) {
	out := &ListPolicyTagsResponse{}
	var err error
	out.Tags, out.IsTruncated, out.Marker, err = p.tags(ctx, policyRef(in.PolicyArn), in.Marker, in.MaxItems)
	return out, err
}

// TagInstanceProfile tags an instance profile.
func (p *Provider) TagInstanceProfile(ctx context.Context, in *TagInstanceProfileRequest) (*TagInstanceProfileOutput, error) {
	return nil, p.tag(ctx, profileRef(in.InstanceProfileName), in.Tags)
}

// UntagInstanceProfile removes tags of an instance profile.
func (p *Provider) UntagInstanceProfile(ctx context.Context, in *UntagInstanceProfileRequest) (*UntagInstanceProfileOutput, error) {
	return nil, p.untag(ctx, profileRef(in.InstanceProfileName), in.TagKeys)
}

// ListInstanceProfileTags lists an instance profile's tags.
func (p *Provider) ListInstanceProfileTags(ctx context.Context, in *ListInstanceProfileTagsRequest) (*ListInstanceProfileTagsResponse, error) {
	out := &ListInstanceProfileTagsResponse{}
	var err error
	out.Tags, out.IsTruncated, out.Marker, err = p.tags(ctx, profileRef(in.InstanceProfileName), in.Marker, in.MaxItems)
	return out, err
}

// TagMFADevice tags a virtual MFA device.
func (p *Provider) TagMFADevice(ctx context.Context, in *TagMFADeviceRequest) (*TagMFADeviceOutput, error) {
	return nil, p.tag(ctx, mfaRef(in.SerialNumber), in.Tags)
}

// UntagMFADevice removes tags of a virtual MFA device.
func (p *Provider) UntagMFADevice(ctx context.Context, in *UntagMFADeviceRequest) (*UntagMFADeviceOutput, error) {
	return nil, p.untag(ctx, mfaRef(in.SerialNumber), in.TagKeys)
}

// ListMFADeviceTags lists a virtual MFA device's tags.
func (p *Provider) ListMFADeviceTags(ctx context.Context, in *ListMFADeviceTagsRequest) (*ListMFADeviceTagsResponse, error) {
	out := &ListMFADeviceTagsResponse{}
	var err error
	out.Tags, out.IsTruncated, out.Marker, err = p.tags(ctx, mfaRef(in.SerialNumber), in.Marker, in.MaxItems)
	return out, err
}

// CreateAccountAlias sets the account's alias.
func (p *Provider) CreateAccountAlias(ctx context.Context, in *CreateAccountAliasRequest) (*CreateAccountAliasOutput, error) {
	return nil, apiError(p.svc.CreateAccountAlias(ctx, account(ctx), *in.AccountAlias))
}

// DeleteAccountAlias removes the account's alias.
func (p *Provider) DeleteAccountAlias(ctx context.Context, in *DeleteAccountAliasRequest) (*DeleteAccountAliasOutput, error) {
	return nil, apiError(p.svc.DeleteAccountAlias(ctx, account(ctx), *in.AccountAlias))
}

// ListAccountAliases lists the account's alias.
func (p *Provider) ListAccountAliases(ctx context.Context, _ *ListAccountAliasesRequest) (*ListAccountAliasesResponse, error) {
	aliases, err := p.svc.AccountAliases(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListAccountAliasesResponse{AccountAliases: aliases, IsTruncated: api.Ptr(false)}, nil
}

// UpdateAccountPasswordPolicy sets the account's password policy; the
// members a request leaves out take their defaults.
func (p *Provider) UpdateAccountPasswordPolicy(ctx context.Context, in *UpdateAccountPasswordPolicyRequest) (*UpdateAccountPasswordPolicyOutput, error) {
	pp := store.IAMPasswordPolicy{
		MinimumLength: 6, RequireSymbols: api.Value(in.RequireSymbols), RequireNumbers: api.Value(in.RequireNumbers),
		RequireUppercase: api.Value(in.RequireUppercaseCharacters), RequireLowercase: api.Value(in.RequireLowercaseCharacters),
		AllowUsersToChange: api.Value(in.AllowUsersToChangePassword), HardExpiry: api.Value(in.HardExpiry),
		MaxAgeDays: int(api.Value(in.MaxPasswordAge)), ReusePrevention: int(api.Value(in.PasswordReusePrevention)),
	}
	if in.MinimumPasswordLength != nil {
		pp.MinimumLength = int(*in.MinimumPasswordLength)
	}
	return nil, apiError(p.svc.SetPasswordPolicy(ctx, account(ctx), pp))
}

// GetAccountPasswordPolicy returns the account's password policy.
func (p *Provider) GetAccountPasswordPolicy(ctx context.Context, _ *GetAccountPasswordPolicyInput) (*GetAccountPasswordPolicyResponse, error) {
	pp, err := p.svc.PasswordPolicy(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	out := &PasswordPolicy{
		MinimumPasswordLength: api.Ptr(int32(pp.MinimumLength)), RequireSymbols: api.Ptr(pp.RequireSymbols),
		RequireNumbers: api.Ptr(pp.RequireNumbers), RequireUppercaseCharacters: api.Ptr(pp.RequireUppercase),
		RequireLowercaseCharacters: api.Ptr(pp.RequireLowercase), AllowUsersToChangePassword: api.Ptr(pp.AllowUsersToChange),
		ExpirePasswords: api.Ptr(pp.MaxAgeDays > 0),
	}
	if pp.MaxAgeDays > 0 {
		out.MaxPasswordAge = api.Ptr(int32(pp.MaxAgeDays))
	}
	if pp.ReusePrevention > 0 {
		out.PasswordReusePrevention = api.Ptr(int32(pp.ReusePrevention))
	}
	if pp.HardExpiry {
		out.HardExpiry = api.Ptr(true)
	}
	return &GetAccountPasswordPolicyResponse{PasswordPolicy: out}, nil
}

// DeleteAccountPasswordPolicy removes the account's password policy.
func (p *Provider) DeleteAccountPasswordPolicy(ctx context.Context, _ *DeleteAccountPasswordPolicyInput) (*DeleteAccountPasswordPolicyOutput, error) {
	return nil, apiError(p.svc.DeletePasswordPolicy(ctx, account(ctx)))
}

// GetAccountSummary counts the account's IAM entities and states its
// quotas.
func (p *Provider) GetAccountSummary(ctx context.Context, _ *GetAccountSummaryInput) (*GetAccountSummaryResponse, error) {
	m, err := p.svc.AccountSummary(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	out := make(map[SummaryKeyType]int32, len(m))
	for k, v := range m {
		out[SummaryKeyType(k)] = int32(v)
	}
	return &GetAccountSummaryResponse{SummaryMap: out}, nil
}

// GenerateCredentialReport makes the account's credential report.
func (p *Provider) GenerateCredentialReport(ctx context.Context, _ *GenerateCredentialReportInput) (*GenerateCredentialReportResponse, error) {
	state, description, err := p.svc.GenerateCredentialReport(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	return &GenerateCredentialReportResponse{State: ReportStateType(state), Description: api.OptionalString(description)}, nil
}

// GetCredentialReport returns the account's credential report (CSV).
func (p *Provider) GetCredentialReport(ctx context.Context, _ *GetCredentialReportInput) (*GetCredentialReportResponse, error) {
	r, err := p.svc.CredentialReport(ctx, account(ctx))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetCredentialReportResponse{Content: r.Content, ReportFormat: ReportFormatTypeTextCsv, GeneratedTime: api.Ptr(r.Generated)}, nil
}
