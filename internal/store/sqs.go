package store

import "context"

// SQS queues and their messages. A queue's attributes and a message's
// attributes are the engine's to encode; the store knows of a message
// what receiving, hiding, deleting, de-duplicating and expiring it need.
// Times are milliseconds since the epoch, on the caller's clock.

// Queue is an SQS queue of an account and region.
type Queue struct {
	Account, Region, Name string
	// ARN is arn:aws:sqs:REGION:ACCOUNT:NAME.
	ARN string
	// Attributes are the queue's attributes, encoded by the engine.
	Attributes []byte
	// Created and Updated are when it was created and its attributes
	// last set (ms).
	Created, Updated int64
}

// QueueMessage is a message in a queue.
type QueueMessage struct {
	// QueueARN is its queue; ID its MessageId.
	QueueARN, ID string
	// Seq is assigned by SendMessages and grows with every message sent
	// to the store: the order messages are received in, and a FIFO
	// message's SequenceNumber.
	Seq  int64
	Body string
	// Attributes are the message's attributes, encoded by the engine.
	Attributes []byte
	// GroupID and DeduplicationID are a FIFO message's ("" else).
	GroupID, DeduplicationID string
	// Sent is when it was sent; VisibleAt when it may be received next
	// (after its delay, or when a receive's visibility timeout ends);
	// Expires when the queue's retention deletes it (ms).
	Sent, VisibleAt, Expires int64
	// ReceiveCount counts its receives; FirstReceived is when the first
	// was (ms; 0 before).
	ReceiveCount  int
	FirstReceived int64
	// Receipt is the token of its latest receive ("" before the first),
	// which ChangeVisibility must present.
	Receipt string
}

// Redrive is a queue's dead-letter queue: a message received
// MaxReceiveCount times moves there instead of being received again.
type Redrive struct {
	TargetARN       string
	MaxReceiveCount int
}

// ReceiveRequest is a receive from a queue.
type ReceiveRequest struct {
	QueueARN string
	// Now is when the receive happens; a received message is hidden
	// until VisibleUntil.
	Now, VisibleUntil int64
	// Max is how many messages to receive at most (1 to 10).
	Max int
	// FIFO receives in order within each message group, and nothing of a
	// group while one of its messages is in flight.
	FIFO bool
	// Receipt returns the token of a message's receive (a new one each
	// time).
	Receipt func(m *QueueMessage) string
	// Redrive, when set, moves the messages already received
	// MaxReceiveCount times to its target queue, as new messages (Seq,
	// receive count and visibility anew; Sent and ID kept), instead of
	// receiving them, in the same transaction.
	Redrive *Redrive
}

// QueueCounts are the numbers of a queue's messages by state at a time.
type QueueCounts struct {
	// Visible can be received; InFlight were received and are hidden;
	// Delayed were never received and are hidden by their delay.
	Visible, InFlight, Delayed int64
}

// SQS stores queues and their messages.
type SQS interface {
	// CreateQueue creates q unless a queue of its account, region and
	// name exists; it returns the queue stored, and whether it created
	// it.
	CreateQueue(ctx context.Context, q Queue) (*Queue, bool, error)
	// Queue returns a queue by account, region and name, or ErrNotFound.
	Queue(ctx context.Context, account, region, name string) (*Queue, error)
	// Queues lists the queues of an account and region whose names begin
	// with prefix, by name, after the name after ("": from the first), at
	// most limit (0: no cap).
	Queues(ctx context.Context, account, region, prefix, after string, limit int) ([]Queue, error)
	// SetQueueAttributes replaces a queue's attributes, or fails with
	// ErrNotFound.
	SetQueueAttributes(ctx context.Context, arn string, attributes []byte, updated int64) error
	// DeleteQueue deletes a queue and its messages in one transaction, or
	// fails with ErrNotFound.
	DeleteQueue(ctx context.Context, arn string) error

	// SendMessages adds messages to a queue in one transaction, assigning
	// their Seq, and returns them as stored; it fails with ErrNotFound,
	// adding nothing, when the queue does not exist. A message with a
	// DeduplicationID that a message of the queue had, sent at or after
	// dedupSince (ms), is not added: the message returned in its place is
	// that one (its ID and Seq).
	SendMessages(ctx context.Context, arn string, msgs []QueueMessage, dedupSince int64) ([]QueueMessage, error)
	// ReceiveMessages receives the messages r asks for, oldest (lowest
	// Seq) first, among those visible at r.Now and not expired: each is
	// hidden until r.VisibleUntil, its ReceiveCount incremented, its
	// Receipt set to r.Receipt(m) and FirstReceived set on its first
	// receive, all in one transaction. It returns them as updated.
	ReceiveMessages(ctx context.Context, r ReceiveRequest) ([]QueueMessage, error)
	// DeleteMessages deletes messages of a queue by ID; IDs of no message
	// are ignored (deleting a deleted message succeeds, as in AWS).
	DeleteMessages(ctx context.Context, arn string, ids []string) error
	// ChangeVisibility hides a message in flight at now under receipt
	// until visibleAt (now: visible again), or fails with ErrNotFound when
	// the message is gone or receipt is not its latest. A message whose
	// visibility timeout has ended by now is left as it is, without an
	// error: AWS answers such a change with success and changes nothing.
	ChangeVisibility(ctx context.Context, arn, id, receipt string, now, visibleAt int64) error
	// Counts counts a queue's messages by state at now (expired ones not
	// counted).
	Counts(ctx context.Context, arn string, now int64) (QueueCounts, error)
	// PurgeQueue deletes every message of a queue and returns how many.
	PurgeQueue(ctx context.Context, arn string) (int64, error)
	// DeleteExpiredMessages deletes the messages of every queue whose
	// Expires is at or before now, and the deduplication records older
	// than dedupBefore, and returns how many messages.
	DeleteExpiredMessages(ctx context.Context, now, dedupBefore int64) (int64, error)
}
