package sqs

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

// The tests run the service on a real embedded store and a fake clock:
// a test moves the clock itself, so nothing sleeps. Long polls run in
// goroutines; the test waits until their timer is armed (BlockUntil)
// before it moves the clock or sends.

var (
	t0    = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	scope = Scope{Account: "123456789012", Region: "us-east-1"}
	other = Scope{Account: "210987654321", Region: "us-east-1"}
)

const baseURL = "https://vigil.example.test:4580"

type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	store *embedded.Store
	svc   *Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &fixture{t: t, clock: clock.NewFake(t0), store: st}
	f.ctx = request.NewContext(context.Background(), &request.Info{
		ID: "req-1", Time: t0, Region: scope.Region, Service: "sqs",
		Principal: request.Principal{Account: scope.Account, ARN: "arn:aws:iam::" + scope.Account + ":root", UserID: scope.Account},
	})
	f.svc = New(Options{Store: st.SQS(), Tags: st.Tags(), Clock: f.clock})
	f.svc.SetBaseURL(baseURL + "/")
	return f
}

// url is the URL of a queue of scope.
func url(name string) string { return baseURL + "/" + scope.Account + "/" + name }

// arn is the ARN of a queue of scope.
func arn(name string) string { return "arn:aws:sqs:" + scope.Region + ":" + scope.Account + ":" + name }

func ip(n int) *int { return &n }

// create creates a queue of scope and returns its URL.
func (f *fixture) create(name string, attrs map[string]string) string {
	f.t.Helper()
	u, err := f.svc.CreateQueue(f.ctx, scope, f.svc.Base(), name, attrs, nil)
	if err != nil {
		f.t.Fatalf("CreateQueue %s: %v", name, err)
	}
	if u != url(name) {
		f.t.Fatalf("CreateQueue %s = %s, want %s", name, u, url(name))
	}
	return u
}

// fifo creates a FIFO queue with attrs (FifoQueue added).
func (f *fixture) fifo(name string, attrs map[string]string) string {
	f.t.Helper()
	a := map[string]string{"FifoQueue": "true"}
	for k, v := range attrs {
		a[k] = v
	}
	return f.create(name, a)
}

// sendIn sends one message from scope's account.
func (f *fixture) sendIn(u string, in SendInput) SendResult {
	f.t.Helper()
	rs, err := f.svc.SendMessages(f.ctx, scope, scope.Account, u, []SendInput{in}, false)
	if err != nil {
		f.t.Fatalf("SendMessage %q: %v", in.Body, err)
	}
	if len(rs) != 1 || rs[0].Err != nil || rs[0].MessageID == "" {
		f.t.Fatalf("SendMessage %q = %+v", in.Body, rs)
	}
	return rs[0]
}

func (f *fixture) send(u, body string) SendResult {
	f.t.Helper()
	return f.sendIn(u, SendInput{Body: body})
}

// sendGroup sends a FIFO message with a group and a deduplication id.
func (f *fixture) sendGroup(u, body, group, dedup string) SendResult {
	f.t.Helper()
	return f.sendIn(u, SendInput{Body: body, GroupID: group, DedupID: dedup})
}

func (f *fixture) receive(in ReceiveInput) []Received {
	f.t.Helper()
	if in.Wait == nil {
		in.Wait = ip(0)
	}
	got, err := f.svc.ReceiveMessages(f.ctx, scope, in)
	if err != nil {
		f.t.Fatalf("ReceiveMessages: %v", err)
	}
	return got
}

// receiveN receives up to max messages of a queue without waiting.
func (f *fixture) receiveN(u string, max int) []Received {
	f.t.Helper()
	return f.receive(ReceiveInput{QueueURL: u, Max: ip(max)})
}

// receiveOne receives the one message of a queue.
func (f *fixture) receiveOne(u string) Received {
	f.t.Helper()
	got := f.receiveN(u, 10)
	if len(got) != 1 {
		f.t.Fatalf("received %d messages, want 1: %v", len(got), bodies(got))
	}
	return got[0]
}

