package store

import "context"

// CloudTrail: the recorded API calls (event history), the trails that
// deliver them to buckets, the log files a trail delivered and has not
// yet listed in a digest, and the keys that sign digests. Times are
// milliseconds since the epoch, on the caller's clock.

// TrailEvent is one recorded API call.
type TrailEvent struct {
	// Seq orders the events in the order they were stored; AppendEvents
	// assigns it.
	Seq             int64
	Account, Region string
	// Time is the call's eventTime (ms).
	Time int64
	// ID is the eventID; Name the eventName, Source the eventSource.
	ID, Name, Source string
	// Username and AccessKey are what LookupEvents matches and shows.
	Username, AccessKey string
	ReadOnly            bool
	// Category is the eventCategory: "Management", "Data" or "Insight";
	// Resource the ARN a data event acted on, or the trail that found an
	// Insights event ("" else).
	Category, Resource string
	// ErrorCode is the failed call's errorCode ("" for a success).
	ErrorCode string
	// Record is the CloudTrail record as JSON.
	Record []byte
}

// TrailEventQuery selects an account's events of one region and
// category ("": Management) for LookupEvents: From ≤ Time < To, the
// attribute (when Attribute is not ""), and after the cursor, newest
// first.
type TrailEventQuery struct {
	Account, Region, Category string
	From, To                  int64
	// Attribute is one of "EventId", "EventName", "EventSource",
	// "Username", "AccessKeyId", "ReadOnly" (Value "true"/"false"), or "".
	Attribute, Value string
	// BeforeTime and BeforeSeq, when BeforeSeq > 0, continue a listing:
	// only events older than (BeforeTime, BeforeSeq) come.
	BeforeTime, BeforeSeq int64
	Limit                 int
}

// CallCount is how many calls of one API (Source, Name) a minute had,
// and how many of them failed.
type CallCount struct {
	// Minute is the minute's start (ms).
	Minute        int64
	Source, Name  string
	Calls, Errors int64
}

// Trail is a CloudTrail trail. Its settings and its delivery state are
// JSON documents the engine owns; the store keeps them as they are, and
// updates either without the other.
type Trail struct {
	Account, Region, Name string
	// ARN is arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME.
	ARN      string
	Settings []byte
	State    []byte
	// Delivered is the Seq of the last event the trail delivered.
	Delivered int64
	// Created is when the trail was created (ms).
	Created int64
}

// TrailLogFile is a log file a trail delivered, kept until a digest of
// its region lists it.
type TrailLogFile struct {
	Region         string
	Bucket, Key    string
	HashSHA256     string
	Oldest, Newest int64
	// Delivered is when the file was written (ms).
	Delivered int64
}

// SigningKey is a region's digest-signing key pair.
type SigningKey struct {
	Region      string
	Fingerprint string
	// Public is the DER PKCS#1 public key; SealedPrivate the DER PKCS#1
	// private key, sealed by the caller.
	Public, SealedPrivate []byte
	// From and To bound when the key signs (ms).
	From, To int64
}

// CloudTrail stores CloudTrail's events, trails, log files and keys.
type CloudTrail interface {
	// AppendEvents stores events in their order, assigning their Seq.
	AppendEvents(ctx context.Context, events []TrailEvent) error
	// LookupEvents returns the events q selects, newest first (by Time,
	// then Seq), at most q.Limit.
	LookupEvents(ctx context.Context, q TrailEventQuery) ([]TrailEvent, error)
	// EventsAfter returns an account's events with after < Seq ≤
	// through, of the regions given (all when nil), by Seq, at most
	// limit.
	EventsAfter(ctx context.Context, account string, regions []string, after, through int64, limit int) ([]TrailEvent, error)
	// CountCalls counts an account's management write calls of a region
	// with From ≤ Time < To, by minute and API.
	CountCalls(ctx context.Context, account, region string, from, to int64) ([]CallCount, error)
	// LastEventSeq returns the Seq of the newest event (0: none).
	LastEventSeq(ctx context.Context) (int64, error)
	// MarkEvents notes that the events stored so far all happened before
	// at: a call's event is stored after the call. ExpireEvents deletes
	// the events stored before the latest mark at or before before (all
	// older than before, without an index on time) and the marks older
	// than that one, and returns how many events.
	MarkEvents(ctx context.Context, at int64) error
	ExpireEvents(ctx context.Context, before int64) (int64, error)

	// CreateTrail stores a new trail and its tags (nil: none), or fails
	// with ErrExists when the account has one of that name in the region.
	CreateTrail(ctx context.Context, t Trail, tags map[string]string) error
	// Trail returns the trail with the ARN, or ErrNotFound.
	Trail(ctx context.Context, arn string) (*Trail, error)
	// Trails lists the trails of an account (every region when region is
	// ""), by region and name; AllTrails every trail.
	Trails(ctx context.Context, account, region string) ([]Trail, error)
	AllTrails(ctx context.Context) ([]Trail, error)
	// SetTrailSettings replaces a trail's settings, or fails with
	// ErrNotFound.
	SetTrailSettings(ctx context.Context, arn string, settings []byte) error
	// SetTrailState replaces a trail's state and Delivered and adds the
	// log files, in one durable write; ErrNotFound when the trail is gone.
	SetTrailState(ctx context.Context, arn string, state []byte, delivered int64, files ...TrailLogFile) error
	// DeleteTrail deletes a trail, its tags and its log files, or fails
	// with ErrNotFound.
	DeleteTrail(ctx context.Context, arn string) error
	// TrailLogFiles returns the log files of a trail's region not yet
	// listed by a digest, delivered before before, by delivery.
	TrailLogFiles(ctx context.Context, arn, region string, before int64) ([]TrailLogFile, error)
	// SetTrailDigested replaces a trail's state and forgets the log files
	// of the region delivered before before, in one durable write.
	SetTrailDigested(ctx context.Context, arn string, state []byte, region string, before int64) error

	// PutSigningKey stores a key, or fails with ErrExists.
	PutSigningKey(ctx context.Context, k SigningKey) error
	// SigningKeys returns the keys of a region, oldest first.
	SigningKeys(ctx context.Context, region string) ([]SigningKey, error)
}
