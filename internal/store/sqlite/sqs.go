package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// SQS returns the store of SQS queues, their messages and move tasks
// (tables sqs_queues, sqs_messages, sqs_dedup, sqs_receive_attempts and
// sqs_move_tasks).
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

// DeleteQueue deletes the queue, its messages, its deduplication
// records and its receive attempts, or nothing (ErrNotFound). Its move
// tasks are kept: a task moving from or to it fails.
func (x sqs) DeleteQueue(ctx context.Context, arn string) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `DELETE FROM sqs_queues WHERE arn = ?`, arn); err != nil {
			return err
		}
		for _, table := range []string{"sqs_messages", "sqs_dedup", "sqs_receive_attempts"} {
			if _, err := tx.Exec(`DELETE FROM `+table+` WHERE queue_arn = ?`, arn); err != nil {
				return err
			}
		}
		return nil
	}), "queue "+arn)
}

const messageColumns = `queue_arn, id, seq, body, attributes, group_id, dedup_id, sent, visible_at, expires,
	receive_count, first_received, receipt, source_arn`

func scanMessage(row scanner) (store.QueueMessage, error) {
	var m store.QueueMessage
	err := row.Scan(&m.QueueARN, &m.ID, &m.Seq, &m.Body, &m.Attributes, &m.GroupID, &m.DeduplicationID, &m.Sent, &m.VisibleAt,
		&m.Expires, &m.ReceiveCount, &m.FirstReceived, &m.Receipt, &m.SourceARN)
	return m, err
}

// insertMessages adds messages, their fields as given (Seq aside), to
// their QueueARN, and sets their Seq.
func insertMessages(tx *Tx, ms []store.QueueMessage) error {
	return messageInsert.exec(tx, len(ms), func(i int, args []any) []any {
		m := &ms[i]
		return append(args, m.QueueARN, m.ID, m.Body, blobOrNull(m.Attributes), m.GroupID, m.DeduplicationID, m.Sent, m.VisibleAt,
			m.Expires, m.ReceiveCount, m.FirstReceived, m.Receipt, m.SourceARN)
	}, func(i int, seq int64) { ms[i].Seq = seq })
}

