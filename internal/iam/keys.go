package iam

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// maxKeysPerUser is how many access keys a user (or the root) may have.
const maxKeysPerUser = 2

// AccessKey is an access key as IAM shows it: its user's name ("" for
// the root's), and the secret only when it is created.
type AccessKey struct {
	store.IAMAccessKey
	UserName string
	Secret   string
}

// keyNotFound words the refusal of an access key id IAM does not have.
func keyNotFound(id string) error {
	return errorf(NoSuchEntity, "The Access Key with id %s cannot be found.", id)
}

// CreateAccessKey creates an access key for a user, or (user "") for the
// caller, root included; the key signs requests at once.
func (s *Service) CreateAccessKey(ctx context.Context, c Caller, user string) (*AccessKey, error) {
	if s.opt.Host != nil {
		if err := s.opt.Host(ctx, c.Account); err != nil {
			return nil, err
		}
	}
	id, secret := newAccessKey()
	k := store.AccessKey{ID: id, AccountID: c.Account,
		SealedSecret: s.opt.Sealer.Seal([]byte(secret)), Active: true, Created: s.now()}
	var name string
	err := s.update(ctx, c.Account, func(w store.IAMWriter) error {
		u, err := callerOr(w, c, user)
		if err != nil {
			return err
		}
		if n, err := count(w.AccessKeys(u.ID)); err != nil {
			return err
		} else if n >= maxKeysPerUser {
			return quota("AccessKeysPerUser", maxKeysPerUser)
		}
		k.PrincipalARN, k.UserID, name = u.ARN, u.ID, u.Name
		return w.PutAccessKey(k)
	})
	if err != nil {
		return nil, err
	}
	s.opt.Forget(k.ID)
	return &AccessKey{IAMAccessKey: store.IAMAccessKey{AccessKey: k}, UserName: name, Secret: secret}, nil
}

// ListAccessKeys lists the access keys of a user, or (user "") of the
// caller.
func (s *Service) ListAccessKeys(ctx context.Context, c Caller, user string, p Page) (Paged[AccessKey], error) {
	var keys []AccessKey
	err := s.view(ctx, c.Account, func(r store.IAMReader) error {
		u, err := callerOr(r, c, user)
		if err != nil {
			return err
		}
		list, err := r.AccessKeys(u.ID)
		for _, k := range list {
			keys = append(keys, AccessKey{IAMAccessKey: k, UserName: u.Name})
		}
		return err
	})
	if err != nil {
		return Paged[AccessKey]{}, err
	}
	return paginate(keys, p, "access-keys", func(k AccessKey) string { return k.Created.Format(time.RFC3339) + k.ID })
}

// userKey reads an access key of a user, or (user "") of the caller.
func userKey(r store.IAMReader, c Caller, user, id string) (store.IAMAccessKey, error) {
	u, err := callerOr(r, c, user)
	if err != nil {
		return store.IAMAccessKey{}, err
	}
	k, err := r.AccessKey(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.UserID != u.ID) {
		return k, keyNotFound(id)
	}
	return k, err
}

// keepsRootKey refuses to deactivate or delete the root's last active
// access key: Vigil's operator signs with it (the data directory's
// credentials file), and the root has no password to sign in with and
// make another.
func keepsRootKey(r store.IAMReader, k store.IAMAccessKey) error {
	if k.UserID != k.AccountID || !k.Active {
		return nil
	}
	keys, err := r.AccessKeys(k.UserID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(keys, func(o store.IAMAccessKey) bool { return o.ID != k.ID && o.Active }) {
		return nil
	}
	return errorf(InvalidInput, "Access key %s is the root's last active access key, which Vigil's operator signs with: create another first.", k.ID)
}

// SetAccessKeyActive activates or deactivates an access key of a user,
// or (user "") of the caller; a deactivated key signs nothing from then
// on.
func (s *Service) SetAccessKeyActive(ctx context.Context, c Caller, user, id string, active bool) error {
	err := s.update(ctx, c.Account, func(w store.IAMWriter) error {
		k, err := userKey(w, c, user, id)
		if err != nil {
			return err
		}
		if !active {
			if err := keepsRootKey(w, k); err != nil {
				return err
			}
		}
		return w.SetAccessKeyActive(id, active)
	})
	if err == nil {
		s.opt.Forget(id)
	}
	return err
}

// DeleteAccessKey deletes an access key of a user, or (user "") of the
// caller.
func (s *Service) DeleteAccessKey(ctx context.Context, c Caller, user, id string) error {
	err := s.update(ctx, c.Account, func(w store.IAMWriter) error {
		k, err := userKey(w, c, user, id)
		if err != nil {
			return err
		}
		if err := keepsRootKey(w, k); err != nil {
			return err
		}
		return w.DeleteAccessKey(id)
	})
	if err == nil {
		s.opt.Forget(id)
	}
	return err
}

// AccessKeyLastUsed returns an access key of the account with its last
// use and the name of its user ("root" for the root's).
func (s *Service) AccessKeyLastUsed(ctx context.Context, account, id string) (*AccessKey, error) {
	var out *AccessKey
	err := s.view(ctx, account, func(r store.IAMReader) error {
		k, err := r.AccessKey(id)
		if errors.Is(err, store.ErrNotFound) {
			return keyNotFound(id)
		} else if err != nil {
			return err
		}
		out = &AccessKey{IAMAccessKey: k, UserName: "root"}
		if k.UserID == account {
			return nil
		}
		u, err := r.EntityByID(k.UserID)
		out.UserName = u.Name
		return err
	})
	return out, err
}

// maxPendingKeyUses bounds the key uses noted between two flushes: past
// it, uses of keys not noted yet wait for the next flush.
const maxPendingKeyUses = 10000

// keyUsage holds the last use of each access key noted since the last
// flush, so that the store gets one write per key and flush, not one per
// request.
type keyUsage struct {
	mu      sync.Mutex
	pending map[string]store.IAMKeyUse
}

func newKeyUsage() keyUsage { return keyUsage{pending: map[string]store.IAMKeyUse{}} }

// NoteKeyUse notes that an access key signed a request at a time, to a
// service in a region; FlushKeyUses stores the notes. It costs a map
// update: the composition root calls it for every request.
func (s *Service) NoteKeyUse(account, key, region, service string, at time.Time) {
	if key == "" {
		return
	}
	u := &s.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	old, ok := u.pending[key]
	if (ok && !at.After(old.Time)) || (!ok && len(u.pending) >= maxPendingKeyUses) {
		return
	}
	u.pending[key] = store.IAMKeyUse{Key: key, Account: account, Time: at.UTC(), Region: region, Service: service}
}

// FlushKeyUses stores the key uses noted since the last flush: a job of
// each node (it stores what its own requests used). Uses it fails to
// store are kept for the next flush.
func (s *Service) FlushKeyUses(ctx context.Context, _ time.Time) error {
	u := &s.usage
	u.mu.Lock()
	pending := u.pending
	u.pending = make(map[string]store.IAMKeyUse, len(pending))
	u.mu.Unlock()
	if len(pending) == 0 {
		return nil
	}
	uses := slices.SortedFunc(maps.Values(pending), func(a, b store.IAMKeyUse) int { return a.Time.Compare(b.Time) })
	err := s.opt.Store.RecordKeyUses(ctx, uses)
	if err != nil {
		for _, use := range uses {
			s.NoteKeyUse(use.Account, use.Key, use.Region, use.Service, use.Time)
		}
	}
	return err
}
