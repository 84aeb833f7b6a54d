package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Buckets returns the store of S3 buckets and objects (tables
// s3_buckets, s3_bucket_configs, s3_objects, s3_uploads and s3_parts).
func (s *Store) Buckets() store.Buckets { return buckets{s} }

type buckets struct{ s *Store }

const bucketColumns = `name, account, region, created, versioning`

func scanBucket(row scanner) (store.Bucket, error) {
	var b store.Bucket
	err := row.Scan(&b.Name, &b.Account, &b.Region, &b.Created, &b.Versioning)
	return b, err
}

func (x buckets) CreateBucket(ctx context.Context, b store.Bucket) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO s3_buckets (`+bucketColumns+`) VALUES (?, ?, ?, ?, ?)`,
			b.Name, b.Account, b.Region, b.Created, b.Versioning)
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("bucket %s: %w", b.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create bucket %s: %w", b.Name, err)
	}
	return nil
}

func (x buckets) Bucket(ctx context.Context, name string) (*store.Bucket, error) {
	b, err := one(ctx, x.s, "bucket "+name, scanBucket, `SELECT `+bucketColumns+` FROM s3_buckets WHERE name = ?`, name)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (x buckets) Buckets(ctx context.Context, account string) ([]store.Bucket, error) {
	return list(ctx, x.s, "buckets", scanBucket, `SELECT `+bucketColumns+` FROM s3_buckets WHERE account = ? ORDER BY name`, account)
}

// bucketNotEmpty rolls back a DeleteBucket of a bucket that holds
// objects or uploads.
type bucketNotEmpty string

func (b bucketNotEmpty) Error() string { return "bucket " + string(b) + " is not empty" }

func (x buckets) DeleteBucket(ctx context.Context, name string) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM s3_objects WHERE bucket = ?1 LIMIT 1)) +
			(SELECT COUNT(*) FROM (SELECT 1 FROM s3_uploads WHERE bucket = ?1 LIMIT 1))`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return bucketNotEmpty(name)
		}
		res, err := tx.Exec(`DELETE FROM s3_buckets WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(`DELETE FROM s3_bucket_configs WHERE bucket = ?`, name)
		return err
	})
	switch err.(type) {
	case nil:
		return nil
	case bucketNotEmpty:
		return fmt.Errorf("%w: %w", err, store.ErrExists)
	}
	return fmt.Errorf("cannot delete bucket %s: %w", name, err)
}

func (x buckets) SetVersioning(ctx context.Context, bucket, state string) error {
	return x.s.exec(ctx, "set the versioning of bucket "+bucket, `UPDATE s3_buckets SET versioning = ? WHERE name = ?`, state, bucket)
}

func (x buckets) PutBucketConfig(ctx context.Context, bucket, kind, doc string) error {
	if doc == "" {
		return x.s.exec(ctx, "delete the "+kind+" of bucket "+bucket, `DELETE FROM s3_bucket_configs WHERE bucket = ? AND kind = ?`, bucket, kind)
	}
	return x.s.exec(ctx, "put the "+kind+" of bucket "+bucket, `INSERT INTO s3_bucket_configs (bucket, kind, doc) VALUES (?, ?, ?)
		ON CONFLICT (bucket, kind) DO UPDATE SET doc = excluded.doc`, bucket, kind, doc)
}

func (x buckets) BucketConfig(ctx context.Context, bucket, kind string) (string, error) {
	return one(ctx, x.s, kind+" of bucket "+bucket, scanString, `SELECT doc FROM s3_bucket_configs WHERE bucket = ? AND kind = ?`, bucket, kind)
}

func (x buckets) BucketsWithConfig(ctx context.Context, kind string) ([]string, error) {
	return list(ctx, x.s, "buckets with a "+kind, scanString, `SELECT bucket FROM s3_bucket_configs WHERE kind = ? ORDER BY bucket`, kind)
}

func scanString(row scanner) (string, error) {
	var s string
	err := row.Scan(&s)
	return s, err
}

// encodeMap and decodeMap keep headers and metadata as JSON objects.
func encodeMap(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic("BUG: sqlite: cannot encode a string map: " + err.Error())
	}
	return string(b)
}

func decodeMap(s string) (map[string]string, error) {
	if s == "{}" {
		return nil, nil
	}
	var m map[string]string
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}
