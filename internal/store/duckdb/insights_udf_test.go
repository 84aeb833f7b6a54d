package duckdb

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestNaturalKeyOrder(t *testing.T) {
	// The ascending order of the sort command's documentation.
	want := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	got := append([]string(nil), want...)
	sort.Slice(got, func(i, j int) bool { return bytes.Compare(naturalKey(got[i]), naturalKey(got[j])) < 0 })
	for i := len(got) - 1; i > 0; i-- { // shuffle-independent: sort a reversed copy too
		got[i], got[len(got)-1-i] = got[len(got)-1-i], got[i]
	}
	sort.SliceStable(got, func(i, j int) bool { return bytes.Compare(naturalKey(got[i]), naturalKey(got[j])) < 0 })
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("natural order:\n got %v\nwant %v", got, want)
	}
	for _, pair := range [][2]string{{"-5", "-1"}, {"-1", "0"}, {"1.5", "2"}, {"2", "10"}, {"9", "1e3"}, {"x9", "x10"}, {"Inf", "0"}} {
		if bytes.Compare(naturalKey(pair[0]), naturalKey(pair[1])) >= 0 {
			t.Errorf("%q does not sort before %q", pair[0], pair[1])
		}
	}
}

func TestIPFunctions(t *testing.T) {
	is := []struct {
		ip, mode string
		want     bool
	}{
		{"192.0.2.1", "any", true}, {"2001:db8::1", "any", true}, {"300.0.0.1", "any", false}, {"", "any", false},
		{"192.0.2.1", "v4", true}, {"2001:db8::1", "v4", false}, {"2001:db8::1", "v6", true},
		{"10.1.2.3", "private", true}, {"172.16.0.1", "private", true}, {"192.168.0.1", "private", true}, {"fd00::1", "private", true},
		{"8.8.8.8", "private", false}, {"8.8.8.8", "public", true}, {"127.0.0.1", "public", false}, {"10.0.0.1", "public", false},
		{"127.0.0.1", "reserved", true}, {"169.254.1.1", "reserved", true}, {"224.0.0.1", "reserved", true}, {"::1", "reserved", true},
		{"8.8.8.8", "reserved", false}, {"fe80::1%eth0", "any", false},
	}
	for _, tt := range is {
		if got := ipIs(tt.ip, tt.mode); got != tt.want {
			t.Errorf("ipIs(%q, %s) = %v; want %v", tt.ip, tt.mode, got, tt.want)
		}
	}
	subnets := []struct {
		ip, cidr, mode string
		want           bool
	}{
		{"192.0.2.77", "192.0.2.0/24", "any", true}, {"192.0.3.1", "192.0.2.0/24", "any", false},
		{"192.0.2.77", "192.0.2.5/24", "v4", true}, {"2001:db8::1", "2001:db8::/32", "v6", true},
		{"2001:db8::1", "2001:db8::/32", "v4", false}, {"192.0.2.1", "2001:db8::/32", "any", false},
		{"192.0.2.1", "not a cidr", "any", false},
	}
	for _, tt := range subnets {
		if got := ipInSubnet(tt.ip, tt.cidr, tt.mode); got != tt.want {
			t.Errorf("ipInSubnet(%q, %q, %s) = %v; want %v", tt.ip, tt.cidr, tt.mode, got, tt.want)
		}
	}
}

func TestDateFormats(t *testing.T) {
	ts := time.Date(2024, 3, 5, 14, 7, 9, 45e6, time.UTC)
	if got := strftime(ts, "%Y-%m-%d %H:%M:%S.%L %a %b %j %p %I %%"); got != "2024-03-05 14:07:09.045 Tue Mar 065 PM 02 %" {
		t.Errorf("strftime = %q", got)
	}
	layouts := map[string]string{
		"yyyy-MM-dd":                "2006-01-02",
		"yyyy-MM-dd'T'HH:mm:ss.SSS": "2006-01-02T15:04:05.000",
		"dd/MMM/yyyy:HH:mm:ss Z":    "02/Jan/2006:15:04:05 -0700",
		"EEE, d MMM yyyy h:mm a":    "Mon, 2 Jan 2006 3:04 PM",
	}
	for java, want := range layouts {
		if got, ok := javaLayout(java); !ok || got != want {
			t.Errorf("javaLayout(%q) = %q, %v; want %q", java, got, ok, want)
		}
	}
	if _, ok := javaLayout("yyyy-QQ"); ok {
		t.Error("javaLayout accepted an unsupported letter")
	}
}

