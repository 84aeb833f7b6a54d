package store

import (
	"context"
	"errors"
)

// EventBridge Schema Registry's registries, the schemas they hold with
// the versions of each, and the discoverers that find schemas on event
// buses. Times are milliseconds since the epoch, on the caller's clock.

// ErrPrecondition is returned by a conditional write whose condition no
// longer holds: a resource policy changed since the revision the caller
// read, or a schema has another latest version than the one it read.
var ErrPrecondition = errors.New("precondition failed")

// Registry is a schema registry of an account and region.
type Registry struct {
	Account, Region, Name string
	// ARN is arn:aws:schemas:REGION:ACCOUNT:registry/NAME.
	ARN         string
	Description string
	// Policy is its resource-based policy ("": none), and PolicyRevision
	// that policy's revision id, which each change of it replaces.
	Policy, PolicyRevision string
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// Schema is a schema of a registry. Its content is in its versions.
type Schema struct {
	Account, Region string
	// Registry is the name of its registry; Name its own.
	Registry, Name string
	// ARN is arn:aws:schemas:REGION:ACCOUNT:schema/REGISTRY/NAME.
	ARN         string
	Description string
	// Latest is the number of its latest version, and Versions how many
	// versions it has.
	Latest, Versions int64
	// Created and Modified are when it was created and last changed (ms).
	Created, Modified int64
}

// SchemaVersion is a version of a schema: its content, which no write
// changes.
type SchemaVersion struct {
	// Version numbers the schema's versions from 1 up, each number used
	// once: the store sets it as it adds the version.
	Version int64
	// Type is OpenApi3 or JSONSchemaDraft4.
	Type    string
	Content string
	// Created is when the version was added (ms).
	Created int64
}

// SchemaQuery selects the schemas of a registry (an account, region and
// registry name), by name.
type SchemaQuery struct {
	Account, Region, Registry string
	// Prefix keeps the names that begin with it.
	Prefix string
	// Keywords keeps the schemas whose name, description or latest
	// version's content contains every keyword, ignoring ASCII case.
	Keywords []string
	// After keeps the names after it (the pagination cursor).
	After string
	// Limit caps the schemas returned (0: no cap).
	Limit int
}

// SchemaUpdate changes a schema.
type SchemaUpdate struct {
	ARN string
	// Description replaces its description (nil: kept).
	Description *string
	// Version, when set, is added as the schema's new latest version;
	// the store sets its Version.
	Version *SchemaVersion
	// IfLatest, when not 0, makes the update happen only while the
	// schema's latest version is still IfLatest (else ErrPrecondition).
	IfLatest int64
	// Modified is when the change is made (ms).
	Modified int64
}

// Discoverer finds the schemas of the events put on an event bus.
type Discoverer struct {
	Account, Region string
	// ID names it in its account and region; ARN is
	// arn:aws:schemas:REGION:ACCOUNT:discoverer/ID.
	ID, ARN string
	// Source is the ARN of its event bus.
	Source      string
	Description string
	// Started is true while it discovers (STARTED), false when STOPPED;
	// CrossAccount whether it discovers the events other accounts put on
	// the bus.
	Started, CrossAccount bool
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// DiscovererQuery selects the discoverers of an account and region, by ID.
type DiscovererQuery struct {
	Account, Region string
	// IDPrefix keeps the IDs and SourcePrefix the source ARNs that begin
	// with it.
	IDPrefix, SourcePrefix string
	// After keeps the IDs after it (the pagination cursor).
	After string
	// Limit caps the discoverers returned (0: no cap).
	Limit int
}

// SchemaRegistry stores EventBridge Schema Registry's registries, schemas,
// schema versions and discoverers.
type SchemaRegistry interface {
	// CreateRegistry creates a registry, or fails with ErrExists when its
	// account, region and name have one.
	CreateRegistry(ctx context.Context, r Registry) error
	// Registry returns the registry of an ARN, or ErrNotFound.
	Registry(ctx context.Context, arn string) (*Registry, error)
	// Registries lists the registries of an account and region whose
	// names begin with prefix, by name, after the name after, at most
	// limit (0: no cap).
	Registries(ctx context.Context, account, region, prefix, after string, limit int) ([]Registry, error)
	// UpdateRegistry replaces a registry's description, or fails with
	// ErrNotFound.
	UpdateRegistry(ctx context.Context, arn, description string, updated int64) error
	// PutRegistryPolicy replaces a registry's policy and revision ("" and
	// "": it has none), or fails with ErrNotFound; with ifRevision not ""
	// only while its revision is still ifRevision (else ErrPrecondition).
	PutRegistryPolicy(ctx context.Context, arn, policy, revision, ifRevision string, updated int64) error
	// DeleteRegistry deletes a registry with its schemas and their
	// versions in one transaction, or fails with ErrNotFound.
	DeleteRegistry(ctx context.Context, arn string) error

	// CreateSchema creates a schema with its first version (whose Version
	// the store sets to 1); it fails with ErrNotFound, writing nothing,
	// when its registry (account, region and Registry) does not exist,
	// and with ErrExists when the registry has a schema of its name.
	CreateSchema(ctx context.Context, s Schema, v SchemaVersion) error
	// Schema returns the schema of an ARN, or ErrNotFound.
	Schema(ctx context.Context, arn string) (*Schema, error)
	// Schemas lists schemas by name.
	Schemas(ctx context.Context, q SchemaQuery) ([]Schema, error)
	// UpdateSchema applies an update and returns the schema's latest
	// version after it; it fails with ErrNotFound when the schema does
	// not exist.
	UpdateSchema(ctx context.Context, u SchemaUpdate) (int64, error)
	// DeleteSchema deletes a schema with its versions, or fails with
	// ErrNotFound.
	DeleteSchema(ctx context.Context, arn string) error
	// SchemaVersion returns a version of the schema of an ARN (0: its
	// latest), or ErrNotFound.
	SchemaVersion(ctx context.Context, arn string, version int64) (*SchemaVersion, error)
	// SchemaVersions lists a schema's versions by number, after the
	// version after, at most limit (0: no cap); none when the schema does
	// not exist.
	SchemaVersions(ctx context.Context, arn string, after int64, limit int) ([]SchemaVersion, error)
	// DeleteSchemaVersion deletes a version of a schema, or fails with
	// ErrNotFound; it fails with ErrPrecondition, deleting nothing, when
	// it is the schema's only version. The schema's latest version is
	// then the highest number left.
	DeleteSchemaVersion(ctx context.Context, arn string, version int64, modified int64) error

	// CreateDiscoverer creates a discoverer, or fails with ErrExists when
	// its account, region and ID have one.
	CreateDiscoverer(ctx context.Context, d Discoverer) error
	// Discoverer returns the discoverer of an ARN, or ErrNotFound.
	Discoverer(ctx context.Context, arn string) (*Discoverer, error)
	// Discoverers lists discoverers by ID.
	Discoverers(ctx context.Context, q DiscovererQuery) ([]Discoverer, error)
	// DiscoverersOf returns the discoverers, of every account, whose
	// source is an event bus's ARN.
	DiscoverersOf(ctx context.Context, source string) ([]Discoverer, error)
	// UpdateDiscoverer replaces a discoverer (by ARN) but its Created and
	// Source, or fails with ErrNotFound.
	UpdateDiscoverer(ctx context.Context, d Discoverer) error
	// DeleteDiscoverer deletes a discoverer, or fails with ErrNotFound.
	DeleteDiscoverer(ctx context.Context, arn string) error
}
