package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Dead-letter queues' sources, and message move tasks: the redrive of a
// dead-letter queue's messages to another queue or back to their sources
// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).

// scanBatch is how many queues a scan for dead-letter sources reads at a
// time.
const scanBatch = 1000

// deadLetterSources returns, by name after the name after, at most limit
// queues of a scope whose RedrivePolicy names the queue arn as their
// dead-letter queue (which AWS keeps in the account and region of its
// sources).
func (s *Service) deadLetterSources(ctx context.Context, sc Scope, arn, after string, limit int) ([]store.Queue, error) {
	var out []store.Queue
	for {
		qs, err := s.opt.Store.Queues(ctx, sc.Account, sc.Region, "", after, scanBatch)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			attrs, err := decodeAttributes(q.Attributes)
			if err != nil {
				return nil, err
			}
			if p := attrs["RedrivePolicy"]; p != "" {
				if r, err := parseRedrive(p); err == nil && r.TargetARN == arn {
					if out = append(out, q); len(out) == limit {
						return out, nil
					}
				}
			}
		}
		if len(qs) < scanBatch {
			return out, nil
		}
		after = qs[len(qs)-1].Name
	}
}

// ListDeadLetterSourceQueues lists the URLs of the queues whose
// dead-letter queue is the queue queueURL, by name; with maxResults (1 to
// 1,000) a page at a time.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, sc Scope, base, queueURL string, maxResults int, token string) ([]string, string, error) {
	p, err := newPage(maxResults, token)
	if err != nil {
		return nil, "", err
	}
	q, _, err := s.queueOf(ctx, sc, queueURL)
	if err != nil {
		return nil, "", err
	}
	qs, err := s.deadLetterSources(ctx, sc, q.ARN, p.after, p.limit)
	if err != nil {
		return nil, "", err
	}
	urls, next := p.urls(base, qs)
	return urls, next, nil
}

// Move tasks' limits.
const (
	// maxMoveRate is the most messages a task moves per second: "The
	// maximum value for messages per second is 500."
	maxMoveRate = 500
	// systemMoveRate is the rate of a task given none, which AWS
	// optimizes "based on the queue message backlog size": Vigil moves
	// as fast as it lets tasks move.
	systemMoveRate = maxMoveRate
	// maxMoveTasks is the most tasks ListMessageMoveTasks lists.
	maxMoveTasks = store.MoveTaskHistory
	// missingQueue is a failed task's FailureReason when a queue it moves
	// from or to does not exist, as AWS reports it.
	missingQueue = "AWS.SimpleQueueService.NonExistentQueue"
)

// MoveEvery is how often the composition root runs RunMoveTasks: a task
// moves its messages of each second in the run after it.
const MoveEvery = time.Second

// MoveTask is a message move task as ListMessageMoveTasks reports it.
type MoveTask struct {
	// Handle is a RUNNING task's ("" else); FailureReason a FAILED one's.
	Handle, FailureReason             string
	Status, SourceARN, DestinationARN string
	// Rate is the rate the task was started with (0: none).
	Rate          int
	Moved, ToMove int64
	// Started is when it started (ms).
	Started int64
}

// taskHandle is what a TaskHandle holds: base64 of a JSON object with the
// task's id and source queue, as AWS's handles do.
type taskHandle struct {
	TaskID    string `json:"taskId"`
	SourceARN string `json:"sourceArn"`
}

