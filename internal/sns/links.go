package sns

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/store"
)

// UnsubscribeLink deletes the subscription of an UnsubscribeURL: the
// link is its own authorization, as on AWS.
func (s *Service) UnsubscribeLink(ctx context.Context, arn string) error {
	sub, err := s.opt.Store.Subscription(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(NotFound, "Subscription does not exist")
	}
	if err != nil {
		return err
	}
	return s.Unsubscribe(ctx, Scope{Account: sub.Account, Region: sub.Region}, arn)
}

// Certificate returns the signing certificate in PEM, and the name of
// its file under CertPath.
func (s *Service) Certificate() (pem []byte, name string) {
	return s.opt.Signer.CertificatePEM(), s.opt.Signer.CertFileName()
}
