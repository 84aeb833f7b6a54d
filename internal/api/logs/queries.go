package logs

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/request"
)

// queryError maps a malformed query to MalformedQueryException.
func queryError(err error) error {
	var qe *engine.QueryError
	if !errors.As(err, &qe) {
		return apiError(err)
	}
	return &MalformedQueryException{Message: api.Ptr(qe.Message), QueryCompileError: &QueryCompileError{
		Message:  api.Ptr(qe.Message),
		Location: &QueryCompileErrorLocation{StartCharOffset: api.Ptr(int32(qe.Start)), EndCharOffset: api.Ptr(int32(qe.End))},
	}}
}

// StartQuery starts a Logs Insights query.
func (s *Provider) StartQuery(ctx context.Context, in *StartQueryRequest) (*StartQueryResponse, error) {
	groups := in.LogGroupNames
	if in.LogGroupName != nil {
		if len(groups) > 0 {
			return nil, &InvalidParameterException{Message: api.Ptr("logGroupName and logGroupNames are mutually exclusive parameters.")}
		}
		groups = []string{*in.LogGroupName}
	}
	id, err := s.engine.StartQuery(ctx, scope(ctx), engine.QueryInput{
		Groups: groups, GroupIdentifiers: in.LogGroupIdentifiers, Start: *in.StartTime, End: *in.EndTime,
		Query: *in.QueryString, Language: string(in.QueryLanguage), Limit: int(api.Value(in.Limit)),
		UserIdentity: request.FromContext(ctx).Principal.ARN,
	})
	if err != nil {
		return nil, queryError(err)
	}
	return &StartQueryResponse{QueryId: &id}, nil
}

// GetQueryResults returns a query's status, rows and statistics.
func (s *Provider) GetQueryResults(ctx context.Context, in *GetQueryResultsRequest) (*GetQueryResultsResponse, error) {
	res, err := s.engine.GetQueryResults(ctx, scope(ctx), *in.QueryId)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetQueryResultsResponse{QueryLanguage: QueryLanguageCWLI, Status: QueryStatus(res.Status), Results: make([][]ResultField, len(res.Rows)),
		Statistics: &QueryStatistics{
			RecordsMatched: &res.Statistics.RecordsMatched, RecordsScanned: &res.Statistics.RecordsScanned,
			BytesScanned: &res.Statistics.BytesScanned, LogGroupsScanned: &res.Statistics.LogGroupsScanned,
		}}
	for i, row := range res.Rows {
		out.Results[i] = make([]ResultField, len(row))
		for j, f := range row {
			out.Results[i][j] = ResultField{Field: api.Ptr(f.Field), Value: f.Value}
		}
	}
	return out, nil
}

// StopQuery cancels a running query.
func (s *Provider) StopQuery(ctx context.Context, in *StopQueryRequest) (*StopQueryResponse, error) {
	ok, err := s.engine.StopQuery(ctx, scope(ctx), *in.QueryId)
	if err != nil {
		return nil, apiError(err)
	}
	return &StopQueryResponse{Success: &ok}, nil
}

// DescribeQueries lists recent queries.
func (s *Provider) DescribeQueries(ctx context.Context, in *DescribeQueriesRequest) (*DescribeQueriesResponse, error) {
	if in.QueryLanguage != "" && in.QueryLanguage != QueryLanguageCWLI {
		return &DescribeQueriesResponse{Queries: []QueryInfo{}}, nil
	}
	recs, next, err := s.engine.DescribeQueries(ctx, scope(ctx), api.Value(in.LogGroupName), string(in.Status),
		int(api.Value(in.MaxResults)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeQueriesResponse{Queries: make([]QueryInfo, len(recs)), NextToken: api.OptionalString(next)}
	for i, r := range recs {
		var stats engine.QueryStatistics
		_ = json.Unmarshal([]byte(r.Statistics), &stats)
		info := QueryInfo{QueryLanguage: QueryLanguageCWLI, QueryId: api.Ptr(r.ID), QueryString: api.Ptr(r.Query), Status: QueryStatus(r.Status),
			CreateTime: api.Ptr(r.Created), QueryDuration: api.Ptr(r.Duration), BytesScanned: &stats.BytesScanned,
			UserIdentity: api.OptionalString(r.UserIdentity)}
		if len(r.Groups) > 0 {
			info.LogGroupName = api.Ptr(r.Groups[0])
		}
		out.Queries[i] = info
	}
	return out, nil
}

// GetLogRecord returns every field of a log event by its @ptr.
func (s *Provider) GetLogRecord(ctx context.Context, in *GetLogRecordRequest) (*GetLogRecordResponse, error) {
	rec, err := s.engine.GetLogRecord(ctx, scope(ctx), *in.LogRecordPointer)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetLogRecordResponse{LogRecord: rec}, nil
}

// GetLogGroupFields lists the fields discovered in a group's events.
func (s *Provider) GetLogGroupFields(ctx context.Context, in *GetLogGroupFieldsRequest) (*GetLogGroupFieldsResponse, error) {
	fields, err := s.engine.GetLogGroupFields(ctx, scope(ctx), api.Value(in.LogGroupName), api.Value(in.LogGroupIdentifier), in.Time)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetLogGroupFieldsResponse{LogGroupFields: make([]LogGroupField, len(fields))}
	for i, f := range fields {
		out.LogGroupFields[i] = LogGroupField{Name: api.Ptr(f.Name), Percent: api.Ptr(int32(f.Percent))}
	}
	return out, nil
}

// PutQueryDefinition saves a query.
func (s *Provider) PutQueryDefinition(ctx context.Context, in *PutQueryDefinitionRequest) (*PutQueryDefinitionResponse, error) {
	if len(in.Parameters) > 0 || (in.QueryLanguage != "" && in.QueryLanguage != QueryLanguageCWLI) {
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil saves CWLI queries without parameters; parameters and other query languages are not supported yet.")}
	}
	id, err := s.engine.PutQueryDefinition(ctx, scope(ctx), engine.QueryDefinition{
		ID: api.Value(in.QueryDefinitionId), Name: *in.Name, Query: *in.QueryString, Groups: in.LogGroupNames,
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutQueryDefinitionResponse{QueryDefinitionId: &id}, nil
}

// DescribeQueryDefinitions lists saved queries.
func (s *Provider) DescribeQueryDefinitions(ctx context.Context, in *DescribeQueryDefinitionsRequest) (*DescribeQueryDefinitionsResponse, error) {
	defs, next, err := s.engine.DescribeQueryDefinitions(ctx, scope(ctx), api.Value(in.QueryDefinitionNamePrefix),
		int(api.Value(in.MaxResults)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeQueryDefinitionsResponse{QueryDefinitions: make([]QueryDefinition, len(defs)), NextToken: api.OptionalString(next)}
	for i, d := range defs {
		out.QueryDefinitions[i] = QueryDefinition{QueryLanguage: QueryLanguageCWLI, QueryDefinitionId: api.Ptr(d.ID), Name: api.Ptr(d.Name),
			QueryString: api.Ptr(d.Query), LastModified: api.Ptr(d.LastModified), LogGroupNames: d.Groups}
	}
	return out, nil
}

// DeleteQueryDefinition deletes a saved query.
func (s *Provider) DeleteQueryDefinition(ctx context.Context, in *DeleteQueryDefinitionRequest) (*DeleteQueryDefinitionResponse, error) {
	if err := s.engine.DeleteQueryDefinition(ctx, scope(ctx), *in.QueryDefinitionId); err != nil {
		return nil, apiError(err)
	}
	return &DeleteQueryDefinitionResponse{Success: api.Ptr(true)}, nil
}