var messageInsert = newMultiInsert(`INSERT INTO sqs_messages (queue_arn, id, body, attributes, group_id, dedup_id, sent, visible_at,
	expires, receive_count, first_received, receipt, source_arn)`, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

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
		if !slices.ContainsFunc(msgs, func(m store.QueueMessage) bool { return m.DeduplicationID != "" }) {
			// Nothing to deduplicate: the messages go in together.
			copy(out, msgs)
			for i := range out {
				out[i].QueueARN = arn
			}
			return insertMessages(tx, out)
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
			one := []store.QueueMessage{m}
			if err := insertMessages(tx, one); err != nil {
				return err
			}
			m = one[0]
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
//
// With r.AttemptID, the attempt's record of the queue (if received at or
// after r.AttemptSince) is retried first (retryAttempt); a receive made
// afresh that takes messages replaces the record.
func (x sqs) ReceiveMessages(ctx context.Context, r store.ReceiveRequest) ([]store.QueueMessage, error) {
	if r.Max <= 0 {
		return nil, nil
	}
	var taken []store.QueueMessage
	err := x.s.write(ctx, func(tx *Tx) error {
		taken = taken[:0]
		if r.AttemptID != "" {
			again, ok, err := retryAttempt(tx, r)
			if ok || err != nil {
				taken = again
				return err
			}
		}
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
		if r.AttemptID == "" || len(taken) == 0 {
			return nil
		}
		return recordAttempt(tx, r, taken)
	})
	if err != nil {
		return nil, fmt.Errorf("cannot receive messages from %s: %w", r.QueueARN, err)
	}
	return taken, nil
}

// attemptMessage is a message of a receive attempt's record.
type attemptMessage struct {
	Seq     int64  `json:"seq"`
	Receipt string `json:"receipt"`
}

// recordAttempt makes the messages of a receive r's attempt.
func recordAttempt(tx *Tx, r store.ReceiveRequest, taken []store.QueueMessage) error {
	list := make([]attemptMessage, len(taken))
	for i, m := range taken {
		list[i] = attemptMessage{m.Seq, m.Receipt}
	}
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO sqs_receive_attempts (queue_arn, attempt_id, received, visible_until, messages)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (queue_arn, attempt_id) DO UPDATE SET received = excluded.received,
		visible_until = excluded.visible_until, messages = excluded.messages`,
		r.QueueARN, r.AttemptID, r.Now, r.VisibleUntil, string(b))
	return err
}

// retryAttempt returns, in a write, the messages of r's attempt, hidden
// anew until r.VisibleUntil, when its record (received at or after
// r.AttemptSince) can be retried: each of its messages is still in the
// queue, not expired at r.Now, with the record's receipt and visibility.
func retryAttempt(tx *Tx, r store.ReceiveRequest) ([]store.QueueMessage, bool, error) {
	var (
		visibleUntil int64
		record       string
	)
	err := tx.QueryRow(`SELECT visible_until, messages FROM sqs_receive_attempts WHERE queue_arn = ? AND attempt_id = ? AND received >= ?`,
		r.QueueARN, r.AttemptID, r.AttemptSince).Scan(&visibleUntil, &record)
	if isNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var list []attemptMessage
	if err := json.Unmarshal([]byte(record), &list); err != nil {
		return nil, false, fmt.Errorf("cannot read receive attempt %s: %w", r.AttemptID, err)
	}
	seqs := make([]int64, len(list))
	for i, a := range list {
		seqs[i] = a.Seq
	}
	b, err := json.Marshal(seqs)
	if err != nil {
		return nil, false, err
	}
	ms, err := txMessages(tx, nil, `SELECT `+messageColumns+` FROM sqs_messages WHERE seq IN (SELECT value FROM json_each(?))
		AND queue_arn = ? AND visible_at = ? AND expires > ? ORDER BY seq`, string(b), r.QueueARN, visibleUntil, r.Now)
	if err != nil || len(ms) != len(list) {
		return nil, false, err
	}
	for i := range ms {
		if ms[i].Seq != list[i].Seq || ms[i].Receipt != list[i].Receipt {
			return nil, false, nil
		}
		ms[i].VisibleAt = r.VisibleUntil
	}
	if _, err := tx.Exec(`UPDATE sqs_messages SET visible_at = ? WHERE seq IN (SELECT value FROM json_each(?))`,
		r.VisibleUntil, string(b)); err != nil {
		return nil, false, err
	}
	_, err = tx.Exec(`UPDATE sqs_receive_attempts SET visible_until = ? WHERE queue_arn = ? AND attempt_id = ?`,
		r.VisibleUntil, r.QueueARN, r.AttemptID)
	return ms, err == nil, err
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
// message, visible at now and never received, whose SourceARN is the
// queue it leaves and whose deduplication id (a FIFO message's) is its
// ID: "When a message is moved from a FIFO queue to a FIFO DLQ, the
// original message's deduplication ID will be replaced with the original
// message's ID"
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
func moveMessage(tx *Tx, seq int64, target string, now int64) error {
	if err := txOne(tx, `INSERT INTO sqs_messages (queue_arn, id, body, attributes, group_id, dedup_id, sent, visible_at,
		expires, receive_count, first_received, receipt, source_arn)
		SELECT ?, id, body, attributes, group_id, CASE WHEN dedup_id = '' THEN '' ELSE id END, sent, ?, expires, 0, 0, '',
		queue_arn FROM sqs_messages WHERE seq = ?`,
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
// deduplication records sent and the receive attempts made before
// dedupBefore, in writes of at most expiryBatch rows each.
func (x sqs) DeleteExpiredMessages(ctx context.Context, now, dedupBefore int64) (int64, error) {
	n, err := x.deleteInBatches(ctx, "expired messages",
		`DELETE FROM sqs_messages WHERE seq IN (SELECT seq FROM sqs_messages WHERE expires <= ? LIMIT ?)`, now)
	if err != nil {
		return n, err
	}
	if _, err = x.deleteInBatches(ctx, "old deduplication records",
		`DELETE FROM sqs_dedup WHERE rowid IN (SELECT rowid FROM sqs_dedup WHERE sent < ? LIMIT ?)`, dedupBefore); err != nil {
		return n, err
	}
	_, err = x.deleteInBatches(ctx, "old receive attempts",
		`DELETE FROM sqs_receive_attempts WHERE rowid IN (SELECT rowid FROM sqs_receive_attempts WHERE received < ? LIMIT ?)`, dedupBefore)
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

const moveTaskColumns = `id, account, region, source_arn, destination_arn, rate, status, failure_reason, started, progressed,
	to_move, moved`

func scanMoveTask(row scanner) (store.MoveTask, error) {
	var t store.MoveTask
	err := row.Scan(&t.ID, &t.Account, &t.Region, &t.SourceARN, &t.DestinationARN, &t.Rate, &t.Status, &t.FailureReason,
		&t.Started, &t.Progressed, &t.ToMove, &t.Moved)
	return t, err
}

// StartMoveTask adds the task; the partial unique index on the sources of
// the tasks RUNNING or CANCELLING refuses a second one. The tasks of the
// source past the store.MoveTaskHistory latest are deleted with it.
func (x sqs) StartMoveTask(ctx context.Context, t store.MoveTask) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO sqs_move_tasks (`+moveTaskColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Account, t.Region, t.SourceARN, t.DestinationARN, t.Rate, t.Status, t.FailureReason, t.Started, t.Progressed,
			t.ToMove, t.Moved); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM sqs_move_tasks WHERE source_arn = ?1 AND id NOT IN
			(SELECT id FROM sqs_move_tasks WHERE source_arn = ?1 ORDER BY started DESC, rowid DESC LIMIT ?2)`,
			t.SourceARN, store.MoveTaskHistory)
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("an active move task of %s: %w", t.SourceARN, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot start a move task of %s: %w", t.SourceARN, err)
	}
	return nil
}

func (x sqs) MoveTask(ctx context.Context, id string) (*store.MoveTask, error) {
	t, err := one(ctx, x.s, "move task "+id, scanMoveTask, `SELECT `+moveTaskColumns+` FROM sqs_move_tasks WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (x sqs) MoveTasks(ctx context.Context, sourceARN string, limit int) ([]store.MoveTask, error) {
	return list(ctx, x.s, "move tasks of "+sourceARN, scanMoveTask, `SELECT `+moveTaskColumns+` FROM sqs_move_tasks
		WHERE source_arn = ? ORDER BY started DESC, rowid DESC LIMIT ?`, sourceARN, limitArg(limit))
}

func (x sqs) ActiveMoveTasks(ctx context.Context) ([]store.MoveTask, error) {
	return list(ctx, x.s, "active move tasks", scanMoveTask, `SELECT `+moveTaskColumns+` FROM sqs_move_tasks
		WHERE status IN ('RUNNING', 'CANCELLING') ORDER BY started, rowid`)
}

func (x sqs) CancelMoveTask(ctx context.Context, id string) (*store.MoveTask, error) {
	var t store.MoveTask
	err := wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `UPDATE sqs_move_tasks SET status = ? WHERE id = ? AND status = ?`,
			store.MoveCancelling, id, store.MoveRunning); err != nil {
			return err
		}
		var err error
		t, err = scanMoveTask(tx.QueryRow(`SELECT `+moveTaskColumns+` FROM sqs_move_tasks WHERE id = ?`, id))
		return err
	}), "running move task "+id)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// StepMoveTask runs the step in one write (stepMoves for a RUNNING
