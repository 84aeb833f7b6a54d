package stats

import (
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// sampleSketches returns sketches covering every branch of the encoding.
func sampleSketches() map[string]*Sketch {
	r := rand.New(rand.NewPCG(11, 12))
	out := map[string]*Sketch{}
	add := func(name string, f func(s *Sketch)) {
		s := &Sketch{}
		f(s)
		out[name] = s
	}
	add("empty", func(s *Sketch) {})
	add("one", func(s *Sketch) { s.Add(42.5) })
	add("decimals", func(s *Sketch) {
		for _, x := range []float64{37.5, 41.2, 39.8, 40, 1200, 0.25, -3.75, 0} {
			s.Add(x)
		}
	})
	add("raw floats", func(s *Sketch) {
		for _, x := range []float64{1.0 / 3, 2.0 / 3, math.Pi, 1e300, 1e-300, math.SmallestNonzeroFloat64, math.Copysign(0, -1)} {
			s.Add(x)
		}
	})
	add("fractional counts", func(s *Sketch) {
		s.AddN(1, 0.5)
		s.AddN(2, 1e20)
	})
	add("unknown only", func(s *Sketch) { s.AddSummary(Summary{Count: 3, Sum: 6, Min: 1, Max: 3}) })
	add("unknown and values", func(s *Sketch) {
		s.AddSummary(Summary{Count: 3, Sum: 6, Min: 1, Max: 3})
		s.Add(2)
	})
	add("buckets", func(s *Sketch) {
		for range 1000 {
			s.Add(math.Exp(3 * r.NormFloat64()))
		}
	})
	add("signed buckets", func(s *Sketch) {
		for _, x := range dataset("signed", 2000, 1) {
			s.Add(x)
		}
		s.Add(1e-310) // subnormal: the zero bucket
		s.AddSummary(Summary{Count: 2, Sum: 0, Min: -1, Max: 1})
	})
	add("negative buckets", func(s *Sketch) {
		for i := range 100 {
			s.Add(-1 - float64(i)*0.37)
		}
	})
	return out
}

func TestSketchEncodingRoundTrip(t *testing.T) {
	for name, s := range sampleSketches() {
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Sketch
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%s: UnmarshalBinary: %v", name, err)
		}
		if !got.Equal(s) && !(s.sum.IsEmpty() && got.sum.IsEmpty()) {
			t.Fatalf("%s: round trip\n got %+v\nwant %+v", name, &got, s)
		}
		if s.sum.IsEmpty() {
			continue
		}
		body := s.AppendBody([]byte{0xAA})
		d, n, err := DecodeBody(append(body[1:], 0xBB), s.Summary())
		if err != nil || n != len(body)-1 || !d.Equal(s) {
			t.Fatalf("%s: DecodeBody = %+v, %d, %v; want %d bytes", name, d, n, err, len(body)-1)
		}
		t.Logf("%-18s %6g observations %4d values/buckets: %4d bytes, body %4d", name,
			s.sum.Count, len(s.exact)+len(s.pos)+len(s.neg), len(b), len(body)-1)
		// Every truncation is an error, never a panic.
		for i := range len(b) {
			var x Sketch
			if err := x.UnmarshalBinary(b[:i]); err == nil {
				t.Fatalf("%s: truncated to %d bytes decodes", name, i)
			} else if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s: error %v does not wrap ErrCorrupt", name, err)
			}
		}
		if err := new(Sketch).UnmarshalBinary(append(b, 0)); err == nil {
			t.Fatalf("%s: trailing byte accepted", name)
		}
	}
}

// TestSketchEncodingGolden pins the encoding.
func TestSketchEncodingGolden(t *testing.T) {
	var s Sketch
	for _, x := range []float64{37.5, 41.2, 37.5, 0.25} {
		s.Add(x)
	}
	b, _ := s.MarshalBinary()
	want := "01" + "08" + // version, count 4
		"cdcccccccc1c5d40" + "000000000000d03f" + "9a99999999994440" + // sum 116.45, min 0.25, max 41.2
		"00" + "03" + // exact values, 3 of them
		"01" + "03" + "32" + "02" + // new decimal: exponent -2, mantissa 25 (0.25); count 1
		"983a" + "04" + // step of 3725 hundredths (37.5); count 2
		"e205" + "02" // step of 370 hundredths (41.2); count 1
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("exact encoding\n got %s\nwant %s", got, want)
	}

	var bk Sketch
	for i := range ExactLimit + 1 {
		bk.Add(float64(i + 1))
	}
	b, _ = bk.MarshalBinary()
	want = "01" + "8201" + // version, count 65
		"0000000000c2a040" + "000000000000f03f" + "0000000000405040" + // sum 2145, min 1, max 65
		"01" + "41" + // buckets, 65 positive ones
		"00" + "02" + // index 0: [1, 1+1/64), count 1
		"3f" + "02" + // index 64 (2): a gap of 63
		"1f" + "02" + // index 96 (3)
		"1f02" + "0f02" + "0f02" + "0f02" + "0f02" + // 4, 5, 6, 7, 8
		strings.Repeat("0702", 8) + strings.Repeat("0302", 16) + strings.Repeat("0102", 32) + // 9 to 64
		"0002" + // index 385 (65), next to 64's
		"00" // no negative buckets
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("bucket encoding\n got %s\nwant %s", got, want)
	}
}