func encodeHandle(t *store.MoveTask) string {
	b, err := json.Marshal(taskHandle{TaskID: t.ID, SourceARN: t.SourceARN})
	if err != nil {
		panic("BUG: sqs: cannot encode a task handle: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeHandle(h string) (taskHandle, error) {
	var t taskHandle
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil || json.Unmarshal(b, &t) != nil || t.TaskID == "" || t.SourceARN == "" {
		return t, errorf(InvalidParameterValue, "Value for parameter TaskHandle is invalid.")
	}
	return t, nil
}

// StartMoveTask starts moving the messages of the dead-letter queue
// sourceARN to destinationARN ("": each back to the queue it came from),
// at most rate a second (nil: as fast as Vigil moves them), and returns
// the task's handle. The messages move as RunMoveTasks runs.
func (s *Service) StartMoveTask(ctx context.Context, sc Scope, sourceARN, destinationARN string, rate *int) (string, error) {
	if rate != nil && (*rate < 1 || *rate > maxMoveRate) {
		return "", errorf(InvalidParameterValue, "Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and %d, if provided.", *rate, maxMoveRate)
	}
	src, srcAttrs, err := s.queueByARN(ctx, sc, sourceARN, "SourceArn")
	if err != nil {
		return "", err
	}
	sources, err := s.deadLetterSources(ctx, sc, src.ARN, "", 1)
	if err != nil {
		return "", err
	}
	if len(sources) == 0 {
		return "", errorf(InvalidParameterValue, "Source queue must be configured as a Dead Letter Queue.")
	}
	if destinationARN != "" {
		dst, dstAttrs, err := s.queueByARN(ctx, sc, destinationARN, "DestinationArn")
		if err != nil {
			return "", err
		}
		if dst.ARN == src.ARN {
			return "", errorf(InvalidParameterValue, "Value %s for parameter DestinationArn is invalid. Reason: The source queue and the destination queue must be different.", destinationARN)
		}
		// "you can also configure any other queue as the redrive
		// destination if both queues are the same type"
		if srcAttrs["FifoQueue"] != dstAttrs["FifoQueue"] {
			return "", errorf(InvalidParameterValue, "Value %s for parameter DestinationArn is invalid. Reason: The source queue and the destination queue must be of the same type.", destinationARN)
		}
	}
	now := s.opt.Clock.Now().UnixMilli()
	counts, err := s.opt.Store.Counts(ctx, src.ARN, now)
	if err != nil {
		return "", err
	}
	t := store.MoveTask{ID: request.NewUUID(), Account: sc.Account, Region: sc.Region, SourceARN: src.ARN, DestinationARN: destinationARN,
		Status: store.MoveRunning, Started: now, Progressed: now, ToMove: counts.Visible}
	if rate != nil {
		t.Rate = *rate
	}
	err = s.opt.Store.StartMoveTask(ctx, t)
	if errors.Is(err, store.ErrExists) {
		return "", errorf(InvalidParameterValue, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	}
	if err != nil {
		return "", err
	}
	return encodeHandle(&t), nil
}

// ListMoveTasks lists the latest tasks of the queue sourceARN, the latest
// first: maxResults of them (1 to 10; nil: 1).
func (s *Service) ListMoveTasks(ctx context.Context, sc Scope, sourceARN string, maxResults *int) ([]MoveTask, error) {
	limit := 1
	if maxResults != nil {
		if limit = *maxResults; limit < 1 || limit > maxMoveTasks {
			return nil, errorf(InvalidParameterValue, "Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and %d, if provided.", limit, maxMoveTasks)
		}
	}
	src, _, err := s.queueByARN(ctx, sc, sourceARN, "SourceArn")
	if err != nil {
		return nil, err
	}
	tasks, err := s.opt.Store.MoveTasks(ctx, src.ARN, limit)
	if err != nil {
		return nil, err
	}
	out := make([]MoveTask, len(tasks))
	for i := range tasks {
		t := &tasks[i]
		out[i] = MoveTask{Status: t.Status, SourceARN: t.SourceARN, DestinationARN: t.DestinationARN, FailureReason: t.FailureReason,
			Rate: t.Rate, Moved: t.Moved, ToMove: t.ToMove, Started: t.Started}
		if t.Status == store.MoveRunning {
			out[i].Handle = encodeHandle(t)
		}
	}
	return out, nil
}

// CancelMoveTask cancels a RUNNING task by handle, and returns how many
// messages it moved: it stops (CANCELLING, then CANCELLED) at the next
// run of RunMoveTasks, the messages it moved staying where they are.
// A task that is not RUNNING cannot be cancelled, as its handle no longer
// names one (ListMessageMoveTasks reports the handles of RUNNING tasks
// only).
func (s *Service) CancelMoveTask(ctx context.Context, sc Scope, handle string) (int64, error) {
	h, err := decodeHandle(handle)
	if err != nil {
		return 0, err
	}
	src, _, err := s.queueByARN(ctx, sc, h.SourceARN, "SourceArn")
	if err != nil {
		return 0, err
	}
	noTask := errorf(ResourceNotFound, "Task does not exist.")
	t, err := s.opt.Store.MoveTask(ctx, h.TaskID)
	if errors.Is(err, store.ErrNotFound) || err == nil && t.SourceARN != src.ARN {
		return 0, noTask
	}
	if err != nil {
		return 0, err
	}
	t, err = s.opt.Store.CancelMoveTask(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, noTask
	}
	if err != nil {
		return 0, err
	}
	return t.Moved, nil
}

// RunMoveTasks runs a step of every active move task at now: the
// composition root's job, every MoveEvery. A task moves, oldest first,
// the messages visible in its source queue that its rate allows since
// its previous step, until the queue has none left.
func (s *Service) RunMoveTasks(ctx context.Context, now time.Time) error {
	tasks, err := s.opt.Store.ActiveMoveTasks(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range tasks {
		if err := s.stepMoveTask(ctx, &tasks[i], now.UnixMilli()); err != nil {
			errs = append(errs, fmt.Errorf("cannot move the messages of task %s: %w", tasks[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) stepMoveTask(ctx context.Context, t *store.MoveTask, now int64) error {
	max, progressed := moveBudget(t, now)
	if t.Status == store.MoveRunning && max == 0 {
		return nil
	}
	fifo := false
	name := t.SourceARN[strings.LastIndexByte(t.SourceARN, ':')+1:]
	if q, err := s.opt.Store.Queue(ctx, t.Account, t.Region, name); err == nil {
		attrs, err := decodeAttributes(q.Attributes)
		if err != nil {
			return err
		}
		fifo = attrs["FifoQueue"] == "true"
	} else if !errors.Is(err, store.ErrNotFound) {
		return err // a missing source fails the task in its step
	}
	_, err := s.opt.Store.StepMoveTask(ctx, store.MoveStep{TaskID: t.ID, Now: now, FIFO: fifo, Max: max, Progressed: progressed,
		Moved: movedMessage(now), Missing: missingQueue})
	return err
}

// moveBudget returns how many messages a task may move at now, and its
// Progressed after it moves them: its rate (or systemMoveRate) a second
// since its Progressed, at most a second's worth — a task that could not
// run for a while does not burst past its rate.
func moveBudget(t *store.MoveTask, now int64) (int, int64) {
	rate := int64(t.Rate)
	if rate == 0 {
		rate = systemMoveRate
	}
	n := (now - t.Progressed) * rate / 1000
	if n >= rate {
		return int(rate), now
	}
	return int(n), t.Progressed + n*1000/rate
}

// movedMessage returns the message a move at now makes in a queue: "All
// redriven messages are considered new messages and are assigned a new
// messageID and enqueueTime", retained and delayed as the queue's.
func movedMessage(now int64) func(store.QueueMessage, *store.Queue) (store.QueueMessage, error) {
	return func(m store.QueueMessage, to *store.Queue) (store.QueueMessage, error) {
		attrs, err := decodeAttributes(to.Attributes)
		if err != nil {
			return m, err
		}
		m.ID, m.Sent = request.NewTimeUUID(time.UnixMilli(now)), now
		m.VisibleAt = now + int64(intValue(attrs, "DelaySeconds"))*1000
		m.Expires = now + int64(intValue(attrs, "MessageRetentionPeriod"))*1000
		return m, nil
	}
}
