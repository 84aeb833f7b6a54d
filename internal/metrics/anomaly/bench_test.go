package anomaly

import "testing"

func benchTrain(b *testing.B, period int64) {
	s := synth{start: utc(2024, 5, 6), period: period, days: 14, level: 100, amp: 20, peakHour: 14, weekday: 30, noise: 2, seed: 1}
	h := s.series()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(h, period, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrain2Weeks60s trains on two weeks of one-minute data (20,160
// points), the largest history a standard-resolution model learns from.
func BenchmarkTrain2Weeks60s(b *testing.B)  { benchTrain(b, 60) }
func BenchmarkTrain2Weeks300s(b *testing.B) { benchTrain(b, 300) }

// BenchmarkBand1440 draws the band for a day of one-minute points.
func BenchmarkBand1440(b *testing.B) {
	s := synth{start: utc(2024, 5, 6), period: 60, days: 14, level: 100, amp: 20, peakHour: 14, weekday: 30, noise: 2, seed: 1}
	m, err := Train(s.series(), s.period, Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := s.after(1440)
	b.ReportAllocs()
	for b.Loop() {
		m.Band(ts, 2)
	}
}
