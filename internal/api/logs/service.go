package logs

import (
	"context"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Provider implements the CloudWatch Logs operations on the logs engine.
type Provider struct {
	Unimplemented
	engine *engine.Engine
	// tailTimeout overrides the Live Tail session length (tests).
	tailTimeout time.Duration
}

// New returns the CloudWatch Logs API over an engine.
func New(e *engine.Engine) *Provider { return &Provider{engine: e} }

// scope returns the request's account and region.
func scope(ctx context.Context) engine.Scope {
	info := request.FromContext(ctx)
	return engine.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps engine errors to the modeled exceptions.
func apiError(err error) error {
	var e *engine.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case engine.InvalidParameter:
		return &InvalidParameterException{Message: msg}
	case engine.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case engine.ResourceAlreadyExists:
		return &ResourceAlreadyExistsException{Message: msg}
	case engine.LimitExceeded:
		return &LimitExceededException{Message: msg}
	case engine.InvalidOperation:
		return &InvalidOperationException{Message: msg}
	case engine.OperationAborted:
		return &OperationAbortedException{Message: msg}
	case engine.AccessDenied:
		return &AccessDeniedException{Message: msg}
	case engine.TooManyTags:
		return &TooManyTagsException{Message: msg}
	}
	return err
}

// CreateLogGroup creates a log group.
func (s *Provider) CreateLogGroup(ctx context.Context, in *CreateLogGroupRequest) (*CreateLogGroupOutput, error) {
	err := s.engine.CreateLogGroup(ctx, scope(ctx), engine.NewGroup{
		Name: *in.LogGroupName, KMSKeyID: api.Value(in.KmsKeyId), Class: string(in.LogGroupClass), Tags: in.Tags,
		DeletionProtection: api.Value(in.DeletionProtectionEnabled),
	})
	return nil, apiError(err)
}

// DeleteLogGroup deletes a log group and its events.
func (s *Provider) DeleteLogGroup(ctx context.Context, in *DeleteLogGroupRequest) (*DeleteLogGroupOutput, error) {
	return nil, apiError(s.engine.DeleteLogGroup(ctx, scope(ctx), *in.LogGroupName))
}

// DescribeLogGroups lists log groups.
func (s *Provider) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsRequest) (*DescribeLogGroupsResponse, error) {
	if api.Value(in.IncludeLinkedAccounts) || len(in.AccountIdentifiers) > 0 {
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil has no linked (monitoring) accounts: includeLinkedAccounts and accountIdentifiers are not supported.")}
	}
	sc := scope(ctx)
	groups, next, err := s.engine.DescribeLogGroups(ctx, sc, engine.GroupQuery{
		Prefix: api.Value(in.LogGroupNamePrefix), Pattern: api.Value(in.LogGroupNamePattern), Identifiers: in.LogGroupIdentifiers,
		Class: string(in.LogGroupClass), Limit: int(api.Value(in.Limit)), NextToken: api.Value(in.NextToken),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeLogGroupsResponse{LogGroups: make([]LogGroup, len(groups)), NextToken: api.OptionalString(next)}
	for i, g := range groups {
		out.LogGroups[i] = logGroup(sc, g)
	}
	return out, nil
}

func logGroup(sc engine.Scope, g store.LogGroup) LogGroup {
	arn := engine.GroupARN(sc, g.Name)
	lg := LogGroup{
		LogGroupName: api.Ptr(g.Name), CreationTime: api.Ptr(g.Created), MetricFilterCount: api.Ptr(int32(g.MetricFilterCount)),
		Arn: api.Ptr(arn + ":*"), LogGroupArn: api.Ptr(arn), StoredBytes: api.Ptr(g.StoredBytes),
		KmsKeyId: api.OptionalString(g.KMSKeyID), LogGroupClass: LogGroupClass(g.Class),
		DeletionProtectionEnabled: api.Ptr(g.DeletionProtection),
	}
	if g.RetentionDays > 0 {
		lg.RetentionInDays = api.Ptr(int32(g.RetentionDays))
	}
	return lg
}

// PutRetentionPolicy sets a log group's retention.
func (s *Provider) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyRequest) (*PutRetentionPolicyOutput, error) {
	return nil, apiError(s.engine.PutRetentionPolicy(ctx, scope(ctx), *in.LogGroupName, int(*in.RetentionInDays)))
}

// DeleteRetentionPolicy removes a log group's retention.
func (s *Provider) DeleteRetentionPolicy(ctx context.Context, in *DeleteRetentionPolicyRequest) (*DeleteRetentionPolicyOutput, error) {
	return nil, apiError(s.engine.DeleteRetentionPolicy(ctx, scope(ctx), *in.LogGroupName))
}

// AssociateKmsKey records a KMS key for a log group (not used to encrypt).
func (s *Provider) AssociateKmsKey(ctx context.Context, in *AssociateKmsKeyRequest) (*AssociateKmsKeyOutput, error) {
	if in.ResourceIdentifier != nil {
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil associates KMS keys with log groups only; resourceIdentifier is not supported.")}
	}
	return nil, apiError(s.engine.AssociateKMSKey(ctx, scope(ctx), api.Value(in.LogGroupName), "", *in.KmsKeyId))
}

// DisassociateKmsKey clears a log group's KMS key.
func (s *Provider) DisassociateKmsKey(ctx context.Context, in *DisassociateKmsKeyRequest) (*DisassociateKmsKeyOutput, error) {
	if in.ResourceIdentifier != nil {
		return nil, &InvalidParameterException{Message: api.Ptr("Vigil associates KMS keys with log groups only; resourceIdentifier is not supported.")}
	}
	return nil, apiError(s.engine.DisassociateKMSKey(ctx, scope(ctx), api.Value(in.LogGroupName), ""))
}

// TagResource tags a log group or destination.
func (s *Provider) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceOutput, error) {
	return nil, apiError(s.engine.TagResource(ctx, scope(ctx), *in.ResourceArn, in.Tags))
}

