package chunk

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/vigilhq/vigil/internal/metrics/stats"
)

// start is a minute boundary, as roll-ups write them.
const start = 1_767_225_600 // 2026-01-01T00:00:00Z

// single returns a one-value sample.
func single(t int64, v float64) Sample {
	return Sample{T: t, Count: 1, Sum: v, Min: v, Max: v}
}

// shape is a series of samples and the bytes per sample it must fit in
// (0 for no limit).
type shape struct {
	name    string
	limit   float64
	samples func(n int) []Sample
}

func singles(f func(i int, r *rand.Rand) float64) func(n int) []Sample {
	return func(n int) []Sample {
		r := rand.New(rand.NewPCG(uint64(n), 42))
		out := make([]Sample, n)
		for i := range out {
			out[i] = single(start+60*int64(i), f(i, r))
		}
		return out
	}
}

// rollups returns 60-second samples of one-second data: 60 values each,
// with sketches.
func rollups(f func(r *rand.Rand) float64) func(n int) []Sample {
	return func(n int) []Sample {
		r := rand.New(rand.NewPCG(uint64(n), 43))
		out := make([]Sample, n)
		for i := range out {
			var sk stats.Sketch
			for range 60 {
				sk.Add(f(r))
			}
			sum := sk.Summary()
			out[i] = Sample{T: start + 60*int64(i), Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max, Sketch: &sk}
		}
		return out
	}
}

var shapes = []shape{
	{"constant", 2, singles(func(int, *rand.Rand) float64 { return 1 })},
	{"zero", 2, singles(func(int, *rand.Rand) float64 { return 0 })},
	{"cpu 2 digits", 2, singles(func(i int, r *rand.Rand) float64 {
		return math.Round(40 + 15*math.Sin(float64(i)/300) + 4*r.NormFloat64())
	})},
	{"cpu 3 digits", 2, singles(func(i int, r *rand.Rand) float64 {
		return math.Round(10*(40+15*math.Sin(float64(i)/300)+4*r.NormFloat64())) / 10
	})},
	{"counter", 2, func() func(int) []Sample {
		return singles(func(i int, r *rand.Rand) float64 { return float64(1_000_000 + 120*i + r.IntN(41)) })
	}()},
	{"steady counter", 2, singles(func(i int, _ *rand.Rand) float64 { return float64(86400 + 60*i) })},
	{"memory bytes", 0, singles(func(i int, r *rand.Rand) float64 {
		return float64(2_000_000_000 + 4096*r.IntN(5000))
	})},
	{"percent 2 decimals", 0, singles(func(i int, r *rand.Rand) float64 {
		return math.Round(100*(50+20*r.Float64())) / 100
	})},
	{"raw floats", 0, singles(func(i int, r *rand.Rand) float64 { return r.Float64() * 100 })},
	{"rollup latency", 0, rollups(func(r *rand.Rand) float64 {
		return math.Round(10*math.Exp(3+0.5*r.NormFloat64())) / 10
	})},
	{"rollup counts", 0, rollups(func(r *rand.Rand) float64 { return float64(r.IntN(4)) })},
}

func encode(t testing.TB, samples []Sample) []byte {
	t.Helper()
	var e Encoder
	for _, s := range samples {
		if err := e.Append(s); err != nil {
			t.Fatal(err)
		}
	}
	if e.Len() != len(samples) {
		t.Fatalf("Len() = %d, want %d", e.Len(), len(samples))
	}
	return e.Bytes()
}

func sameSample(a, b Sample) bool {
	bits := math.Float64bits
	if a.T != b.T || bits(a.Count) != bits(b.Count) || bits(a.Sum) != bits(b.Sum) ||
		bits(a.Min) != bits(b.Min) || bits(a.Max) != bits(b.Max) || (a.Sketch == nil) != (b.Sketch == nil) {
		return false
	}
	return a.Sketch == nil || a.Sketch.Equal(b.Sketch)
}

func checkRoundTrip(t *testing.T, samples []Sample) []byte {
	t.Helper()
	b := encode(t, samples)
	got, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if len(got) != len(samples) {
		t.Fatalf("decoded %d samples, want %d", len(got), len(samples))
	}
	for i := range got {
		want := samples[i]
		if want.Min == want.Max || (want.Sketch != nil && want.Sketch.Unknown() == want.Count) {
			want.Sketch = nil // implied by the summary
		}
		if !sameSample(got[i], want) {
			t.Fatalf("sample %d: got %+v, want %+v", i, got[i], want)
		}
	}
	return b
}

