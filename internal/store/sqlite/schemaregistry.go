package sqlite

import (
	"context"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// SchemaRegistry returns the store of EventBridge Schema Registry's
// registries, schemas and discoverers (tables schemas_registries,
// schemas_schemas, schemas_versions and schemas_discoverers).
func (s *Store) SchemaRegistry() store.SchemaRegistry { return schemaRegistry{s} }

type schemaRegistry struct{ s *Store }

const registryColumns = `account, region, name, arn, description, policy, policy_revision, created, updated`

func scanRegistry(row scanner) (store.Registry, error) {
	var r store.Registry
	err := row.Scan(&r.Account, &r.Region, &r.Name, &r.ARN, &r.Description, &r.Policy, &r.PolicyRevision, &r.Created, &r.Updated)
	return r, err
}

func (x schemaRegistry) CreateRegistry(ctx context.Context, r store.Registry) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO schemas_registries (`+registryColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Account, r.Region, r.Name, r.ARN, r.Description, r.Policy, r.PolicyRevision, r.Created, r.Updated)
		if isUnique(err) {
			return store.ErrExists
		}
		return err
	})
	return wrapWrite(err, "registry "+r.ARN)
}

func (x schemaRegistry) Registry(ctx context.Context, arn string) (*store.Registry, error) {
	r, err := one(ctx, x.s, "registry "+arn, scanRegistry, `SELECT `+registryColumns+` FROM schemas_registries WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (x schemaRegistry) Registries(ctx context.Context, account, region, prefix, after string, limit int) ([]store.Registry, error) {
	return list(ctx, x.s, "registries", scanRegistry, `SELECT `+registryColumns+` FROM schemas_registries
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND name > ? ORDER BY name LIMIT ?`,
		account, region, prefix, after, limitArg(limit))
}

func (x schemaRegistry) UpdateRegistry(ctx context.Context, arn, description string, updated int64) error {
	return x.s.execOne(ctx, "registry "+arn, `UPDATE schemas_registries SET description = ?, updated = ? WHERE arn = ?`,
		description, updated, arn)
}

func (x schemaRegistry) PutRegistryPolicy(ctx context.Context, arn, policy, revision, ifRevision string, updated int64) error {
	return wrapWrite(x.s.write(ctx, func(tx *Tx) error {
		var current string
		err := tx.QueryRow(`SELECT policy_revision FROM schemas_registries WHERE arn = ?`, arn).Scan(&current)
		switch {
		case isNoRows(err):
			return store.ErrNotFound
		case err != nil:
			return err
		case ifRevision != "" && current != ifRevision:
			return store.ErrPrecondition
		}
		_, err = tx.Exec(`UPDATE schemas_registries SET policy = ?, policy_revision = ?, updated = ? WHERE arn = ?`,
			policy, revision, updated, arn)
		return err
	}), "registry "+arn)
}

// DeleteRegistry deletes the registry; its schemas and their versions go
// by the foreign keys' cascade.
func (x schemaRegistry) DeleteRegistry(ctx context.Context, arn string) error {
	return x.s.execOne(ctx, "registry "+arn, `DELETE FROM schemas_registries WHERE arn = ?`, arn)
}

// schemaColumns are the columns of a schema, its count of versions
// among them.
const schemaColumns = `s.account, s.region, s.registry, s.name, s.arn, s.description, s.latest,
	(SELECT count(*) FROM schemas_versions v WHERE v.schema_arn = s.arn), s.created, s.modified`

func scanSchema(row scanner) (store.Schema, error) {
	var s store.Schema
	err := row.Scan(&s.Account, &s.Region, &s.Registry, &s.Name, &s.ARN, &s.Description, &s.Latest, &s.Versions, &s.Created, &s.Modified)
	return s, err
}

func (x schemaRegistry) CreateSchema(ctx context.Context, s store.Schema, v store.SchemaVersion) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO schemas_schemas (account, region, registry, name, arn, description, latest, next_version, created, modified)
			VALUES (?, ?, ?, ?, ?, ?, 1, 2, ?, ?)`, s.Account, s.Region, s.Registry, s.Name, s.ARN, s.Description, s.Created, s.Modified)
		switch {
		case isUnique(err):
			return store.ErrExists
		case isForeignKey(err):
			return store.ErrNotFound
		case err != nil:
			return err
		}
		return addVersion(tx, s.ARN, 1, &v)
	})
	return wrapWrite(err, "schema "+s.ARN)
}

// addVersion inserts a schema's version numbered n.
func addVersion(tx *Tx, arn string, n int64, v *store.SchemaVersion) error {
	_, err := tx.Exec(`INSERT INTO schemas_versions (schema_arn, version, type, content, created) VALUES (?, ?, ?, ?, ?)`,
		arn, n, v.Type, v.Content, v.Created)
	return err
}

func (x schemaRegistry) Schema(ctx context.Context, arn string) (*store.Schema, error) {
	s, err := one(ctx, x.s, "schema "+arn, scanSchema, `SELECT `+schemaColumns+` FROM schemas_schemas s WHERE s.arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Schemas matches keywords in SQL (one statement whatever their number:
// they arrive as a JSON list) on SQLite's lower(), which folds ASCII
// letters only, as the interface promises.
func (x schemaRegistry) Schemas(ctx context.Context, q store.SchemaQuery) ([]store.Schema, error) {
	keywords := make([]string, len(q.Keywords))
	for i, k := range q.Keywords {
		keywords[i] = asciiLower(k)
	}
	return list(ctx, x.s, "schemas", scanSchema, `SELECT `+schemaColumns+` FROM schemas_schemas s
		WHERE s.account = ?1 AND s.region = ?2 AND s.registry = ?3 AND substr(s.name, 1, length(?4)) = ?4 AND s.name > ?5
		AND NOT EXISTS (SELECT 1 FROM json_each(?6) k WHERE instr(lower(s.name), k.value) = 0 AND instr(lower(s.description), k.value) = 0
			AND instr(lower((SELECT content FROM schemas_versions v WHERE v.schema_arn = s.arn AND v.version = s.latest)), k.value) = 0)
		ORDER BY s.name LIMIT ?7`,
		q.Account, q.Region, q.Registry, q.Prefix, q.After, jsonList(keywords), limitArg(q.Limit))
}

// asciiLower lowers the ASCII letters of s, as SQLite's lower() does.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}

func (x schemaRegistry) UpdateSchema(ctx context.Context, u store.SchemaUpdate) (int64, error) {
	var latest int64
	err := x.s.write(ctx, func(tx *Tx) error {
		var next int64
		err := tx.QueryRow(`SELECT latest, next_version FROM schemas_schemas WHERE arn = ?`, u.ARN).Scan(&latest, &next)
		switch {
		case isNoRows(err):
			return store.ErrNotFound
		case err != nil:
			return err
		case u.IfLatest != 0 && latest != u.IfLatest:
			return store.ErrPrecondition
		}
		if u.Version != nil {
			if err := addVersion(tx, u.ARN, next, u.Version); err != nil {
				return err
			}
			latest, next = next, next+1
		}
		_, err = tx.Exec(`UPDATE schemas_schemas SET description = coalesce(?, description), latest = ?, next_version = ?, modified = ?
			WHERE arn = ?`, u.Description, latest, next, u.Modified, u.ARN)
		return err
	})
	if err != nil {
		return 0, wrapWrite(err, "schema "+u.ARN)
	}
	return latest, nil
}

// DeleteSchema deletes the schema; its versions go by the foreign key's
// cascade.
func (x schemaRegistry) DeleteSchema(ctx context.Context, arn string) error {
	return x.s.execOne(ctx, "schema "+arn, `DELETE FROM schemas_schemas WHERE arn = ?`, arn)
}

const versionColumns = `version, type, content, created`

func scanVersion(row scanner) (store.SchemaVersion, error) {
	var v store.SchemaVersion
	err := row.Scan(&v.Version, &v.Type, &v.Content, &v.Created)
	return v, err
}

func (x schemaRegistry) SchemaVersion(ctx context.Context, arn string, version int64) (*store.SchemaVersion, error) {
	v, err := one(ctx, x.s, "schema version of "+arn, scanVersion, `SELECT `+versionColumns+` FROM schemas_versions
		WHERE schema_arn = ?1 AND version = CASE WHEN ?2 = 0 THEN (SELECT latest FROM schemas_schemas WHERE arn = ?1) ELSE ?2 END`,
		arn, version)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func (x schemaRegistry) SchemaVersions(ctx context.Context, arn string, after int64, limit int) ([]store.SchemaVersion, error) {
	return list(ctx, x.s, "schema versions", scanVersion, `SELECT `+versionColumns+` FROM schemas_versions
		WHERE schema_arn = ? AND version > ? ORDER BY version LIMIT ?`, arn, after, limitArg(limit))
}

func (x schemaRegistry) DeleteSchemaVersion(ctx context.Context, arn string, version int64, modified int64) error {
	return wrapWrite(x.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM schemas_versions WHERE schema_arn = ?`, arn).Scan(&n); err != nil {
			return err
		}
		if err := txOne(tx, `DELETE FROM schemas_versions WHERE schema_arn = ? AND version = ?`, arn, version); err != nil {
			return err
		}
		if n == 1 {
			return store.ErrPrecondition
		}
		_, err := tx.Exec(`UPDATE schemas_schemas SET latest = (SELECT max(version) FROM schemas_versions WHERE schema_arn = ?1), modified = ?2
			WHERE arn = ?1`, arn, modified)
		return err
	}), "schema version of "+arn)
}

const discovererColumns = `account, region, id, arn, source, description, started, cross_account, created, updated`

func scanDiscoverer(row scanner) (store.Discoverer, error) {
	var d store.Discoverer
	err := row.Scan(&d.Account, &d.Region, &d.ID, &d.ARN, &d.Source, &d.Description, &d.Started, &d.CrossAccount, &d.Created, &d.Updated)
	return d, err
}

func (x schemaRegistry) CreateDiscoverer(ctx context.Context, d store.Discoverer) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO schemas_discoverers (`+discovererColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Account, d.Region, d.ID, d.ARN, d.Source, d.Description, d.Started, d.CrossAccount, d.Created, d.Updated)
		if isUnique(err) {
			return store.ErrExists
		}
		return err
	})
	return wrapWrite(err, "discoverer "+d.ARN)
}

func (x schemaRegistry) Discoverer(ctx context.Context, arn string) (*store.Discoverer, error) {
	d, err := one(ctx, x.s, "discoverer "+arn, scanDiscoverer, `SELECT `+discovererColumns+` FROM schemas_discoverers WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (x schemaRegistry) Discoverers(ctx context.Context, q store.DiscovererQuery) ([]store.Discoverer, error) {
	return list(ctx, x.s, "discoverers", scanDiscoverer, `SELECT `+discovererColumns+` FROM schemas_discoverers
		WHERE account = ?1 AND region = ?2 AND substr(id, 1, length(?3)) = ?3 AND substr(source, 1, length(?4)) = ?4 AND id > ?5
		ORDER BY id LIMIT ?6`, q.Account, q.Region, q.IDPrefix, q.SourcePrefix, q.After, limitArg(q.Limit))
}

func (x schemaRegistry) DiscoverersOf(ctx context.Context, source string) ([]store.Discoverer, error) {
	return list(ctx, x.s, "discoverers", scanDiscoverer, `SELECT `+discovererColumns+` FROM schemas_discoverers
		WHERE source = ? ORDER BY account, region, id`, source)
}

func (x schemaRegistry) UpdateDiscoverer(ctx context.Context, d store.Discoverer) error {
	return x.s.execOne(ctx, "discoverer "+d.ARN, `UPDATE schemas_discoverers SET description = ?, started = ?, cross_account = ?, updated = ?
		WHERE arn = ?`, d.Description, d.Started, d.CrossAccount, d.Updated, d.ARN)
}

func (x schemaRegistry) DeleteDiscoverer(ctx context.Context, arn string) error {
	return x.s.execOne(ctx, "discoverer "+arn, `DELETE FROM schemas_discoverers WHERE arn = ?`, arn)
}
