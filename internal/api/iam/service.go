package iam

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Provider implements the IAM operations on the service. The operations
// it does not declare (OpenID Connect and SAML providers, server and
// signing certificates, SSH keys, service-specific credentials,
// Organizations features, access advisor) answer NotImplemented.
type Provider struct {
	Unimplemented
	svc *iamsvc.Service
}

// New returns the IAM API over the service.
func New(s *iamsvc.Service) *Provider { return &Provider{svc: s} }

// caller returns the identity that signed the request.
func caller(ctx context.Context) iamsvc.Caller { return request.FromContext(ctx).Principal }

// account returns the caller's account.
func account(ctx context.Context) string { return caller(ctx).Account }

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *iamsvc.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case iamsvc.NoSuchEntity:
		return &NoSuchEntityException{Message: msg}
	case iamsvc.EntityAlreadyExists:
		return &EntityAlreadyExistsException{Message: msg}
	case iamsvc.DeleteConflict:
		return &DeleteConflictException{Message: msg}
	case iamsvc.LimitExceeded:
		return &LimitExceededException{Message: msg}
	case iamsvc.MalformedPolicyDocument:
		return &MalformedPolicyDocumentException{Message: msg}
	case iamsvc.PasswordPolicyViolation:
		return &PasswordPolicyViolationException{Message: msg}
	case iamsvc.InvalidAuthenticationCode:
		return &InvalidAuthenticationCodeException{Message: msg}
	case iamsvc.UnmodifiableEntity:
		return &UnmodifiableEntityException{Message: msg}
	case iamsvc.ReportNotPresent:
		return &CredentialReportNotPresentException{Message: msg}
	case iamsvc.ReportExpired:
		return &CredentialReportExpiredException{Message: msg}
	case iamsvc.InvalidUserType:
		return &InvalidUserTypeException{Message: msg}
	case iamsvc.ValidationError:
		return protocol.NewError(http.StatusBadRequest, "ValidationError", "%s", e.Message)
	}
	return &InvalidInputException{Message: msg}
}

// page reads a request's Marker and MaxItems.
func page(marker *string, maxItems *int32) iamsvc.Page {
	return iamsvc.Page{Marker: api.Value(marker), MaxItems: int(api.Value(maxItems))}
}

// paged returns a page's IsTruncated and Marker members.
func paged[T any](p iamsvc.Paged[T]) (*bool, *string) {
	return api.Ptr(p.Marker != ""), api.OptionalString(p.Marker)
}

// listOf maps a page's items to their wire shape.
func listOf[T, W any](items []T, f func(T) W) []W {
	out := make([]W, len(items))
	for i, v := range items {
		out[i] = f(v)
	}
	return out
}

// document writes a policy document as IAM's responses hold it:
// URL-encoded (botocore decodes the policyDocumentType members with
// unquote and json.loads, so every byte but the unreserved characters is
// percent-encoded, spaces as %20).
func document(doc string) *string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return api.Ptr(b.String())
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

// tagList lists tags as IAM returns them (nil when there are none:
// members the model does not mark "always" are then left out).
func tagList(tags map[string]string) []Tag {
	if len(tags) == 0 {
		return nil
	}
	return api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })
}

// optionalTime returns a pointer to t, or nil when it is zero.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// boundary writes a permissions boundary (nil for none).
func boundary(arn string) *AttachedPermissionsBoundary {
	if arn == "" {
		return nil
	}
	return &AttachedPermissionsBoundary{PermissionsBoundaryType: PermissionsBoundaryAttachmentTypePermissionsBoundaryPolicy, PermissionsBoundaryArn: &arn}
}

// user writes a user; the root (whom GetUser shows without name) has no
// path or name.
func user(e store.IAMEntity, tags map[string]string) User {
	u := User{UserId: api.Ptr(e.ID), Arn: api.Ptr(e.ARN), CreateDate: optionalTime(e.Created), PermissionsBoundary: boundary(e.Boundary), Tags: tagList(tags)}
	if e.Name != "" {
		u.Path, u.UserName = api.Ptr(e.Path), api.Ptr(e.Name)
	}
	return u
}

func group(e store.IAMEntity) Group {
	return Group{Path: api.Ptr(e.Path), GroupName: api.Ptr(e.Name), GroupId: api.Ptr(e.ID), Arn: api.Ptr(e.ARN), CreateDate: api.Ptr(e.Created)}
}

// role writes a role; full adds what GetRole shows and ListRoles leaves
// out (tags, boundary, last use).
func role(e store.IAMEntity, tags map[string]string, full bool) Role {
	r := Role{Path: api.Ptr(e.Path), RoleName: api.Ptr(e.Name), RoleId: api.Ptr(e.ID), Arn: api.Ptr(e.ARN), CreateDate: api.Ptr(e.Created),
		AssumeRolePolicyDocument: document(e.Document), Description: api.OptionalString(e.Description),
		MaxSessionDuration: api.Ptr(int32(e.MaxSessionDuration))}
	if full {
		r.PermissionsBoundary, r.Tags, r.RoleLastUsed = boundary(e.Boundary), tagList(tags), &RoleLastUsed{}
	}
	return r
}

// policy writes a managed policy; full adds what GetPolicy shows and
// ListPolicies leaves out (description, tags).
func policy(p iamsvc.Policy, full bool) Policy {
	out := Policy{PolicyName: api.Ptr(p.Name), PolicyId: api.Ptr(p.ID), Arn: api.Ptr(p.ARN), Path: api.Ptr(p.Path),
		DefaultVersionId: api.Ptr(p.DefaultVersion), AttachmentCount: api.Ptr(int32(p.Attachments)),
		PermissionsBoundaryUsageCount: api.Ptr(int32(p.Boundaries)), IsAttachable: api.Ptr(true),
		CreateDate: api.Ptr(p.Created), UpdateDate: api.Ptr(p.Updated)}
	if full {
		out.Description, out.Tags = api.OptionalString(p.Description), tagList(p.Tags)
	}
	return out
}

func version(v iamsvc.Version) PolicyVersion {
	return PolicyVersion{Document: document(v.Document), VersionId: api.Ptr(v.ID), IsDefaultVersion: api.Ptr(v.IsDefault), CreateDate: api.Ptr(v.Created)}
}

func instanceProfile(p iamsvc.InstanceProfile) InstanceProfile {
	return InstanceProfile{Path: api.Ptr(p.Path), InstanceProfileName: api.Ptr(p.Name), InstanceProfileId: api.Ptr(p.ID),
		Arn: api.Ptr(p.ARN), CreateDate: api.Ptr(p.Created), Tags: tagList(p.Tags),
		Roles: listOf(p.Roles, func(r store.IAMEntity) Role { return role(r, nil, false) })}
}

func attached(a iamsvc.AttachedPolicy) AttachedPolicy {
	return AttachedPolicy{PolicyName: api.Ptr(a.Name), PolicyArn: api.Ptr(a.ARN)}
}
