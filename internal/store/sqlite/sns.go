package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// SNS returns the store of SNS topics and their subscriptions (tables
// sns_topics and sns_subscriptions).
func (s *Store) SNS() store.SNS { return sns{s} }

type sns struct{ s *Store }

// blobOrEmpty stores a nil slice as an empty blob: attributes are NOT
// NULL, and read back empty.
func blobOrEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

const topicColumns = `account, region, name, arn, attributes, data_protection_policy, created`

func scanTopic(row scanner) (store.Topic, error) {
	var t store.Topic
	err := row.Scan(&t.Account, &t.Region, &t.Name, &t.ARN, &t.Attributes, &t.DataProtectionPolicy, &t.Created)
	return t, err
}

func (n sns) CreateTopic(ctx context.Context, t store.Topic) (*store.Topic, bool, error) {
	t.Attributes = blobOrEmpty(t.Attributes)
	var (
		got     store.Topic
		created bool
	)
	err := n.s.write(ctx, func(tx *Tx) error {
		existing, err := scanTopic(tx.QueryRow(`SELECT `+topicColumns+` FROM sns_topics WHERE account = ? AND region = ? AND name = ?`,
			t.Account, t.Region, t.Name))
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO sns_topics (`+topicColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.Account, t.Region, t.Name, t.ARN, t.Attributes, t.DataProtectionPolicy, t.Created); err != nil {
			return err
		}
		got, created = t, true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("cannot create topic %s: %w", t.Name, err)
	}
	return &got, created, nil
}

func (n sns) Topic(ctx context.Context, arn string) (*store.Topic, error) {
	t, err := one(ctx, n.s, "topic "+arn, scanTopic, `SELECT `+topicColumns+` FROM sns_topics WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (n sns) Topics(ctx context.Context, account, region, after string, limit int) ([]store.Topic, error) {
	return list(ctx, n.s, "topics", scanTopic, `SELECT `+topicColumns+` FROM sns_topics
		WHERE account = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?`, account, region, after, limitArg(limit))
}

func (n sns) UpdateTopic(ctx context.Context, arn string, update func(t *store.Topic) error) error {
	err := n.s.write(ctx, func(tx *Tx) error {
		t, err := scanTopic(tx.QueryRow(`SELECT `+topicColumns+` FROM sns_topics WHERE arn = ?`, arn))
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := update(&t); err != nil {
			return err
		}
		return txOne(tx, `UPDATE sns_topics SET attributes = ?, data_protection_policy = ? WHERE arn = ?`,
			blobOrEmpty(t.Attributes), t.DataProtectionPolicy, arn)
	})
	return wrapOne(err, "topic "+arn)
}

func (n sns) NextSequence(ctx context.Context, count int) (int64, error) {
	var last int64
	err := n.s.write(ctx, func(tx *Tx) error {
		return tx.QueryRow(`UPDATE sns_sequence SET last = last + ? RETURNING last`, count).Scan(&last)
	})
	if err != nil {
		return 0, fmt.Errorf("cannot reserve SNS sequence numbers: %w", err)
	}
	return last, nil
}

func (n sns) DeleteTopic(ctx context.Context, arn string) error {
	err := n.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM sns_subscriptions WHERE topic_arn = ?`, arn); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM sns_topics WHERE arn = ?`, arn)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot delete topic %s: %w", arn, err)
	}
	return nil
}

const subscriptionColumns = `arn, account, region, owner, topic_arn, protocol, endpoint, confirmed, token, attributes, created`

func scanSubscription(row scanner) (store.Subscription, error) {
	var s store.Subscription
	err := row.Scan(&s.ARN, &s.Account, &s.Region, &s.Owner, &s.TopicARN, &s.Protocol, &s.Endpoint, &s.Confirmed, &s.Token,
		&s.Attributes, &s.Created)
	return s, err
}

func (n sns) PutSubscription(ctx context.Context, sub store.Subscription) error {
	err := n.s.write(ctx, func(tx *Tx) error {
		var topics int
		if err := tx.QueryRow(`SELECT count(*) FROM sns_topics WHERE arn = ?`, sub.TopicARN).Scan(&topics); err != nil {
			return err
		}
		if topics == 0 {
			return store.ErrNotFound
		}
		_, err := tx.Exec(`INSERT OR REPLACE INTO sns_subscriptions (`+subscriptionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			sub.ARN, sub.Account, sub.Region, sub.Owner, sub.TopicARN, sub.Protocol, sub.Endpoint, sub.Confirmed, sub.Token,
			blobOrEmpty(sub.Attributes), sub.Created)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("topic %s: %w", sub.TopicARN, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cannot put subscription %s: %w", sub.ARN, err)
	}
	return nil
}

func (n sns) Subscription(ctx context.Context, arn string) (*store.Subscription, error) {
	sub, err := one(ctx, n.s, "subscription "+arn, scanSubscription,
		`SELECT `+subscriptionColumns+` FROM sns_subscriptions WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

func (n sns) FindSubscription(ctx context.Context, topicARN, protocol, endpoint string) (*store.Subscription, error) {
	// The engine keeps one subscription per endpoint. No ORDER BY: it
	// would have SQLite plan the query on the topic's index, to spare a
	// sort, rather than on the endpoint's.
	sub, err := one(ctx, n.s, "subscription of "+protocol+" endpoint "+endpoint+" to "+topicARN, scanSubscription,
		`SELECT `+subscriptionColumns+` FROM sns_subscriptions WHERE topic_arn = ? AND protocol = ? AND endpoint = ?
		LIMIT 1`, topicARN, protocol, endpoint)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// subscriptionQueries are Subscriptions' queries, of every topic of a
// scope and of one topic: apart, so that each is planned on its index.
var subscriptionQueries = [2]string{
	`SELECT ` + subscriptionColumns + ` FROM sns_subscriptions
		WHERE account = ?1 AND region = ?2 AND arn > ?4 ORDER BY arn LIMIT ?5`,
	`SELECT ` + subscriptionColumns + ` FROM sns_subscriptions
		WHERE topic_arn = ?3 AND arn > ?4 ORDER BY arn LIMIT ?5`,
}

func (n sns) Subscriptions(ctx context.Context, account, region, topicARN, after string, limit int) ([]store.Subscription, error) {
	return list(ctx, n.s, "subscriptions", scanSubscription, subscriptionQueries[b2i(topicARN != "")],
		account, region, topicARN, after, limitArg(limit))
}

func (n sns) ConfirmSubscription(ctx context.Context, topicARN, token string) (*store.Subscription, error) {
	var sub store.Subscription
	err := n.s.write(ctx, func(tx *Tx) error {
		// No token confirms: subscriptions confirmed from the start have
		// none. Tokens are random, so that one subscription at most has
		// this one (no ORDER BY, for the query to be planned on the
		// token's index).
		if token == "" {
			return store.ErrNotFound
		}
		var err error
		sub, err = scanSubscription(tx.QueryRow(`SELECT `+subscriptionColumns+` FROM sns_subscriptions
			WHERE topic_arn = ? AND token = ? LIMIT 1`, topicARN, token))
		if errors.Is(err, sql.ErrNoRows) {
			return store.ErrNotFound
		}
		if err != nil {
			return err
		}
		sub.Confirmed = true
		return txOne(tx, `UPDATE sns_subscriptions SET confirmed = 1 WHERE arn = ?`, sub.ARN)
	})
	// The token is a secret: errors do not name it.
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("subscription to %s with this token: %w", topicARN, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot confirm subscription to %s: %w", topicARN, err)
	}
	return &sub, nil
}

func (n sns) DeleteSubscription(ctx context.Context, arn string) error {
	return n.s.execOne(ctx, "subscription "+arn, `DELETE FROM sns_subscriptions WHERE arn = ?`, arn)
}