func TestSketchDecodeRejects(t *testing.T) {
	good := sampleSketches()["decimals"]
	b, _ := good.MarshalBinary()
	sum := good.Summary()
	body := good.AppendBody(nil)
	tests := map[string]struct {
		body []byte
		sum  Summary
	}{
		"bad flags":            {append([]byte{0x80}, body[1:]...), sum},
		"zero without buckets": {append([]byte{flagZero}, body[1:]...), sum},
		"wrong count":          {body, Summary{Count: sum.Count + 1, Sum: sum.Sum, Min: sum.Min, Max: sum.Max}},
		"wrong min":            {body, Summary{Count: sum.Count, Sum: sum.Sum, Min: sum.Min - 1, Max: sum.Max}},
		"wrong max":            {body, Summary{Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max + 1}},
		"empty summary":        {body, Summary{}},
		"no values":            {[]byte{0, 0}, sum},
		"descending values":    {[]byte{0, 2, 1, 0, 4, 2, 1, 0, 2, 2}, Summary{Count: 2, Sum: 3, Min: 1, Max: 2}},
		"step first":           {[]byte{0, 1, 0, 2}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"bad tag":              {[]byte{0, 1, 5, 2}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"zero count":           {[]byte{0, 1, 1, 0, 2, 0}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"odd count":            {[]byte{0, 1, 1, 0, 2, 3}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"float whole count":    {append([]byte{0, 1, 1, 0, 2, 1}, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f), Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"infinite value":       {[]byte{0, 1, 1, 0x80, 0x06, 2, 2}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
		"huge list":            {[]byte{0, 0xff, 0xff, 0x03}, sum},
		"bucket out of range":  {[]byte{flagBuckets, 1, 0x80, 0x80, 0x10, 2, 0}, Summary{Count: 1, Sum: 1, Min: 1, Max: 1}},
	}
	for name, tt := range tests {
		if _, _, err := DecodeBody(tt.body, tt.sum); err == nil {
			t.Errorf("%s: DecodeBody accepted % x", name, tt.body)
		}
	}
	// The whole encoding with an invalid summary.
	bad := append([]byte(nil), b...)
	copy(bad[2+8:], []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x7f}) // min = NaN
	if err := new(Sketch).UnmarshalBinary(bad); err == nil {
		t.Error("NaN minimum accepted")
	}
	if err := new(Sketch).UnmarshalBinary([]byte{2}); err == nil {
		t.Error("unknown version accepted")
	}
}

func FuzzSketchDecode(f *testing.F) {
	for _, s := range sampleSketches() {
		b, _ := s.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{1, 0})
	f.Add([]byte{1, 2, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 1, 1, 0, 2, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		// Bodies against fixed summaries reach deeper than whole encodings,
		// whose summary random bytes rarely get right.
		for _, sum := range []Summary{{Count: 1, Sum: 1, Min: 1, Max: 1}, {Count: 4, Sum: 9, Min: 1, Max: 4}, {Count: 3, Sum: 6, Min: 1, Max: 3}} {
			if d, _, err := DecodeBody(b, sum); err == nil {
				Compute(MustParse("p50"), d)
			}
		}
		var s Sketch
		if err := s.UnmarshalBinary(b); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		// What decodes re-encodes to the same sketch, and computes.
		again, _ := s.MarshalBinary()
		var s2 Sketch
		if err := s2.UnmarshalBinary(again); err != nil || !s2.Equal(&s) {
			t.Fatalf("re-encoding: %v\n%+v\n%+v", err, &s, &s2)
		}
		for _, st := range []string{"p50", "p99", "tm90", "WM(10%:90%)", "TC(:1)", "PR(0:)", "IQM"} {
			if v, ok := Compute(MustParse(st), &s); ok && math.IsNaN(v) {
				t.Fatalf("%s is NaN", st)
			}
		}
		s.Merge(&s2)
	})
}