// receiveNone checks that a queue has nothing to receive.
func (f *fixture) receiveNone(u string) {
	f.t.Helper()
	if got := f.receiveN(u, 10); len(got) != 0 {
		f.t.Fatalf("received %v, want nothing", bodies(got))
	}
}

func bodies(rs []Received) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Body
	}
	return out
}

func (f *fixture) attrs(u string, names ...string) map[string]string {
	f.t.Helper()
	a, err := f.svc.GetQueueAttributes(f.ctx, scope, u, names)
	if err != nil {
		f.t.Fatalf("GetQueueAttributes %s: %v", u, err)
	}
	return a
}

// counts are a queue's visible, in flight and delayed messages.
type counts struct{ visible, inFlight, delayed int }

func (f *fixture) counts(u string) counts {
	f.t.Helper()
	a := f.attrs(u, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")
	n := func(k string) int {
		v, err := strconv.Atoi(a[k])
		if err != nil {
			f.t.Fatalf("%s = %q", k, a[k])
		}
		return v
	}
	return counts{n("ApproximateNumberOfMessages"), n("ApproximateNumberOfMessagesNotVisible"), n("ApproximateNumberOfMessagesDelayed")}
}

func (f *fixture) wantCounts(u string, want counts) {
	f.t.Helper()
	if got := f.counts(u); got != want {
		f.t.Fatalf("counts = %+v, want %+v", got, want)
	}
}

func (f *fixture) deleteMessage(u, handle string) {
	f.t.Helper()
	if _, err := f.svc.DeleteMessages(f.ctx, scope, u, nil, []string{handle}, false); err != nil {
		f.t.Fatalf("DeleteMessage: %v", err)
	}
}

func (f *fixture) changeVisibility(u, handle string, timeout int) error {
	f.t.Helper()
	_, err := f.svc.ChangeVisibility(f.ctx, scope, u, nil, []string{handle}, []int{timeout}, false)
	return err
}

// wantErr checks that err is an Error of code whose message is msg ("":
// any).
func wantErr(t *testing.T, err error, code Code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an Error %d %q", err, code, msg)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("err = %d %q, want %d %q", e.Code, e.Message, code, msg)
	}
}

// wantPrefix checks that err is an Error of code whose message starts
// with prefix.
func wantPrefix(t *testing.T, err error, code Code, prefix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an Error %d %q…", err, code, prefix)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, prefix) {
		t.Fatalf("err = %d %q, want %d %q…", e.Code, e.Message, code, prefix)
	}
}

const noQueue = "The specified queue does not exist."

// specMD5 is the MD5 digest of message attributes as the SQS Developer
// Guide specifies it, written from the spec apart from the engine's: the
// attributes sorted by name, each encoded as its name's length (4 bytes,
// big-endian) and bytes, its data type's length and bytes, one transport
// type byte (1 for String and Number types, 2 for Binary), and its
// value's length and bytes.
func specMD5(attrs []Attribute) string {
	if len(attrs) == 0 {
		return ""
	}
	sorted := slices.Clone(attrs)
	slices.SortFunc(sorted, func(a, b Attribute) int { return strings.Compare(a.Name, b.Name) })
	var buf []byte
	lengthAndBytes := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, a := range sorted {
		lengthAndBytes([]byte(a.Name))
		lengthAndBytes([]byte(a.DataType))
		switch {
		case a.DataType == "Binary" || strings.HasPrefix(a.DataType, "Binary."):
			buf = append(buf, 2)
			lengthAndBytes(a.BinaryValue)
		default:
			buf = append(buf, 1)
			lengthAndBytes([]byte(a.StringValue))
		}
	}
	sum := md5.Sum(buf)
	return hex.EncodeToString(sum[:])
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// ms is a time in milliseconds since the epoch, as SQS reports them.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// secs is a time in seconds since the epoch.
func secs(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
