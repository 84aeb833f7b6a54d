// Command mistyped is an implementation whose operation method has the
// wrong types: binding it must not compile (see TestMistypedMethodFails).
package main

import (
	"context"

	"github.com/vigilhq/vigil/internal/api/sts"
)

type provider struct{ sts.Unimplemented }

// GetCallerIdentity takes the wrong input type.
func (provider) GetCallerIdentity(context.Context, *sts.GetSessionTokenRequest) (*sts.GetCallerIdentityResponse, error) {
	return &sts.GetCallerIdentityResponse{}, nil
}

func main() {
	_ = sts.Handlers(provider{})
}
