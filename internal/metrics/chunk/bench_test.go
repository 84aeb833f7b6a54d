package chunk

import (
	"strings"
	"testing"
)

// The benchmarks report ns/sample and bytes/sample of each series shape.

func BenchmarkEncode(b *testing.B) {
	for _, sh := range shapes {
		samples := sh.samples(1440)
		b.Run(strings.ReplaceAll(sh.name, " ", "_"), func(b *testing.B) {
			var e Encoder
			size := 0
			for b.Loop() {
				e.Reset()
				for _, s := range samples {
					if err := e.Append(s); err != nil {
						b.Fatal(err)
					}
				}
				size = len(e.Bytes())
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(samples)), "ns/sample")
			b.ReportMetric(float64(size)/float64(len(samples)), "bytes/sample")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, sh := range shapes {
		samples := sh.samples(1440)
		data := encode(b, samples)
		b.Run(strings.ReplaceAll(sh.name, " ", "_"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				it := NewIterator(data)
				for it.Next() {
				}
				if it.Err() != nil {
					b.Fatal(it.Err())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(samples)), "ns/sample")
		})
	}
}

func BenchmarkMerge(b *testing.B) {
	x := encode(b, shapes[3].samples(1440))
	y := encode(b, shapes[4].samples(1440))
	for b.Loop() {
		if _, err := Merge(x, y); err != nil {
			b.Fatal(err)
		}
	}
}
