package sts

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/sts"
)

// Provider implements the STS operations Vigil supports.
type Provider struct {
	Unimplemented
	// Sessions issues temporary credentials.
	Sessions *sts.Service
}

// GetCallerIdentity returns the identity that signed the request.
func (*Provider) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityRequest) (*GetCallerIdentityResponse, error) {
	p := request.FromContext(ctx).Principal
	return &GetCallerIdentityResponse{UserId: &p.UserID, Account: &p.Account, Arn: &p.ARN}, nil
}

// AssumeRole issues a role session.
func (s *Provider) AssumeRole(ctx context.Context, in *AssumeRoleRequest) (*AssumeRoleResponse, error) {
	si := sts.SessionInput{
		Name: deref(in.RoleSessionName), Duration: seconds(in.DurationSeconds), Policy: deref(in.Policy),
		PolicyARNs: policyARNs(in.PolicyArns), Tags: tags(in.Tags), TransitiveTagKeys: in.TransitiveTagKeys,
		ExternalID: deref(in.ExternalId), SourceIdentity: deref(in.SourceIdentity),
		SerialNumber: deref(in.SerialNumber), TokenCode: deref(in.TokenCode),
	}
	withRequest(ctx, &si)
	if len(in.ProvidedContexts) > 0 {
		return nil, protocol.NewError(http.StatusBadRequest, "InvalidParameterValue", "ProvidedContexts (trusted identity propagation) is not supported by Vigil.")
	}
	issued, err := s.Sessions.AssumeRole(ctx, request.FromContext(ctx).Principal, deref(in.RoleArn), si)
	if err != nil {
		return nil, apiError(err)
	}
	p := issued.Principal
	out := &AssumeRoleResponse{
		Credentials:      credentials(issued.Credentials),
		AssumedRoleUser:  &AssumedRoleUser{Arn: &p.ARN, AssumedRoleId: &p.UserID},
		PackedPolicySize: packed(issued),
	}
	if p.Session.SourceIdentity != "" {
		out.SourceIdentity = &p.Session.SourceIdentity
	}
	return out, nil
}

// AssumeRoleWithWebIdentity issues a role session to the holder of an
// OpenID Connect ID token (the request is unsigned).
func (s *Provider) AssumeRoleWithWebIdentity(ctx context.Context, in *AssumeRoleWithWebIdentityRequest) (*AssumeRoleWithWebIdentityResponse, error) {
	if in.ProviderId != nil {
		return nil, protocol.NewError(http.StatusBadRequest, "InvalidParameterValue", "ProviderId (OAuth 2.0 access tokens of Amazon and Facebook) is not supported by Vigil: send an OpenID Connect ID token.")
	}
	si := sts.SessionInput{
		Name: deref(in.RoleSessionName), Duration: seconds(in.DurationSeconds), Policy: deref(in.Policy), PolicyARNs: policyARNs(in.PolicyArns),
	}
	withRequest(ctx, &si)
	// The caller is anonymous: the call is the role's account's, which
	// CloudTrail records it in (as AWS does), granted or not.
	info := request.FromContext(ctx)
	if account, _, ok := sts.ParseRoleARN(deref(in.RoleArn)); ok && info.Principal.Account == "" {
		info.Principal.Account = account
	}
	got, err := s.Sessions.AssumeRoleWithWebIdentity(ctx, deref(in.RoleArn), deref(in.WebIdentityToken), si)
	if err != nil {
		return nil, apiError(err)
	}
	p := got.Principal
	return &AssumeRoleWithWebIdentityResponse{
		Credentials:                 credentials(got.Credentials),
		AssumedRoleUser:             &AssumedRoleUser{Arn: &p.ARN, AssumedRoleId: &p.UserID},
		PackedPolicySize:            packed(got.Issued),
		SubjectFromWebIdentityToken: &got.Subject, Audience: &got.Audience, Provider: &got.Provider,
	}, nil
}

