package duckdb

import (
	"bytes"
	"context"
	"errors"
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

// TestLogRecordOfNoEvent: a well-formed @ptr that names no event is not
// found (storetest.LogQuerier checks pointers of deleted events).
func TestLogRecordOfNoEvent(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	if _, err := s.LogRecord(context.Background(), encodePtr(1, 999)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogRecord(no such event) = %v; want ErrNotFound", err)
	}
}
