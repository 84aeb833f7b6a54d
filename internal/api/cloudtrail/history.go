package cloudtrail

import (
	"context"
	"strconv"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/cloudtrail"
)

// LookupEvents reads the event history of the region.
func (p *Provider) LookupEvents(ctx context.Context, in *LookupEventsRequest) (*LookupEventsResponse, error) {
	account, region := scope(ctx)
	l := cloudtrail.Lookup{Account: account, Region: region, From: api.Value(in.StartTime), To: api.Value(in.EndTime),
		Limit: int(api.Value(in.MaxResults)), Token: api.Value(in.NextToken), Insight: in.EventCategory == "insight"}
	if len(in.LookupAttributes) > 1 {
		return nil, &InvalidLookupAttributesException{Message: api.Ptr("You can specify only one lookup attribute.")}
	}
	if len(in.LookupAttributes) == 1 {
		l.Attribute, l.Value = string(in.LookupAttributes[0].AttributeKey), *in.LookupAttributes[0].AttributeValue
	}
	events, next, err := p.svc.LookupEvents(ctx, l)
	if err != nil {
		return nil, apiError(err)
	}
	out := &LookupEventsResponse{Events: make([]Event, len(events)), NextToken: api.OptionalString(next)}
	for i, e := range events {
		out.Events[i] = Event{
			EventId: api.Ptr(e.ID), EventName: api.Ptr(e.Name), ReadOnly: api.Ptr(strconv.FormatBool(e.ReadOnly)),
			AccessKeyId: api.OptionalString(e.AccessKey), EventTime: api.Ptr(cloudtrail.TimeOf(e.Time)),
			EventSource: api.Ptr(e.Source), Username: api.OptionalString(e.Username), Resources: []Resource{},
			CloudTrailEvent: api.Ptr(string(e.Record)),
		}
	}
	return out, nil
}

// ListPublicKeys returns the region's digest-signing public keys.
func (p *Provider) ListPublicKeys(ctx context.Context, in *ListPublicKeysRequest) (*ListPublicKeysResponse, error) {
	_, region := scope(ctx)
	if in.NextToken != nil {
		return nil, &InvalidTokenException{Message: api.Ptr("Invalid NextToken.")}
	}
	keys, err := p.svc.PublicKeys(ctx, region, api.Value(in.StartTime), api.Value(in.EndTime))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListPublicKeysResponse{PublicKeyList: make([]PublicKey, len(keys))}
	for i, k := range keys {
		out.PublicKeyList[i] = PublicKey{Value: k.Value, ValidityStartTime: api.Ptr(k.From), ValidityEndTime: api.Ptr(k.To), Fingerprint: api.Ptr(k.Fingerprint)}
	}
	return out, nil
}

// GetEventSelectors returns a trail's selectors (the default one when it
// was given none).
func (p *Provider) GetEventSelectors(ctx context.Context, in *GetEventSelectorsRequest) (*GetEventSelectorsResponse, error) {
	account, region := scope(ctx)
	t, err := p.svc.Trail(ctx, account, region, *in.TrailName)
	if err != nil {
		return nil, apiError(err)
	}
	basic := t.Selectors
	if len(basic) == 0 && len(t.AdvancedSelectors) == 0 {
		basic = cloudtrail.DefaultSelectors
	}
	return &GetEventSelectorsResponse{TrailARN: api.Ptr(t.ARN), EventSelectors: selectorShapes(basic),
		AdvancedEventSelectors: advancedShapes(t.AdvancedSelectors)}, nil
}

