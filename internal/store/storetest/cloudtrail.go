package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// CloudTrail checks the backend's store.CloudTrail: events appended in
// order with their Seq, looked up newest first by account, region, time,
// attribute and cursor, read by Seq for delivery, expired by age; trails
// created once per name, their settings and state replaced apart, their
// log files kept until digested, deleted with their tags and files;
// signing keys by region; all of it kept across a reopen.
func CloudTrail(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, other = "111111111111", "222222222222"
	storeOf := func(t *testing.T, b Backend) store.CloudTrail {
		t.Helper()
		need(t, b.CloudTrail != nil, "CloudTrail")
		need(t, b.Tags != nil, "Tags")
		return b.CloudTrail
	}
	event := func(account, region string, at int64, id, name string, readOnly bool) store.TrailEvent {
		return store.TrailEvent{Account: account, Region: region, Time: at, ID: id, Name: name, Source: "logs.amazonaws.com",
			Username: "root", AccessKey: "AKIA" + account, ReadOnly: readOnly, Category: "Management", Record: []byte(`{"eventID":"` + id + `"}`)}
	}
	ids := func(es []store.TrailEvent) []string {
		out := []string{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	trailARN := "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/t1"
	b := reopen(t, open, func(t *testing.T, b Backend) {
		s := storeOf(t, b)
		batch := []store.TrailEvent{
			event(acct, "us-east-1", 1000, "e1", "CreateLogGroup", false),
			event(acct, "us-east-1", 3000, "e2", "DescribeLogGroups", true),
			event(acct, "us-west-2", 2000, "e3", "CreateLogGroup", false),
			event(other, "us-east-1", 2000, "e4", "CreateLogGroup", false),
			event(acct, "us-east-1", 2000, "e5", "DeleteLogGroup", false),
			{Account: acct, Region: "us-east-1", Time: 2500, ID: "d1", Name: "GetObject", Source: "s3.amazonaws.com", Username: "root",
				ReadOnly: true, Category: "Data", Resource: "arn:aws:s3:::b/k", Record: []byte(`{}`)},
		}
		if err := s.AppendEvents(ctx, batch); err != nil {
			t.Fatalf("AppendEvents: %v", err)
		}
		for i := 1; i < len(batch); i++ {
			if batch[i].Seq <= batch[i-1].Seq {
				t.Fatalf("Seq not increasing: %d after %d", batch[i].Seq, batch[i-1].Seq)
			}
		}
		err := s.CreateTrail(ctx, store.Trail{Account: acct, Region: "us-east-1", Name: "t1", ARN: trailARN,
			Settings: []byte(`{"a":1}`), State: []byte(`{}`), Created: 5}, map[string]string{"team": "x"})
		if err != nil {
			t.Fatalf("CreateTrail: %v", err)
		}
		if err := s.PutSigningKey(ctx, store.SigningKey{Region: "us-east-1", Fingerprint: "f1", Public: []byte{1}, SealedPrivate: []byte{2}, From: 10, To: 20}); err != nil {
			t.Fatalf("PutSigningKey: %v", err)
		}
	})
	s := storeOf(t, b)

	t.Run("lookup", func(t *testing.T) {
		q := store.TrailEventQuery{Account: acct, Region: "us-east-1", From: 0, To: 10000, Limit: 10}
		got, err := s.LookupEvents(ctx, q)
		if err != nil || !reflect.DeepEqual(ids(got), []string{"e2", "e5", "e1"}) {
			t.Fatalf("LookupEvents = %v, %v; want e2 e5 e1 (newest first, one account and region)", ids(got), err)
		}
		if string(got[0].Record) != `{"eventID":"e2"}` || !got[0].ReadOnly || got[0].AccessKey != "AKIA"+acct || got[0].Category != "Management" {
			t.Errorf("event read back = %+v", got[0])
		}
		q.Limit = 2
		page, _ := s.LookupEvents(ctx, q)
		q.BeforeTime, q.BeforeSeq = page[1].Time, page[1].Seq
		rest, _ := s.LookupEvents(ctx, q)
		if !reflect.DeepEqual(ids(page), []string{"e2", "e5"}) || !reflect.DeepEqual(ids(rest), []string{"e1"}) {
			t.Errorf("pages = %v, %v; want [e2 e5] [e1]", ids(page), ids(rest))
		}
		for _, c := range []struct {
			attr, value string
			want        []string
		}{
			{"EventName", "CreateLogGroup", []string{"e1"}},
			{"ReadOnly", "true", []string{"e2"}},
			{"ReadOnly", "false", []string{"e5", "e1"}},
			{"EventId", "e5", []string{"e5"}},
			{"Username", "nobody", []string{}},
		} {
			got, err := s.LookupEvents(ctx, store.TrailEventQuery{Account: acct, Region: "us-east-1", To: 10000, Attribute: c.attr, Value: c.value, Limit: 10})
			if err != nil || !reflect.DeepEqual(ids(got), c.want) {
				t.Errorf("LookupEvents(%s=%s) = %v, %v; want %v", c.attr, c.value, ids(got), err, c.want)
			}
		}
		got, _ = s.LookupEvents(ctx, store.TrailEventQuery{Account: acct, Region: "us-east-1", From: 2000, To: 3000, Limit: 10})
		if !reflect.DeepEqual(ids(got), []string{"e5"}) {
			t.Errorf("LookupEvents([2000, 3000)) = %v; want e5", ids(got))
		}
	})

	t.Run("events after", func(t *testing.T) {
		last, err := s.LastEventSeq(ctx)
		if err != nil || last == 0 {
			t.Fatalf("LastEventSeq = %d, %v", last, err)
		}
		all, _ := s.EventsAfter(ctx, acct, nil, 0, last, 0)
		if !reflect.DeepEqual(ids(all), []string{"e1", "e2", "e3", "e5", "d1"}) {
			t.Errorf("EventsAfter(all regions) = %v; want e1 e2 e3 e5 d1 (by Seq, data events too)", ids(all))
		}
		if d := all[4]; d.Category != "Data" || d.Resource != "arn:aws:s3:::b/k" {
			t.Errorf("data event read back = %+v", d)
		}
		east, _ := s.EventsAfter(ctx, acct, []string{"us-east-1"}, all[0].Seq, last, 1)
		if !reflect.DeepEqual(ids(east), []string{"e2"}) {
			t.Errorf("EventsAfter(us-east-1, after e1, limit 1) = %v; want e2", ids(east))
		}
		none, _ := s.EventsAfter(ctx, acct, nil, 0, all[0].Seq-1, 0)
		if len(none) != 0 {
			t.Errorf("EventsAfter(through before e1) = %v; want none", ids(none))
		}
	})

	t.Run("trails", func(t *testing.T) {
		err := s.CreateTrail(ctx, store.Trail{Account: acct, Region: "us-east-1", Name: "t1", ARN: trailARN, Settings: []byte(`{}`), State: []byte(`{}`)}, nil)
		if !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateTrail(again) = %v; want ErrExists", err)
		}
		tr, err := s.Trail(ctx, trailARN)
		if err != nil || string(tr.Settings) != `{"a":1}` || tr.Created != 5 || tr.Name != "t1" {
			t.Fatalf("Trail = %+v, %v", tr, err)
		}
		if err := s.SetTrailSettings(ctx, trailARN, []byte(`{"a":2}`)); err != nil {
			t.Fatal(err)
		}
		files := []store.TrailLogFile{
			{Region: "us-east-1", Bucket: "b", Key: "k1", HashSHA256: "h1", Oldest: 1, Newest: 2, Delivered: 100},
			{Region: "us-west-2", Bucket: "b", Key: "k2", HashSHA256: "h2", Oldest: 1, Newest: 2, Delivered: 100},
			{Region: "us-east-1", Bucket: "b", Key: "k3", HashSHA256: "h3", Oldest: 3, Newest: 4, Delivered: 200},
		}
		if err := s.SetTrailState(ctx, trailARN, []byte(`{"s":1}`), 7, files...); err != nil {
			t.Fatal(err)
		}
		tr, _ = s.Trail(ctx, trailARN)
		if string(tr.Settings) != `{"a":2}` || string(tr.State) != `{"s":1}` || tr.Delivered != 7 {
			t.Errorf("trail after the updates = %+v", tr)
		}
		got, _ := s.TrailLogFiles(ctx, trailARN, "us-east-1", 300)
		if len(got) != 2 || got[0] != files[0] || got[1] != files[2] {
			t.Errorf("TrailLogFiles(us-east-1) = %+v", got)
		}
		if err := s.SetTrailDigested(ctx, trailARN, []byte(`{"s":2}`), "us-east-1", 150); err != nil {
			t.Fatal(err)
		}
		got, _ = s.TrailLogFiles(ctx, trailARN, "us-east-1", 300)
		west, _ := s.TrailLogFiles(ctx, trailARN, "us-west-2", 300)
		if len(got) != 1 || got[0].Key != "k3" || len(west) != 1 {
			t.Errorf("after digesting us-east-1 before 150: %+v, us-west-2 %+v", got, west)
		}
		ts, _ := s.Trails(ctx, acct, "")
		none, _ := s.Trails(ctx, acct, "eu-west-1")
		others, _ := s.Trails(ctx, other, "")
		if len(ts) != 1 || len(none) != 0 || len(others) != 0 {
			t.Errorf("Trails = %d, eu-west-1 %d, other account %d; want 1, 0, 0", len(ts), len(none), len(others))
		}
		if tags, _ := b.Tags.ResourceTags(ctx, trailARN); tags["team"] != "x" {
			t.Errorf("tags = %v", tags)
		}
		if err := s.DeleteTrail(ctx, trailARN); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTrail(ctx, trailARN); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteTrail(again) = %v; want ErrNotFound", err)
		}
		if err := s.SetTrailState(ctx, trailARN, []byte(`{}`), 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetTrailState(deleted) = %v; want ErrNotFound", err)
		}
		if got, _ := s.TrailLogFiles(ctx, trailARN, "us-west-2", 300); len(got) != 0 {
			t.Errorf("log files of a deleted trail: %+v", got)
		}
		if tags, _ := b.Tags.ResourceTags(ctx, trailARN); len(tags) != 0 {
			t.Errorf("tags of a deleted trail: %v", tags)
		}
	})

	t.Run("keys", func(t *testing.T) {
		if err := s.PutSigningKey(ctx, store.SigningKey{Region: "us-east-1", Fingerprint: "f1", Public: []byte{9}, SealedPrivate: []byte{9}}); !errors.Is(err, store.ErrExists) {
			t.Errorf("PutSigningKey(again) = %v; want ErrExists", err)
		}
		if err := s.PutSigningKey(ctx, store.SigningKey{Region: "us-east-1", Fingerprint: "f0", Public: []byte{3}, SealedPrivate: []byte{4}, From: 5, To: 10}); err != nil {
			t.Fatal(err)
		}
		ks, err := s.SigningKeys(ctx, "us-east-1")
		if err != nil || len(ks) != 2 || ks[0].Fingerprint != "f0" || ks[1].Fingerprint != "f1" || ks[1].To != 20 || ks[1].Public[0] != 1 {
			t.Errorf("SigningKeys = %+v, %v; want f0 then f1", ks, err)
		}
		if west, _ := s.SigningKeys(ctx, "us-west-2"); len(west) != 0 {
			t.Errorf("SigningKeys(us-west-2) = %+v", west)
		}
	})

	t.Run("expire", func(t *testing.T) {
		if n, err := s.ExpireEvents(ctx, 5000); err != nil || n != 0 {
			t.Fatalf("ExpireEvents without a mark = %d, %v; want none", n, err)
		}
		if err := s.MarkEvents(ctx, 3500); err != nil { // every event so far happened before 3500
			t.Fatal(err)
		}
		if err := s.AppendEvents(ctx, []store.TrailEvent{event(acct, "us-east-1", 4000, "e6", "PutRetentionPolicy", false)}); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkEvents(ctx, 4500); err != nil {
			t.Fatal(err)
		}
		if n, err := s.ExpireEvents(ctx, 3000); err != nil || n != 0 {
			t.Errorf("ExpireEvents(3000) = %d, %v; want none (no mark before 3000)", n, err)
		}
		n, err := s.ExpireEvents(ctx, 4000)
		if err != nil || n != 6 {
			t.Fatalf("ExpireEvents(4000) = %d, %v; want the 6 events stored before the mark at 3500", n, err)
		}
		got, _ := s.LookupEvents(ctx, store.TrailEventQuery{Account: acct, Region: "us-east-1", To: 10000, Limit: 10})
		if !reflect.DeepEqual(ids(got), []string{"e6"}) {
			t.Errorf("after expiry: %v; want e6", ids(got))
		}
	})
}
