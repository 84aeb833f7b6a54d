package cloudtrail

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/cloudtrail"
	"github.com/vigilhq/vigil/internal/request"
)

// Provider implements CloudTrail's operations on the CloudTrail service:
// the event history, trails, their selectors and tags, and the public
// keys of digests.
type Provider struct {
	Unimplemented
	svc  *cloudtrail.Service
	lake *cloudtrail.Lake // CloudTrail Lake, set by NewWithLake (lake.go)
}

// New returns the CloudTrail API over the service.
func New(svc *cloudtrail.Service) *Provider { return &Provider{svc: svc} }

// scope returns the request's account and region.
func scope(ctx context.Context) (account, region string) {
	info := request.FromContext(ctx)
	return info.Principal.Account, info.Region
}

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *cloudtrail.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case cloudtrail.InvalidTrailName:
		return &InvalidTrailNameException{Message: msg}
	case cloudtrail.TrailNotFound:
		return &TrailNotFoundException{Message: msg}
	case cloudtrail.TrailAlreadyExists:
		return &TrailAlreadyExistsException{Message: msg}
	case cloudtrail.InvalidBucketName:
		return &InvalidS3BucketNameException{Message: msg}
	case cloudtrail.InvalidPrefix:
		return &InvalidS3PrefixException{Message: msg}
	case cloudtrail.BucketDoesNotExist:
		return &S3BucketDoesNotExistException{Message: msg}
	case cloudtrail.InsufficientBucket:
		return &InsufficientS3BucketPolicyException{Message: msg}
	case cloudtrail.InvalidLookupAttributes:
		return &InvalidLookupAttributesException{Message: msg}
	case cloudtrail.InvalidTimeRange:
		return &InvalidTimeRangeException{Message: msg}
	case cloudtrail.InvalidNextToken:
		return &InvalidNextTokenException{Message: msg}
	case cloudtrail.InvalidEventSelectors:
		return &InvalidEventSelectorsException{Message: msg}
	case cloudtrail.InvalidCombination:
		return &InvalidParameterCombinationException{Message: msg}
	case cloudtrail.Unsupported:
		return &UnsupportedOperationException{Message: msg}
	case cloudtrail.TooManyTrails:
		return &MaximumNumberOfTrailsExceededException{Message: msg}
	case cloudtrail.InvalidHomeRegion:
		return &InvalidHomeRegionException{Message: msg}
	case cloudtrail.NotOrganizationAccount:
		return &OrganizationsNotInUseException{Message: msg}
	case cloudtrail.InvalidARN:
		return &CloudTrailARNInvalidException{Message: msg}
	case cloudtrail.TagsLimit:
		return &TagsLimitExceededException{Message: msg}
	case cloudtrail.InsufficientTopic:
		return &InsufficientSnsTopicPolicyException{Message: msg}
	case cloudtrail.InvalidLogGroup:
		return &InvalidCloudWatchLogsLogGroupArnException{Message: msg}
	case cloudtrail.InvalidLogsRole:
		return &InvalidCloudWatchLogsRoleArnException{Message: msg}
	case cloudtrail.InvalidInsightSelectors:
		return &InvalidInsightSelectorsException{Message: msg}
	}
	return &InvalidParameterException{Message: msg}
}

// trailShape returns the Trail of the API.
func trailShape(t *cloudtrail.Trail) *Trail {
	return &Trail{
		Name: api.Ptr(t.Name), S3BucketName: api.Ptr(t.Bucket), S3KeyPrefix: api.OptionalString(t.Prefix),
		IncludeGlobalServiceEvents: api.Ptr(t.IncludeGlobal), IsMultiRegionTrail: api.Ptr(t.MultiRegion),
		HomeRegion: api.Ptr(t.Region), TrailARN: api.Ptr(t.ARN), LogFileValidationEnabled: api.Ptr(t.Validation),
		SnsTopicARN: api.OptionalString(t.SNSTopicARN), SnsTopicName: api.OptionalString(topicName(t.SNSTopicARN)),
		CloudWatchLogsLogGroupArn: api.OptionalString(t.LogGroupARN), CloudWatchLogsRoleArn: api.OptionalString(t.LogsRoleARN),
		HasCustomEventSelectors: api.Ptr(len(t.Selectors)+len(t.AdvancedSelectors) > 0),
		HasInsightSelectors:     api.Ptr(len(t.Insights) > 0), IsOrganizationTrail: api.Ptr(false),
	}
}