func TestPtrRoundTrip(t *testing.T) {
	for _, c := range [][2]int64{{1, 1}, {42, 1 << 40}, {1 << 50, 7}} {
		g, s, ok := decodePtr(encodePtr(c[0], c[1]))
		if !ok || g != c[0] || s != c[1] {
			t.Errorf("decodePtr(encodePtr(%d, %d)) = %d, %d, %v", c[0], c[1], g, s, ok)
		}
	}
	for _, bad := range []string{"", "x", "AQ", "!!", encodePtr(1, 2) + "A"} {
		if _, _, ok := decodePtr(bad); ok {
			t.Errorf("decodePtr(%q) succeeded", bad)
		}
	}
}

func TestLogRecordAndGroupFields(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	base := corpusDay.UnixMilli()
	groups := loadEvents(t, s, []corpusEvent{
		{group: "/app", stream: "s1", ts: base + 1000, message: `{"level":"ERROR","req":{"id":7},"@x":"y"}`},
		{group: "/app", stream: "s1", ts: base + 2000, message: `{"level":"INFO"}`},
		{group: "/app", stream: "s2", ts: base + 3000, message: "plain"},
		{group: "/app", stream: "s2", ts: base + 4000, message: `{"level":"INFO","extra":true}`},
	})
	plan := mustPlan(t, `filter level = "ERROR"`)
	res, err := s.RunLogQuery(ctx, store.LogQuery{Plan: plan, Groups: groups, Start: base, End: base + 10000})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("RunLogQuery: %v, %d rows", err, len(res.Rows))
	}
	ptr := *res.Rows[0][len(res.Rows[0])-1]
	rec, err := s.LogRecord(ctx, ptr)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"@timestamp": "1704067201000", "@ingestionTime": "1704067202000", "@logStream": "s1", "@log": "123456789012:/app",
		"@message": `{"level":"ERROR","req":{"id":7},"@x":"y"}`, "level": "ERROR", "req.id": "7", "@@x": "y",
	}
	if len(rec) != len(want) {
		t.Errorf("LogRecord = %v; want %v", rec, want)
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("LogRecord[%s] = %q; want %q", k, rec[k], v)
		}
	}
	if _, err := s.LogRecord(ctx, encodePtr(groups[0].ID, 999)); err == nil || !strings.Contains(err.Error(), store.ErrNotFound.Error()) {
		t.Errorf("LogRecord(unknown) = %v; want ErrNotFound", err)
	}
	if _, err := s.LogRecord(ctx, "garbage"); err == nil {
		t.Error("LogRecord(garbage) succeeded")
	}

	fields, err := s.LogGroupFields(ctx, groups[0], base, base+10000)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fields {
		got = append(got, f.Name+"="+percentText(f.Percent))
	}
	wantFields := "@timestamp=100 @message=100 @logStream=100 @log=100 @ingestionTime=100 level=75 @@x=25 extra=25 req.id=25"
	if strings.Join(got, " ") != wantFields {
		t.Errorf("LogGroupFields:\n got %s\nwant %s", strings.Join(got, " "), wantFields)
	}
	empty, err := s.LogGroupFields(ctx, groups[0], base+20000, base+30000)
	if err != nil || len(empty) != 0 {
		t.Errorf("LogGroupFields(empty range) = %v, %v", empty, err)
	}
}

func TestInsightsConcurrentFirstQueries(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	base := corpusDay.UnixMilli()
	groups := loadEvents(t, s, []corpusEvent{{group: "/g", stream: "a", ts: base + 1, message: `{"v":"b"}`}, {group: "/g", stream: "a", ts: base + 2, message: `{"v":"a"}`}})
	plan := mustPlan(t, "fields v | sort v")
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := s.RunLogQuery(context.Background(), store.LogQuery{Plan: plan, Groups: groups, Start: base, End: base + 10})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestInsightsCanceled(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	base := corpusDay.UnixMilli()
	groups := loadEvents(t, s, []corpusEvent{{group: "/g", stream: "a", ts: base + 1, message: "x"}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.RunLogQuery(ctx, store.LogQuery{Plan: mustPlan(t, "stats count(*)"), Groups: groups, Start: base, End: base + 10})
	if err == nil {
		t.Fatal("RunLogQuery with a canceled context succeeded")
	}
}
