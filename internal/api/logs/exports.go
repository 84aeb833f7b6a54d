package logs

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
)

// CreateExportTask starts exporting a log group's events to a bucket.
func (s *Provider) CreateExportTask(ctx context.Context, in *CreateExportTaskRequest) (*CreateExportTaskResponse, error) {
	id, err := s.engine.CreateExportTask(ctx, scope(ctx), engine.ExportInput{
		Name: api.Value(in.TaskName), Group: *in.LogGroupName, StreamPrefix: api.Value(in.LogStreamNamePrefix),
		From: *in.From, To: *in.To, Destination: *in.Destination, Prefix: in.DestinationPrefix,
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateExportTaskResponse{TaskId: &id}, nil
}

// DescribeExportTasks lists export tasks, newest first.
func (s *Provider) DescribeExportTasks(ctx context.Context, in *DescribeExportTasksRequest) (*DescribeExportTasksResponse, error) {
	tasks, next, err := s.engine.DescribeExportTasks(ctx, scope(ctx), api.Value(in.TaskId), string(in.StatusCode),
		int(api.Value(in.Limit)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeExportTasksResponse{ExportTasks: make([]ExportTask, len(tasks)), NextToken: api.OptionalString(next)}
	for i, t := range tasks {
		info := &ExportTaskExecutionInfo{CreationTime: api.Ptr(t.Created)}
		if t.Completed != 0 {
			info.CompletionTime = api.Ptr(t.Completed)
		}
		out.ExportTasks[i] = ExportTask{
			TaskId: api.Ptr(t.ID), TaskName: api.OptionalString(t.Name), LogGroupName: api.Ptr(t.Group),
			From: api.Ptr(t.From), To: api.Ptr(t.To), Destination: api.Ptr(t.Destination), DestinationPrefix: api.Ptr(t.DestinationPrefix),
			Status:        &ExportTaskStatus{Code: ExportTaskStatusCode(t.Status), Message: api.OptionalString(t.Message)},
			ExecutionInfo: info,
		}
	}
	return out, nil
}

// CancelExportTask cancels a pending or running export task.
func (s *Provider) CancelExportTask(ctx context.Context, in *CancelExportTaskRequest) (*CancelExportTaskOutput, error) {
	return nil, apiError(s.engine.CancelExportTask(ctx, scope(ctx), *in.TaskId))
}