// topicName is the name of a topic's ARN: the deprecated SnsTopicName.
func topicName(arn string) string { return arn[strings.LastIndexByte(arn, ':')+1:] }

// change returns the TrailChange of a CreateTrail or UpdateTrail,
// naming the settings Vigil does not support yet.
func change(ctx context.Context, name string, bucket, prefix, sns, logGroup, logRole, kms *string, global, multi, validation, org *bool) cloudtrail.TrailChange {
	account, region := scope(ctx)
	c := cloudtrail.TrailChange{Account: account, Region: region, Name: name, Bucket: bucket, Prefix: prefix,
		IncludeGlobal: global, MultiRegion: multi, Validation: validation, SNSTopic: sns, LogGroupARN: logGroup, LogsRoleARN: logRole}
	for _, u := range []struct {
		name string
		set  bool
	}{
		{"KmsKeyId", api.Value(kms) != ""}, {"IsOrganizationTrail", api.Value(org)},
	} {
		if u.set {
			c.Unsupported = append(c.Unsupported, u.name)
		}
	}
	return c
}

// CreateTrail creates a trail.
func (p *Provider) CreateTrail(ctx context.Context, in *CreateTrailRequest) (*CreateTrailResponse, error) {
	c := change(ctx, *in.Name, in.S3BucketName, in.S3KeyPrefix, in.SnsTopicName, in.CloudWatchLogsLogGroupArn,
		in.CloudWatchLogsRoleArn, in.KmsKeyId, in.IncludeGlobalServiceEvents, in.IsMultiRegionTrail, in.EnableLogFileValidation, in.IsOrganizationTrail)
	c.Tags = tagMap(in.TagsList)
	t, err := p.svc.CreateTrail(ctx, c)
	if err != nil {
		return nil, apiError(err)
	}
	return trailResponse(t), nil
}

// trailResponse is what CreateTrail answers, and UpdateTrail (its
// output has the same members).
func trailResponse(t *cloudtrail.Trail) *CreateTrailResponse {
	s := trailShape(t)
	return &CreateTrailResponse{Name: s.Name, S3BucketName: s.S3BucketName, S3KeyPrefix: s.S3KeyPrefix,
		SnsTopicName: s.SnsTopicName, SnsTopicARN: s.SnsTopicARN,
		IncludeGlobalServiceEvents: s.IncludeGlobalServiceEvents, IsMultiRegionTrail: s.IsMultiRegionTrail, TrailARN: s.TrailARN,
		LogFileValidationEnabled: s.LogFileValidationEnabled, CloudWatchLogsLogGroupArn: s.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn: s.CloudWatchLogsRoleArn, IsOrganizationTrail: s.IsOrganizationTrail}
}

// UpdateTrail changes a trail's settings.
func (p *Provider) UpdateTrail(ctx context.Context, in *UpdateTrailRequest) (*UpdateTrailResponse, error) {
	c := change(ctx, *in.Name, in.S3BucketName, in.S3KeyPrefix, in.SnsTopicName, in.CloudWatchLogsLogGroupArn,
		in.CloudWatchLogsRoleArn, in.KmsKeyId, in.IncludeGlobalServiceEvents, in.IsMultiRegionTrail, in.EnableLogFileValidation, in.IsOrganizationTrail)
	t, err := p.svc.UpdateTrail(ctx, c)
	if err != nil {
		return nil, apiError(err)
	}
	return (*UpdateTrailResponse)(trailResponse(t)), nil
}

// DeleteTrail deletes a trail.
func (p *Provider) DeleteTrail(ctx context.Context, in *DeleteTrailRequest) (*DeleteTrailResponse, error) {
	account, region := scope(ctx)
	return &DeleteTrailResponse{}, apiError(p.svc.DeleteTrail(ctx, account, region, *in.Name))
}

// GetTrail returns a trail's settings.
func (p *Provider) GetTrail(ctx context.Context, in *GetTrailRequest) (*GetTrailResponse, error) {
	account, region := scope(ctx)
	t, err := p.svc.Trail(ctx, account, region, *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetTrailResponse{Trail: trailShape(t)}, nil
}

// DescribeTrails returns the trails of the region (and the shadows of
// the multi-region trails of other regions), or those named.
func (p *Provider) DescribeTrails(ctx context.Context, in *DescribeTrailsRequest) (*DescribeTrailsResponse, error) {
	account, region := scope(ctx)
	out := &DescribeTrailsResponse{TrailList: []Trail{}}
	if len(in.TrailNameList) > 0 {
		for _, name := range in.TrailNameList {
			t, err := p.svc.Trail(ctx, account, region, name)
			var e *cloudtrail.Error
			if errors.As(err, &e) && e.Code == cloudtrail.TrailNotFound {
				continue // DescribeTrails leaves unknown names out
			}
			if err != nil {
				return nil, apiError(err)
			}
			out.TrailList = append(out.TrailList, *trailShape(t))
		}
		return out, nil
	}
	ts, err := p.svc.Trails(ctx, account, region, in.IncludeShadowTrails == nil || *in.IncludeShadowTrails)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		out.TrailList = append(out.TrailList, *trailShape(t))
	}
	return out, nil
}