// TestShapes round-trips series of various shapes and logs their size;
// the single-value series of gauges, counters and constants must take 2
// bytes per sample at most.
func TestShapes(t *testing.T) {
	const n = 1440 // a day of minutes
	for _, sh := range shapes {
		b := checkRoundTrip(t, sh.samples(n))
		per := float64(len(b)) / n
		t.Logf("%-20s %6d bytes for %d samples: %5.2f bytes/sample", sh.name, len(b), n, per)
		if sh.limit > 0 && per > sh.limit {
			t.Errorf("%s: %.2f bytes/sample, want at most %v", sh.name, per, sh.limit)
		}
	}
}

// TestRollupTiers rolls six hours of one-second latencies up to 60, 300
// and 3600 seconds with Combine, as the background roll-ups do, logs the
// size of each tier and checks the percentiles of every sample against
// the raw values of its period.
func TestRollupTiers(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	raw := make([]float64, 6*3600)
	for i := range raw {
		raw[i] = math.Round(10*math.Exp(3+0.5*r.NormFloat64())) / 10
	}
	tier := func(prev []Sample, step int64) []Sample {
		var out []Sample
		for _, s := range prev {
			s.T -= s.T % step
			if n := len(out); n > 0 && out[n-1].T == s.T {
				out[n-1] = Combine(out[n-1], s)
			} else {
				out = append(out, s)
			}
		}
		return out
	}
	seconds := make([]Sample, len(raw))
	for i, v := range raw {
		seconds[i] = single(start+int64(i), v)
	}
	p99 := stats.MustParse("p99")
	prev := seconds
	for _, step := range []int64{60, 300, 3600} {
		samples := tier(prev, step)
		b := checkRoundTrip(t, samples)
		t.Logf("%4d-second tier: %3d samples, %6d bytes: %7.1f bytes/sample", step, len(samples), len(b), float64(len(b))/float64(len(samples)))
		decoded, _ := Decode(b)
		for i, s := range decoded {
			var exact stats.Values
			for _, v := range raw[int64(i)*step : int64(i+1)*step] {
				exact.Add(v)
			}
			want, _ := stats.Compute(p99, &exact)
			got, ok := stats.Compute(p99, s.Distribution())
			if !ok || math.Abs(got-want) > stats.RelativeAccuracy*want {
				t.Fatalf("%d-second sample %d: p99 %v, exact %v", step, i, got, want)
			}
		}
		prev = samples
	}
}

func TestIrregularAndSpecial(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var samples []Sample
	ts := int64(-maxTime)
	special := []float64{0, math.Copysign(0, -1), 1e300, -1e-300, 5e-324, math.MaxFloat64, -math.MaxFloat64,
		1.0 / 3, 0.1, 123456789012345, 1e22, 1e23, 37.5}
	for i := range 2000 {
		switch i % 4 {
		case 0:
			ts += 1
		case 1:
			ts += 60 + int64(r.IntN(5))
		case 2:
			ts += int64(r.IntN(1 << 20))
		default:
			ts += 3600
		}
		v := special[r.IntN(len(special))]
		switch r.IntN(4) {
		case 0:
			samples = append(samples, single(ts, v))
		case 1: // uniform with a count, Sum not always Count×v
			if sum := v + v + v; finite(sum) {
				samples = append(samples, Sample{T: ts, Count: 3, Sum: sum, Min: v, Max: v})
			} else {
				samples = append(samples, Sample{T: ts, Count: 0.5, Sum: v / 2, Min: v, Max: v})
			}
		case 2: // a statistic set of unknown values
			samples = append(samples, Sample{T: ts, Count: 2.5, Sum: 10, Min: -1, Max: 7})
		default: // a distribution
			if math.Abs(v) > 1e300 {
				v = 1e300
			}
			var sk stats.Sketch
			sk.AddN(v, 2)
			sk.Add(float64(r.IntN(100)))
			sum := sk.Summary()
			samples = append(samples, Sample{T: ts, Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max, Sketch: &sk})
		}
	}
	samples = append(samples, single(maxTime, 1))
	checkRoundTrip(t, samples)
}

func TestEmptyChunk(t *testing.T) {
	var e Encoder
	b := e.Bytes()
	if got, err := Decode(b); err != nil || len(got) != 0 {
		t.Fatalf("Decode(empty) = %v, %v", got, err)
	}
	if _, err := Decode(append(b, 0)); err == nil {
		t.Fatal("trailing byte after an empty chunk accepted")
	}
}