// task).
func (x sqs) StepMoveTask(ctx context.Context, s store.MoveStep) (*store.MoveTask, error) {
	var t store.MoveTask
	err := wrapOne(x.s.write(ctx, func(tx *Tx) error {
		var err error
		t, err = scanMoveTask(tx.QueryRow(`SELECT `+moveTaskColumns+` FROM sqs_move_tasks WHERE id = ?`, s.TaskID))
		switch {
		case isNoRows(err):
			return store.ErrNotFound
		case err != nil:
			return err
		case t.Status == store.MoveCancelling:
			t.Status = store.MoveCancelled
		case t.Status == store.MoveRunning:
			if err := stepMoves(tx, &t, s); err != nil {
				return err
			}
		default:
			return nil
		}
		_, err = tx.Exec(`UPDATE sqs_move_tasks SET status = ?, failure_reason = ?, progressed = ?, moved = ? WHERE id = ?`,
			t.Status, t.FailureReason, t.Progressed, t.Moved, t.ID)
		return err
	}), "move task "+s.TaskID)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// stepMoves moves, in a write, the messages of a step of the RUNNING task
// t, and updates t (but not its row).
func stepMoves(tx *Tx, t *store.MoveTask, s store.MoveStep) error {
	queues := map[string]*store.Queue{} // by ARN; nil: missing
	queue := func(arn string) (*store.Queue, error) {
		if q, ok := queues[arn]; ok || arn == "" {
			return q, nil
		}
		q, err := scanQueue(tx.QueryRow(`SELECT `+queueColumns+` FROM sqs_queues WHERE arn = ?`, arn))
		if isNoRows(err) {
			queues[arn] = nil
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		queues[arn] = &q
		return &q, nil
	}
	t.Progressed = s.Progressed
	src, err := queue(t.SourceARN)
	if err != nil {
		return err
	}
	if src == nil {
		t.Status, t.FailureReason = store.MoveFailed, s.Missing
		return nil
	}
	candidates, err := txMessages(tx, nil, receiveQueries[b2i(s.FIFO)], t.SourceARN, s.Now, 0, s.Max)
	if err != nil {
		return err
	}
	for _, m := range candidates {
		target := t.DestinationARN
		if target == "" {
			target = m.SourceARN
		}
		to, err := queue(target)
		if err != nil {
			return err
		}
		if to == nil {
			t.Status, t.FailureReason = store.MoveFailed, s.Missing
			return nil
		}
		moved, err := s.Moved(m, to)
		if err != nil {
			return err
		}
		// A new message of the queue, never received.
		moved.QueueARN, moved.SourceARN = to.ARN, ""
		moved.ReceiveCount, moved.FirstReceived, moved.Receipt = 0, 0, ""
		if err := insertMessages(tx, []store.QueueMessage{moved}); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sqs_messages WHERE seq = ?`, m.Seq); err != nil {
			return err
		}
		t.Moved++
	}
	if len(candidates) < s.Max {
		t.Status = store.MoveCompleted
	}
	return nil
}