// ListTrails lists the trails of the account in every region.
func (p *Provider) ListTrails(ctx context.Context, in *ListTrailsRequest) (*ListTrailsResponse, error) {
	account, _ := scope(ctx)
	if in.NextToken != nil {
		return nil, &InvalidTokenException{Message: api.Ptr("Invalid NextToken.")}
	}
	ts, err := p.svc.Trails(ctx, account, "", false)
	if err != nil {
		return nil, err
	}
	out := &ListTrailsResponse{Trails: []TrailInfo{}}
	for _, t := range ts {
		out.Trails = append(out.Trails, TrailInfo{TrailARN: api.Ptr(t.ARN), Name: api.Ptr(t.Name), HomeRegion: api.Ptr(t.Region)})
	}
	return out, nil
}

// StartLogging starts a trail's deliveries.
func (p *Provider) StartLogging(ctx context.Context, in *StartLoggingRequest) (*StartLoggingResponse, error) {
	account, region := scope(ctx)
	return &StartLoggingResponse{}, apiError(p.svc.SetLogging(ctx, account, region, *in.Name, true))
}

// StopLogging stops a trail's deliveries.
func (p *Provider) StopLogging(ctx context.Context, in *StopLoggingRequest) (*StopLoggingResponse, error) {
	account, region := scope(ctx)
	return &StopLoggingResponse{}, apiError(p.svc.SetLogging(ctx, account, region, *in.Name, false))
}

// GetTrailStatus reports a trail's logging and deliveries.
func (p *Provider) GetTrailStatus(ctx context.Context, in *GetTrailStatusRequest) (*GetTrailStatusResponse, error) {
	account, region := scope(ctx)
	st, err := p.svc.Status(ctx, account, region, *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	at := func(v int64) *time.Time {
		if v == 0 {
			return nil
		}
		return api.Ptr(cloudtrail.TimeOf(v))
	}
	text := func(v int64) *string {
		if v == 0 {
			return nil
		}
		return api.Ptr(cloudtrail.TimeOf(v).Format("2006-01-02T15:04:05Z"))
	}
	out := &GetTrailStatusResponse{
		IsLogging: api.Ptr(st.Logging), StartLoggingTime: at(st.StartLogging), StopLoggingTime: at(st.StopLogging),
		TimeLoggingStarted: text(st.StartLogging), TimeLoggingStopped: text(st.StopLogging),
		LatestDeliveryTime: at(st.Delivered), LatestDeliveryError: api.OptionalString(st.DeliveryError),
		LatestDeliveryAttemptTime: text(st.DeliveryAttempt),
		LatestDigestDeliveryTime:  at(st.DigestDelivered), LatestDigestDeliveryError: api.OptionalString(st.DigestError),
		LatestNotificationTime: at(st.Notified), LatestNotificationError: api.OptionalString(st.NotificationError),
		LatestNotificationAttemptTime: orEmpty(text(st.NotificationAttempt)), LatestNotificationAttemptSucceeded: api.Ptr(""),
		LatestCloudWatchLogsDeliveryTime: at(st.LogsDelivered), LatestCloudWatchLogsDeliveryError: api.OptionalString(st.LogsError),
	}
	if st.NotificationAttempt != 0 && st.NotificationError == "" {
		out.LatestNotificationAttemptSucceeded = text(st.NotificationAttempt)
	}
	out.LatestDeliveryAttemptSucceeded = api.Ptr("")
	if st.DeliveryAttempt != 0 && st.DeliveryError == "" {
		out.LatestDeliveryAttemptSucceeded = text(st.DeliveryAttempt)
	}
	out.LatestDeliveryAttemptTime = orEmpty(out.LatestDeliveryAttemptTime)
	return out, nil
}

// orEmpty is s, or "" for nil: GetTrailStatus's attempt times are always
// there, empty before the first attempt.
func orEmpty(s *string) *string {
	if s == nil {
		return api.Ptr("")
	}
	return s
}
