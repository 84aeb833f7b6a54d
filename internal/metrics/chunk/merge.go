package chunk

import "fmt"

// Merge returns a chunk holding the samples of chunks a and b, in time
// order. Samples of the two with the same timestamp are combined into one:
// their counts and sums add up, minimum and maximum widen, and sketches
// merge (a sample without a sketch contributes Count observations of Min
// when Min == Max, or observations of unknown values). It is what a
// roll-up does when late data reaches a period already written, or when
// two chunks of the same metric and resolution meet.
func Merge(a, b []byte) ([]byte, error) {
	ia, ib := NewIterator(a), NewIterator(b)
	var e Encoder
	okA, okB := ia.Next(), ib.Next()
	for okA || okB {
		var s Sample
		switch {
		case !okB || (okA && ia.At().T < ib.At().T):
			s, okA = ia.At(), ia.Next()
		case !okA || ib.At().T < ia.At().T:
			s, okB = ib.At(), ib.Next()
		default:
			s = Combine(ia.At(), ib.At())
			okA, okB = ia.Next(), ib.Next()
		}
		if err := e.Append(s); err != nil {
			return nil, fmt.Errorf("cannot merge chunks: %w", err)
		}
	}
	if err := ia.Err(); err != nil {
		return nil, fmt.Errorf("cannot merge chunks: first: %w", err)
	}
	if err := ib.Err(); err != nil {
		return nil, fmt.Errorf("cannot merge chunks: second: %w", err)
	}
	return e.Bytes(), nil
}

// Combine returns the sample of the observations of x and y, at x's
// timestamp. Its sketch is new; those of x and y are not modified.
func Combine(x, y Sample) Sample {
	sum := x.Summary().Merge(y.Summary())
	out := Sample{T: x.T, Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max}
	if sum.Min == sum.Max {
		return out
	}
	sk := x.Distribution()
	sk.Merge(y.Distribution())
	if sk.Unknown() < sk.Summary().Count {
		out.Sketch = sk
	}
	return out
}
