package stats

import "testing"

func BenchmarkExactPercentile10k(b *testing.B) {
	xs := dataset("lognormal", 10000, 1)
	p99 := MustParse("p99")
	b.ReportAllocs()
	for b.Loop() {
		var vs Values
		for _, x := range xs {
			vs.Add(x)
		}
		if _, ok := Compute(p99, &vs); !ok {
			b.Fatal("no p99")
		}
	}
}

func BenchmarkExactTrimmedMean10kSorted(b *testing.B) {
	var vs Values
	for _, x := range dataset("lognormal", 10000, 1) {
		vs.Add(x)
	}
	tm := MustParse("TM(10%:90%)")
	Compute(tm, &vs) // sorts once
	for b.Loop() {
		Compute(tm, &vs)
	}
}

func BenchmarkSketchAdd(b *testing.B) {
	xs := dataset("latency", 1<<16, 2)
	var s Sketch
	for _, x := range xs[:1000] {
		s.Add(x) // past the exact limit: measure bucket inserts
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		s.Add(xs[i&(len(xs)-1)])
		i++
	}
}

func BenchmarkSketchMerge(b *testing.B) {
	minutes := make([]*Sketch, 60)
	xs := dataset("latency", 3600, 3)
	for m := range minutes {
		minutes[m] = &Sketch{}
		for _, x := range xs[m*60 : (m+1)*60] {
			minutes[m].Add(x)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var hour Sketch
		for _, m := range minutes {
			hour.Merge(m)
		}
	}
}

func BenchmarkSketchPercentile(b *testing.B) {
	var s Sketch
	for _, x := range dataset("latency", 100000, 4) {
		s.Add(x)
	}
	p99 := MustParse("p99")
	for b.Loop() {
		Compute(p99, &s)
	}
}

func BenchmarkSketchEncode(b *testing.B) {
	var s Sketch
	for _, x := range dataset("latency", 3600, 5) {
		s.Add(x)
	}
	buf := s.AppendBody(nil)
	b.ReportMetric(float64(len(buf)), "bytes")
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendBody(buf[:0])
	}
}

func BenchmarkSketchDecode(b *testing.B) {
	var s Sketch
	for _, x := range dataset("latency", 3600, 5) {
		s.Add(x)
	}
	buf := s.AppendBody(nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := DecodeBody(buf, s.Summary()); err != nil {
			b.Fatal(err)
		}
	}
}
