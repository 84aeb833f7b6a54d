package organizations

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// The cache of SCPs: a front door looks an account's up on every call.
// Other nodes sharing the database change organizations too: what they
// change shows here within scpCacheTTL.
const (
	scpCacheSize = 10000
	scpCacheTTL  = 10 * time.Second
)

// scpEntry is what SCPs caches of an account.
type scpEntry struct {
	levels  [][]string
	version uint64
}

// SCPs returns the service control policies that restrict an account:
// one list of documents per level of its path in its organization, the
// root's first and the account's last, each the documents of the SCPs
// attached to that root, OU or account. It returns nil levels when the
// account is in no organization, is its management account (which SCPs
// do not restrict) or when SCPs are not enabled in its organization's
// root (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
//
// SCPs are cached for each account. version tells when they may have
// changed: two calls for an account that answer the same version answer
// the same levels, so what a caller derives from them (compiled
// policies) stays good while the version does. The changes this node
// makes change the version at once, and Options.Changed hears of them;
// those of other nodes show within 10 seconds.
func (s *Service) SCPs(ctx context.Context, account string) (levels [][]string, version uint64, err error) {
	now := s.opt.Clock.Now()
	if e, ok := s.scps.Get(account, now); ok {
		return e.levels, e.version, nil
	}
	epoch := s.scps.Epoch()
	levels, err = s.readSCPs(ctx, account)
	if err != nil {
		return nil, 0, err
	}
	e := &scpEntry{levels: levels, version: s.versions.Add(1)}
	s.scps.Fill(account, e, now.Add(scpCacheTTL), epoch)
	return e.levels, e.version, nil
}

// readSCPs reads the SCPs of an account from the store.
func (s *Service) readSCPs(ctx context.Context, account string) ([][]string, error) {
	org, err := s.opt.Store.OrganizationOf(ctx, account)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the SCPs of account %s: %w", account, err)
	}
	var levels [][]string
	err = s.opt.Store.ViewOrganization(ctx, org, func(r store.OrgReader) error {
		o, err := r.Organization()
		if errors.Is(err, store.ErrNotFound) || err == nil && o.ManagementAccount == account {
			return nil
		}
		if err != nil {
			return err
		}
		chain, err := ancestry(r, account)
		if errors.Is(err, store.ErrNotFound) || err == nil && !slices.Contains(chain[0].PolicyTypes, SCPType) {
			// The account left the organization meanwhile, or SCPs are
			// not enabled.
			return nil
		}
		if err != nil {
			return err
		}
		levels = make([][]string, len(chain))
		for i, n := range chain {
			ids, err := r.PoliciesOf(n.ID)
			if err != nil {
				return err
			}
			levels[i] = []string{}
			for _, id := range ids {
				p, err := findPolicy(r, id)
				if err != nil {
					return err
				}
				levels[i] = append(levels[i], p.Content)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot read the SCPs of account %s: %w", account, err)
	}
	return levels, nil
}
