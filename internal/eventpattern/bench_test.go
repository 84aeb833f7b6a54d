package eventpattern

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchWorld draws events and patterns of an online shop's bus: its
// services send events of 12 detail types, with details holding strings,
// numbers, an address, a nested object and an array of objects. A bus
// with more rules has more services sending events, one for every 25
// rules, so that an event meets about as many rules whatever their
// number, as on real buses.
type benchWorld struct {
	r       *rand.Rand
	sources []string
}

func newBenchWorld(seed uint64, rules int) benchWorld {
	w := benchWorld{r: rand.New(rand.NewPCG(7, seed))}
	for i := range max(1, rules/25) {
		w.sources = append(w.sources, fmt.Sprintf("com.shop.service%d", i))
	}
	return w
}

var (
	benchTypes    = []string{"Order Created", "Order Paid", "Order Shipped", "Order Cancelled", "Refund Issued", "Cart Updated", "User Signed Up", "User Deleted", "Payment Failed", "Stock Low", "Price Changed", "Review Posted"}
	benchStatuses = []string{"pending", "paid", "shipped", "cancelled", "refunded", "failed", "on-hold", "delivered"}
	benchTiers    = []string{"bronze", "silver", "gold", "platinum"}
	benchRegions  = []string{"us-east-1", "us-west-2", "eu-west-1", "ap-south-1"}
)

func (w benchWorld) pick(s []string) string { return s[w.r.IntN(len(s))] }

func (w benchWorld) event() []byte {
	n := w.r.IntN(100000)
	return fmt.Appendf(nil, `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-%012d","detail-type":%q,"source":%q,`+
		`"account":"123456789012","time":"2024-05-01T12:%02d:%02dZ","region":%q,`+
		`"resources":["arn:aws:shop:us-east-1:123456789012:order/o-%d"],`+
		`"detail":{"orderId":"o-%d","customer":{"id":"c-%d","tier":%q,"email":"user%d@example.com"},`+
		`"amount":%d.%02d,"currency":"USD","items":[{"sku":"sku-%d","qty":%d},{"sku":"sku-%d","qty":%d}],`+
		`"status":%q,"ip":"10.%d.%d.%d","path":"/api/v1/orders/%d","tags":["web","promo-%d"],"flags":{"test":%v}}}`,
		n, w.pick(benchTypes), w.pick(w.sources), w.r.IntN(60), w.r.IntN(60), w.pick(benchRegions),
		n, n, w.r.IntN(5000), w.pick(benchTiers), w.r.IntN(5000),
		w.r.IntN(2000), w.r.IntN(100), w.r.IntN(500), 1+w.r.IntN(5), w.r.IntN(500), 1+w.r.IntN(5),
		w.pick(benchStatuses), w.r.IntN(4), w.r.IntN(256), w.r.IntN(256), n, w.r.IntN(20), w.r.IntN(10) == 0)
}

// condition returns a detail condition with one of the operators.
func (w benchWorld) condition() string {
	switch w.r.IntN(13) {
	case 0:
		return fmt.Sprintf(`"status": [%q, %q]`, w.pick(benchStatuses), w.pick(benchStatuses))
	case 1:
		return fmt.Sprintf(`"status": [{"anything-but": [%q, %q]}]`, w.pick(benchStatuses), w.pick(benchStatuses))
	case 2:
		lo := w.r.IntN(1500)
		return fmt.Sprintf(`"amount": [{"numeric": [">=", %d, "<", %d]}]`, lo, lo+1+w.r.IntN(500))
	case 3:
		return fmt.Sprintf(`"customer": {"tier": [{"equals-ignore-case": %q}]}`, strings.ToUpper(w.pick(benchTiers)))
	case 4:
		return fmt.Sprintf(`"path": [{"prefix": "/api/v1/orders/%d"}]`, w.r.IntN(100))
	case 5:
		return fmt.Sprintf(`"customer": {"email": [{"suffix": "%d@example.com"}]}`, w.r.IntN(1000))
	case 6:
		return fmt.Sprintf(`"orderId": [{"wildcard": "o-%d*"}]`, w.r.IntN(1000))
	case 7:
		return fmt.Sprintf(`"ip": [{"cidr": "10.%d.%d.0/24"}]`, w.r.IntN(4), w.r.IntN(256))
	case 8:
		return fmt.Sprintf(`"items": {"sku": [{"prefix": "sku-%d"}], "qty": [{"numeric": [">", %d]}]}`, w.r.IntN(100), w.r.IntN(5))
	case 9:
		return `"flags": {"test": [{"exists": false}]}`
	case 10:
		return fmt.Sprintf(`"customer": {"id": ["c-%d", "c-%d"]}`, w.r.IntN(5000), w.r.IntN(5000))
	case 11:
		return fmt.Sprintf(`"tags": [{"anything-but": {"prefix": "promo-%d"}}]`, w.r.IntN(20))
	}
	return fmt.Sprintf(`"$or": [{"status": [%q]}, {"amount": [{"numeric": [">", %d]}]}]`, w.pick(benchStatuses), 1000+w.r.IntN(1000))
}

