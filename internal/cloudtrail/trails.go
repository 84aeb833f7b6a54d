package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// MaxTrailsPerRegion is how many trails an account has in a region.
const MaxTrailsPerRegion = 5

// Settings are a trail's configuration.
type Settings struct {
	Bucket        string `json:"bucket"`
	Prefix        string `json:"prefix,omitempty"`
	IncludeGlobal bool   `json:"includeGlobal"`
	MultiRegion   bool   `json:"multiRegion"`
	Validation    bool   `json:"validation"`
	// SNSTopicARN is notified of each log file ("": none).
	SNSTopicARN string `json:"snsTopic,omitempty"`
	// LogGroupARN receives the events too, through the role
	// LogsRoleARN ("": none).
	LogGroupARN string `json:"logGroup,omitempty"`
	LogsRoleARN string `json:"logsRole,omitempty"`
	// Insights are the insight types the trail detects.
	Insights []string `json:"insights,omitempty"`
	// Selectors choose the events delivered (all management events when
	// there are none).
	Selectors         []EventSelector    `json:"selectors,omitempty"`
	AdvancedSelectors []AdvancedSelector `json:"advancedSelectors,omitempty"`
}

// State is what a trail did.
type State struct {
	Logging      bool  `json:"logging"`
	StartLogging int64 `json:"startLogging,omitempty"`
	StopLogging  int64 `json:"stopLogging,omitempty"`
	// Delivery: the last successful delivery, the last attempt, and the
	// error of the last failed one.
	Delivered       int64  `json:"delivered,omitempty"`
	DeliveryAttempt int64  `json:"deliveryAttempt,omitempty"`
	DeliveryError   string `json:"deliveryError,omitempty"`
	DigestDelivered int64  `json:"digestDelivered,omitempty"`
	DigestError     string `json:"digestError,omitempty"`
	// Notifications to the topic: the last success, attempt and error.
	Notified            int64  `json:"notified,omitempty"`
	NotificationAttempt int64  `json:"notificationAttempt,omitempty"`
	NotificationError   string `json:"notificationError,omitempty"`
	// LogsCursor is the Seq of the last event delivered to the log group
	// (nil until the first run that delivers to it); LogsDelivered and
	// LogsError the last delivery's time and the last refusal.
	LogsCursor    *int64 `json:"logsCursor,omitempty"`
	LogsDelivered int64  `json:"logsDelivered,omitempty"`
	LogsError     string `json:"logsError,omitempty"`
	// StopSeq, after StopLogging, is the Seq of the last event the
	// stopped trail still delivers.
	StopSeq int64 `json:"stopSeq,omitempty"`
	// Written are the Seqs up to which the files of a batch that a
	// bucket partly refused were written, by region and kind: a retry
	// leaves those events out of those files.
	Written map[string]int64 `json:"written,omitempty"`
	// Regions are the regions the trail delivered files of.
	Regions []string `json:"regions,omitempty"`
	// Insight is its Insights' baselines.
	Insight InsightState `json:"insight,omitzero"`
	// Chains are the digest chains of the regions whose events the trail
	// delivers.
	Chains map[string]*Chain `json:"chains,omitempty"`
}

// Chain is the last digest of a region, which the next one names.
type Chain struct {
	// End is the last digest's end time (ms): the next one's start.
	End         int64  `json:"end"`
	Bucket, Key string `json:",omitempty"`
	HashSHA256  string `json:",omitempty"`
	Signature   string `json:",omitempty"`
}

// Trail is a trail as the API shows it.
type Trail struct {
	Account, Region, Name, ARN string
	Settings
	State State
}

// TrailChange is a CreateTrail or UpdateTrail: nil members keep (or, for
// a new trail, default) their setting.
type TrailChange struct {
	Account, Region string
	// Name is the trail's name, or its ARN for an update.
	Name                                   string
	Bucket, Prefix                         *string
	IncludeGlobal, MultiRegion, Validation *bool
	// SNSTopic is a topic's name or ARN ("" removes it); LogGroupARN and
	// LogsRoleARN the log group ("" removes it) and the role.
	SNSTopic, LogGroupARN, LogsRoleARN *string
	// Unsupported names the settings given that Vigil does not do yet.
	Unsupported []string
	Tags        map[string]string
}

