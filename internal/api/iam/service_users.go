package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/store"
)

// CreateUser creates a user.
func (p *Provider) CreateUser(ctx context.Context, in *CreateUserRequest) (*CreateUserResponse, error) {
	u, err := p.svc.CreateUser(ctx, account(ctx), iamsvc.NewEntity{Name: *in.UserName, Path: api.Value(in.Path),
		Boundary: api.Value(in.PermissionsBoundary), Tags: tagMap(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateUserResponse{User: api.Ptr(user(u.IAMEntity, u.Tags))}, nil
}

// GetUser returns a user, or the caller.
func (p *Provider) GetUser(ctx context.Context, in *GetUserRequest) (*GetUserResponse, error) {
	u, err := p.svc.GetUser(ctx, caller(ctx), api.Value(in.UserName))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetUserResponse{User: api.Ptr(user(u.IAMEntity, u.Tags))}, nil
}

// ListUsers lists users.
func (p *Provider) ListUsers(ctx context.Context, in *ListUsersRequest) (*ListUsersResponse, error) {
	list, err := p.svc.ListUsers(ctx, account(ctx), api.Value(in.PathPrefix), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListUsersResponse{Users: listOf(list.Items, func(e store.IAMEntity) User { return user(e, nil) })}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// UpdateUser renames or moves a user.
func (p *Provider) UpdateUser(ctx context.Context, in *UpdateUserRequest) (*UpdateUserOutput, error) {
	return nil, apiError(p.svc.UpdateUser(ctx, account(ctx), *in.UserName, api.Value(in.NewUserName), api.Value(in.NewPath)))
}

// DeleteUser deletes a user.
func (p *Provider) DeleteUser(ctx context.Context, in *DeleteUserRequest) (*DeleteUserOutput, error) {
	return nil, apiError(p.svc.DeleteUser(ctx, account(ctx), *in.UserName))
}

// CreateGroup creates a group.
func (p *Provider) CreateGroup(ctx context.Context, in *CreateGroupRequest) (*CreateGroupResponse, error) {
	g, err := p.svc.CreateGroup(ctx, account(ctx), *in.GroupName, api.Value(in.Path))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateGroupResponse{Group: api.Ptr(group(g.IAMEntity))}, nil
}

// GetGroup returns a group and its users.
func (p *Provider) GetGroup(ctx context.Context, in *GetGroupRequest) (*GetGroupResponse, error) {
	g, users, err := p.svc.GetGroup(ctx, account(ctx), *in.GroupName, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetGroupResponse{Group: api.Ptr(group(*g)), Users: listOf(users.Items, func(e store.IAMEntity) User { return user(e, nil) })}
	out.IsTruncated, out.Marker = paged(users)
	return out, nil
}

// ListGroups lists groups.
func (p *Provider) ListGroups(ctx context.Context, in *ListGroupsRequest) (*ListGroupsResponse, error) {
	list, err := p.svc.ListGroups(ctx, account(ctx), api.Value(in.PathPrefix), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListGroupsResponse{Groups: listOf(list.Items, group)}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// ListGroupsForUser lists the groups of a user.
func (p *Provider) ListGroupsForUser(ctx context.Context, in *ListGroupsForUserRequest) (*ListGroupsForUserResponse, error) {
	list, err := p.svc.GroupsForUser(ctx, account(ctx), *in.UserName, page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListGroupsForUserResponse{Groups: listOf(list.Items, group)}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// UpdateGroup renames or moves a group.
func (p *Provider) UpdateGroup(ctx context.Context, in *UpdateGroupRequest) (*UpdateGroupOutput, error) {
	return nil, apiError(p.svc.UpdateGroup(ctx, account(ctx), *in.GroupName, api.Value(in.NewGroupName), api.Value(in.NewPath)))
}

// DeleteGroup deletes a group.
func (p *Provider) DeleteGroup(ctx context.Context, in *DeleteGroupRequest) (*DeleteGroupOutput, error) {
	return nil, apiError(p.svc.DeleteGroup(ctx, account(ctx), *in.GroupName))
}

// AddUserToGroup adds a user to a group.
func (p *Provider) AddUserToGroup(ctx context.Context, in *AddUserToGroupRequest) (*AddUserToGroupOutput, error) {
	return nil, apiError(p.svc.AddUserToGroup(ctx, account(ctx), *in.GroupName, *in.UserName))
}

// RemoveUserFromGroup removes a user from a group.
func (p *Provider) RemoveUserFromGroup(ctx context.Context, in *RemoveUserFromGroupRequest) (*RemoveUserFromGroupOutput, error) {
	return nil, apiError(p.svc.RemoveUserFromGroup(ctx, account(ctx), *in.GroupName, *in.UserName))
}

// keyStatus writes a key's status.
func keyStatus(active bool) StatusType {
	if active {
		return StatusTypeActive
	}
	return StatusTypeInactive
}

// CreateAccessKey creates an access key, shown with its secret this once.
func (p *Provider) CreateAccessKey(ctx context.Context, in *CreateAccessKeyRequest) (*CreateAccessKeyResponse, error) {
	k, err := p.svc.CreateAccessKey(ctx, caller(ctx), api.Value(in.UserName))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateAccessKeyResponse{AccessKey: &AccessKey{UserName: api.OptionalString(k.UserName), AccessKeyId: api.Ptr(k.ID),
		Status: keyStatus(k.Active), SecretAccessKey: api.Ptr(k.Secret), CreateDate: api.Ptr(k.Created)}}, nil
}

// ListAccessKeys lists the access keys of a user, or the caller.
func (p *Provider) ListAccessKeys(ctx context.Context, in *ListAccessKeysRequest) (*ListAccessKeysResponse, error) {
	list, err := p.svc.ListAccessKeys(ctx, caller(ctx), api.Value(in.UserName), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListAccessKeysResponse{AccessKeyMetadata: listOf(list.Items, func(k iamsvc.AccessKey) AccessKeyMetadata {
		return AccessKeyMetadata{UserName: api.OptionalString(k.UserName), AccessKeyId: api.Ptr(k.ID), Status: keyStatus(k.Active), CreateDate: api.Ptr(k.Created)}
	})}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// UpdateAccessKey activates or deactivates an access key.
func (p *Provider) UpdateAccessKey(ctx context.Context, in *UpdateAccessKeyRequest) (*UpdateAccessKeyOutput, error) {
	if in.Status != StatusTypeActive && in.Status != StatusTypeInactive {
		return nil, &InvalidInputException{Message: api.Ptr("Status must be Active or Inactive.")}
	}
	return nil, apiError(p.svc.SetAccessKeyActive(ctx, caller(ctx), api.Value(in.UserName), *in.AccessKeyId, in.Status == StatusTypeActive))
}

// DeleteAccessKey deletes an access key.
func (p *Provider) DeleteAccessKey(ctx context.Context, in *DeleteAccessKeyRequest) (*DeleteAccessKeyOutput, error) {
	return nil, apiError(p.svc.DeleteAccessKey(ctx, caller(ctx), api.Value(in.UserName), *in.AccessKeyId))
}

// GetAccessKeyLastUsed returns when, where and to what an access key was
// last used ("N/A" when never).
func (p *Provider) GetAccessKeyLastUsed(ctx context.Context, in *GetAccessKeyLastUsedRequest) (*GetAccessKeyLastUsedResponse, error) {
	k, err := p.svc.AccessKeyLastUsed(ctx, account(ctx), *in.AccessKeyId)
	if err != nil {
		return nil, apiError(err)
	}
	used := &AccessKeyLastUsed{LastUsedDate: optionalTime(k.LastUsed), ServiceName: api.Ptr("N/A"), Region: api.Ptr("N/A")}
	if !k.LastUsed.IsZero() {
		used.ServiceName, used.Region = api.Ptr(k.LastService), api.Ptr(k.LastRegion)
	}
	return &GetAccessKeyLastUsedResponse{UserName: api.Ptr(k.UserName), AccessKeyLastUsed: used}, nil
}

func loginProfile(lp *iamsvc.LoginProfile) *LoginProfile {
	return &LoginProfile{UserName: api.Ptr(lp.UserName), CreateDate: api.Ptr(lp.Created), PasswordResetRequired: api.Ptr(lp.ResetRequired)}
}

// CreateLoginProfile gives a user a password.
func (p *Provider) CreateLoginProfile(ctx context.Context, in *CreateLoginProfileRequest) (*CreateLoginProfileResponse, error) {
	if in.Password == nil {
		return nil, &InvalidInputException{Message: api.Ptr("A password is required to create the login profile of an IAM user.")}
	}
	lp, err := p.svc.CreateLoginProfile(ctx, caller(ctx), api.Value(in.UserName), *in.Password, api.Value(in.PasswordResetRequired))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateLoginProfileResponse{LoginProfile: loginProfile(lp)}, nil
}

// GetLoginProfile returns the login profile of a user, or the caller.
func (p *Provider) GetLoginProfile(ctx context.Context, in *GetLoginProfileRequest) (*GetLoginProfileResponse, error) {
	lp, err := p.svc.GetLoginProfile(ctx, caller(ctx), api.Value(in.UserName))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetLoginProfileResponse{LoginProfile: loginProfile(lp)}, nil
}

// UpdateLoginProfile changes a user's password or its reset flag.
func (p *Provider) UpdateLoginProfile(ctx context.Context, in *UpdateLoginProfileRequest) (*UpdateLoginProfileOutput, error) {
	return nil, apiError(p.svc.UpdateLoginProfile(ctx, account(ctx), *in.UserName, in.Password, in.PasswordResetRequired))
}

// DeleteLoginProfile removes a user's password.
func (p *Provider) DeleteLoginProfile(ctx context.Context, in *DeleteLoginProfileRequest) (*DeleteLoginProfileOutput, error) {
	return nil, apiError(p.svc.DeleteLoginProfile(ctx, caller(ctx), api.Value(in.UserName)))
}

// ChangePassword changes the caller's own password.
func (p *Provider) ChangePassword(ctx context.Context, in *ChangePasswordRequest) (*ChangePasswordOutput, error) {
	return nil, apiError(p.svc.ChangePassword(ctx, caller(ctx), *in.OldPassword, *in.NewPassword))
}

// CreateVirtualMFADevice creates a virtual MFA device, shown with its
// secret and QR code this once.
func (p *Provider) CreateVirtualMFADevice(ctx context.Context, in *CreateVirtualMFADeviceRequest) (*CreateVirtualMFADeviceResponse, error) {
	d, err := p.svc.CreateVirtualMFADevice(ctx, account(ctx), iamsvc.NewEntity{Name: *in.VirtualMFADeviceName, Path: api.Value(in.Path), Tags: tagMap(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateVirtualMFADeviceResponse{VirtualMFADevice: &VirtualMFADevice{SerialNumber: api.Ptr(d.ARN),
		Base32StringSeed: []byte(d.Seed), QRCodePNG: d.QRCodePNG, Tags: tagList(d.Tags)}}, nil
}

// EnableMFADevice enables an MFA device for a user.
func (p *Provider) EnableMFADevice(ctx context.Context, in *EnableMFADeviceRequest) (*EnableMFADeviceOutput, error) {
	return nil, apiError(p.svc.EnableMFADevice(ctx, account(ctx), *in.UserName, *in.SerialNumber, *in.AuthenticationCode1, *in.AuthenticationCode2))
}

// DeactivateMFADevice disables an MFA device of a user.
func (p *Provider) DeactivateMFADevice(ctx context.Context, in *DeactivateMFADeviceRequest) (*DeactivateMFADeviceOutput, error) {
	return nil, apiError(p.svc.DeactivateMFADevice(ctx, caller(ctx), api.Value(in.UserName), *in.SerialNumber))
}

// ResyncMFADevice checks two consecutive codes of a user's device.
func (p *Provider) ResyncMFADevice(ctx context.Context, in *ResyncMFADeviceRequest) (*ResyncMFADeviceOutput, error) {
	return nil, apiError(p.svc.ResyncMFADevice(ctx, caller(ctx), *in.UserName, *in.SerialNumber, *in.AuthenticationCode1, *in.AuthenticationCode2))
}

// ListMFADevices lists the MFA devices of a user, or the caller.
func (p *Provider) ListMFADevices(ctx context.Context, in *ListMFADevicesRequest) (*ListMFADevicesResponse, error) {
	list, err := p.svc.ListMFADevices(ctx, caller(ctx), api.Value(in.UserName), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListMFADevicesResponse{MFADevices: listOf(list.Items, func(d iamsvc.MFADevice) MFADevice {
		return MFADevice{UserName: api.Ptr(d.UserName), SerialNumber: api.Ptr(d.Serial), EnableDate: api.Ptr(d.Enabled)}
	})}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// ListVirtualMFADevices lists the account's virtual MFA devices.
func (p *Provider) ListVirtualMFADevices(ctx context.Context, in *ListVirtualMFADevicesRequest) (*ListVirtualMFADevicesResponse, error) {
	list, err := p.svc.ListVirtualMFADevices(ctx, account(ctx), string(in.AssignmentStatus), page(in.Marker, in.MaxItems))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListVirtualMFADevicesResponse{VirtualMFADevices: listOf(list.Items, func(d iamsvc.VirtualMFADevice) VirtualMFADevice {
		v := VirtualMFADevice{SerialNumber: api.Ptr(d.ARN), EnableDate: optionalTime(d.Enabled)}
		if d.User != nil {
			v.User = api.Ptr(user(*d.User, nil))
		}
		return v
	})}
	out.IsTruncated, out.Marker = paged(list)
	return out, nil
}

// DeleteVirtualMFADevice deletes a virtual MFA device.
func (p *Provider) DeleteVirtualMFADevice(ctx context.Context, in *DeleteVirtualMFADeviceRequest) (*DeleteVirtualMFADeviceOutput, error) {
	return nil, apiError(p.svc.DeleteVirtualMFADevice(ctx, account(ctx), *in.SerialNumber))
}
