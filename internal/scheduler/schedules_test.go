package scheduler

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGroups(t *testing.T) {
	f := newFixture(t)
	gs, next, err := f.svc.ListGroups(f.ctx, scope, "", "", 0)
	if err != nil || len(gs) != 1 || gs[0].Name != DefaultGroup || next != "" ||
		gs[0].ARN != "arn:aws:scheduler:us-east-1:123456789012:schedule-group/default" {
		t.Fatalf("groups of a new account = %+v, %q, %v; want the default group", gs, next, err)
	}
	arn, err := f.svc.CreateGroup(f.ctx, scope, "jobs", map[string]string{"team": "a"}, "")
	if err != nil || arn != "arn:aws:scheduler:us-east-1:123456789012:schedule-group/jobs" {
		t.Fatalf("CreateGroup = %q, %v", arn, err)
	}
	_, err = f.svc.CreateGroup(f.ctx, scope, "jobs", nil, "")
	wantErr(t, err, Conflict, "Schedule group jobs already exists.")
	_, err = f.svc.CreateGroup(f.ctx, scope, DefaultGroup, nil, "")
	wantErr(t, err, Conflict, "Schedule group default already exists.")
	f.clock.Advance(time.Minute)
	if _, err := f.svc.CreateGroup(f.ctx, scope, "jobs-2", nil, ""); err != nil {
		t.Fatal(err)
	}
	g, err := f.svc.GetGroup(f.ctx, scope, "jobs")
	if err != nil || g.ARN != arn || !g.Created.Equal(t0) || !g.Updated.Equal(t0) {
		t.Fatalf("GetGroup = %+v, %v", g, err)
	}
	_, err = f.svc.GetGroup(f.ctx, scope, "none")
	wantErr(t, err, ResourceNotFound, "Schedule group none does not exist.")

	gs, next, err = f.svc.ListGroups(f.ctx, scope, "jobs", "", 1)
	if err != nil || len(gs) != 1 || gs[0].Name != "jobs" || next == "" {
		t.Fatalf("first page = %+v, %q, %v", gs, next, err)
	}
	gs, next, err = f.svc.ListGroups(f.ctx, scope, "jobs", next, 1)
	if err != nil || len(gs) != 1 || gs[0].Name != "jobs-2" || next != "" {
		t.Fatalf("second page = %+v, %q, %v", gs, next, err)
	}
	_, _, err = f.svc.ListGroups(f.ctx, scope, "", "garbage", 1)
	wantErr(t, err, Validation, "The NextToken provided is invalid.")

	// Tags.
	if err := f.svc.Tag(f.ctx, scope, arn, map[string]string{"env": "prod"}, []string{"team"}); err != nil {
		t.Fatal(err)
	}
	if tags, err := f.svc.Tags(f.ctx, scope, arn); err != nil || !maps.Equal(tags, map[string]string{"env": "prod"}) {
		t.Fatalf("Tags = %v, %v", tags, err)
	}
	missing := "arn:aws:scheduler:us-east-1:123456789012:schedule-group/none"
	_, err = f.svc.Tags(f.ctx, scope, missing)
	wantErr(t, err, ResourceNotFound, "Schedule group none does not exist.")
	other := "arn:aws:scheduler:eu-west-1:123456789012:schedule-group/jobs"
	err = f.svc.Tag(f.ctx, scope, other, map[string]string{"a": "b"}, nil)
	wantErr(t, err, ResourceNotFound, "Resource "+other+" does not exist.")
	many := map[string]string{}
	for i := range maxTags {
		many[time.Duration(i).String()] = "v"
	}
	err = f.svc.Tag(f.ctx, scope, arn, many, nil)
	wantErr(t, err, Validation, "at most 200 tags")

	// Deleting a group deletes its schedules and tags; the default group
	// stays.
	s := schedule("nightly", "cron(0 3 * * ? *)", 0)
	s.Group = "jobs"
	sarn := f.create(s)
	err = f.svc.DeleteGroup(f.ctx, scope, DefaultGroup, "")
	wantErr(t, err, Validation, "The default schedule group cannot be deleted.")
	if err := f.svc.DeleteGroup(f.ctx, scope, "jobs", ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.svc.DeleteGroup(f.ctx, scope, "jobs", ""), ResourceNotFound, "Schedule group jobs does not exist.")
	_, err = f.svc.GetSchedule(f.ctx, scope, "jobs", "nightly")
	wantErr(t, err, ResourceNotFound, "Schedule nightly does not exist.")
	if _, err := f.store.Schedules().Schedule(f.ctx, sarn); err == nil {
		t.Fatal("the deleted group's schedule is stored")
	}
	if _, err := f.svc.CreateGroup(f.ctx, scope, "jobs", nil, ""); err != nil {
		t.Fatal(err)
	}
	if tags, _ := f.svc.Tags(f.ctx, scope, arn); len(tags) != 0 {
		t.Fatalf("a group created again has the old group's tags: %v", tags)
	}
}

