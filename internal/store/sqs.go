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
	// SourceARN is, for a message a redrive moved to a dead-letter queue,
	// the queue it came from ("" else).
	SourceARN string
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
	// receive count and visibility anew; Sent and ID kept; SourceARN the
	// queue; a FIFO message's DeduplicationID its ID), instead of
	// receiving them, in the same transaction.
	Redrive *Redrive
	// AttemptID, when set, names the receive so that it can be retried:
	// a receive of the AttemptID of an earlier one of the queue made at or
	// after AttemptSince returns the messages that one returned, with
	// their receipts and receive counts, hidden anew until VisibleUntil —
	// as long as each is still in the queue (not expired) under that
	// receipt with the visibility that receive (or its latest retry) gave
	// it. Otherwise the receive is made afresh, and becomes the
	// AttemptID's when it returns messages.
	AttemptID    string
	AttemptSince int64
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
	// Expires is at or before now, and the deduplication records and
	// receive attempts older than dedupBefore, and returns how many
	// messages.
	DeleteExpiredMessages(ctx context.Context, now, dedupBefore int64) (int64, error)

	// StartMoveTask stores a new task, or fails with ErrExists when a
	// task of its source is RUNNING or CANCELLING. It keeps the source's
	// MoveTaskHistory latest tasks, deleting the older ones.
	StartMoveTask(ctx context.Context, t MoveTask) error
	// MoveTask returns a task by ID, or ErrNotFound.
	MoveTask(ctx context.Context, id string) (*MoveTask, error)
	// MoveTasks lists the tasks of a source queue, the latest started
	// first, at most limit (0: no cap).
	MoveTasks(ctx context.Context, sourceARN string, limit int) ([]MoveTask, error)
	// ActiveMoveTasks lists the tasks RUNNING or CANCELLING, of every
	// queue, by start.
	ActiveMoveTasks(ctx context.Context) ([]MoveTask, error)
	// CancelMoveTask makes a RUNNING task CANCELLING and returns it, or
	// fails with ErrNotFound when no task of that ID is RUNNING.
	CancelMoveTask(ctx context.Context, id string) (*MoveTask, error)
	// StepMoveTask runs a step of a task (ErrNotFound when there is no
	// such task) and returns it as updated, all in one transaction: a
	// task CANCELLING becomes CANCELLED; a RUNNING one moves up to s.Max
	// messages of its source queue, those s.FIFO receives at s.Now, oldest
	// first, to its destination, or each to its SourceARN: deleted, and
	// added there as s.Moved makes them (SourceARN cleared, a new Seq).
	// Its Moved grows by their number and its Progressed becomes
	// s.Progressed; it is COMPLETED when fewer than s.Max were left, and
	// FAILED for the reason s.Missing when its source, its destination or
	// a message's source queue does not exist (the messages moved before
	// stay moved). A task in another state is returned as it is.
	StepMoveTask(ctx context.Context, s MoveStep) (*MoveTask, error)
}

// MoveTaskHistory is how many tasks of a source queue StartMoveTask
// keeps.
const MoveTaskHistory = 10

// The statuses of a move task.
const (
	MoveRunning    = "RUNNING"
	MoveCancelling = "CANCELLING"
	MoveCancelled  = "CANCELLED"
	MoveCompleted  = "COMPLETED"
	MoveFailed     = "FAILED"
)

// MoveTask is a message move task: the redrive of a dead-letter queue's
// messages to another queue, or back to the queues they came from.
type MoveTask struct {
	// ID names the task; Account and Region are its source queue's.
	ID, Account, Region string
	// SourceARN is the queue the messages move from; DestinationARN the
	// queue they move to ("": each to its SourceARN).
	SourceARN, DestinationARN string
	// Rate is the most messages it moves per second (0: not given).
	Rate int
	// Status is one of the Move statuses; FailureReason says why a task
	// FAILED.
	Status, FailureReason string
	// Started is when it started; Progressed is when its moves are
	// accounted up to, which its rate counts from (ms).
	Started, Progressed int64
	// ToMove is how many messages its source had when it started; Moved
	// how many it moved.
	ToMove, Moved int64
}

// MoveStep is a step of a move task.
type MoveStep struct {
	TaskID string
	// Now is when the step happens; FIFO takes the source's messages as
	// a FIFO receive does (nothing of a group with a message in flight).
	Now  int64
	FIFO bool
	// Max is how many messages to move at most; Progressed is the task's
	// after the step.
	Max        int
	Progressed int64
	// Moved returns the message that m becomes in the queue to: its ID,
	// Sent, VisibleAt and Expires are the caller's to set; the store
	// makes it a message never received.
	Moved func(m QueueMessage, to *Queue) (QueueMessage, error)
	// Missing is the FailureReason of a task that finds a queue missing.
	Missing string
}
