package cloudtrail

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/cloudtrail"
)

// NewWithLake returns the CloudTrail API over the service and CloudTrail
// Lake.
func NewWithLake(svc *cloudtrail.Service, lake *cloudtrail.Lake) *Provider {
	p := New(svc)
	p.lake = lake
	return p
}

// lakeError maps CloudTrail Lake's refusals to the modeled exceptions,
// and the others as apiError does.
func lakeError(err error) error {
	var e *cloudtrail.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case cloudtrail.EDSNotFound:
		return &EventDataStoreNotFoundException{Message: msg}
	case cloudtrail.EDSAlreadyExists:
		return &EventDataStoreAlreadyExistsException{Message: msg}
	case cloudtrail.EDSARNInvalid:
		return &EventDataStoreARNInvalidException{Message: msg}
	case cloudtrail.EDSTerminationProtect:
		return &EventDataStoreTerminationProtectedException{Message: msg}
	case cloudtrail.EDSMaxLimit:
		return &EventDataStoreMaxLimitExceededException{Message: msg}
	case cloudtrail.InvalidEDSStatus:
		return &InvalidEventDataStoreStatusException{Message: msg}
	case cloudtrail.InactiveEDS:
		return &InactiveEventDataStoreException{Message: msg}
	case cloudtrail.InvalidQueryStatement:
		return &InvalidQueryStatementException{Message: msg}
	case cloudtrail.QueryIDNotFound:
		return &QueryIdNotFoundException{Message: msg}
	case cloudtrail.InactiveQuery:
		return &InactiveQueryException{Message: msg}
	case cloudtrail.MaxConcurrentQueries:
		return &MaxConcurrentQueriesException{Message: msg}
	case cloudtrail.InvalidKMSKey:
		return &InvalidKmsKeyIdException{Message: msg}
	}
	return apiError(err)
}