func TestScheduleValidation(t *testing.T) {
	f := newFixture(t)
	f.create(schedule("taken", "rate(1 hour)", 0))
	past := t0.Add(-6 * time.Minute)
	recent := t0.Add(-4 * time.Minute)
	for _, c := range []struct {
		name string
		edit func(*Schedule)
		code Code
		msg  string
	}{
		{"expression", func(s *Schedule) { s.Expression = "rate(1 hours)" }, Validation, "Invalid Schedule Expression rate(1 hours)"},
		{"cron fields", func(s *Schedule) { s.Expression = "cron(0 3 * * *)" }, Validation, "Invalid Schedule Expression cron(0 3 * * *)"},
		{"time zone", func(s *Schedule) { s.Timezone = "Mars/Olympus" }, Validation, "Invalid ScheduleExpressionTimezone Mars/Olympus"},
		{"local time zone", func(s *Schedule) { s.Timezone = "Local" }, Validation, "Invalid ScheduleExpressionTimezone Local"},
		{"at in the past", func(s *Schedule) { s.Expression = "at(2025-03-04T05:05:59)" }, Validation, "is in the past"},
		{"at now", func(s *Schedule) { s.Expression = "at(2025-03-04T05:06:00)" }, Validation, "is in the past"},
		{"at in the past of its zone", func(s *Schedule) { s.Expression, s.Timezone = "at(2025-03-04T06:00:00)", "Asia/Tokyo" },
			Validation, "is in the past"},
		{"start too early", func(s *Schedule) { s.StartDate = &past }, Validation, "The StartDate you specify cannot be earlier than 5 minutes ago."},
		{"end before start", func(s *Schedule) { s.StartDate, s.EndDate = ptr(t0.Add(time.Hour)), ptr(t0) }, Validation,
			"The EndDate you specify must be later than the StartDate."},
		{"flexible without window", func(s *Schedule) { s.WindowMode = ModeFlexible }, Validation, "MaximumWindowInMinutes must be specified"},
		{"off with window", func(s *Schedule) { s.WindowMinutes = 5 }, Validation, "MaximumWindowInMinutes must not be specified"},
		{"target ARN", func(s *Schedule) { s.Target.ARN = "queue" }, Validation, "The target ARN queue is not valid."},
		{"universal target ARN", func(s *Schedule) { s.Target.ARN = "arn:aws:scheduler:us-east-1:123456789012:aws-sdk:sqs:sendMessage" },
			Validation, "a universal target is arn:aws:scheduler:::aws-sdk:service:apiAction"},
		{"read-only universal action", func(s *Schedule) { s.Target.ARN = "arn:aws:scheduler:::aws-sdk:sqs:getQueueUrl" },
			Validation, "does not support the read-only API action getQueueUrl"},
		{"group", func(s *Schedule) { s.Group = "none" }, ResourceNotFound, "Schedule group none does not exist."},
		{"taken", func(s *Schedule) { s.Name = "taken" }, Conflict, "Schedule taken already exists."},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := schedule("s", "rate(5 minutes)", 0)
			c.edit(&s)
			_, err := f.svc.CreateSchedule(f.ctx, scope, s, "")
			wantErr(t, err, c.code, c.msg)
		})
	}
	// What AWS takes: a StartDate up to 5 minutes ago, dates an at()
	// ignores, a time zone's at() still to come, other target types.
	for name, edit := range map[string]func(*Schedule){
		"recent start": func(s *Schedule) { s.StartDate = &recent },
		"at with past dates": func(s *Schedule) {
			s.Expression, s.StartDate, s.EndDate = "at(2025-03-04T05:07:00)", &past, &past
		},
		"at in its time zone": func(s *Schedule) { s.Expression, s.Timezone = "at(2025-03-04T01:00:00)", "America/New_York" },
		"lambda":              func(s *Schedule) { s.Target.ARN = "arn:aws:lambda:us-east-1:123456789012:function:f" },
		"universal lambda":    func(s *Schedule) { s.Target.ARN = "arn:aws:scheduler:::aws-sdk:lambda:invoke" },
	} {
		s := schedule(strings.ReplaceAll(name, " ", "-"), "rate(5 minutes)", 0)
		edit(&s)
		if _, err := f.svc.CreateSchedule(f.ctx, scope, s, ""); err != nil {
			t.Errorf("CreateSchedule %s: %v", name, err)
		}
	}
}

