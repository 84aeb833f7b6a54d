package events

import (
	"context"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	eventssvc "github.com/vigilhq/vigil/internal/events"
)

// Archives, replays and bus permissions.

// optionalTime is a time of the engine, nil when it is zero (none).
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// optionalInt is an int32 of the API as the engine takes it.
func optionalInt(v *int32) *int {
	if v == nil {
		return nil
	}
	return api.Ptr(int(*v))
}

// CreateArchive creates an archive of a bus's events.
func (p *Provider) CreateArchive(ctx context.Context, in *CreateArchiveRequest) (*CreateArchiveResponse, error) {
	a, err := p.svc.CreateArchive(ctx, scope(ctx), *in.ArchiveName, *in.EventSourceArn, eventssvc.ArchiveSettings{
		Description: in.Description, EventPattern: in.EventPattern, KmsKeyIdentifier: in.KmsKeyIdentifier,
		RetentionDays: optionalInt(in.RetentionDays)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateArchiveResponse{ArchiveArn: &a.ARN, State: ArchiveState(a.State), CreationTime: &a.Created}, nil
}

// DescribeArchive describes an archive.
func (p *Provider) DescribeArchive(ctx context.Context, in *DescribeArchiveRequest) (*DescribeArchiveResponse, error) {
	a, err := p.svc.DescribeArchive(ctx, scope(ctx), *in.ArchiveName)
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeArchiveResponse{ArchiveArn: &a.ARN, ArchiveName: &a.Name, EventSourceArn: &a.BusARN,
		Description: api.OptionalString(a.Description), EventPattern: api.OptionalString(a.EventPattern), State: ArchiveState(a.State),
		KmsKeyIdentifier: api.OptionalString(a.KmsKeyIdentifier), RetentionDays: api.Ptr(int32(a.RetentionDays)),
		SizeBytes: &a.SizeBytes, EventCount: &a.EventCount, CreationTime: &a.Created}, nil
}

// ListArchives lists archives.
func (p *Provider) ListArchives(ctx context.Context, in *ListArchivesRequest) (*ListArchivesResponse, error) {
	as, next, err := p.svc.ListArchives(ctx, scope(ctx), api.Value(in.NamePrefix), api.Value(in.EventSourceArn), string(in.State),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListArchivesResponse{Archives: make([]Archive, len(as)), NextToken: api.OptionalString(next)}
	for i, a := range as {
		out.Archives[i] = Archive{ArchiveName: api.Ptr(a.Name), EventSourceArn: api.Ptr(a.BusARN), State: ArchiveState(a.State),
			RetentionDays: api.Ptr(int32(a.RetentionDays)), SizeBytes: api.Ptr(a.SizeBytes), EventCount: api.Ptr(a.EventCount),
			CreationTime: api.Ptr(a.Created)}
	}
	return out, nil
}

// UpdateArchive changes an archive.
func (p *Provider) UpdateArchive(ctx context.Context, in *UpdateArchiveRequest) (*UpdateArchiveResponse, error) {
	a, err := p.svc.UpdateArchive(ctx, scope(ctx), *in.ArchiveName, eventssvc.ArchiveSettings{Description: in.Description,
		EventPattern: in.EventPattern, KmsKeyIdentifier: in.KmsKeyIdentifier, RetentionDays: optionalInt(in.RetentionDays)})
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateArchiveResponse{ArchiveArn: &a.ARN, State: ArchiveState(a.State), CreationTime: &a.Created}, nil
}

// DeleteArchive deletes an archive.
func (p *Provider) DeleteArchive(ctx context.Context, in *DeleteArchiveRequest) (*DeleteArchiveResponse, error) {
	if err := p.svc.DeleteArchive(ctx, scope(ctx), *in.ArchiveName); err != nil {
		return nil, apiError(err)
	}
	return &DeleteArchiveResponse{}, nil
}

// StartReplay starts replaying an archive's events.
func (p *Provider) StartReplay(ctx context.Context, in *StartReplayRequest) (*StartReplayResponse, error) {
	r, err := p.svc.StartReplay(ctx, scope(ctx), eventssvc.ReplaySettings{Name: *in.ReplayName, Description: api.Value(in.Description),
		ArchiveARN: *in.EventSourceArn, EventStart: *in.EventStartTime, EventEnd: *in.EventEndTime,
		Destination: *in.Destination.Arn, FilterARNs: in.Destination.FilterArns})
	if err != nil {
		return nil, apiError(err)
	}
	return &StartReplayResponse{ReplayArn: &r.ARN, State: ReplayState(r.State), ReplayStartTime: &r.ReplayStart}, nil
}

// replayDestination is a replay's destination as the API returns it.
func replayDestination(r *eventssvc.Replay) *ReplayDestination {
	return &ReplayDestination{Arn: api.Ptr(r.Destination), FilterArns: r.FilterARNs}
}

// DescribeReplay describes a replay.
func (p *Provider) DescribeReplay(ctx context.Context, in *DescribeReplayRequest) (*DescribeReplayResponse, error) {
	r, err := p.svc.DescribeReplay(ctx, scope(ctx), *in.ReplayName)
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeReplayResponse{ReplayName: &r.Name, ReplayArn: &r.ARN, Description: api.OptionalString(r.Description),
		State: ReplayState(r.State), StateReason: api.OptionalString(r.StateReason), EventSourceArn: &r.ArchiveARN,
		Destination: replayDestination(&r), EventStartTime: &r.EventStart, EventEndTime: &r.EventEnd,
		EventLastReplayedTime: optionalTime(r.EventLastReplayed), ReplayStartTime: &r.ReplayStart,
		ReplayEndTime: optionalTime(r.ReplayEnd)}, nil
}

// ListReplays lists replays.
func (p *Provider) ListReplays(ctx context.Context, in *ListReplaysRequest) (*ListReplaysResponse, error) {
	rs, next, err := p.svc.ListReplays(ctx, scope(ctx), api.Value(in.NamePrefix), api.Value(in.EventSourceArn), string(in.State),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListReplaysResponse{Replays: make([]Replay, len(rs)), NextToken: api.OptionalString(next)}
	for i := range rs {
		r := &rs[i]
		out.Replays[i] = Replay{ReplayName: &r.Name, EventSourceArn: &r.ArchiveARN, State: ReplayState(r.State),
			StateReason: api.OptionalString(r.StateReason), EventStartTime: &r.EventStart, EventEndTime: &r.EventEnd,
			EventLastReplayedTime: optionalTime(r.EventLastReplayed), ReplayStartTime: &r.ReplayStart,
			ReplayEndTime: optionalTime(r.ReplayEnd)}
	}
	return out, nil
}

// CancelReplay cancels a replay.
func (p *Provider) CancelReplay(ctx context.Context, in *CancelReplayRequest) (*CancelReplayResponse, error) {
	r, err := p.svc.CancelReplay(ctx, scope(ctx), *in.ReplayName)
	if err != nil {
		return nil, apiError(err)
	}
	return &CancelReplayResponse{ReplayArn: &r.ARN, State: ReplayState(r.State), StateReason: api.OptionalString(r.StateReason)}, nil
}

// PutPermission sets a bus's policy, or adds a statement to it.
func (p *Provider) PutPermission(ctx context.Context, in *PutPermissionRequest) (*PutPermissionOutput, error) {
	perm := eventssvc.Permission{Policy: api.Value(in.Policy), Action: api.Value(in.Action), Principal: api.Value(in.Principal),
		StatementID: api.Value(in.StatementId)}
	if c := in.Condition; c != nil {
		perm.Condition = &eventssvc.PermissionCondition{Type: *c.Type, Key: *c.Key, Value: *c.Value}
	}
	return nil, apiError(p.svc.PutPermission(ctx, scope(ctx), api.Value(in.EventBusName), perm))
}

// RemovePermission removes a statement, or the whole policy, of a bus.
func (p *Provider) RemovePermission(ctx context.Context, in *RemovePermissionRequest) (*RemovePermissionOutput, error) {
	return nil, apiError(p.svc.RemovePermission(ctx, scope(ctx), api.Value(in.EventBusName), api.Value(in.StatementId),
		api.Value(in.RemoveAllPermissions)))
}
