package anomaly

import (
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// FuzzTrain trains on arbitrary finite values (huge magnitudes included)
// at arbitrary gaps, exclusions and periods, and checks that training
// never fails or panics and that the band keeps lower <= expected <= upper
// without NaN.
func FuzzTrain(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint8(1), uint16(0), uint8(0), false)
	f.Add([]byte{0xff, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 1}, uint8(0), uint16(3), uint8(7), true)
	f.Add(binary.LittleEndian.AppendUint64(nil, math.Float64bits(-math.MaxFloat64)), uint8(2), uint16(0xffff), uint8(200), false)
	f.Add([]byte("a metric that is not quite constant"), uint8(3), uint16(12345), uint8(40), true)
	f.Fuzz(func(t *testing.T, raw []byte, periodSel uint8, gaps uint16, exclude uint8, spikes bool) {
		periods := []int64{60, 300, 3600, 900}
		period := periods[int(periodSel)%len(periods)]
		// The values: the input's 8-byte words as float64, non-finite
		// ones replaced by the largest finite value of their sign.
		var vals []float64
		for len(raw) >= 8 {
			v := math.Float64frombits(binary.LittleEndian.Uint64(raw))
			switch {
			case math.IsNaN(v):
				v = 0
			case math.IsInf(v, 1):
				v = math.MaxFloat64
			case math.IsInf(v, -1):
				v = -math.MaxFloat64
			}
			vals = append(vals, v)
			raw = raw[8:]
		}
		if len(vals) == 0 {
			vals = []float64{float64(len(raw))}
		}
		// Two days of points cycling through the values, some dropped
		// by the gap pattern, so that most inputs train a model.
		n := int(2 * day / period)
		t0 := utc(2024, 3, 9).Unix() + int64(exclude)*60
		var h series.Series
		for i := range n {
			if gaps>>(i%16)&1 == 1 && i%3 == 0 {
				continue
			}
			h.Timestamps = append(h.Timestamps, t0+int64(i)*period)
			h.Values = append(h.Values, vals[(i*7+i/len(vals))%len(vals)])
		}
		cfg := Config{PeriodicSpikes: spikes, Location: time.FixedZone("X", int(exclude)*900)}
		if exclude%4 == 1 {
			start := time.Unix(t0+int64(exclude)*period, 0)
			cfg.Excluded = []TimeRange{{start, start.Add(time.Duration(gaps) * time.Second * 10)}}
		}
		m, err := Train(h, period, cfg)
		if err != nil {
			t.Fatalf("Train: %v", err)
		}
		if m.State() != Trained {
			return
		}
		checkBand(t, "fuzz", m, probeTimes(h))
	})
}
