package schemaregistry

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Schema is a version of a schema as DescribeSchema returns it, or a
// schema as the lists do (without Content).
type Schema struct {
	Name, ARN, Registry, Description string
	// Version, Type and Content are the version's; VersionCreated when
	// it was added. LastModified is when the schema last changed.
	Version, Type, Content       string
	LastModified, VersionCreated time.Time
	// VersionCount is how many versions the schema has.
	VersionCount int64
	Tags         map[string]string
}

// Version is a version of a schema as the lists of versions show it.
type Version struct {
	Version, Type string
	Created       time.Time
}

// writable checks that a registry takes writes of schemas: aws.events
// is AWS's, and discovered-schemas its discoverers'.
func writable(registry string) error {
	switch registry {
	case AWSEventsRegistry:
		return readOnly()
	case DiscoveredRegistry:
		return errorf(Forbidden, "Registry %s holds the schemas discoverers find: they cannot be created or updated.", registry)
	}
	return nil
}

// CreateSchema creates a schema of a registry, its content its first
// version.
func (s *Service) CreateSchema(ctx context.Context, sc Scope, in Schema) (Schema, error) {
	if err := writable(in.Registry); err != nil {
		return Schema{}, err
	}
	if err := validName("SchemaName", in.Name, maxSchemaName); err != nil {
		return Schema{}, err
	}
	if len(in.Tags) > maxTags {
		return Schema{}, errorf(BadRequest, "A resource takes at most %d tags.", maxTags)
	}
	if err := validateContent(in.Type, in.Content); err != nil {
		return Schema{}, err
	}
	now := s.now()
	x := store.Schema{Account: sc.Account, Region: sc.Region, Registry: in.Registry, Name: in.Name,
		ARN: SchemaARN(sc, in.Registry, in.Name), Description: in.Description, Created: now, Modified: now}
	err := s.opt.Store.CreateSchema(ctx, x, store.SchemaVersion{Type: in.Type, Content: in.Content, Created: now})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Schema{}, registryNotFound(in.Registry)
	case errors.Is(err, store.ErrExists):
		return Schema{}, errorf(Conflict, "Schema %s already exists in registry %s.", in.Name, in.Registry)
	case err != nil:
		return Schema{}, err
	}
	if err := s.tag(ctx, x.ARN, in.Tags, nil); err != nil {
		return Schema{}, err
	}
	return s.DescribeSchema(ctx, sc, in.Registry, in.Name, "")
}

// versionNumber reads a SchemaVersion parameter ("": the latest, 0).
func versionNumber(registry, name, version string) (int64, error) {
	if version == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(version, 10, 64)
	if err != nil || n < 1 {
		return 0, errorf(NotFound, "Version %s of schema %s does not exist in registry %s.", version, name, registry)
	}
	return n, nil
}

// DescribeSchema describes a version of a schema ("": its latest).
func (s *Service) DescribeSchema(ctx context.Context, sc Scope, registry, name, version string) (Schema, error) {
	if registry == AWSEventsRegistry {
		return s.describeManaged(sc, name, version)
	}
	n, err := versionNumber(registry, name, version)
	if err != nil {
		return Schema{}, err
	}
	x, err := s.schema(ctx, sc, registry, name)
	if err != nil {
		return Schema{}, err
	}
	v, err := s.opt.Store.SchemaVersion(ctx, x.ARN, n)
	if errors.Is(err, store.ErrNotFound) {
		return Schema{}, errorf(NotFound, "Version %s of schema %s does not exist in registry %s.", version, name, registry)
	}
	if err != nil {
		return Schema{}, err
	}
	tags, err := s.opt.Tags.ResourceTags(ctx, x.ARN)
	if err != nil {
		return Schema{}, err
	}
	out := summary(x)
	out.Version, out.Type, out.Content, out.VersionCreated, out.Tags = strconv.FormatInt(v.Version, 10), v.Type, v.Content, msTime(v.Created), tags
	return out, nil
}

// schema reads a schema of the caller's scope; a registry that does not
// exist is the error.
func (s *Service) schema(ctx context.Context, sc Scope, registry, name string) (*store.Schema, error) {
	x, err := s.opt.Store.Schema(ctx, SchemaARN(sc, registry, name))
	if !errors.Is(err, store.ErrNotFound) {
		return x, err
	}
	if _, err := s.registry(ctx, sc, registry); err != nil {
		return nil, err
	}
	return nil, schemaNotFound(registry, name)
}

