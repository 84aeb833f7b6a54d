package duckdb

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Tags returns the store of resource tags.
func (s *Store) Tags() store.Tags { return tags{s} }

type tags struct{ s *Store }

func (t tags) ResourceTags(ctx context.Context, arn string) (map[string]string, error) {
	rows, err := t.s.db.QueryContext(ctx, `SELECT key, value FROM resource_tags WHERE arn = ?`, arn)
	if err != nil {
		return nil, fmt.Errorf("cannot read the tags of %s: %w", arn, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("cannot read the tags of %s: %w", arn, err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

func (t tags) TagResource(ctx context.Context, arn string, add map[string]string, remove []string, limit int) error {
	err := t.s.write(ctx, func(tx *Tx) error {
		for _, k := range remove {
			if _, err := tx.Exec(`DELETE FROM resource_tags WHERE arn = ? AND key = ?`, arn, k); err != nil {
				return err
			}
		}
		if err := putTags(tx, arn, add); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM resource_tags WHERE arn = ?`, arn).Scan(&n); err != nil {
			return err
		}
		if limit > 0 && n > limit {
			return store.ErrLimit
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot tag %s: %w", arn, err)
	}
	return nil
}
