package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// S3 server access log records waiting for delivery (table s3_access_logs).

func (x buckets) AppendAccessLogs(ctx context.Context, recs []store.AccessLogRecord) error {
	if len(recs) == 0 {
		return nil
	}
	err := x.s.write(ctx, func(tx *Tx) error {
		for i := range recs {
			r := &recs[i]
			res, err := tx.Exec(`INSERT INTO s3_access_logs (target, prefix, bucket, owner, line) VALUES (?, ?, ?, ?, ?)`,
				r.Target, r.Prefix, r.Bucket, r.Owner, r.Line)
			if err != nil {
				return err
			}
			if r.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot store %d access log records: %w", len(recs), err)
	}
	return nil
}

func scanAccessLog(row scanner) (store.AccessLogRecord, error) {
	var r store.AccessLogRecord
	err := row.Scan(&r.ID, &r.Target, &r.Prefix, &r.Bucket, &r.Owner, &r.Line)
	return r, err
}

func (x buckets) AccessLogs(ctx context.Context, after int64, limit int) ([]store.AccessLogRecord, error) {
	return list(ctx, x.s, "access log records", scanAccessLog,
		`SELECT id, target, prefix, bucket, owner, line FROM s3_access_logs WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

func (x buckets) DeleteAccessLogs(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("cannot encode access log record ids: %w", err)
	}
	return x.s.exec(ctx, "delete access log records", `DELETE FROM s3_access_logs WHERE id IN (SELECT value FROM json_each(?))`, string(list))
}
