package metrics

import (
	"encoding/binary"
	"math"
)

// EncodeDistribution encodes the values and counts of a data point that
// carries a distribution (PutMetricData Values and Counts, EMF arrays), so
// that percentiles can be computed from it: pairs of float64 value and
// count, little-endian.
func EncodeDistribution(values, counts []float64) []byte {
	b := make([]byte, 0, 16*len(values))
	for i, v := range values {
		c := 1.0
		if counts != nil {
			c = counts[i]
		}
		if c == 0 {
			continue
		}
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(c))
	}
	return b
}

// DecodeDistribution reads what EncodeDistribution wrote.
func DecodeDistribution(b []byte) (values, counts []float64) {
	for len(b) >= 16 {
		values = append(values, math.Float64frombits(binary.LittleEndian.Uint64(b)))
		counts = append(counts, math.Float64frombits(binary.LittleEndian.Uint64(b[8:])))
		b = b[16:]
	}
	return values, counts
}