func summary(x *store.Schema) Schema {
	return Schema{Name: x.Name, ARN: x.ARN, Registry: x.Registry, Description: x.Description, LastModified: msTime(x.Modified),
		VersionCount: x.Versions}
}

// UpdateSchema changes a schema's description and, when its content
// differs from the latest version's, adds a version. A Type without
// Content must be the latest version's; Content without a Type has it.
// A request made again (an SDK's retry) adds no second version: its
// content is the latest already.
func (s *Service) UpdateSchema(ctx context.Context, sc Scope, registry, name string, description, content *string, typ string) (Schema, error) {
	if err := writable(registry); err != nil {
		return Schema{}, err
	}
	x, err := s.schema(ctx, sc, registry, name)
	if err != nil {
		return Schema{}, err
	}
	latest, err := s.opt.Store.SchemaVersion(ctx, x.ARN, 0)
	if err != nil {
		return Schema{}, err
	}
	if typ == "" {
		typ = latest.Type
	}
	u := store.SchemaUpdate{ARN: x.ARN, Description: description, Modified: s.now()}
	switch {
	case content == nil && typ != latest.Type:
		return Schema{}, errorf(BadRequest, "Type %s differs from the latest version's (%s): a new Type comes with its Content.", typ, latest.Type)
	case content != nil && (*content != latest.Content || typ != latest.Type):
		if err := validateContent(typ, *content); err != nil {
			return Schema{}, err
		}
		u.Version = &store.SchemaVersion{Type: typ, Content: *content, Created: u.Modified}
	}
	if _, err := s.opt.Store.UpdateSchema(ctx, u); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Schema{}, schemaNotFound(registry, name)
		}
		return Schema{}, err
	}
	return s.DescribeSchema(ctx, sc, registry, name, "")
}

// DeleteSchema deletes a schema with its versions and tags.
func (s *Service) DeleteSchema(ctx context.Context, sc Scope, registry, name string) error {
	if registry == AWSEventsRegistry {
		return readOnly()
	}
	x, err := s.schema(ctx, sc, registry, name)
	if err != nil {
		return err
	}
	if err := s.opt.Store.DeleteSchema(ctx, x.ARN); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return schemaNotFound(registry, name)
		}
		return err
	}
	return store.RemoveTags(ctx, s.opt.Tags, x.ARN)
}

// DeleteSchemaVersion deletes a version of a schema; a schema keeps at
// least one (DeleteSchema deletes it whole).
func (s *Service) DeleteSchemaVersion(ctx context.Context, sc Scope, registry, name, version string) error {
	if registry == AWSEventsRegistry {
		return readOnly()
	}
	n, err := versionNumber(registry, name, version)
	if err != nil {
		return err
	}
	x, err := s.schema(ctx, sc, registry, name)
	if err != nil {
		return err
	}
	err = s.opt.Store.DeleteSchemaVersion(ctx, x.ARN, n, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errorf(NotFound, "Version %s of schema %s does not exist in registry %s.", version, name, registry)
	case errors.Is(err, store.ErrPrecondition):
		return errorf(BadRequest, "Version %s is the only version of schema %s: delete the schema instead.", version, name)
	}
	return err
}

// ListSchemas lists a registry's schemas whose names begin with prefix,
// a page of at most limit after the page of nextToken.
func (s *Service) ListSchemas(ctx context.Context, sc Scope, registry, prefix, nextToken string, limit int) ([]Schema, string, error) {
	return s.listSchemas(ctx, sc, store.SchemaQuery{Registry: registry, Prefix: prefix}, nextToken, limit)
}

// maxKeywords bounds the keywords of a search.
const maxKeywords = 10