func advancedFrom(in []AdvancedEventSelector) []cloudtrail.AdvancedSelector {
	if in == nil {
		return nil
	}
	out := make([]cloudtrail.AdvancedSelector, len(in))
	for i, a := range in {
		out[i].Name = api.Value(a.Name)
		for _, f := range a.FieldSelectors {
			out[i].Fields = append(out[i].Fields, cloudtrail.FieldSelector{Field: api.Value(f.Field),
				Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
	}
	return out
}

func intPtr(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// edsShape is an event data store as GetEventDataStore shows it.
func edsShape(d *cloudtrail.EventDataStore) *GetEventDataStoreResponse {
	return &GetEventDataStoreResponse{EventDataStoreArn: api.Ptr(d.ARN), Name: api.Ptr(d.Name),
		Status: EventDataStoreStatus(d.Status), AdvancedEventSelectors: advancedShapes(d.Selectors),
		MultiRegionEnabled: api.Ptr(d.MultiRegion), OrganizationEnabled: api.Ptr(false),
		RetentionPeriod: api.Ptr(int32(d.Retention)), TerminationProtectionEnabled: api.Ptr(d.TerminationProtection),
		CreatedTimestamp: api.Ptr(d.Created), UpdatedTimestamp: api.Ptr(d.Updated), BillingMode: BillingMode(d.BillingMode),
		PartitionKeys: []PartitionKey{}}
}

func (p *Provider) edsChange(ctx context.Context, store string, name *string, sel []AdvancedEventSelector, multi, org, term *bool,
	retention *int32, kms *string, billing BillingMode) cloudtrail.EDSChange {
	account, region := scope(ctx)
	return cloudtrail.EDSChange{Account: account, Region: region, Store: store, Name: name, Selectors: advancedFrom(sel),
		MultiRegion: multi, Organization: org, Termination: term, Retention: intPtr(retention), KMSKey: api.Value(kms),
		BillingMode: string(billing)}
}

// CreateEventDataStore creates an event data store.
func (p *Provider) CreateEventDataStore(ctx context.Context, in *CreateEventDataStoreRequest) (*CreateEventDataStoreResponse, error) {
	c := p.edsChange(ctx, "", in.Name, in.AdvancedEventSelectors, in.MultiRegionEnabled, in.OrganizationEnabled,
		in.TerminationProtectionEnabled, in.RetentionPeriod, in.KmsKeyId, in.BillingMode)
	c.Tags, c.StartIngest = tagMap(in.TagsList), in.StartIngestion
	d, err := p.lake.CreateEventDataStore(ctx, c)
	if err != nil {
		return nil, lakeError(err)
	}
	s := edsShape(d)
	return &CreateEventDataStoreResponse{EventDataStoreArn: s.EventDataStoreArn, Name: s.Name, Status: s.Status,
		AdvancedEventSelectors: s.AdvancedEventSelectors, MultiRegionEnabled: s.MultiRegionEnabled,
		OrganizationEnabled: s.OrganizationEnabled, RetentionPeriod: s.RetentionPeriod,
		TerminationProtectionEnabled: s.TerminationProtectionEnabled, TagsList: orTags(in.TagsList),
		CreatedTimestamp: s.CreatedTimestamp, UpdatedTimestamp: s.UpdatedTimestamp, BillingMode: s.BillingMode}, nil
}

func orTags(t []Tag) []Tag {
	if t == nil {
		return []Tag{}
	}
	return t
}

// GetEventDataStore returns an event data store.
func (p *Provider) GetEventDataStore(ctx context.Context, in *GetEventDataStoreRequest) (*GetEventDataStoreResponse, error) {
	account, region := scope(ctx)
	d, err := p.lake.EventDataStore(ctx, account, region, *in.EventDataStore)
	if err != nil {
		return nil, lakeError(err)
	}
	return edsShape(d), nil
}

// pageToken is the NextToken of a listing continued at offset n.
func pageToken(n int) *string { return api.Ptr("page" + strconv.Itoa(n)) }

// pageOffset reads a NextToken.
func pageOffset(token *string) (int, error) {
	if token == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(*token, "page"))
	if err != nil || !strings.HasPrefix(*token, "page") || n < 0 {
		return 0, &InvalidNextTokenException{Message: api.Ptr("Invalid NextToken.")}
	}
	return n, nil
}

// page cuts [offset, offset+limit) out of n items.
func page(n, offset int, limit *int32, def int) (from, to int, next *string) {
	size := def
	if limit != nil {
		size = int(*limit)
	}
	from = min(offset, n)
	to = min(from+size, n)
	if to < n {
		next = pageToken(to)
	}
	return from, to, next
}

// ListEventDataStores lists the event data stores of the region.
func (p *Provider) ListEventDataStores(ctx context.Context, in *ListEventDataStoresRequest) (*ListEventDataStoresResponse, error) {
	account, region := scope(ctx)
	offset, err := pageOffset(in.NextToken)
	if err != nil {
		return nil, err
	}
	ds, err := p.lake.EventDataStores(ctx, account, region)
	if err != nil {
		return nil, lakeError(err)
	}
	from, to, next := page(len(ds), offset, in.MaxResults, 100)
	out := &ListEventDataStoresResponse{EventDataStores: []EventDataStore{}, NextToken: next}
	for _, d := range ds[from:to] {
		s := edsShape(d)
		out.EventDataStores = append(out.EventDataStores, EventDataStore{EventDataStoreArn: s.EventDataStoreArn, Name: s.Name,
			TerminationProtectionEnabled: s.TerminationProtectionEnabled, Status: s.Status,
			AdvancedEventSelectors: s.AdvancedEventSelectors, MultiRegionEnabled: s.MultiRegionEnabled,
			OrganizationEnabled: s.OrganizationEnabled, RetentionPeriod: s.RetentionPeriod,
			CreatedTimestamp: s.CreatedTimestamp, UpdatedTimestamp: s.UpdatedTimestamp})
	}
	return out, nil
}

// UpdateEventDataStore changes an event data store.
func (p *Provider) UpdateEventDataStore(ctx context.Context, in *UpdateEventDataStoreRequest) (*UpdateEventDataStoreResponse, error) {
	c := p.edsChange(ctx, *in.EventDataStore, in.Name, in.AdvancedEventSelectors, in.MultiRegionEnabled, in.OrganizationEnabled,
		in.TerminationProtectionEnabled, in.RetentionPeriod, in.KmsKeyId, in.BillingMode)
	d, err := p.lake.UpdateEventDataStore(ctx, c)
	if err != nil {
		return nil, lakeError(err)
	}
	s := edsShape(d)
	return &UpdateEventDataStoreResponse{EventDataStoreArn: s.EventDataStoreArn, Name: s.Name, Status: s.Status,
		AdvancedEventSelectors: s.AdvancedEventSelectors, MultiRegionEnabled: s.MultiRegionEnabled,
		OrganizationEnabled: s.OrganizationEnabled, RetentionPeriod: s.RetentionPeriod,
		TerminationProtectionEnabled: s.TerminationProtectionEnabled, CreatedTimestamp: s.CreatedTimestamp,
		UpdatedTimestamp: s.UpdatedTimestamp, BillingMode: s.BillingMode}, nil
}

// DeleteEventDataStore makes an event data store pending deletion.
func (p *Provider) DeleteEventDataStore(ctx context.Context, in *DeleteEventDataStoreRequest) (*DeleteEventDataStoreResponse, error) {
	account, region := scope(ctx)
	return &DeleteEventDataStoreResponse{}, lakeError(p.lake.DeleteEventDataStore(ctx, account, region, *in.EventDataStore))
}

// RestoreEventDataStore brings back an event data store pending deletion.
func (p *Provider) RestoreEventDataStore(ctx context.Context, in *RestoreEventDataStoreRequest) (*RestoreEventDataStoreResponse, error) {
	account, region := scope(ctx)
	d, err := p.lake.RestoreEventDataStore(ctx, account, region, *in.EventDataStore)
	if err != nil {
		return nil, lakeError(err)
	}
	s := edsShape(d)
	return &RestoreEventDataStoreResponse{EventDataStoreArn: s.EventDataStoreArn, Name: s.Name, Status: s.Status,
		AdvancedEventSelectors: s.AdvancedEventSelectors, MultiRegionEnabled: s.MultiRegionEnabled,
		OrganizationEnabled: s.OrganizationEnabled, RetentionPeriod: s.RetentionPeriod,
		TerminationProtectionEnabled: s.TerminationProtectionEnabled, CreatedTimestamp: s.CreatedTimestamp,
		UpdatedTimestamp: s.UpdatedTimestamp, BillingMode: s.BillingMode}, nil
}

// StartEventDataStoreIngestion starts an event data store's ingestion.
func (p *Provider) StartEventDataStoreIngestion(ctx context.Context, in *StartEventDataStoreIngestionRequest) (*StartEventDataStoreIngestionResponse, error) {
	account, region := scope(ctx)
	return &StartEventDataStoreIngestionResponse{}, lakeError(p.lake.SetIngestion(ctx, account, region, *in.EventDataStore, true))
}

// StopEventDataStoreIngestion stops an event data store's ingestion.
func (p *Provider) StopEventDataStoreIngestion(ctx context.Context, in *StopEventDataStoreIngestionRequest) (*StopEventDataStoreIngestionResponse, error) {
	account, region := scope(ctx)
	return &StopEventDataStoreIngestionResponse{}, lakeError(p.lake.SetIngestion(ctx, account, region, *in.EventDataStore, false))
}

// StartQuery starts a query.
func (p *Provider) StartQuery(ctx context.Context, in *StartQueryRequest) (*StartQueryResponse, error) {
	account, region := scope(ctx)
	switch {
	case in.QueryAlias != nil || in.QueryParameters != nil:
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil has no query templates: QueryAlias and QueryParameters are not supported.")}
	case in.DeliveryS3Uri != nil:
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil keeps query results for GetQueryResults only: DeliveryS3Uri is not supported.")}
	case in.EventDataStoreOwnerAccountId != nil && *in.EventDataStoreOwnerAccountId != account:
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil queries the caller's own event data stores only: EventDataStoreOwnerAccountId must be the caller's account.")}
	case in.QueryStatement == nil:
		return nil, &InvalidParameterException{Message: api.Ptr("QueryStatement is required.")}
	}
	id, err := p.lake.StartQuery(ctx, account, region, *in.QueryStatement)
	if err != nil {
		return nil, lakeError(err)
	}
	return &StartQueryResponse{QueryId: api.Ptr(id)}, nil
}

// DescribeQuery returns a query's status and statistics.
func (p *Provider) DescribeQuery(ctx context.Context, in *DescribeQueryRequest) (*DescribeQueryResponse, error) {
	account, region := scope(ctx)
	if in.QueryId == nil {
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil describes queries by QueryId only: QueryAlias and RefreshId are not supported.")}
	}
	q, err := p.lake.Query(ctx, account, region, api.Value(in.EventDataStore), *in.QueryId)
	if err != nil {
		return nil, lakeError(err)
	}
	stats := &QueryStatisticsForDescribeQuery{CreationTime: api.Ptr(q.Created), ExecutionTimeInMillis: api.Ptr(int32(q.ExecutionTime / time.Millisecond)),
		EventsMatched: api.Ptr(int64(0)), EventsScanned: api.Ptr(int64(0)), BytesScanned: api.Ptr(int64(0))}
	if r := q.Result; r != nil {
		stats.EventsMatched, stats.EventsScanned, stats.BytesScanned = api.Ptr(r.EventsMatched), api.Ptr(r.EventsScanned), api.Ptr(r.BytesScanned)
	}
	return &DescribeQueryResponse{QueryId: api.Ptr(q.ID), QueryString: api.Ptr(q.Statement), QueryStatus: QueryStatus(q.Status),
		QueryStatistics: stats, ErrorMessage: api.OptionalString(q.Error)}, nil
}

// GetQueryResults returns a page of a query's results.
func (p *Provider) GetQueryResults(ctx context.Context, in *GetQueryResultsRequest) (*GetQueryResultsResponse, error) {
	account, region := scope(ctx)
	offset, err := pageOffset(in.NextToken)
	if err != nil {
		return nil, err
	}
	q, err := p.lake.Query(ctx, account, region, api.Value(in.EventDataStore), *in.QueryId)
	if err != nil {
		return nil, lakeError(err)
	}
	out := &GetQueryResultsResponse{QueryStatus: QueryStatus(q.Status), QueryResultRows: [][]map[string]string{},
		ErrorMessage: api.OptionalString(q.Error)}
	r := q.Result
	if r == nil {
		out.QueryStatistics = &QueryStatistics{ResultsCount: api.Ptr(int32(0)), TotalResultsCount: api.Ptr(int32(0)), BytesScanned: api.Ptr(int64(0))}
		return out, nil
	}
	from, to, next := page(len(r.Rows), offset, in.MaxQueryResults, 1000)
	for _, row := range r.Rows[from:to] {
		cells := make([]map[string]string, len(row))
		for i, v := range row {
			cells[i] = map[string]string{r.Columns[i]: v}
		}
		out.QueryResultRows = append(out.QueryResultRows, cells)
	}
	out.NextToken = next
	out.QueryStatistics = &QueryStatistics{ResultsCount: api.Ptr(int32(to - from)), TotalResultsCount: api.Ptr(int32(len(r.Rows))),
		BytesScanned: api.Ptr(r.BytesScanned)}
	return out, nil
}

// ListQueries lists the queries of an event data store, newest first.
func (p *Provider) ListQueries(ctx context.Context, in *ListQueriesRequest) (*ListQueriesResponse, error) {
	account, region := scope(ctx)
	offset, err := pageOffset(in.NextToken)
	if err != nil {
		return nil, err
	}
	from, to := api.Value(in.StartTime), api.Value(in.EndTime)
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, &InvalidDateRangeException{Message: api.Ptr("EndTime must not be before StartTime.")}
	}
	if !to.IsZero() {
		to = to.Add(time.Millisecond) // EndTime includes its own instant
	}
	qs, err := p.lake.Queries(ctx, account, region, *in.EventDataStore, from, to, string(in.QueryStatus))
	if err != nil {
		return nil, lakeError(err)
	}
	lo, hi, next := page(len(qs), offset, in.MaxResults, 1000)
	out := &ListQueriesResponse{Queries: []Query{}, NextToken: next}
	for _, q := range qs[lo:hi] {
		out.Queries = append(out.Queries, Query{QueryId: api.Ptr(q.ID), QueryStatus: QueryStatus(q.Status), CreationTime: api.Ptr(q.Created)})
	}
	return out, nil
}

// CancelQuery cancels a query queued or running.
func (p *Provider) CancelQuery(ctx context.Context, in *CancelQueryRequest) (*CancelQueryResponse, error) {
	account, region := scope(ctx)
	if err := p.lake.CancelQuery(ctx, account, region, api.Value(in.EventDataStore), *in.QueryId); err != nil {
		return nil, lakeError(err)
	}
	return &CancelQueryResponse{QueryId: in.QueryId, QueryStatus: QueryStatusCANCELLED}, nil
}

// isEDS says whether a tag operation's resource is an event data store.
func (p *Provider) isEDS(arn string) bool {
	return p.lake != nil && cloudtrail.IsEventDataStoreARN(arn)
}

// resourceTags returns the tags of a trail or an event data store.
func (p *Provider) resourceTags(ctx context.Context, account, region, arn string) (map[string]string, error) {
	if p.isEDS(arn) {
		return p.lake.Tags(ctx, account, region, arn)
	}
	return p.svc.Tags(ctx, account, region, arn)
}
