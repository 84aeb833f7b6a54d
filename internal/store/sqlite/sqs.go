package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// SQS returns the store of SQS queues and their messages (tables
// sqs_queues, sqs_messages and sqs_dedup).
//
// Every change is one write of the group-commit writer, so that the
// sends, receives and deletes of many clients share commits; each runs
// prepared statements, a batch's rows one by one in its transaction.
//
// A message's state is in its row: visible at a time when visible_at is
// at or before it, in flight when hidden after a receive (receive_count
// above 0), delayed when hidden and never received; expired (expires at
// or before the time) it is neither received nor counted, nor blocks a
// FIFO group, until DeleteExpiredMessages deletes it.
func (s *Store) SQS() store.SQS { return sqs{s} }

type sqs struct{ s *Store }

const queueColumns = `account, region, name, arn, attributes, created, updated`

func scanQueue(row scanner) (store.Queue, error) {
	var q store.Queue
	err := row.Scan(&q.Account, &q.Region, &q.Name, &q.ARN, &q.Attributes, &q.Created, &q.Updated)
	return q, err
}

func (x sqs) CreateQueue(ctx context.Context, q store.Queue) (*store.Queue, bool, error) {
	q.Attributes = blobOrEmpty(q.Attributes)
	var (
		got     store.Queue
		created bool
	)
	err := x.s.write(ctx, func(tx *Tx) error {
		existing, err := scanQueue(tx.QueryRow(`SELECT `+queueColumns+` FROM sqs_queues WHERE account = ? AND region = ? AND name = ?`,
			q.Account, q.Region, q.Name))
		if err == nil {
			got = existing
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO sqs_queues (`+queueColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			q.Account, q.Region, q.Name, q.ARN, q.Attributes, q.Created, q.Updated); err != nil {
			return err
		}
		got, created = q, true
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("cannot create queue %s: %w", q.Name, err)
	}
	return &got, created, nil
}

func (x sqs) Queue(ctx context.Context, account, region, name string) (*store.Queue, error) {
	q, err := one(ctx, x.s, "queue "+name, scanQueue,
		`SELECT `+queueColumns+` FROM sqs_queues WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return nil, err
	}
	return &q, nil
}

func (x sqs) Queues(ctx context.Context, account, region, prefix, after string, limit int) ([]store.Queue, error) {
	// The unique index on (account, region, name) gives the scope's
	// queues by name, from the greater of after and prefix.
	return list(ctx, x.s, "queues", scanQueue, `SELECT `+queueColumns+` FROM sqs_queues
		WHERE account = ?1 AND region = ?2 AND name > ?3 AND name >= ?4 AND substr(name, 1, length(?4)) = ?4
		ORDER BY name LIMIT ?5`, account, region, after, prefix, limitArg(limit))
}

func (x sqs) SetQueueAttributes(ctx context.Context, arn string, attributes []byte, updated int64) error {
	return x.s.execOne(ctx, "queue "+arn, `UPDATE sqs_queues SET attributes = ?, updated = ? WHERE arn = ?`,
		blobOrEmpty(attributes), updated, arn)
}

// DeleteQueue deletes the queue, its messages and its deduplication
// records, or nothing (ErrNotFound).
func (x sqs) DeleteQueue(ctx context.Context, arn string) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `DELETE FROM sqs_queues WHERE arn = ?`, arn); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_arn = ?`, arn); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM sqs_dedup WHERE queue_arn = ?`, arn)
		return err
	}), "queue "+arn)
}

const messageColumns = `queue_arn, id, seq, body, attributes, group_id, dedup_id, sent, visible_at, expires,
	receive_count, first_received, receipt`

func scanMessage(row scanner) (store.QueueMessage, error) {
	var m store.QueueMessage
	err := row.Scan(&m.QueueARN, &m.ID, &m.Seq, &m.Body, &m.Attributes, &m.GroupID, &m.DeduplicationID, &m.Sent, &m.VisibleAt,
		&m.Expires, &m.ReceiveCount, &m.FirstReceived, &m.Receipt)
	return m, err
}

