// Package buckets is Vigil's built-in S3 bucket store: buckets (names
// global across accounts), objects and their versions, multipart uploads,
// bucket policies and configurations, lifecycle expiration, and the
// delivery of objects by AWS services (CloudTrail, Logs exports) into
// buckets whose policy lets them in.
//
// An object's bytes are a blob file under the engine's directory, written
// whole (temporary file, fsync, rename, fsync of the directory) before the
// metadata row that names it is committed in the store; blobs no row
// names (a crash between the two, or after a deletion's commit) are
// removed when the engine opens.
package buckets

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// Error is a failure a client is told about: Code is S3's error code
// (NoSuchBucket, NoSuchKey, …), Resource what it is about.
type Error struct {
	Code, Message, Resource string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is matches errors by code, so that errors.Is(err, ErrNoSuchBucket)
// holds for every NoSuchBucket error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errors other services test for with errors.Is.
var (
	ErrNoSuchBucket = &Error{Code: "NoSuchBucket"}
	ErrAccessDenied = &Error{Code: "AccessDenied"}
)

func newError(code, resource, format string, args ...any) *Error {
	return &Error{Code: code, Resource: resource, Message: fmt.Sprintf(format, args...)}
}

// Scope is the caller's account, identity (its ARN) and region.
type Scope struct {
	Account, Region string
	// Principal is the caller's ARN, which bucket policies name; the
	// account's root when empty.
	Principal string
}

// Options configure a Service.
type Options struct {
	// Store keeps buckets and objects' metadata.
	Store store.Buckets
	// Dir holds the objects' bytes (created when missing).
	Dir string
	// Clock stamps objects and drives lifecycle expiration.
	Clock clock.Clock
}

// Service is the bucket store.
type Service struct {
	st       store.Buckets
	blobs    *blobs
	clock    clock.Clock
	policies policy.Cache
	logs     *accessLogs
	// rows caches buckets' rows, read at every request.
	rows *cache.TTL[string, *store.Bucket]
	// docs caches buckets' policies ("" for none), which the front door
	// reads at every request of an IAM principal.
	docs *cache.TTL[string, string]
}

// Open returns the bucket store over opt.Dir, removing the blobs and
// temporary files no stored row names.
func Open(ctx context.Context, opt Options) (*Service, error) {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	b, err := openBlobs(opt.Dir)
	if err != nil {
		return nil, err
	}
	s := &Service{st: newObjectRows(opt.Store, opt.Clock), blobs: b, clock: opt.Clock, logs: newAccessLogs(),
		rows: cache.NewTTL[string, *store.Bucket](4096, bucketCacheTTL),
		docs: cache.NewTTL[string, string](4096, bucketCacheTTL)}
	keep := map[string]bool{}
	if err := s.st.Blobs(ctx, func(name string) { keep[name] = true }); err != nil {
		return nil, fmt.Errorf("cannot list the stored objects: %w", err)
	}
	if err := b.sweep(keep); err != nil {
		return nil, err
	}
	return s, nil
}

// bucketName is the shape of a general purpose bucket's name
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// ValidBucketName reports why name is not a valid bucket name, or "".
func ValidBucketName(name string) string {
	switch {
	case !bucketName.MatchString(name):
		return "Bucket names must be 3 to 63 characters of lowercase letters, numbers, dots and hyphens, beginning and ending with a letter or number."
	case strings.Contains(name, ".."), strings.Contains(name, ".-"), strings.Contains(name, "-."):
		return "Bucket names must not contain two adjacent periods, nor a period next to a hyphen."
	case net.ParseIP(name) != nil:
		return "Bucket names must not be formatted as an IP address."
	case strings.HasPrefix(name, "xn--"), strings.HasPrefix(name, "sthree-"), strings.HasPrefix(name, "amzn-s3-demo-"):
		return "Bucket names must not start with the reserved prefixes xn--, sthree- or amzn-s3-demo-."
	case strings.HasSuffix(name, "-s3alias"), strings.HasSuffix(name, "--ol-s3"), strings.HasSuffix(name, ".mrap"), strings.HasSuffix(name, "--x-s3"):
		return "Bucket names must not end with a reserved suffix."
	}
	return ""
}

// CreateBucket creates a bucket in the caller's region, or in
// location when given (which must then be that region, as S3 requires
// of requests to a regional endpoint).
func (s *Service) CreateBucket(ctx context.Context, sc Scope, name, location string) (*store.Bucket, error) {
	if why := ValidBucketName(name); why != "" {
		return nil, newError("InvalidBucketName", name, "The specified bucket is not valid. %s", why)
	}
	region := sc.Region
	switch {
	case location == "" && region != "us-east-1" && region != "":
		// S3 requires the constraint outside us-east-1; SDKs add it.
		return nil, newError("IllegalLocationConstraintException", name,
			"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
	case location == "us-east-1":
		return nil, newError("InvalidLocationConstraint", name, "The specified location-constraint is not valid.")
	case location != "" && location != region:
		return nil, newError("IllegalLocationConstraintException", name,
			"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", location)
	}
	if region == "" {
		region = "us-east-1"
	}
	b := store.Bucket{Name: name, Account: sc.Account, Region: region, Created: s.clock.Now().UnixMilli()}
	err := s.st.CreateBucket(ctx, b)
	s.rows.Forget(name)
	if errors.Is(err, store.ErrExists) {
		old, gerr := s.st.Bucket(ctx, name)
		if gerr == nil && old.Account == sc.Account {
			if old.Region == "us-east-1" && region == "us-east-1" {
				// us-east-1 answers the owner's repeat with success.
				return old, nil
			}
			return nil, newError("BucketAlreadyOwnedByYou", name, "Your previous request to create the named bucket succeeded and you already own it.")
		}
		return nil, newError("BucketAlreadyExists", name,
			"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
	}
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// Bucket returns a bucket the caller may act on with action (an S3
// IAM action, "s3:ListBucket"): NoSuchBucket when there is none; for
// another account than the owner, AccessDenied unless the bucket's
// policy allows the caller the action on the bucket.
func (s *Service) Bucket(ctx context.Context, sc Scope, name, action string) (*store.Bucket, error) {
	return s.access(ctx, sc, name, action, "")
}

// ListBuckets lists the caller's buckets by name.
func (s *Service) ListBuckets(ctx context.Context, sc Scope) ([]store.Bucket, error) {
	return s.st.Buckets(ctx, sc.Account)
}

// DeleteBucket deletes an empty bucket.
func (s *Service) DeleteBucket(ctx context.Context, sc Scope, name string) error {
	if _, err := s.Bucket(ctx, sc, name, "s3:DeleteBucket"); err != nil {
		return err
	}
	err := s.st.DeleteBucket(ctx, name)
	s.rows.Forget(name)
	switch {
	case errors.Is(err, store.ErrExists):
		return newError("BucketNotEmpty", name, "The bucket you tried to delete is not empty")
	case errors.Is(err, store.ErrNotFound):
		return newError("NoSuchBucket", name, "The specified bucket does not exist")
	}
	return err
}