// pattern returns a rule's pattern: a source, often a detail type, and
// one or two conditions on the detail.
func (w benchWorld) pattern() []byte {
	members := []string{fmt.Sprintf(`"source": [%q]`, w.pick(w.sources))}
	if w.r.IntN(10) > 3 {
		members = append(members, fmt.Sprintf(`"detail-type": [%q]`, w.pick(benchTypes)))
	}
	detail := []string{w.condition()}
	if w.r.IntN(2) == 0 {
		detail = append(detail, w.condition())
	}
	members = append(members, `"detail": {`+strings.Join(detail, ", ")+`}`)
	return []byte("{" + strings.Join(members, ", ") + "}")
}

// benchMatcher returns a Matcher with n patterns of world w.
func benchMatcher(tb testing.TB, w benchWorld, n int) *Matcher {
	m := NewMatcher()
	for i := 0; m.Len() < n; i++ {
		p, err := Parse(w.pattern())
		if err != nil {
			tb.Fatal(err)
		}
		m.Add(fmt.Sprint(i), p)
	}
	return m
}

// TestMatchWorkFlat checks that the rules a match checks against an
// event, and the nodes it visits, do not grow with the number of rules:
// at 10,000 rules an event costs about what it costs at 100 (the
// matches per event stay level too, by the world's design). Time per
// event still grows somewhat (BenchmarkMatch), as 10,000 rules no longer
// fit in a core's cache.
func TestMatchWorkFlat(t *testing.T) {
	type work struct{ subs, nodes, matched float64 }
	measure := func(n int) work {
		w := newBenchWorld(uint64(n), n)
		m := benchMatcher(t, w, n)
		const events = 2000
		var total work
		sc := new(scratch)
		for range events {
			if err := sc.ev.load(m.tab, w.event()); err != nil {
				t.Fatal(err)
			}
			sc.begin(m)
			sc.visit(m.root)
			total.subs += float64(sc.subs.count())
			total.nodes += float64(sc.nodes.count())
			total.matched += float64(len(sc.matched))
			sc.ev.release()
		}
		return work{total.subs / events, total.nodes / events, total.matched / events}
	}
	small, large := measure(100), measure(10000)
	t.Logf("per event at 100 rules %+v, at 10,000 rules %+v", small, large)
	if large.subs > 3*small.subs || large.nodes > 4*small.nodes {
		t.Errorf("work per event grew with the rules: %+v at 100, %+v at 10,000", small, large)
	}
	if large.matched > 2*small.matched || small.matched > 2*large.matched {
		t.Errorf("the world no longer keeps matches per event level: %.2f at 100, %.2f at 10,000", small.matched, large.matched)
	}
}

// count returns the number of members of the set.
func (b *bitset) count() int {
	n := 0
	for _, w := range b.touched {
		n += bits.OnesCount64(b.words[w])
	}
	return n
}

// BenchmarkMatch measures Matcher.Match on events of about 600 bytes
// against growing numbers of patterns that use every operator. Besides
// wall time it reports the CPU time of the process per event
// (cpu-ns/op, events/cpu-s), which other work on a shared machine does
// not inflate.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			w := newBenchWorld(uint64(n), n)
			m := benchMatcher(b, w, n)
			events := make([][]byte, 1024)
			size := 0
			for i := range events {
				events[i] = w.event()
				size += len(events[i])
			}
			if _, err := m.Match(events[0]); err != nil {
				b.Fatal(err)
			}
			matched := 0
			b.SetBytes(int64(size / len(events)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				ids, err := m.Match(events[i%len(events)])
				if err != nil {
					b.Fatal(err)
				}
				matched += len(ids)
			}
			cpu = cpuTime() - cpu
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(b.N)/cpu.Seconds(), "events/cpu-s")
			}
			b.ReportMetric(float64(matched)/float64(b.N), "matches/event")
		})
	}
}

// BenchmarkPatternMatches measures Pattern.Matches, the TestEventPattern
// path, for one pattern.
func BenchmarkPatternMatches(b *testing.B) {
	w := newBenchWorld(8, 10)
	p, err := Parse(w.pattern())
	if err != nil {
		b.Fatal(err)
	}
	evt := w.event()
	b.SetBytes(int64(len(evt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Matches(evt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse measures Parse on a pattern with several operators.
func BenchmarkParse(b *testing.B) {
	src := []byte(`{"source": ["com.shop.service1"], "detail-type": ["Order Paid"], "detail": {"status": [{"anything-but": ["pending", "failed"]}], "amount": [{"numeric": [">=", 10, "<", 500]}], "path": [{"prefix": "/api/v1/"}], "orderId": [{"wildcard": "o-1*"}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}
