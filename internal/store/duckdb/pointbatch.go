package duckdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/vigilhq/vigil/internal/binread"
	"github.com/vigilhq/vigil/internal/store"
)

// The data points of one PutMetricPoints call are stored as one row of
// metric_batches: a row per point costs DuckDB far more than the points
// themselves, and the batch lives only until the roll-up job folds it into
// chunks, a minute later. Encoding: a 0 byte and the version (uvarint, 1),
// the number of points (uvarint), then per point:
//
//	metric id      uvarint
//	timestamp      varint, milliseconds, delta from the previous point's
//	resolution     uvarint
//	unit           uvarint: 0 then the unit (uvarint length, bytes) when
//	               new in the batch, else its 1-based index among those
//	flags          byte: 1 = one value (Count 1, Sum = Min = Max, one
//	               float64 follows), else Count, Sum, Min, Max; 2 = a
//	               distribution follows (uvarint length, bytes)
//
// Version 0, written before the version, is the same without the 0 byte
// and version: it starts with the number of points, never 0 since no
// batch is empty, so the leading 0 tells the two apart.

// errBatch is what every batch decoding error wraps.
var errBatch = errors.New("corrupt metric point batch")

const (
	// batchVersion is the version encodePoints writes and the newest
	// decodePoints reads.
	batchVersion = 1
	flagSingle   = 1
	flagDist     = 2
)

// encodePoints encodes points whose metric ids are ids[i], and returns
// their time range.
func encodePoints(ids []int64, points []store.MetricPoint) (b []byte, minTS, maxTS int64) {
	b = make([]byte, 0, 2+24*len(points))
	b = append(b, 0, batchVersion)
	b = binary.AppendUvarint(b, uint64(len(points)))
	units := map[string]int{}
	var prev int64
	minTS, maxTS = math.MaxInt64, math.MinInt64
	for i := range points {
		p := &points[i].PointValue
		minTS, maxTS = min(minTS, p.Timestamp), max(maxTS, p.Timestamp)
		b = binary.AppendUvarint(b, uint64(ids[i]))
		b = binary.AppendVarint(b, p.Timestamp-prev)
		prev = p.Timestamp
		b = binary.AppendUvarint(b, uint64(p.Resolution))
		if n, ok := units[p.Unit]; ok {
			b = binary.AppendUvarint(b, uint64(n))
		} else {
			units[p.Unit] = len(units) + 1
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(len(p.Unit)))
			b = append(b, p.Unit...)
		}
		var flags byte
		single := p.Count == 1 && p.Sum == p.Min && p.Min == p.Max
		if single {
			flags |= flagSingle
		}
		if p.Dist != nil {
			flags |= flagDist
		}
		b = append(b, flags)
		if single {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Sum))
		} else {
			for _, v := range []float64{p.Count, p.Sum, p.Min, p.Max} {
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
			}
		}
		if p.Dist != nil {
			b = binary.AppendUvarint(b, uint64(len(p.Dist)))
			b = append(b, p.Dist...)
		}
	}
	return b, minTS, maxTS
}

// decodePoints calls fn with each point of a batch, in the order they
// were put. fn receives the same variable each time: it copies what it
// keeps (Dist shares b).
func decodePoints(b []byte, fn func(*store.StoredPoint)) error {
	r := binread.Reader{B: b, Corrupt: func(msg string) error { return fmt.Errorf("%w: %s", errBatch, msg) }}
	var units []string
	var prev int64
	if len(r.B) > 0 && r.B[0] == 0 {
		r.Byte()
		if v := r.Uvarint(); v != batchVersion && r.Err == nil {
			r.Fail("batch version %d (this build reads up to %d)", v, batchVersion)
		}
	}
	n := r.Uvarint()
	if n > uint64(len(r.B)) {
		r.Fail("%d points in %d bytes", n, len(r.B))
	}
	var p store.StoredPoint
	for range n {
		p.MetricID = int64(r.Uvarint())
		prev += r.Varint()
		p.Timestamp = prev
		p.Resolution = int(r.Uvarint())
		switch n := r.Uvarint(); {
		case n == 0:
			units = append(units, string(r.Bytes(r.Uvarint())))
			p.Unit = units[len(units)-1]
		case n <= uint64(len(units)):
			p.Unit = units[n-1]
		default:
			r.Fail("bad unit reference")
		}
		flags := r.Byte()
		if flags&flagSingle != 0 {
			v := r.Float()
			p.Count, p.Sum, p.Min, p.Max = 1, v, v, v
		} else {
			p.Count, p.Sum, p.Min, p.Max = r.Float(), r.Float(), r.Float(), r.Float()
		}
		p.Dist = nil
		if flags&flagDist != 0 {
			p.Dist = r.Bytes(r.Uvarint())
		}
		if r.Err != nil {
			return r.Err
		}
		fn(&p)
	}
	if len(r.B) > 0 {
		r.Fail("%d bytes after the last point", len(r.B))
	}
	return r.Err
}