func TestCreateGetUpdateList(t *testing.T) {
	f := newFixture(t)
	s := schedule("nightly", "cron(0 3 * * ? *)", 15)
	s.Description, s.KmsKeyARN = "the nightly run", "arn:aws:kms:us-east-1:123456789012:key/k"
	s.Target.DeadLetterARN, s.Target.MessageGroupID = dlq, "g"
	s.Target.Parameters = []byte(`{"KinesisParameters":{"PartitionKey":"p"}}`)
	arn := f.create(s)
	if arn != "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly" {
		t.Fatalf("ARN = %s", arn)
	}
	got, err := f.svc.GetSchedule(f.ctx, scope, "", "nightly")
	if err != nil {
		t.Fatal(err)
	}
	// The defaults are filled in.
	want := s
	want.Group, want.ARN, want.Created, want.Updated = DefaultGroup, arn, t0, t0
	want.Timezone, want.State, want.ActionAfterCompletion = "UTC", StateEnabled, ActionNone
	want.Target.MaximumRetryAttempts, want.Target.MaximumEventAgeSeconds = ptr(185), ptr(86400)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetSchedule =\n%+v\nwant\n%+v", got, want)
	}

	// An update replaces the whole schedule: what it leaves out takes
	// its default.
	f.clock.Advance(time.Hour)
	up := schedule("nightly", "rate(2 hours)", 0)
	up.State = StateDisabled
	if _, err := f.svc.UpdateSchedule(f.ctx, scope, up, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.GetSchedule(f.ctx, scope, DefaultGroup, "nightly")
	if got.Description != "" || got.KmsKeyARN != "" || got.Target.DeadLetterARN != "" || got.Target.Parameters != nil ||
		got.WindowMode != ModeOff || got.State != StateDisabled || !got.Created.Equal(t0) || !got.Updated.Equal(t0.Add(time.Hour)) {
		t.Fatalf("updated = %+v", got)
	}
	if r := f.stored(arn); r.Enabled || r.Due != 0 {
		t.Fatalf("a disabled schedule is due: %+v", r)
	}
	_, err = f.svc.UpdateSchedule(f.ctx, scope, schedule("none", "rate(1 hour)", 0), "")
	wantErr(t, err, ResourceNotFound, "Schedule none does not exist.")
	// An update may keep a StartDate past the 5 minutes, not set one.
	start := f.clock.Now().Add(time.Minute)
	up.StartDate = &start
	if _, err := f.svc.UpdateSchedule(f.ctx, scope, up, ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if _, err := f.svc.UpdateSchedule(f.ctx, scope, up, ""); err != nil {
		t.Fatalf("update keeping its StartDate: %v", err)
	}
	up.StartDate = ptr(start.Add(-time.Second))
	_, err = f.svc.UpdateSchedule(f.ctx, scope, up, "")
	wantErr(t, err, Validation, "The StartDate you specify cannot be earlier than 5 minutes ago.")

	// Listing, by group, prefix and state, in pages.
	if _, err := f.svc.CreateGroup(f.ctx, scope, "jobs", nil, ""); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"b", "a"} {
		s := schedule(n, "rate(1 hour)", 0)
		s.Group = "jobs"
		f.create(s)
	}
	f.create(schedule("hourly", "rate(1 hour)", 0))
	list := func(q ListQuery, limit int) []string {
		t.Helper()
		var out []string
		token := ""
		for {
			ss, next, err := f.svc.ListSchedules(f.ctx, scope, q, token, limit)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range ss {
				out = append(out, s.Group+"/"+s.Name+"/"+s.State+"/"+s.Target.ARN)
			}
			if next == "" {
				return out
			}
			token = next
		}
	}
	all := []string{"default/hourly/ENABLED/" + queue, "default/nightly/DISABLED/" + queue, "jobs/a/ENABLED/" + queue, "jobs/b/ENABLED/" + queue}
	if got := list(ListQuery{}, 0); !slices.Equal(got, all) {
		t.Fatalf("ListSchedules = %v", got)
	}
	if got := list(ListQuery{}, 1); !slices.Equal(got, all) {
		t.Fatalf("ListSchedules in pages of 1 = %v", got)
	}
	if got := list(ListQuery{Group: "jobs", Prefix: "a"}, 0); !slices.Equal(got, all[2:3]) {
		t.Fatalf("ListSchedules jobs/a = %v", got)
	}
	if got := list(ListQuery{State: StateDisabled}, 0); !slices.Equal(got, all[1:2]) {
		t.Fatalf("ListSchedules DISABLED = %v", got)
	}
	_, _, err = f.svc.ListSchedules(f.ctx, scope, ListQuery{Group: "none"}, "", 0)
	wantErr(t, err, ResourceNotFound, "Schedule group none does not exist.")

	if err := f.svc.DeleteSchedule(f.ctx, scope, "", "nightly", ""); err != nil {
		t.Fatal(err)
	}
	wantErr(t, f.svc.DeleteSchedule(f.ctx, scope, "", "nightly", ""), ResourceNotFound, "Schedule nightly does not exist.")
}

