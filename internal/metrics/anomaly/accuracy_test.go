package anomaly

import (
	"math"
	"testing"
)

// TestAccuracy measures, over several noise draws, how well the band
// separates normal points from spikes of 10 to 20 noise deviations (20 per
// two weeks): the share of normal training points and of new points
// within the band at 2 standard deviations, the share of spikes outside,
// and the error of the expected value against the noiseless metric. Run
// with -v for the figures.
func TestAccuracy(t *testing.T) {
	const seeds = 5
	for _, tc := range []struct {
		name  string
		s     synth
		ahead int // new points to check, after the history
		want  structure
	}{
		{"flat 300s", synth{period: 300, level: 100, noise: 2}, 7 * 288, flat},
		{"daily 60s", synth{period: 60, level: 100, amp: 20, peakHour: 14, noise: 2}, 7 * 1440, daily},
		{"daily 300s", synth{period: 300, level: 100, amp: 20, peakHour: 14, noise: 2}, 7 * 288, daily},
		{"daily 3600s", synth{period: 3600, level: 100, amp: 20, peakHour: 14, noise: 2}, 7 * 24, daily},
		{"weekly 300s", synth{period: 300, level: 50, amp: 5, peakHour: 14, weekday: 40, noise: 2}, 7 * 288, weekly},
		{"trend 300s", synth{period: 300, level: 100, amp: 20, peakHour: 14, trend: 5, noise: 2}, 288, daily},
	} {
		var inTrain, inNew, spikesOut, rmse float64
		for seed := range uint64(seeds) {
			s := tc.s
			s.start, s.days, s.seed = utc(2024, 5, 6), 14, 30+seed
			h := s.series()
			spikes := injectSpikes(h, 20, 20, 40, seed)
			m := train(t, h, s.period, Config{})
			if m.seas.kind != tc.want {
				t.Errorf("%s, seed %d: seasonality %v, want %v", tc.name, seed, m.seas.kind, tc.want)
			}
			inTrain += coverage(m, h, 2, spikes)
			next := s.fresh(tc.ahead, 60+seed)
			inNew += coverage(m, next, 2, nil)
			_, lo, hi := m.Band(h.Timestamps, 2)
			for i := range spikes {
				if h.Values[i] < lo[i] || h.Values[i] > hi[i] {
					spikesOut++
				}
			}
			exp, _, _ := m.Band(next.Timestamps, 2)
			var se float64
			for i, ts := range next.Timestamps {
				se += (exp[i] - s.truth(ts)) * (exp[i] - s.truth(ts))
			}
			rmse += math.Sqrt(se / float64(len(exp)))
		}
		inTrain /= seeds
		inNew /= seeds
		spikesOut /= 20 * seeds
		rmse /= seeds
		t.Logf("%-12s normal training points in band %.2f%%, new points %.2f%%, spikes out %.0f%%, expected-value RMSE %.2f noise sd",
			tc.name, 100*inTrain, 100*inNew, 100*spikesOut, rmse/tc.s.noise)
		if inTrain < 0.95 || inNew < 0.95 || spikesOut < 1 || rmse > 0.5*tc.s.noise {
			t.Errorf("%s: want >= 95%% of normal points in the band, every spike out, RMSE <= 0.5 noise sd", tc.name)
		}
	}
}
