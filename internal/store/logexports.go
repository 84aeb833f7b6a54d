package store

import "context"

// LogExportTask is a CloudWatch Logs export task (CreateExportTask): what
// it exports, where to, its status, and how far it got. Times are
// milliseconds since the epoch.
type LogExportTask struct {
	ID, Account, Region string
	Name                string
	// Group is the exported log group's name, GroupID its id.
	Group   string
	GroupID int64
	// StreamPrefix selects the group's streams ("" for all).
	StreamPrefix string
	// From and To bound the exported events' timestamps, both inclusive.
	From, To int64
	// Destination is the bucket, DestinationPrefix the start of the keys.
	Destination, DestinationPrefix string
	// Status is PENDING, RUNNING, COMPLETED, FAILED or CANCELLED; Message
	// says why.
	Status, Message string
	// Created is when the task was created, Completed when it ended (0
	// while it is active).
	Created, Completed int64
	// Stream, File and After are the task's progress: it has written
	// every object of the streams whose names sort before Stream, and of
	// Stream the files numbered below File, which hold its events up to
	// the position After.
	Stream string
	File   int
	After  Position
}

// The export task statuses in which a task is active: an account and
// region has at most one active task, and only an active task changes.
const (
	ExportPending = "PENDING"
	ExportRunning = "RUNNING"
)

// LogExports stores CloudWatch Logs export tasks.
type LogExports interface {
	// CreateLogExportTask stores t unless its account and region already
	// have an active task, and reports whether it stored t. Checking and
	// creating are atomic: concurrent calls never make two active tasks.
	CreateLogExportTask(ctx context.Context, t LogExportTask) (bool, error)
	// LogExportTasks lists the tasks of an account and region, newest
	// first (by Created, then by ID).
	LogExportTasks(ctx context.Context, account, region string) ([]LogExportTask, error)
	// ActiveLogExportTasks lists the active tasks of every account and
	// region, oldest first (by Created, then by ID).
	ActiveLogExportTasks(ctx context.Context) ([]LogExportTask, error)
	// UpdateLogExportTask replaces the status, message, completion time
	// and progress of the task t.ID when it is active, and reports
	// whether it did: a task that ended (CancelLogExportTask) stays as it
	// is. It fails with ErrNotFound when there is no such task.
	UpdateLogExportTask(ctx context.Context, t LogExportTask) (bool, error)
	// CancelLogExportTask ends an active task of an account and region
	// with the status CANCELLED, message and completed, and reports
	// whether it did: false when the task had ended. It fails with
	// ErrNotFound when there is no such task.
	CancelLogExportTask(ctx context.Context, account, region, id, message string, completed int64) (bool, error)
}
