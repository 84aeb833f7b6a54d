package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// LogExports returns the store of CloudWatch Logs export tasks.
func (s *Store) LogExports() store.LogExports { return logExports{s} }

type logExports struct{ s *Store }

// activeExport is the SQL condition of an active task.
const activeExport = `status IN ('` + store.ExportPending + `', '` + store.ExportRunning + `')`

const exportColumns = `id, account, region, name, log_group, group_id, stream_prefix, from_time, to_time, destination,
	destination_prefix, status, message, created, completed, stream, file, after_timestamp, after_seq`

func scanExport(row scanner) (store.LogExportTask, error) {
	var t store.LogExportTask
	err := row.Scan(&t.ID, &t.Account, &t.Region, &t.Name, &t.Group, &t.GroupID, &t.StreamPrefix, &t.From, &t.To, &t.Destination,
		&t.DestinationPrefix, &t.Status, &t.Message, &t.Created, &t.Completed, &t.Stream, &t.File, &t.After.Timestamp, &t.After.Seq)
	return t, err
}

func (l logExports) CreateLogExportTask(ctx context.Context, t store.LogExportTask) (bool, error) {
	var created bool
	err := l.s.write(ctx, func(tx *Tx) error {
		// The writer runs one write at a time: nothing creates a task
		// between the check and the insert.
		var active int
		err := tx.QueryRow(`SELECT count(*) FROM log_export_tasks WHERE account = ? AND region = ? AND `+activeExport,
			t.Account, t.Region).Scan(&active)
		if err != nil || active > 0 {
			return err
		}
		_, err = tx.Exec(`INSERT INTO log_export_tasks (`+exportColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.Account, t.Region, t.Name, t.Group, t.GroupID, t.StreamPrefix, t.From, t.To, t.Destination,
			t.DestinationPrefix, t.Status, t.Message, t.Created, t.Completed, t.Stream, t.File, t.After.Timestamp, t.After.Seq)
		created = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("cannot create export task %s: %w", t.ID, err)
	}
	return created, nil
}

func (l logExports) LogExportTasks(ctx context.Context, account, region string) ([]store.LogExportTask, error) {
	return list(ctx, l.s, "export tasks", scanExport, `SELECT `+exportColumns+` FROM log_export_tasks
		WHERE account = ? AND region = ? ORDER BY created DESC, id`, account, region)
}

func (l logExports) ActiveLogExportTasks(ctx context.Context) ([]store.LogExportTask, error) {
	return list(ctx, l.s, "active export tasks", scanExport, `SELECT `+exportColumns+` FROM log_export_tasks
		WHERE `+activeExport+` ORDER BY created, id`)
}

func (l logExports) UpdateLogExportTask(ctx context.Context, t store.LogExportTask) (bool, error) {
	var updated bool
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE log_export_tasks SET status = ?, message = ?, completed = ?, stream = ?, file = ?,
			after_timestamp = ?, after_seq = ? WHERE id = ? AND `+activeExport,
			t.Status, t.Message, t.Completed, t.Stream, t.File, t.After.Timestamp, t.After.Seq, t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			updated = true
			return nil
		}
		return exportExists(tx, `id = ?`, t.ID)
	})
	if err != nil {
		return false, wrapOne(err, "export task "+t.ID)
	}
	return updated, nil
}

func (l logExports) CancelLogExportTask(ctx context.Context, account, region, id, message string, completed int64) (bool, error) {
	var cancelled bool
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE log_export_tasks SET status = 'CANCELLED', message = ?, completed = ?
			WHERE account = ? AND region = ? AND id = ? AND `+activeExport, message, completed, account, region, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			cancelled = true
			return nil
		}
		return exportExists(tx, `account = ? AND region = ? AND id = ?`, account, region, id)
	})
	if err != nil {
		return false, wrapOne(err, "export task "+id)
	}
	return cancelled, nil
}

// exportExists fails with store.ErrNotFound when no task matches where.
func exportExists(tx *Tx, where string, args ...any) error {
	var one int
	err := tx.QueryRow(`SELECT 1 FROM log_export_tasks WHERE `+where, args...).Scan(&one)
	if isNoRows(err) {
		return store.ErrNotFound
	}
	return err
}
