package buckets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// Configuration kinds a bucket keeps, as documents the API encodes.
const (
	ConfigPolicy     = "policy"
	ConfigTagging    = "tagging"
	ConfigEncryption = "encryption"
	ConfigLogging    = "logging"
	configLifecycle  = "lifecycle"
)

// SetVersioning sets a bucket's versioning to Enabled or Suspended.
func (s *Service) SetVersioning(ctx context.Context, sc Scope, bucket, state string) error {
	if state != "Enabled" && state != "Suspended" {
		return newError("MalformedXML", bucket, "The XML you provided was not well-formed or did not validate against our published schema")
	}
	if _, err := s.Bucket(ctx, sc, bucket, "s3:PutBucketVersioning"); err != nil {
		return err
	}
	err := s.st.SetVersioning(ctx, bucket, state)
	s.rows.Forget(bucket)
	return err
}

// PutConfig stores a bucket's configuration of a kind; a policy must
// parse (MalformedPolicy otherwise).
func (s *Service) PutConfig(ctx context.Context, sc Scope, bucket, kind, doc string) error {
	if _, err := s.configAccess(ctx, sc, bucket, kind, true); err != nil {
		return err
	}
	if kind == ConfigPolicy && doc != "" {
		if _, err := policy.Parse([]byte(doc)); err != nil {
			return newError("MalformedPolicy", bucket, "%s", err.Error())
		}
	}
	if kind == ConfigLogging {
		defer s.logs.targets.Forget(bucket)
	}
	if kind == ConfigPolicy {
		defer s.docs.Forget(bucket)
	}
	return s.st.PutBucketConfig(ctx, bucket, kind, doc)
}

// Config returns a bucket's configuration of a kind, "" when it has none.
func (s *Service) Config(ctx context.Context, sc Scope, bucket, kind string) (string, error) {
	if _, err := s.configAccess(ctx, sc, bucket, kind, false); err != nil {
		return "", err
	}
	doc, err := s.st.BucketConfig(ctx, bucket, kind)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return doc, err
}

// DeleteConfig removes a bucket's configuration of a kind.
func (s *Service) DeleteConfig(ctx context.Context, sc Scope, bucket, kind string) error {
	return s.PutConfig(ctx, sc, bucket, kind, "")
}

// Rule is a lifecycle rule: objects whose keys begin with Prefix expire
// Days after their creation (rounded up to the next midnight UTC, as S3
// does) or from Date on.
type Rule struct {
	ID, Prefix string
	Enabled    bool
	Days       int
	Date       time.Time
}

// PutLifecycle replaces a bucket's lifecycle rules.
func (s *Service) PutLifecycle(ctx context.Context, sc Scope, bucket string, rules []Rule) error {
	for _, r := range rules {
		if (r.Days > 0) == !r.Date.IsZero() {
			return newError("MalformedXML", bucket, "Rule %q must give exactly one of Expiration Days and Date.", r.ID)
		}
	}
	doc, err := json.Marshal(rules)
	if err != nil {
		return fmt.Errorf("cannot encode lifecycle rules: %w", err)
	}
	return s.PutConfig(ctx, sc, bucket, configLifecycle, string(doc))
}

// Lifecycle returns a bucket's lifecycle rules (none: NoSuchLifecycleConfiguration).
func (s *Service) Lifecycle(ctx context.Context, sc Scope, bucket string) ([]Rule, error) {
	doc, err := s.Config(ctx, sc, bucket, configLifecycle)
	if err != nil {
		return nil, err
	}
	if doc == "" {
		return nil, newError("NoSuchLifecycleConfiguration", bucket, "The lifecycle configuration does not exist")
	}
	var rules []Rule
	if err := json.Unmarshal([]byte(doc), &rules); err != nil {
		return nil, fmt.Errorf("cannot read the lifecycle rules of %s: %w", bucket, err)
	}
	return rules, nil
}

// DeleteLifecycle removes a bucket's lifecycle rules.
func (s *Service) DeleteLifecycle(ctx context.Context, sc Scope, bucket string) error {
	return s.DeleteConfig(ctx, sc, bucket, configLifecycle)
}

// expires reports whether an object modified at modified has expired
// under r at now.
func (r Rule) expires(modified, now time.Time) bool {
	if !r.Date.IsZero() {
		return !now.Before(r.Date)
	}
	at := modified.UTC().Add(time.Duration(r.Days) * 24 * time.Hour)
	if day := at.Truncate(24 * time.Hour); !day.Equal(at) {
		at = day.Add(24 * time.Hour)
	}
	return !now.Before(at)
}

// ExpireObjects applies every bucket's lifecycle rules at now: the
// current versions they expire are deleted as a DeleteObject would (a
// delete marker in a versioned bucket). It is the step of a periodic job.
func (s *Service) ExpireObjects(ctx context.Context, now time.Time) error {
	names, err := s.st.BucketsWithConfig(ctx, configLifecycle)
	if err != nil {
		return err
	}
	for _, name := range names {
		b, err := s.bucket(ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		sc := Scope{Account: b.Account, Region: b.Region}
		rules, err := s.Lifecycle(ctx, sc, name)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if r.Enabled {
				if err := s.expireRule(ctx, sc, name, r, now); err != nil {
					return fmt.Errorf("cannot expire objects of %s: %w", name, err)
				}
			}
		}
	}
	return nil
}

func (s *Service) expireRule(ctx context.Context, sc Scope, bucket string, r Rule, now time.Time) error {
	after := ""
	for {
		page, err := s.st.Objects(ctx, bucket, r.Prefix, after, listPage)
		if err != nil || len(page) == 0 {
			return err
		}
		for _, o := range page {
			after = o.Key
			if r.expires(time.UnixMilli(o.Modified), now) {
				if _, err := s.DeleteObject(ctx, sc, bucket, o.Key, ""); err != nil {
					return err
				}
			}
		}
	}
}