// SendMessages adds the messages in one write, in their order: each gets
// the next seq of the table's AUTOINCREMENT. A message with a
// DeduplicationID whose record for the queue was sent at or after
// dedupSince is not added: the message returned in its place has the
// record's ID and Seq (its other fields as given). Any other is added, and
// becomes the record of its DeduplicationID (if any), so that a duplicate
// later in the same batch is that message. Fields are stored as given
// (QueueARN set to arn): an engine sends them with no receive.
func (x sqs) SendMessages(ctx context.Context, arn string, msgs []store.QueueMessage, dedupSince int64) ([]store.QueueMessage, error) {
	out := make([]store.QueueMessage, len(msgs))
	err := x.s.write(ctx, func(tx *Tx) error {
		var queues int
		if err := tx.QueryRow(`SELECT count(*) FROM sqs_queues WHERE arn = ?`, arn).Scan(&queues); err != nil {
			return err
		}
		if queues == 0 {
			return store.ErrNotFound
		}
		for i, m := range msgs {
			m.QueueARN = arn
			if m.DeduplicationID != "" {
				var (
					id  string
					seq int64
				)
				err := tx.QueryRow(`SELECT message_id, seq FROM sqs_dedup WHERE queue_arn = ? AND dedup_id = ? AND sent >= ?`,
					arn, m.DeduplicationID, dedupSince).Scan(&id, &seq)
				if err == nil {
					m.ID, m.Seq = id, seq
					out[i] = m
					continue
				}
				if !isNoRows(err) {
					return err
				}
			}
			res, err := tx.Exec(`INSERT INTO sqs_messages (queue_arn, id, body, attributes, group_id, dedup_id, sent, visible_at,
				expires, receive_count, first_received, receipt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				arn, m.ID, m.Body, blobOrNull(m.Attributes), m.GroupID, m.DeduplicationID, m.Sent, m.VisibleAt,
				m.Expires, m.ReceiveCount, m.FirstReceived, m.Receipt)
			if err != nil {
				return err
			}
			if m.Seq, err = res.LastInsertId(); err != nil {
				return err
			}
			if m.DeduplicationID != "" {
				if _, err := tx.Exec(`INSERT INTO sqs_dedup (queue_arn, dedup_id, message_id, seq, sent) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (queue_arn, dedup_id) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq,
					sent = excluded.sent`, arn, m.DeduplicationID, m.ID, m.Seq, m.Sent); err != nil {
					return err
				}
			}
			out[i] = m
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("queue %s: %w", arn, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot send messages to %s: %w", arn, err)
	}
	return out, nil
}

// receiveQueries are ReceiveMessages' queries of the next candidates, a
// standard queue's and a FIFO queue's: the messages of the queue visible
// at ?2 and not expired, after seq ?3, by seq, at most ?4; a FIFO
// queue's but those of the groups with a message in flight (the
// subquery runs once per statement, on the index of the received FIFO
// messages: without statistics, SQLite would rather scan the whole queue
// on its index by seq). Both are planned on the queue's index by seq,
// which they walk from the oldest message until they have their rows.
var receiveQueries = [2]string{
	`SELECT ` + messageColumns + ` FROM sqs_messages
		WHERE queue_arn = ?1 AND seq > ?3 AND visible_at <= ?2 AND expires > ?2 ORDER BY seq LIMIT ?4`,
	`SELECT ` + messageColumns + ` FROM sqs_messages
		WHERE queue_arn = ?1 AND seq > ?3 AND visible_at <= ?2 AND expires > ?2
		AND group_id NOT IN (SELECT group_id FROM sqs_messages INDEXED BY sqs_messages_received_groups
			WHERE queue_arn = ?1 AND receive_count > 0 AND group_id <> '' AND visible_at > ?2 AND expires > ?2)
		ORDER BY seq LIMIT ?4`,
}

// ReceiveMessages receives in one write. It takes the candidates (visible
// at r.Now, not expired) by seq; in a FIFO queue it skips every message
// of a group that has one in flight, so that each group is received in
// order: a message taken is the oldest of its group left in the queue, or
// follows in this receive the older ones of its group taken with it.
// With r.Redrive, a candidate already received MaxReceiveCount times is
// moved to the target queue instead of being taken: deleted, and added
// there as a new message (a new seq; ID, body, attributes, group,
// deduplication id, Sent and Expires kept; visible at r.Now, never
// received, no receipt). Moved messages do not count toward r.Max; as a
// moved message leaves its group, the next of the group may be taken.
// (Candidates are read by pages of what is left to take, a page more
// only after moves; the next page skips the groups of the messages taken
// before too, in flight by then: fewer taken, never out of order.)
// When the target queue does not exist (or is the queue itself, or
// MaxReceiveCount is below 1), nothing is moved and such messages are
// received as others.
//
// Each message taken is hidden until r.VisibleUntil, its ReceiveCount
// incremented, FirstReceived set to r.Now if it was 0, and then its
// Receipt set to r.Receipt(m), m so updated (a nil r.Receipt gives "").
// A queue that does not exist has nothing to receive.
func (x sqs) ReceiveMessages(ctx context.Context, r store.ReceiveRequest) ([]store.QueueMessage, error) {
	if r.Max <= 0 {
		return nil, nil
	}
	var taken []store.QueueMessage
	err := x.s.write(ctx, func(tx *Tx) error {
		taken = taken[:0]
		var (
			query      = receiveQueries[b2i(r.FIFO)]
			after      int64
			checked    bool // whether the redrive's target was looked up
			redrive    = r.Redrive != nil && r.Redrive.MaxReceiveCount > 0 && r.Redrive.TargetARN != r.QueueARN
			candidates []store.QueueMessage
		)
		for len(taken) < r.Max {
			// Read a page of candidates before changing any: a
			// statement sees the changes of its connection made while
			// it steps.
			want := r.Max - len(taken)
			var err error
			if candidates, err = txMessages(tx, candidates[:0], query, r.QueueARN, r.Now, after, want); err != nil {
				return err
			}
			for _, m := range candidates {
				after = m.Seq
				if redrive && m.ReceiveCount >= r.Redrive.MaxReceiveCount {
					if !checked {
						checked = true
						var n int
						if err := tx.QueryRow(`SELECT count(*) FROM sqs_queues WHERE arn = ?`, r.Redrive.TargetARN).Scan(&n); err != nil {
							return err
						}
						redrive = n > 0
					}
					if redrive {
						if err := moveMessage(tx, m.Seq, r.Redrive.TargetARN, r.Now); err != nil {
							return err
						}
						continue
					}
				}
				m.VisibleAt = r.VisibleUntil
				m.ReceiveCount++
				if m.FirstReceived == 0 {
					m.FirstReceived = r.Now
				}
				m.Receipt = ""
				if r.Receipt != nil {
					m.Receipt = r.Receipt(&m)
				}
				if _, err := tx.Exec(`UPDATE sqs_messages SET visible_at = ?, receive_count = ?, first_received = ?, receipt = ?
					WHERE seq = ?`, m.VisibleAt, m.ReceiveCount, m.FirstReceived, m.Receipt, m.Seq); err != nil {
					return err
				}
				taken = append(taken, m)
			}
			if len(candidates) < want {
				break // no more candidates
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot receive messages from %s: %w", r.QueueARN, err)
	}
	return taken, nil
}

// txMessages appends to ms the messages a query of a write returns.
func txMessages(tx *Tx, ms []store.QueueMessage, query string, args ...any) ([]store.QueueMessage, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return ms, err
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return ms, err
		}
		ms = append(ms, m)
	}
	return ms, rows.Err()
}

// moveMessage moves a message (by seq) to the queue target as a new
// message, visible at now and never received.
func moveMessage(tx *Tx, seq int64, target string, now int64) error {
	if err := txOne(tx, `INSERT INTO sqs_messages (queue_arn, id, body, attributes, group_id, dedup_id, sent, visible_at,
		expires, receive_count, first_received, receipt)
		SELECT ?, id, body, attributes, group_id, dedup_id, sent, ?, expires, 0, 0, '' FROM sqs_messages WHERE seq = ?`,
		target, now, seq); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM sqs_messages WHERE seq = ?`, seq)
	return err
}

func (x sqs) DeleteMessages(ctx context.Context, arn string, ids []string) error {
	switch len(ids) {
	case 0:
		return nil
	case 1:
		return x.s.exec(ctx, "delete messages of "+arn, `DELETE FROM sqs_messages WHERE queue_arn = ? AND id = ?`, arn, ids[0])
	}
	return x.s.exec(ctx, "delete messages of "+arn, `DELETE FROM sqs_messages WHERE queue_arn = ? AND id IN (SELECT value FROM json_each(?))`,
		arn, jsonList(ids))
}

// ChangeVisibility sets visible_at of the message of this ID whose latest
// receipt is receipt (a message never received has none to present),
// when it is still in flight.
func (x sqs) ChangeVisibility(ctx context.Context, arn, id, receipt string, now, visibleAt int64) error {
	return x.s.execOne(ctx, "message "+id+" of "+arn+" with this receipt", `UPDATE sqs_messages
		SET visible_at = CASE WHEN visible_at > ? THEN ? ELSE visible_at END
		WHERE queue_arn = ? AND id = ? AND receipt = ? AND receive_count > 0`, now, visibleAt, arn, id, receipt)
}

func (x sqs) Counts(ctx context.Context, arn string, now int64) (store.QueueCounts, error) {
	var c store.QueueCounts
	st, err := x.s.stmts.get(ctx, x.s.db, `SELECT coalesce(sum(visible_at <= ?2), 0),
		coalesce(sum(visible_at > ?2 AND receive_count > 0), 0), coalesce(sum(visible_at > ?2 AND receive_count = 0), 0)
		FROM sqs_messages WHERE queue_arn = ?1 AND expires > ?2`)
	if err == nil {
		err = st.QueryRowContext(ctx, arn, now).Scan(&c.Visible, &c.InFlight, &c.Delayed)
	}
	if err != nil {
		return c, fmt.Errorf("cannot count the messages of %s: %w", arn, err)
	}
	return c, nil
}

// PurgeQueue deletes the queue's messages; its deduplication records are
// kept (they are of sends, not of messages).
func (x sqs) PurgeQueue(ctx context.Context, arn string) (int64, error) {
	var n int64
	err := x.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM sqs_messages WHERE queue_arn = ?`, arn)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot purge queue %s: %w", arn, err)
	}
	return n, nil
}

// expiryBatch bounds the rows an expiry write deletes, so that a large
// expiry does not hold the writer (and every write queued behind it) for
// long.
const expiryBatch = 5000

// DeleteExpiredMessages deletes the expired messages, then the
// deduplication records sent before dedupBefore, in writes of at most
// expiryBatch rows each.
func (x sqs) DeleteExpiredMessages(ctx context.Context, now, dedupBefore int64) (int64, error) {
	n, err := x.deleteInBatches(ctx, "expired messages",
		`DELETE FROM sqs_messages WHERE seq IN (SELECT seq FROM sqs_messages WHERE expires <= ? LIMIT ?)`, now)
	if err != nil {
		return n, err
	}
	_, err = x.deleteInBatches(ctx, "old deduplication records",
		`DELETE FROM sqs_dedup WHERE rowid IN (SELECT rowid FROM sqs_dedup WHERE sent < ? LIMIT ?)`, dedupBefore)
	return n, err
}

// deleteInBatches runs a delete of at most expiryBatch rows (its
// arguments: a time, and the batch) until it deletes fewer, and returns
// how many rows it deleted.
func (x sqs) deleteInBatches(ctx context.Context, what, query string, at int64) (int64, error) {
	var total int64
	for {
		var n int64
		err := x.s.write(ctx, func(tx *Tx) error {
			res, err := tx.Exec(query, at, expiryBatch)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		if err != nil {
			return total, fmt.Errorf("cannot delete %s: %w", what, err)
		}
		total += n
		if n < expiryBatch {
			return total, nil
		}
	}
}
