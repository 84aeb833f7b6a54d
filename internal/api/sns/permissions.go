package sns

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
)

// AddPermission adds a statement to a topic's policy.
func (p *Provider) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	return nil, apiError(p.svc.AddPermission(ctx, scope(ctx), *in.TopicArn, *in.Label, in.AWSAccountId, in.ActionName))
}

// RemovePermission removes a statement from a topic's policy.
func (p *Provider) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	return nil, apiError(p.svc.RemovePermission(ctx, scope(ctx), *in.TopicArn, *in.Label))
}

// GetDataProtectionPolicy returns a topic's data protection policy.
func (p *Provider) GetDataProtectionPolicy(ctx context.Context, in *GetDataProtectionPolicyInput) (*GetDataProtectionPolicyResponse, error) {
	doc, err := p.svc.GetDataProtectionPolicy(ctx, scope(ctx), *in.ResourceArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetDataProtectionPolicyResponse{DataProtectionPolicy: api.OptionalString(doc)}, nil
}

// PutDataProtectionPolicy sets or deletes a topic's data protection
// policy.
func (p *Provider) PutDataProtectionPolicy(ctx context.Context, in *PutDataProtectionPolicyInput) (*PutDataProtectionPolicyOutput, error) {
	return nil, apiError(p.svc.PutDataProtectionPolicy(ctx, scope(ctx), *in.ResourceArn, *in.DataProtectionPolicy))
}