func TestAppendRejects(t *testing.T) {
	var sk stats.Sketch
	sk.Add(1)
	sk.Add(2)
	tests := map[string]Sample{
		"same time":       single(start, 2),
		"earlier":         single(start-60, 2),
		"NaN sum":         {T: start + 60, Count: 1, Sum: math.NaN(), Min: 1, Max: 1},
		"zero count":      {T: start + 60, Count: 0, Sum: 1, Min: 1, Max: 1},
		"infinite count":  {T: start + 60, Count: math.Inf(1), Sum: 1, Min: 1, Max: 1},
		"min above max":   {T: start + 60, Count: 2, Sum: 3, Min: 2, Max: 1},
		"sketch mismatch": {T: start + 60, Count: 2, Sum: 4, Min: 1, Max: 2, Sketch: &sk},
		"time range":      single(maxTime+1, 1),
	}
	for name, s := range tests {
		var e Encoder
		if err := e.Append(single(start, 1)); err != nil {
			t.Fatal(err)
		}
		if err := e.Append(s); err == nil {
			t.Errorf("%s: Append accepted %+v", name, s)
		}
		if e.Len() != 1 {
			t.Errorf("%s: a refused sample was counted", name)
		}
	}
}

func TestDecodeRejectsCorruption(t *testing.T) {
	samples := shapes[9].samples(50) // roll-ups, with sketches
	samples = append(samples, single(start+60*50, 3), Sample{T: start + 60*51, Count: 2, Sum: 1, Min: 0, Max: 1})
	b := encode(t, samples)
	for i := range len(b) {
		if _, err := Decode(b[:i]); err == nil {
			t.Fatalf("truncated to %d of %d bytes decodes", i, len(b))
		} else if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v does not wrap ErrCorrupt", err)
		}
	}
	if _, err := Decode(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		c := append([]byte(nil), b...)
		c[r.IntN(len(c))] ^= byte(1 << r.IntN(8))
		Decode(c) // must not panic
	}
}

// TestGolden pins the format.
func TestGolden(t *testing.T) {
	var sk stats.Sketch
	for _, x := range []float64{1, 2, 2, 4} {
		sk.Add(x)
	}
	samples := []Sample{
		single(start, 37.5),
		single(start+60, 37.5),
		single(start+120, 38.1),
		single(start+180, 36),
		{T: start + 240, Count: 4, Sum: 9, Min: 1, Max: 4, Sketch: &sk},
		{T: start + 360, Count: 3, Sum: 6, Min: 1, Max: 3}, // unknown values
	}
	got := encode(t, samples)
	const want = "" +
		"01" + // version
		"06" + // 6 samples
		"80e4ad950d" + // t0 = 1767225600 (zigzag varint)
		"17" + // 23 bytes of stream
		// Sample 0: count '0' (1, as before the first), sum escape '111111' '0',
		// exponent -1 '0000000001', mantissa 375 in varbits '1 1101110' '0 0000101',
		// minmax '0'; sample 1: time '10 1111000' (delta 60), count '0', sum '0'
		// (37.5 again), minmax '0'; sample 2: time '0', ...
		"7e007b8157805831499b821be19c45bc61e078384f0a00" +
		"00" + "03" + // the sketch of the fifth sample: exact, 3 values
		"010002" + "02" + // new decimal 1e0; count 1
		"00" + "04" + // step of 1 (2); count 2
		"02" + "02" // step of 2 (4); count 1
	if h := hexOf(got); h != want {
		t.Errorf("chunk\n got %s\nwant %s", h, want)
	}
	checkRoundTrip(t, samples)
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestDistribution(t *testing.T) {
	d := single(start, 5).Distribution()
	if v, ok := stats.Compute(stats.MustParse("p50"), d); !ok || v != 5 {
		t.Errorf("p50 of a single value = %v, %v", v, ok)
	}
	d = Sample{T: start, Count: 3, Sum: 6, Min: 1, Max: 3}.Distribution()
	if _, ok := stats.Compute(stats.MustParse("p50"), d); ok {
		t.Error("p50 of a statistic set of unknown values exists")
	}
	var sk stats.Sketch
	sk.Add(1)
	sk.Add(3)
	s := Sample{T: start, Count: 2, Sum: 4, Min: 1, Max: 3, Sketch: &sk}
	d = s.Distribution()
	d.Add(10)
	if sk.Summary().Count != 2 {
		t.Error("Distribution returned the sample's own sketch")
	}
}

func FuzzChunkDecode(f *testing.F) {
	for _, sh := range shapes {
		f.Add(encode(f, sh.samples(20)))
	}
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 1, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		samples, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// What decodes encodes again to the same samples.
		again, err := Decode(encode(t, samples))
		if err != nil || len(again) != len(samples) {
			t.Fatalf("re-encoding: %v", err)
		}
		for i := range again {
			if !sameSample(again[i], samples[i]) {
				t.Fatalf("sample %d: %+v, then %+v", i, samples[i], again[i])
			}
		}
	})
}