func TestClientTokens(t *testing.T) {
	f := newFixture(t)
	s := schedule("s", "rate(1 hour)", 0)
	arn, err := f.svc.CreateSchedule(f.ctx, scope, s, "token-1")
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's retry of the request succeeds and changes nothing.
	f.clock.Advance(time.Minute)
	if again, err := f.svc.CreateSchedule(f.ctx, scope, s, "token-1"); err != nil || again != arn {
		t.Fatalf("replayed CreateSchedule = %q, %v; want %q", again, err, arn)
	}
	if r := f.stored(arn); r.Created != t0.UnixMilli() {
		t.Fatalf("a replay changed the schedule: %+v", r)
	}
	// Another request with the token is refused; another token is a new
	// request.
	other := s
	other.Description = "other"
	_, err = f.svc.CreateSchedule(f.ctx, scope, other, "token-1")
	wantErr(t, err, Conflict, "The ClientToken token-1 was used with a different request.")
	_, err = f.svc.CreateSchedule(f.ctx, scope, s, "token-2")
	wantErr(t, err, Conflict, "Schedule s already exists.")
	// A deletion's retry succeeds.
	if err := f.svc.DeleteSchedule(f.ctx, scope, "", "s", "delete-1"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteSchedule(f.ctx, scope, "", "s", "delete-1"); err != nil {
		t.Fatalf("replayed DeleteSchedule: %v", err)
	}
	wantErr(t, f.svc.DeleteSchedule(f.ctx, scope, "", "s", "delete-2"), ResourceNotFound, "Schedule s does not exist.")
	// Past its lifetime, a token makes a new request.
	f.clock.Advance(tokenLifetime)
	if _, err := f.svc.CreateSchedule(f.ctx, scope, s, "token-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Schedules().Schedule(f.ctx, arn); err != nil {
		t.Fatalf("the creation with an expired token was taken for a replay: %v", err)
	}
	// Groups take tokens too.
	if _, err := f.svc.CreateGroup(f.ctx, scope, "g", map[string]string{"a": "b"}, "group-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateGroup(f.ctx, scope, "g", map[string]string{"a": "b"}, "group-1"); err != nil {
		t.Fatalf("replayed CreateGroup: %v", err)
	}
	_, err = f.svc.CreateGroup(f.ctx, scope, "g", nil, "group-1")
	wantErr(t, err, Conflict, "The ClientToken group-1 was used with a different request.")
}