var (
	trailNameChars = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	trailNameRuns  = regexp.MustCompile(`[._-]{2}`)
	bucketName     = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// checkName refuses a name CloudTrail refuses, with its messages.
func checkName(name string) error {
	switch {
	case len(name) < 3:
		return errorf(InvalidTrailName, "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	case len(name) > 128:
		return errorf(InvalidTrailName, "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	case !trailNameChars.MatchString(name):
		return errorf(InvalidTrailName, "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return errorf(InvalidTrailName, "Trail name must starts with a letter or number and end with a letter or number.")
	case trailNameRuns.MatchString(name):
		return errorf(InvalidTrailName, "Trail name cannot have adjacent periods, hyphens or underscores.")
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return errorf(InvalidTrailName, "Trail name cannot be in an IP address format.")
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// TrailARN returns the ARN of a trail.
func TrailARN(account, region, name string) string {
	return "arn:aws:cloudtrail:" + region + ":" + account + ":trail/" + name
}

func decodeTrail(t *store.Trail) (*Trail, error) {
	out := &Trail{Account: t.Account, Region: t.Region, Name: t.Name, ARN: t.ARN}
	if err := json.Unmarshal(t.Settings, &out.Settings); err != nil {
		return nil, fmt.Errorf("trail %s: damaged settings: %w", t.ARN, err)
	}
	if err := json.Unmarshal(t.State, &out.State); err != nil {
		return nil, fmt.Errorf("trail %s: damaged state: %w", t.ARN, err)
	}
	return out, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("BUG: cloudtrail: " + err.Error())
	}
	return b
}

// checkDestinations refuses a bucket, topic or log group a trail cannot
// deliver to: a name CloudTrail refuses, a bucket that is absent or whose
// policy does not let CloudTrail write the trail's files, a topic that is
// absent or does not let the trail publish, a log group that is absent
// or given without a role.
func (s *Service) checkDestinations(ctx context.Context, account, region, arn string, st *Settings) error {
	if err := s.checkBucket(ctx, account, arn, st); err != nil {
		return err
	}
	if st.SNSTopicARN != "" {
		if !strings.HasPrefix(st.SNSTopicARN, "arn:") {
			st.SNSTopicARN = "arn:aws:sns:" + region + ":" + account + ":" + st.SNSTopicARN
		}
		if err := s.opt.Destinations.CheckTopic(ctx, st.SNSTopicARN, arn); err != nil {
			return errorf(InsufficientTopic, "SNS Topic does not exist or the topic policy is incorrect!")
		}
	}
	switch {
	case st.LogGroupARN == "" && st.LogsRoleARN == "":
		return nil
	case st.LogGroupARN == "":
		return errorf(InvalidLogGroup, "You must specify a log group ARN together with the role ARN.")
	case !roleARN.MatchString(st.LogsRoleARN):
		return errorf(InvalidLogsRole, "Invalid CloudWatch Logs role ARN: %q. It must be the ARN of an IAM role of account %s.", st.LogsRoleARN, account)
	case !logGroupARN.MatchString(st.LogGroupARN):
		return errorf(InvalidLogGroup, "CloudWatch Logs log group ARN %q is invalid: it must be arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*.", st.LogGroupARN)
	case !strings.HasPrefix(st.LogGroupARN, "arn:aws:logs:"+region+":"+account+":"):
		return errorf(InvalidLogGroup, "The log group %s must be in the trail's account %s and region %s.", st.LogGroupARN, account, region)
	}
	if err := s.opt.Destinations.CheckLogGroup(ctx, st.LogGroupARN); err != nil {
		return errorf(InvalidLogGroup, "Access denied. Verify in IAM that the role has adequate permissions: %v", err)
	}
	return nil
}

var (
	roleARN     = regexp.MustCompile(`^arn:aws:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	logGroupARN = regexp.MustCompile(`^arn:aws:logs:[a-z0-9-]+:[0-9]{12}:log-group:[\w#./-]{1,512}:\*$`)
)

// checkBucket refuses a bucket name or prefix CloudTrail refuses, and a
// bucket that is absent or whose policy does not let CloudTrail write
// the trail's files.
func (s *Service) checkBucket(ctx context.Context, account, arn string, st *Settings) error {
	if !bucketName.MatchString(st.Bucket) || strings.Contains(st.Bucket, "..") {
		return errorf(InvalidBucketName, "Bucket name should not contain uppercase characters, be between 3 and 63 characters long, and start and end with a letter or number: %s", st.Bucket)
	}
	if len(st.Prefix) > 200 {
		return errorf(InvalidPrefix, "S3 prefix is longer than 200 characters.")
	}
	err := s.opt.Buckets.CheckDelivery(ctx, Object{
		SourceAccount: account, SourceARN: arn, Bucket: st.Bucket, Key: logPrefix(st.Prefix, account, "CloudTrail", "") + "check",
	})
	var d *DeliveryError
	switch {
	case errors.As(err, &d) && d.Code == "NoSuchBucket":
		return errorf(BucketDoesNotExist, "S3 bucket %s does not exist.", st.Bucket)
	case errors.As(err, &d):
		return errorf(InsufficientBucket, "Incorrect S3 bucket policy is detected for bucket: %s", st.Bucket)
	}
	return err
}

// CreateTrail creates a trail, not logging yet.
func (s *Service) CreateTrail(ctx context.Context, c TrailChange) (*Trail, error) {
	if err := checkName(c.Name); err != nil {
		return nil, err
	}
	if err := unsupported(c.Unsupported); err != nil {
		return nil, err
	}
	st := Settings{Bucket: deref(c.Bucket), Prefix: deref(c.Prefix), IncludeGlobal: true}
	apply(&st, c)
	arn := TrailARN(c.Account, c.Region, c.Name)
	existing, err := s.opt.Store.Trails(ctx, c.Account, "")
	if err != nil {
		return nil, err
	}
	inRegion := 0
	for _, t := range existing {
		if t.Name == c.Name {
			return nil, errorf(TrailAlreadyExists, "Trail %s already exists for customer: %s", c.Name, c.Account)
		}
		if t.Region == c.Region {
			inRegion++
		}
	}
	if inRegion >= MaxTrailsPerRegion {
		return nil, errorf(TooManyTrails, "User: %s already has %d trails in %s.", c.Account, MaxTrailsPerRegion, c.Region)
	}
	if err := s.checkDestinations(ctx, c.Account, c.Region, arn, &st); err != nil {
		return nil, err
	}
	t := store.Trail{Account: c.Account, Region: c.Region, Name: c.Name, ARN: arn,
		Settings: mustJSON(st), State: mustJSON(State{}), Created: ms(s.opt.Clock.Now())}
	if err := s.opt.Store.CreateTrail(ctx, t, c.Tags); err != nil {
		if errors.Is(err, store.ErrExists) {
			return nil, errorf(TrailAlreadyExists, "Trail %s already exists for customer: %s", c.Name, c.Account)
		}
		return nil, err
	}
	s.trailsChanged()
	return &Trail{Account: c.Account, Region: c.Region, Name: c.Name, ARN: arn, Settings: st}, nil
}

func unsupported(names []string) error {
	if len(names) > 0 {
		return errorf(Unsupported, "Vigil does not support %s on trails yet.", strings.Join(names, ", "))
	}
	return nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// apply sets the settings c gives.
func apply(st *Settings, c TrailChange) {
	if c.Bucket != nil {
		st.Bucket = *c.Bucket
	}
	if c.Prefix != nil {
		st.Prefix = *c.Prefix
	}
	for _, p := range []struct{ to, from *string }{
		{&st.SNSTopicARN, c.SNSTopic}, {&st.LogGroupARN, c.LogGroupARN}, {&st.LogsRoleARN, c.LogsRoleARN},
	} {
		if p.from != nil {
			*p.to = *p.from
		}
	}
	for _, b := range []struct {
		to   *bool
		from *bool
	}{{&st.IncludeGlobal, c.IncludeGlobal}, {&st.MultiRegion, c.MultiRegion}, {&st.Validation, c.Validation}} {
		if b.from != nil {
			*b.to = *b.from
		}
	}
}

// UpdateTrail changes a trail's settings; it must be called in the
// trail's home region.
func (s *Service) UpdateTrail(ctx context.Context, c TrailChange) (*Trail, error) {
	if err := unsupported(c.Unsupported); err != nil {
		return nil, err
	}
	t, err := s.homeTrail(ctx, c.Account, c.Region, c.Name)
	if err != nil {
		return nil, err
	}
	group := t.LogGroupARN
	apply(&t.Settings, c)
	if err := s.checkDestinations(ctx, t.Account, t.Region, t.ARN, &t.Settings); err != nil {
		return nil, err
	}
	if err := s.opt.Store.SetTrailSettings(ctx, t.ARN, mustJSON(t.Settings)); err != nil {
		return nil, s.notFound(err, c.Name, c.Account)
	}
	s.trailsChanged()
	if !t.MultiRegion {
		// A trail no longer multi-region writes no more digests of the
		// other regions.
		if err := s.updateState(ctx, t.ARN, func(st *State) {
			for r := range st.Chains {
				if r != t.Region {
					delete(st.Chains, r)
				}
			}
		}); err != nil {
			return nil, s.notFound(err, c.Name, c.Account)
		}
	}
	if t.LogGroupARN != group {
		// Another log group gets the events from the next run on.
		// (the next delivery run starts it at its own cursor).
		if err := s.updateState(ctx, t.ARN, func(st *State) { st.LogsCursor = nil }); err != nil {
			return nil, s.notFound(err, c.Name, c.Account)
		}
	}
	return t, nil
}

// notFound words a store's ErrNotFound for a trail.
func (s *Service) notFound(err error, name, account string) error {
	if errors.Is(err, store.ErrNotFound) {
		return errorf(TrailNotFound, "Unknown trail: %s for the user: %s", name, account)
	}
	return err
}

// Trail returns a trail by name or ARN as seen from a region: its own
// trails, and the multi-region trails of other regions (shadow trails).
func (s *Service) Trail(ctx context.Context, account, region, nameOrARN string) (*Trail, error) {
	arn := nameOrARN
	if !strings.HasPrefix(nameOrARN, "arn:") {
		if err := checkName(nameOrARN); err != nil {
			return nil, err
		}
		arn = TrailARN(account, region, nameOrARN)
	}
	t, err := s.opt.Store.Trail(ctx, arn)
	if errors.Is(err, store.ErrNotFound) && !strings.HasPrefix(nameOrARN, "arn:") {
		t, err = s.shadow(ctx, account, nameOrARN)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && t.Account != account) {
		return nil, errorf(TrailNotFound, "Unknown trail: %s for the user: %s", nameOrARN, account)
	}
	if err != nil {
		return nil, err
	}
	return decodeTrail(t)
}

// shadow finds the multi-region trail of that name in another region.
func (s *Service) shadow(ctx context.Context, account, name string) (*store.Trail, error) {
	all, err := s.opt.Store.Trails(ctx, account, "")
	if err != nil {
		return nil, err
	}
	for i := range all {
		t, err := decodeTrail(&all[i])
		if err == nil && t.Name == name && t.MultiRegion {
			return &all[i], nil
		}
	}
	return nil, store.ErrNotFound
}

// homeTrail is Trail for the operations that change a trail: they must
// be called in its home region.
func (s *Service) homeTrail(ctx context.Context, account, region, nameOrARN string) (*Trail, error) {
	t, err := s.Trail(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	if t.Region != region {
		return nil, errorf(InvalidHomeRegion, "This operation must be called from the trail's home region, %s.", t.Region)
	}
	return t, nil
}

// DeleteTrail deletes a trail; its files stay in the bucket.
func (s *Service) DeleteTrail(ctx context.Context, account, region, nameOrARN string) error {
	t, err := s.homeTrail(ctx, account, region, nameOrARN)
	if err != nil {
		return err
	}
	defer s.trailsChanged()
	return s.notFound(s.opt.Store.DeleteTrail(ctx, t.ARN), nameOrARN, account)
}

// Trails returns the trails an account sees in a region: its own and,
// with shadows, the multi-region trails of the other regions; every
// trail of the account when region is "".
func (s *Service) Trails(ctx context.Context, account, region string, shadows bool) ([]*Trail, error) {
	all, err := s.opt.Store.Trails(ctx, account, "")
	if err != nil {
		return nil, err
	}
	var out []*Trail
	for i := range all {
		t, err := decodeTrail(&all[i])
		if err != nil {
			return nil, err
		}
		if region == "" || t.Region == region || (shadows && t.MultiRegion) {
			out = append(out, t)
		}
	}
	return out, nil
}

// SetLogging starts or stops a trail's logging. A trail that starts
// delivers the events recorded from then on.
func (s *Service) SetLogging(ctx context.Context, account, region, nameOrARN string, on bool) error {
	home, err := s.homeTrail(ctx, account, region, nameOrARN)
	if err != nil {
		return err
	}
	defer s.trailsChanged()
	return s.notFound(s.withTrail(ctx, home.ARN, func(stored *store.Trail, t *Trail) error {
		if t.State.Logging == on {
			return nil
		}
		now := s.opt.Clock.Now()
		t.State.Logging = on
		delivered := stored.Delivered
		last, err := s.opt.Store.LastEventSeq(ctx)
		if err != nil {
			return err
		}
		if on {
			// Events from now on; the log group's too.
			t.State.StartLogging, t.State.StopSeq = ms(now), 0
			delivered, t.State.LogsCursor = last, nil
		} else {
			// The events recorded until now are still delivered.
			t.State.StopLogging, t.State.StopSeq = ms(now), last
		}
		return s.opt.Store.SetTrailState(ctx, t.ARN, mustJSON(t.State), delivered)
	}), nameOrARN, account)
}

// Status returns a trail's state.
func (s *Service) Status(ctx context.Context, account, region, nameOrARN string) (*State, error) {
	t, err := s.Trail(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	return &t.State, nil
}

// TimeOf returns ms as a time (zero for 0).
func TimeOf(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// maxTags bounds a trail's tags.
const maxTags = 50

// Tag adds and removes tags of a trail named by its ARN.
func (s *Service) Tag(ctx context.Context, account, region, arn string, add map[string]string, remove []string) error {
	if !strings.HasPrefix(arn, "arn:aws:cloudtrail:") {
		return errorf(InvalidARN, "Invalid trail ARN: %s", arn)
	}
	if _, err := s.Trail(ctx, account, region, arn); err != nil {
		return err
	}
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(TagsLimit, "A trail has at most %d tags.", maxTags)
	}
	return err
}

// Tags returns the tags of a trail named by its ARN.
func (s *Service) Tags(ctx context.Context, account, region, arn string) (map[string]string, error) {
	if !strings.HasPrefix(arn, "arn:aws:cloudtrail:") {
		return nil, errorf(InvalidARN, "Invalid trail ARN: %s", arn)
	}
	if _, err := s.Trail(ctx, account, region, arn); err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// updateState changes a trail's state with change.
func (s *Service) updateState(ctx context.Context, arn string, change func(*State)) error {
	return s.withTrail(ctx, arn, func(stored *store.Trail, t *Trail) error {
		change(&t.State)
		return s.opt.Store.SetTrailState(ctx, arn, mustJSON(t.State), stored.Delivered)
	})
}

// wantsData says whether a logging trail of e's account selects the data
// event e. The trails' settings are cached until a trail changes.
func (s *Service) wantsData(ctx context.Context, e *store.TrailEvent) bool {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	if s.dataTrails == nil {
		all, err := s.opt.Store.AllTrails(ctx)
		if err != nil {
			s.opt.Logger.Error("cannot read the trails for data events; the data event is not recorded", "err", err)
			return false
		}
		s.dataTrails = map[string][]*Trail{}
		for i := range all {
			t, err := decodeTrail(&all[i])
			if err == nil && t.State.Logging {
				s.dataTrails[t.Account] = append(s.dataTrails[t.Account], t)
			}
		}
	}
	for _, t := range s.dataTrails[e.Account] {
		if (t.MultiRegion || t.Region == e.Region) && t.selects(e) {
			return true
		}
	}
	return false
}

// trailsChanged forgets the cached settings of the trails.
func (s *Service) trailsChanged() {
	s.dataMu.Lock()
	s.dataTrails = nil
	s.dataMu.Unlock()
}
