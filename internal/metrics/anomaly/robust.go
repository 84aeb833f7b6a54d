package anomaly

import (
	"math"
	"slices"
)

// madToSigma turns a median absolute deviation into the standard
// deviation of a normal distribution with that MAD.
const madToSigma = 1.4826

// median returns the median of xs, reordering xs. It returns 0 for an
// empty slice.
func median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	k := n / 2
	hi := selectKth(xs, k)
	if n%2 == 1 {
		return hi
	}
	// After selectKth, xs[:k] holds the k smallest values.
	lo := xs[0]
	for _, x := range xs[1:k] {
		lo = max(lo, x)
	}
	return lo + (hi-lo)/2
}

// selectKth reorders xs so that xs[k] is the value of rank k (0-based),
// smaller or equal values before it and greater or equal ones after, and
// returns it. It is Hoare's selection with a median-of-three pivot, so it
// is deterministic and linear on average.
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi-lo > 16 {
		mid := lo + (hi-lo)/2
		// Order xs[lo], xs[mid], xs[hi] and pivot on the middle one.
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		p := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	slices.Sort(xs[lo : hi+1])
	return xs[k]
}

// quantile returns the q-quantile (0 <= q <= 1) of xs by linear
// interpolation between order statistics, reordering xs.
func quantile(xs []float64, q float64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	pos := q * float64(n-1)
	k := int(pos)
	if k >= n-1 {
		return selectKth(xs, n-1)
	}
	a := selectKth(xs, k)
	// xs[k+1:] holds the values at or above rank k+1; the smallest is next.
	b := xs[k+1]
	for _, x := range xs[k+2:] {
		b = min(b, x)
	}
	return a + (b-a)*(pos-float64(k))
}

// rejectC is where absScale rejects residuals, in robust standard
// deviations, and rejectK the variance of a standard normal truncated at
// ±rejectC, which makes the root mean square of the rest consistent for
// normal noise.
var (
	rejectC = 3.5
	rejectK = func(c float64) float64 {
		phi := math.Exp(-c*c/2) / math.Sqrt(2*math.Pi)
		return 1 - 2*c*phi/math.Erf(c/math.Sqrt2)
	}(rejectC)
)

// absScale returns a robust standard deviation of residuals around zero.
// It starts from madToSigma times their median absolute value, rejects
// the residuals beyond rejectC times that and takes the root mean square
// of the rest: about as precise as the plain standard deviation on normal
// noise, while spikes, even many of them, do not count at all. When more
// than half the residuals are exactly zero (a quantized or mostly constant
// metric) the median is zero, and it falls back to the root mean square of
// the smallest 98% of them, so that the rare steps still count but
// outliers do not. buf is scratch space.
func absScale(r []float64, buf []float64) float64 {
	if len(r) == 0 {
		return 0
	}
	a := buf[:0]
	for _, x := range r {
		a = append(a, math.Abs(x))
	}
	if s := madToSigma * median(a); s > 0 {
		// The median is a rough start with few residuals: iterate to
		// a threshold consistent with the scale it gives.
		// Squares are taken relative to the threshold, so that tiny
		// residuals do not underflow.
		for range 4 {
			c := rejectC * s
			var ss float64
			n := 0
			for _, x := range a {
				if x <= c {
					q := x / c
					ss += q * q
					n++
				}
			}
			next := c * math.Sqrt(ss/float64(n)/rejectK)
			if n == 0 || !(next > 0) {
				break
			}
			s = next
		}
		return s
	}
	keep := max(1, len(a)*98/100)
	top := selectKth(a, keep-1)
	if top == 0 {
		return 0
	}
	var ss float64
	for _, x := range a[:keep] {
		q := x / top
		ss += q * q
	}
	return top * math.Sqrt(ss/float64(keep))
}

// trimmedMAE returns the mean absolute value of the smallest 98% of the
// residuals r, reordering a copy in buf. Dropping the largest 2% keeps
// spikes, which every candidate model misses alike, from deciding between
// models.
func trimmedMAE(r []float64, buf []float64) float64 {
	if len(r) == 0 {
		return math.Inf(1)
	}
	a := buf[:0]
	for _, x := range r {
		a = append(a, math.Abs(x))
	}
	keep := max(1, len(a)*98/100)
	selectKth(a, keep-1)
	var s float64
	for _, x := range a[:keep] {
		s += x
	}
	return s / float64(keep)
}

// theilSen returns the Theil–Sen slope of the points (x[i], y[i]): the
// median of the slopes of all pairs whose x differ by at least minDX. It
// reports false when there is no such pair.
func theilSen(x, y []float64, minDX float64) (float64, bool) {
	slopes := make([]float64, 0, len(x)*(len(x)-1)/2)
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			dx := x[j] - x[i]
			if math.Abs(dx) >= minDX {
				slopes = append(slopes, (y[j]-y[i])/dx)
			}
		}
	}
	if len(slopes) == 0 {
		return 0, false
	}
	return median(slopes), true
}

// mod returns x modulo m in [0, m).
func mod(x, m int64) int64 {
	r := x % m
	if r < 0 {
		r += m
	}
	return r
}
