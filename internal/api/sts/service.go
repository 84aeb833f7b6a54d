package sts

import (
	"context"

	"github.com/vigilhq/vigil/internal/request"
)

// Provider implements the STS operations Vigil supports.
type Provider struct{ Unimplemented }

// GetCallerIdentity returns the identity that signed the request.
func (*Provider) GetCallerIdentity(ctx context.Context, _ *GetCallerIdentityRequest) (*GetCallerIdentityResponse, error) {
	p := request.FromContext(ctx).Principal
	return &GetCallerIdentityResponse{UserId: &p.UserID, Account: &p.Account, Arn: &p.ARN}, nil
}