// GetSessionToken issues a session of the caller.
func (s *Provider) GetSessionToken(ctx context.Context, in *GetSessionTokenRequest) (*GetSessionTokenResponse, error) {
	issued, err := s.Sessions.GetSessionToken(ctx, request.FromContext(ctx).Principal, sts.SessionInput{
		Duration: seconds(in.DurationSeconds), SerialNumber: deref(in.SerialNumber), TokenCode: deref(in.TokenCode),
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &GetSessionTokenResponse{Credentials: credentials(issued.Credentials)}, nil
}

// GetFederationToken issues a federated user session.
func (s *Provider) GetFederationToken(ctx context.Context, in *GetFederationTokenRequest) (*GetFederationTokenResponse, error) {
	issued, err := s.Sessions.GetFederationToken(ctx, request.FromContext(ctx).Principal, sts.SessionInput{
		Name: deref(in.Name), Duration: seconds(in.DurationSeconds), Policy: deref(in.Policy),
		PolicyARNs: policyARNs(in.PolicyArns), Tags: tags(in.Tags),
	})
	if err != nil {
		return nil, apiError(err)
	}
	p := issued.Principal
	return &GetFederationTokenResponse{
		Credentials:      credentials(issued.Credentials),
		FederatedUser:    &FederatedUser{Arn: &p.ARN, FederatedUserId: &p.UserID},
		PackedPolicySize: packed(issued),
	}, nil
}

// GetAccessKeyInfo returns the account of an access key: temporary keys
// encode theirs; long-term keys are looked up.
func (s *Provider) GetAccessKeyInfo(ctx context.Context, in *GetAccessKeyInfoRequest) (*GetAccessKeyInfoResponse, error) {
	id := deref(in.AccessKeyId)
	account, err := s.Sessions.KeyAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, protocol.NewError(http.StatusBadRequest, "InvalidParameterValue", "The access key ID %s does not exist.", id)
	}
	if err != nil {
		return nil, err
	}
	return &GetAccessKeyInfoResponse{Account: &account}, nil
}

// DecodeAuthorizationMessage decodes the messages Vigil encodes: none
// (its refusals say why in the clear), so every message is invalid.
func (*Provider) DecodeAuthorizationMessage(context.Context, *DecodeAuthorizationMessageRequest) (*DecodeAuthorizationMessageResponse, error) {
	msg := "The message is not a valid encoded authorization message: Vigil's AccessDenied messages are not encoded."
	return nil, &InvalidAuthorizationMessageException{Message: &msg}
}

// withRequest gives a session's trust policy the request's global keys.
func withRequest(ctx context.Context, si *sts.SessionInput) {
	info := request.FromContext(ctx)
	si.SourceIP, si.Region, si.TLS = info.SourceIP, info.Region, info.TLS
}

// apiError words a refusal of the sts package as STS does.
func apiError(err error) error {
	var e *sts.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	switch e.Code {
	case "MalformedPolicyDocument":
		return &MalformedPolicyDocumentException{Message: &msg}
	case "PackedPolicyTooLarge":
		return &PackedPolicyTooLargeException{Message: &msg}
	case "InvalidIdentityToken":
		return &InvalidIdentityTokenException{Message: &msg}
	case "IDPCommunicationError":
		return &IDPCommunicationErrorException{Message: &msg}
	case "ExpiredTokenException":
		return &ExpiredTokenException{Message: &msg}
	case "AccessDenied":
		return protocol.NewError(http.StatusForbidden, "AccessDenied", "%s", msg)
	}
	return protocol.NewError(http.StatusBadRequest, e.Code, "%s", msg)
}

func credentials(c sts.Credentials) *Credentials {
	return &Credentials{AccessKeyId: &c.AccessKeyID, SecretAccessKey: &c.SecretAccessKey, SessionToken: &c.SessionToken, Expiration: &c.Expires}
}

func packed(issued *sts.Issued) *int32 {
	if issued.Principal.Session.Policy == "" && len(issued.Principal.Session.PolicyARNs) == 0 && len(issued.Principal.Session.Tags) == 0 {
		return nil
	}
	n := int32(issued.PackedSize)
	return &n
}

func policyARNs(in []PolicyDescriptorType) []string {
	var out []string
	for _, p := range in {
		out = append(out, deref(p.Arn))
	}
	return out
}

func tags(in []Tag) map[string]string {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for _, t := range in {
		out[deref(t.Key)] = deref(t.Value)
	}
	return out
}

func seconds(s *int32) time.Duration {
	if s == nil {
		return 0
	}
	return time.Duration(*s) * time.Second
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