// UntagResource untags a log group or destination.
func (s *Provider) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceOutput, error) {
	return nil, apiError(s.engine.UntagResource(ctx, scope(ctx), *in.ResourceArn, in.TagKeys))
}

// ListTagsForResource lists the tags of a log group or destination.
func (s *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	tags, err := s.engine.ListTagsForResource(ctx, scope(ctx), *in.ResourceArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &ListTagsForResourceResponse{Tags: tags}, nil
}

// TagLogGroup tags a log group by name (legacy).
func (s *Provider) TagLogGroup(ctx context.Context, in *TagLogGroupRequest) (*TagLogGroupOutput, error) {
	return nil, apiError(s.engine.TagLogGroup(ctx, scope(ctx), *in.LogGroupName, in.Tags))
}

// UntagLogGroup untags a log group by name (legacy).
func (s *Provider) UntagLogGroup(ctx context.Context, in *UntagLogGroupRequest) (*UntagLogGroupOutput, error) {
	return nil, apiError(s.engine.UntagLogGroup(ctx, scope(ctx), *in.LogGroupName, in.Tags))
}

// ListTagsLogGroup lists a log group's tags by name (legacy).
func (s *Provider) ListTagsLogGroup(ctx context.Context, in *ListTagsLogGroupRequest) (*ListTagsLogGroupResponse, error) {
	tags, err := s.engine.ListTagsLogGroup(ctx, scope(ctx), *in.LogGroupName)
	if err != nil {
		return nil, apiError(err)
	}
	return &ListTagsLogGroupResponse{Tags: tags}, nil
}

// CreateLogStream creates a log stream.
func (s *Provider) CreateLogStream(ctx context.Context, in *CreateLogStreamRequest) (*CreateLogStreamOutput, error) {
	return nil, apiError(s.engine.CreateLogStream(ctx, scope(ctx), *in.LogGroupName, *in.LogStreamName))
}

// DeleteLogStream deletes a log stream and its events.
func (s *Provider) DeleteLogStream(ctx context.Context, in *DeleteLogStreamRequest) (*DeleteLogStreamOutput, error) {
	return nil, apiError(s.engine.DeleteLogStream(ctx, scope(ctx), *in.LogGroupName, *in.LogStreamName))
}

// DescribeLogStreams lists a log group's streams.
func (s *Provider) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsRequest) (*DescribeLogStreamsResponse, error) {
	sc := scope(ctx)
	g, streams, next, err := s.engine.DescribeLogStreams(ctx, sc, engine.StreamQuery{
		Group: api.Value(in.LogGroupName), GroupIdentifier: api.Value(in.LogGroupIdentifier), Prefix: api.Value(in.LogStreamNamePrefix),
		OrderByLastEventTime: in.OrderBy == OrderByLastEventTime, Descending: api.Value(in.Descending),
		Limit: int(api.Value(in.Limit)), NextToken: api.Value(in.NextToken),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeLogStreamsResponse{LogStreams: make([]LogStream, len(streams)), NextToken: api.OptionalString(next)}
	for i, st := range streams {
		out.LogStreams[i] = LogStream{
			LogStreamName: api.Ptr(st.Name), CreationTime: api.Ptr(st.Created), FirstEventTimestamp: st.FirstEvent,
			LastEventTimestamp: st.LastEvent, LastIngestionTime: st.LastIngestion,
			Arn: api.Ptr(engine.StreamARN(sc, g.Name, st.Name)), StoredBytes: api.Ptr(int64(0)),
		}
		if st.LastIngestion != nil {
			// Deprecated and never checked, but older clients read it.
			out.LogStreams[i].UploadSequenceToken = api.Ptr(sequenceToken(*st.LastIngestion))
		}
	}
	return out, nil
}
