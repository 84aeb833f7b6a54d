package store

import "context"

// S3 buckets and objects: bucket names are global (one namespace for
// every account and region), an object's bytes live in a blob file the
// bucket engine writes under the data directory, and the store keeps the
// metadata that names it. Times are milliseconds since the epoch, on the
// caller's clock.

// Bucket is an S3 bucket.
type Bucket struct {
	Name, Account, Region string
	// Created is when the bucket was created (ms).
	Created int64
	// Versioning is "", "Enabled" or "Suspended".
	Versioning string
}

// BucketObject is one version of an object, or a delete marker.
type BucketObject struct {
	Bucket, Key string
	// VersionID is "null" for the version written while versioning was
	// never enabled or is suspended.
	VersionID string
	// Seq orders the versions of a key (assigned by the store; larger is
	// newer).
	Seq          int64
	DeleteMarker bool
	Size         int64
	ETag         string // quoted
	Modified     int64  // ms
	// Headers are the stored system headers (Content-Type, …) and
	// Metadata the user metadata (x-amz-meta-<name>).
	Headers, Metadata map[string]string
	// Blob names the file of the object's bytes ("" for a delete marker
	// and an empty object).
	Blob string
	// Parts is the number of parts of an object a multipart upload made.
	Parts int
}

// Upload is a multipart upload in progress.
type Upload struct {
	ID, Bucket, Key string
	Initiated       int64 // ms
	// Headers and Metadata are what the completed object will carry.
	Headers, Metadata map[string]string
}

// UploadPart is one part of a multipart upload.
type UploadPart struct {
	UploadID string
	Number   int
	Size     int64
	ETag     string // quoted
	Modified int64
	Blob     string
}

// AccessLogRecord is a record of a bucket's server access log waiting
// to be delivered to its target bucket.
type AccessLogRecord struct {
	// ID orders the records (assigned by the store, increasing).
	ID int64
	// Target and Prefix are where the record goes; Bucket is the logged
	// bucket and Owner its owner's account.
	Target, Prefix, Bucket, Owner string
	// Line is the record, without its newline.
	Line string
}

// Buckets stores S3 buckets, their configurations, objects and multipart
// uploads. Methods that remove objects or parts return the blobs no row
// names any more, which the caller deletes after the write is durable.
type Buckets interface {
	// CreateBucket creates a bucket, or returns ErrExists when a bucket
	// of that name exists (in any account).
	CreateBucket(ctx context.Context, b Bucket) error
	// Bucket returns the named bucket, or ErrNotFound.
	Bucket(ctx context.Context, name string) (*Bucket, error)
	// Buckets lists an account's buckets by name.
	Buckets(ctx context.Context, account string) ([]Bucket, error)
	// DeleteBucket deletes an empty bucket and its configurations:
	// ErrNotFound when there is none, ErrExists when it still holds
	// objects (versions and delete markers count) or uploads.
	DeleteBucket(ctx context.Context, name string) error
	// SetVersioning sets a bucket's versioning state.
	SetVersioning(ctx context.Context, bucket, state string) error
	// PutBucketConfig stores a bucket's configuration of a kind
	// ("policy", "tagging", …); an empty doc deletes it.
	PutBucketConfig(ctx context.Context, bucket, kind, doc string) error
	// BucketConfig returns a bucket's configuration of a kind, or
	// ErrNotFound.
	BucketConfig(ctx context.Context, bucket, kind string) (string, error)
	// BucketsWithConfig lists the names of the buckets that have a
	// configuration of a kind.
	BucketsWithConfig(ctx context.Context, kind string) ([]string, error)

	// PutObject adds a version of an object and sets its Seq; when its
	// VersionID is "null" it replaces the key's "null" version.
	PutObject(ctx context.Context, o *BucketObject) (garbage []string, err error)
	// Object returns a version of an object ("" the latest, which may be
	// a delete marker), or ErrNotFound.
	Object(ctx context.Context, bucket, key, versionID string) (*BucketObject, error)
	// Objects lists the latest versions of the keys that begin with
	// prefix and come after after, by key (byte order), skipping keys
	// whose latest version is a delete marker; at most limit.
	Objects(ctx context.Context, bucket, prefix, after string, limit int) ([]BucketObject, error)
	// ObjectVersions lists every version and delete marker of the keys
	// that begin with prefix, by key and then newest first, starting
	// after the version (afterKey, afterSeq) (afterSeq 0: after every
	// version of afterKey; "" starts at the beginning); at most limit.
	ObjectVersions(ctx context.Context, bucket, prefix, afterKey string, afterSeq int64, limit int) ([]BucketObject, error)
	// DeleteObjectVersion removes one version (or delete marker), or
	// returns ErrNotFound.
	DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) (garbage []string, err error)

	// CreateUpload starts a multipart upload.
	CreateUpload(ctx context.Context, u Upload) error
	// Upload returns an upload of a bucket, or ErrNotFound.
	Upload(ctx context.Context, bucket, id string) (*Upload, error)
	// Uploads lists a bucket's uploads whose keys begin with prefix, by
	// key then ID, after (afterKey, afterID); at most limit.
	Uploads(ctx context.Context, bucket, prefix, afterKey, afterID string, limit int) ([]Upload, error)
	// PutPart stores a part, replacing the part of that number; ErrNotFound
	// when the upload is gone.
	PutPart(ctx context.Context, p UploadPart) (garbage []string, err error)
	// Parts lists an upload's parts by number, after a number; at most
	// limit.
	Parts(ctx context.Context, uploadID string, after, limit int) ([]UploadPart, error)
	// CompleteUpload removes an upload and its parts and adds o (setting
	// its Seq), in one write; ErrNotFound when the upload is gone.
	CompleteUpload(ctx context.Context, uploadID string, o *BucketObject) (garbage []string, err error)
	// AbortUpload removes an upload and its parts, or returns ErrNotFound.
	AbortUpload(ctx context.Context, uploadID string) (garbage []string, err error)
	// Blobs calls fn with every blob a row names.
	Blobs(ctx context.Context, fn func(blob string)) error

	// AppendAccessLogs stores server access log records to deliver,
	// assigning their IDs.
	AppendAccessLogs(ctx context.Context, recs []AccessLogRecord) error
	// AccessLogs lists the records waiting, by ID, after an ID; at most
	// limit.
	AccessLogs(ctx context.Context, after int64, limit int) ([]AccessLogRecord, error)
	// DeleteAccessLogs removes records (delivered or dropped) by ID.
	DeleteAccessLogs(ctx context.Context, ids []int64) error
}