// SearchSchemas lists a registry's schemas whose name, description or
// latest content contains every keyword (words separated by spaces),
// ignoring case, with their versions: a page of at most limit after the
// page of nextToken.
func (s *Service) SearchSchemas(ctx context.Context, sc Scope, registry, keywords, nextToken string, limit int) ([]Schema, map[string][]Version, string, error) {
	words := strings.Fields(keywords)
	if len(words) == 0 || len(words) > maxKeywords {
		return nil, nil, "", errorf(BadRequest, "Keywords takes 1 to %d words.", maxKeywords)
	}
	found, next, err := s.listSchemas(ctx, sc, store.SchemaQuery{Registry: registry, Keywords: words}, nextToken, limit)
	if err != nil {
		return nil, nil, "", err
	}
	versions := make(map[string][]Version, len(found))
	for _, x := range found {
		if versions[x.Name], err = s.versions(ctx, sc, registry, x.Name, x.ARN, 0, 0); err != nil {
			return nil, nil, "", err
		}
	}
	return found, versions, next, nil
}

func (s *Service) listSchemas(ctx context.Context, sc Scope, q store.SchemaQuery, nextToken string, limit int) ([]Schema, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	if q.Registry == AWSEventsRegistry {
		return s.listManaged(sc, q, after, limit)
	}
	if _, err := s.registry(ctx, sc, q.Registry); err != nil {
		return nil, "", err
	}
	q.Account, q.Region, q.After, q.Limit = sc.Account, sc.Region, after, limit+1
	xs, err := s.opt.Store.Schemas(ctx, q)
	if err != nil {
		return nil, "", err
	}
	xs, next := page(xs, limit, func(x *store.Schema) string { return x.Name })
	out := make([]Schema, len(xs))
	for i := range xs {
		out[i] = summary(&xs[i])
		if out[i].Tags, err = s.opt.Tags.ResourceTags(ctx, xs[i].ARN); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// ListVersions lists a schema's versions, a page of at most limit after
// the page of nextToken.
func (s *Service) ListVersions(ctx context.Context, sc Scope, registry, name, nextToken string, limit int) ([]Version, string, error) {
	key, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	after, _ := strconv.ParseInt(key, 10, 64)
	if limit, err = pageLimit(limit); err != nil {
		return nil, "", err
	}
	arn := ""
	if registry != AWSEventsRegistry {
		x, err := s.schema(ctx, sc, registry, name)
		if err != nil {
			return nil, "", err
		}
		arn = x.ARN
	}
	vs, err := s.versions(ctx, sc, registry, name, arn, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	vs, next := page(vs, limit, func(v *Version) string { return v.Version })
	return vs, next, nil
}

// versions reads versions of a schema (of its ARN, or of aws.events).
func (s *Service) versions(ctx context.Context, sc Scope, registry, name, arn string, after int64, limit int) ([]Version, error) {
	if registry == AWSEventsRegistry {
		x, err := s.describeManaged(sc, name, "")
		if err != nil || after >= 1 {
			return nil, err
		}
		return []Version{{Version: x.Version, Type: x.Type, Created: x.VersionCreated}}, nil
	}
	vs, err := s.opt.Store.SchemaVersions(ctx, arn, after, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Version, len(vs))
	for i, v := range vs {
		out[i] = Version{Version: strconv.FormatInt(v.Version, 10), Type: v.Type, Created: msTime(v.Created)}
	}
	return out, nil
}

// ExportSchema exports a version of a schema ("": its latest) as JSON
// Schema Draft 4. AWS exports only the schemas of aws.events and
// discovered-schemas.
func (s *Service) ExportSchema(ctx context.Context, sc Scope, registry, name, version, typ string) (Schema, error) {
	if typ != TypeJSONSchemaDraft4 {
		return Schema{}, errorf(BadRequest, "Invalid Type %s: schemas export to JSONSchemaDraft4.", typ)
	}
	if !isAWSRegistry(registry) {
		return Schema{}, errorf(Forbidden, "You cannot export non discovered or non aws managed schemas.")
	}
	x, err := s.DescribeSchema(ctx, sc, registry, name, version)
	if err != nil {
		return Schema{}, err
	}
	if x.Type == TypeJSONSchemaDraft4 {
		return x, nil
	}
	if x.Content, err = exportDraft4(x.Content); err != nil {
		return Schema{}, errorf(BadRequest, "Schema %s version %s cannot be exported: %s.", name, x.Version, err.Error())
	}
	x.Type = TypeJSONSchemaDraft4
	return x, nil
}
