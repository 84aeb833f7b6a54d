package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Tags returns the store of resource tags.
func (s *Store) Tags() store.Tags { return tags{s} }

type tags struct{ s *Store }

func (t tags) ResourceTags(ctx context.Context, arn string) (map[string]string, error) {
	kvs, err := list(ctx, t.s, "the tags of "+arn, func(row scanner) (kv [2]string, err error) {
		err = row.Scan(&kv[0], &kv[1])
		return kv, err
	}, `SELECT key, value FROM resource_tags WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv[0]] = kv[1]
	}
	return out, nil
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

// putTags adds or replaces tags within a write.
func putTags(tx *Tx, arn string, tags map[string]string) error {
	for k, v := range tags {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO resource_tags VALUES (?, ?, ?)`, arn, k, v); err != nil {
			return err
		}
	}
	return nil
}

// deleteTags removes a resource's tags within a write.
func deleteTags(tx *Tx, arn string) error {
	_, err := tx.Exec(`DELETE FROM resource_tags WHERE arn = ?`, arn)
	return err
}
