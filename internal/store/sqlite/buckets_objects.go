package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

const objectColumns = `seq, bucket, key, version_id, delete_marker, size, etag, modified, headers, metadata, blob, parts`

func scanObject(row scanner) (store.BucketObject, error) {
	var o store.BucketObject
	var headers, metadata string
	err := row.Scan(&o.Seq, &o.Bucket, &o.Key, &o.VersionID, &o.DeleteMarker, &o.Size, &o.ETag, &o.Modified,
		&headers, &metadata, &o.Blob, &o.Parts)
	if err != nil {
		return o, err
	}
	if o.Headers, err = decodeMap(headers); err != nil {
		return o, err
	}
	o.Metadata, err = decodeMap(metadata)
	return o, err
}

// putObject adds a version within tx, replacing the key's "null"
// version when o is one; it sets o.Seq and returns the blob it replaced.
func putObject(tx *Tx, o *store.BucketObject) ([]string, error) {
	var garbage []string
	if o.VersionID == "null" {
		var blob string
		err := tx.QueryRow(`DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = 'null' RETURNING blob`, o.Bucket, o.Key).Scan(&blob)
		if err != nil && !isNoRows(err) {
			return nil, err
		}
		if blob != "" {
			garbage = append(garbage, blob)
		}
	}
	res, err := tx.Exec(`INSERT INTO s3_objects (bucket, key, version_id, delete_marker, size, etag, modified, headers, metadata, blob, parts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.Bucket, o.Key, o.VersionID, o.DeleteMarker, o.Size, o.ETag, o.Modified, encodeMap(o.Headers), encodeMap(o.Metadata), o.Blob, o.Parts)
	if err != nil {
		return nil, err
	}
	o.Seq, err = res.LastInsertId()
	return garbage, err
}

func (x buckets) PutObject(ctx context.Context, o *store.BucketObject) ([]string, error) {
	var garbage []string
	err := x.s.write(ctx, func(tx *Tx) (err error) {
		garbage, err = putObject(tx, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot put object %s/%s: %w", o.Bucket, o.Key, err)
	}
	return garbage, nil
}

func (x buckets) Object(ctx context.Context, bucket, key, versionID string) (*store.BucketObject, error) {
	what := "object " + bucket + "/" + key
	var o store.BucketObject
	var err error
	if versionID == "" {
		o, err = one(ctx, x.s, what, scanObject, `SELECT `+objectColumns+` FROM s3_objects
			WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1`, bucket, key)
	} else {
		o, err = one(ctx, x.s, what+" version "+versionID, scanObject, `SELECT `+objectColumns+` FROM s3_objects
			WHERE bucket = ? AND key = ? AND version_id = ?`, bucket, key, versionID)
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

func (x buckets) Objects(ctx context.Context, bucket, prefix, after string, limit int) ([]store.BucketObject, error) {
	return list(ctx, x.s, "objects of "+bucket, scanObject, `SELECT `+objectColumns+` FROM s3_objects o
		WHERE bucket = ?1 AND substr(key, 1, length(?2)) = ?2 AND key > ?3 AND delete_marker = 0
		AND seq = (SELECT MAX(seq) FROM s3_objects l WHERE l.bucket = o.bucket AND l.key = o.key)
		ORDER BY key LIMIT ?4`, bucket, prefix, after, limitArg(limit))
}

func (x buckets) ObjectVersions(ctx context.Context, bucket, prefix, afterKey string, afterSeq int64, limit int) ([]store.BucketObject, error) {
	return list(ctx, x.s, "object versions of "+bucket, scanObject, `SELECT `+objectColumns+` FROM s3_objects
		WHERE bucket = ?1 AND substr(key, 1, length(?2)) = ?2 AND (key > ?3 OR (key = ?3 AND seq < ?4))
		ORDER BY key, seq DESC LIMIT ?5`, bucket, prefix, afterKey, afterSeq, limitArg(limit))
}

func (x buckets) DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) ([]string, error) {
	var blob string
	err := x.s.write(ctx, func(tx *Tx) error {
		return tx.QueryRow(`DELETE FROM s3_objects WHERE bucket = ? AND key = ? AND version_id = ? RETURNING blob`,
			bucket, key, versionID).Scan(&blob)
	})
	if isNoRows(err) {
		return nil, fmt.Errorf("object %s/%s version %s: %w", bucket, key, versionID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot delete object %s/%s: %w", bucket, key, err)
	}
	return nonEmpty(blob), nil
}

func nonEmpty(blobs ...string) []string {
	var out []string
	for _, b := range blobs {
		if b != "" {
			out = append(out, b)
		}
	}
	return out
}

const uploadColumns = `id, bucket, key, initiated, headers, metadata`

func scanUpload(row scanner) (store.Upload, error) {
	var u store.Upload
	var headers, metadata string
	err := row.Scan(&u.ID, &u.Bucket, &u.Key, &u.Initiated, &headers, &metadata)
	if err != nil {
		return u, err
	}
	if u.Headers, err = decodeMap(headers); err != nil {
		return u, err
	}
	u.Metadata, err = decodeMap(metadata)
	return u, err
}

func (x buckets) CreateUpload(ctx context.Context, u store.Upload) error {
	return x.s.exec(ctx, "create upload "+u.ID, `INSERT INTO s3_uploads (`+uploadColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		u.ID, u.Bucket, u.Key, u.Initiated, encodeMap(u.Headers), encodeMap(u.Metadata))
}

func (x buckets) Upload(ctx context.Context, bucket, id string) (*store.Upload, error) {
	u, err := one(ctx, x.s, "upload "+id, scanUpload, `SELECT `+uploadColumns+` FROM s3_uploads WHERE bucket = ? AND id = ?`, bucket, id)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func (x buckets) Uploads(ctx context.Context, bucket, prefix, afterKey, afterID string, limit int) ([]store.Upload, error) {
	return list(ctx, x.s, "uploads of "+bucket, scanUpload, `SELECT `+uploadColumns+` FROM s3_uploads
		WHERE bucket = ?1 AND substr(key, 1, length(?2)) = ?2 AND (key > ?3 OR (key = ?3 AND ?4 != '' AND id > ?4))
		ORDER BY key, id LIMIT ?5`, bucket, prefix, afterKey, afterID, limitArg(limit))
}

const partColumns = `upload_id, number, size, etag, modified, blob`

func scanPart(row scanner) (store.UploadPart, error) {
	var p store.UploadPart
	err := row.Scan(&p.UploadID, &p.Number, &p.Size, &p.ETag, &p.Modified, &p.Blob)
	return p, err
}

// uploadExists fails with ErrNotFound when the upload is gone.
func uploadExists(tx *Tx, id string) error {
	var one int
	err := tx.QueryRow(`SELECT 1 FROM s3_uploads WHERE id = ?`, id).Scan(&one)
	if isNoRows(err) {
		return fmt.Errorf("upload %s: %w", id, store.ErrNotFound)
	}
	return err
}

func (x buckets) PutPart(ctx context.Context, p store.UploadPart) ([]string, error) {
	var old string
	err := x.s.write(ctx, func(tx *Tx) error {
		if err := uploadExists(tx, p.UploadID); err != nil {
			return err
		}
		err := tx.QueryRow(`DELETE FROM s3_parts WHERE upload_id = ? AND number = ? RETURNING blob`, p.UploadID, p.Number).Scan(&old)
		if err != nil && !isNoRows(err) {
			return err
		}
		_, err = tx.Exec(`INSERT INTO s3_parts (`+partColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			p.UploadID, p.Number, p.Size, p.ETag, p.Modified, p.Blob)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot put part %d of upload %s: %w", p.Number, p.UploadID, err)
	}
	return nonEmpty(old), nil
}

func (x buckets) Parts(ctx context.Context, uploadID string, after, limit int) ([]store.UploadPart, error) {
	return list(ctx, x.s, "parts of upload "+uploadID, scanPart, `SELECT `+partColumns+` FROM s3_parts
		WHERE upload_id = ? AND number > ? ORDER BY number LIMIT ?`, uploadID, after, limitArg(limit))
}

// removeUpload deletes an upload and its parts within tx and returns the
// parts' blobs.
func removeUpload(tx *Tx, id string) ([]string, error) {
	if err := uploadExists(tx, id); err != nil {
		return nil, err
	}
	rows, err := tx.Query(`DELETE FROM s3_parts WHERE upload_id = ? RETURNING blob`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var blobs []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		blobs = append(blobs, nonEmpty(b)...)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	_, err = tx.Exec(`DELETE FROM s3_uploads WHERE id = ?`, id)
	return blobs, err
}

func (x buckets) CompleteUpload(ctx context.Context, uploadID string, o *store.BucketObject) ([]string, error) {
	var garbage []string
	err := x.s.write(ctx, func(tx *Tx) error {
		parts, err := removeUpload(tx, uploadID)
		if err != nil {
			return err
		}
		replaced, err := putObject(tx, o)
		garbage = append(parts, replaced...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot complete upload %s: %w", uploadID, err)
	}
	return garbage, nil
}

func (x buckets) AbortUpload(ctx context.Context, uploadID string) ([]string, error) {
	var garbage []string
	err := x.s.write(ctx, func(tx *Tx) (err error) {
		garbage, err = removeUpload(tx, uploadID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot abort upload %s: %w", uploadID, err)
	}
	return garbage, nil
}

func (x buckets) Blobs(ctx context.Context, fn func(blob string)) error {
	blobs, err := list(ctx, x.s, "blobs", scanString, `SELECT blob FROM s3_objects WHERE blob != '' UNION ALL SELECT blob FROM s3_parts WHERE blob != ''`)
	if err != nil {
		return err
	}
	for _, b := range blobs {
		fn(b)
	}
	return nil
}