// PutEventSelectors replaces a trail's selectors.
func (p *Provider) PutEventSelectors(ctx context.Context, in *PutEventSelectorsRequest) (*PutEventSelectorsResponse, error) {
	account, region := scope(ctx)
	basic := make([]cloudtrail.EventSelector, len(in.EventSelectors))
	for i, s := range in.EventSelectors {
		rw := string(s.ReadWriteType)
		if rw == "" {
			rw = "All"
		}
		basic[i] = cloudtrail.EventSelector{ReadWriteType: rw, IncludeManagementEvents: s.IncludeManagementEvents == nil || *s.IncludeManagementEvents,
			ExcludeSources: s.ExcludeManagementEventSources}
		for _, d := range s.DataResources {
			basic[i].DataResources = append(basic[i].DataResources, cloudtrail.DataResource{Type: api.Value(d.Type), Values: d.Values})
		}
	}
	advanced := make([]cloudtrail.AdvancedSelector, len(in.AdvancedEventSelectors))
	for i, a := range in.AdvancedEventSelectors {
		advanced[i].Name = api.Value(a.Name)
		for _, f := range a.FieldSelectors {
			advanced[i].Fields = append(advanced[i].Fields, cloudtrail.FieldSelector{Field: *f.Field,
				Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
	}
	t, err := p.svc.PutEventSelectors(ctx, account, region, *in.TrailName, basic, advanced)
	if err != nil {
		return nil, apiError(err)
	}
	return &PutEventSelectorsResponse{TrailARN: api.Ptr(t.ARN), EventSelectors: selectorShapes(t.Selectors),
		AdvancedEventSelectors: advancedShapes(t.AdvancedSelectors)}, nil
}

func selectorShapes(ss []cloudtrail.EventSelector) []EventSelector {
	out := make([]EventSelector, len(ss))
	for i, s := range ss {
		out[i] = EventSelector{ReadWriteType: ReadWriteType(s.ReadWriteType), IncludeManagementEvents: api.Ptr(s.IncludeManagementEvents),
			DataResources: []DataResource{}, ExcludeManagementEventSources: s.ExcludeSources}
		for _, d := range s.DataResources {
			out[i].DataResources = append(out[i].DataResources, DataResource{Type: api.Ptr(d.Type), Values: d.Values})
		}
		if out[i].ExcludeManagementEventSources == nil {
			out[i].ExcludeManagementEventSources = []string{}
		}
	}
	return out
}

func advancedShapes(as []cloudtrail.AdvancedSelector) []AdvancedEventSelector {
	out := make([]AdvancedEventSelector, len(as))
	for i, a := range as {
		out[i].Name = api.OptionalString(a.Name)
		for _, f := range a.Fields {
			out[i].FieldSelectors = append(out[i].FieldSelectors, AdvancedFieldSelector{Field: api.Ptr(f.Field),
				Equals: f.Equals, StartsWith: f.StartsWith, EndsWith: f.EndsWith,
				NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
	}
	return out
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

// AddTags adds tags to a trail.
func (p *Provider) AddTags(ctx context.Context, in *AddTagsRequest) (*AddTagsResponse, error) {
	account, region := scope(ctx)
	if p.isEDS(*in.ResourceId) {
		return &AddTagsResponse{}, lakeError(p.lake.Tag(ctx, account, region, *in.ResourceId, tagMap(in.TagsList), nil))
	}
	return &AddTagsResponse{}, apiError(p.svc.Tag(ctx, account, region, *in.ResourceId, tagMap(in.TagsList), nil))
}

// RemoveTags removes tags from a trail.
func (p *Provider) RemoveTags(ctx context.Context, in *RemoveTagsRequest) (*RemoveTagsResponse, error) {
	account, region := scope(ctx)
	keys := make([]string, len(in.TagsList))
	for i, t := range in.TagsList {
		keys[i] = *t.Key
	}
	if p.isEDS(*in.ResourceId) {
		return &RemoveTagsResponse{}, lakeError(p.lake.Tag(ctx, account, region, *in.ResourceId, nil, keys))
	}
	return &RemoveTagsResponse{}, apiError(p.svc.Tag(ctx, account, region, *in.ResourceId, nil, keys))
}

// ListTags returns the tags of trails.
func (p *Provider) ListTags(ctx context.Context, in *ListTagsRequest) (*ListTagsResponse, error) {
	account, region := scope(ctx)
	out := &ListTagsResponse{ResourceTagList: []ResourceTag{}}
	for _, arn := range in.ResourceIdList {
		tags, err := p.resourceTags(ctx, account, region, arn)
		if err != nil {
			return nil, lakeError(err)
		}
		out.ResourceTagList = append(out.ResourceTagList, ResourceTag{ResourceId: api.Ptr(arn),
			TagsList: api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })})
	}
	return out, nil
}

// PutInsightSelectors sets or clears a trail's insight types.
func (p *Provider) PutInsightSelectors(ctx context.Context, in *PutInsightSelectorsRequest) (*PutInsightSelectorsResponse, error) {
	if in.EventDataStore != nil || in.InsightsDestination != nil {
		return nil, &UnsupportedOperationException{Message: api.Ptr("Vigil's Insights run on trails only: EventDataStore and InsightsDestination are not supported.")}
	}
	if in.TrailName == nil {
		return nil, &InvalidParameterCombinationException{Message: api.Ptr("You must specify a TrailName.")}
	}
	account, region := scope(ctx)
	types := make([]string, len(in.InsightSelectors))
	for i, s := range in.InsightSelectors {
		if len(s.EventCategories) > 0 {
			return nil, &UnsupportedOperationException{Message: api.Ptr("Vigil's Insights analyse management events: EventCategories is not supported.")}
		}
		types[i] = string(s.InsightType)
	}
	t, err := p.svc.PutInsightSelectors(ctx, account, region, *in.TrailName, types)
	if err != nil {
		return nil, apiError(err)
	}
	return &PutInsightSelectorsResponse{TrailARN: api.Ptr(t.ARN), InsightSelectors: insightShapes(t.Insights)}, nil
}

// GetInsightSelectors returns a trail's insight types.
func (p *Provider) GetInsightSelectors(ctx context.Context, in *GetInsightSelectorsRequest) (*GetInsightSelectorsResponse, error) {
	if in.EventDataStore != nil || in.TrailName == nil {
		return nil, &UnsupportedOperationException{Message: api.Ptr("Vigil's Insights run on trails only: give a TrailName.")}
	}
	account, region := scope(ctx)
	t, err := p.svc.Trail(ctx, account, region, *in.TrailName)
	if err != nil {
		return nil, apiError(err)
	}
	if len(t.Insights) == 0 {
		return nil, &InsightNotEnabledException{Message: api.Ptr("Trail " + t.Name + " does not have Insights enabled.")}
	}
	return &GetInsightSelectorsResponse{TrailARN: api.Ptr(t.ARN), InsightSelectors: insightShapes(t.Insights)}, nil
}

func insightShapes(types []string) []InsightSelector {
	out := make([]InsightSelector, len(types))
	for i, it := range types {
		out[i] = InsightSelector{InsightType: InsightType(it)}
	}
	return out
}
