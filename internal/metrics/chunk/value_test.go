package chunk

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestStreamRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	kinds := []func() float64{
		func() float64 { return math.Round(r.NormFloat64()*100) / 10 },
		func() float64 { return float64(r.IntN(1000)) * 1e6 },
		func() float64 { return r.Float64() },
		func() float64 { return math.Round(r.Float64()*1e6) / 1e6 },
		func() float64 { return 0 },
		func() float64 { return math.Copysign(0, -1) },
		func() float64 { return math.Ldexp(1+r.Float64(), r.IntN(2000)-1000) },
		func() float64 { return 12345678901234 + float64(r.IntN(10)) },
	}
	for round := range 200 {
		n := 1 + r.IntN(300)
		vals, hints, virtual := make([]float64, n), make([]float64, n), make([]bool, n)
		kind := kinds[r.IntN(len(kinds))]
		for i := range vals {
			if r.IntN(20) == 0 {
				kind = kinds[r.IntN(len(kinds))]
			}
			vals[i] = kind()
			hints[i] = math.NaN()
			if r.IntN(2) == 0 {
				hints[i] = vals[i] + r.NormFloat64()
			}
			virtual[i] = r.IntN(5) == 0
		}
		var w bitWriter
		var enc stream
		var dc decimals
		for i, v := range vals {
			if virtual[i] {
				enc.observe(v, hints[i], &dc)
			} else {
				enc.encode(&w, v, hints[i], &dc)
			}
		}
		rd := bitReader{b: w.b}
		var dec stream
		for i, want := range vals {
			if virtual[i] {
				dec.observe(want, hints[i], &dc)
				continue
			}
			got, ok := dec.decode(&rd, hints[i])
			if !ok || math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("round %d value %d: got %v, %v; want %v", round, i, got, ok, want)
			}
		}
		if rd.pos != w.nbits {
			t.Fatalf("round %d: read %d bits of %d", round, rd.pos, w.nbits)
		}
	}
}

func TestBits(t *testing.T) {
	var w bitWriter
	w.write(0b101, 3)
	w.write(math.MaxUint64, 64)
	w.writeVar(300)
	w.writeVar(math.MaxUint64)
	w.bit(true)
	r := bitReader{b: w.b}
	if r.read(3) != 0b101 || r.read(64) != math.MaxUint64 || r.readVar() != 300 || r.readVar() != math.MaxUint64 || !r.bit() || r.err {
		t.Fatal("bits do not read back")
	}
	if r.read(8); !r.err {
		t.Fatal("reading past the end is not an error")
	}
	// Eleven varint groups are an error, not a wrap-around.
	var v bitWriter
	for range 11 {
		v.write(0xff, 8)
	}
	r = bitReader{b: v.b}
	if r.readVar(); !r.err {
		t.Fatal("overlong varbits accepted")
	}
	for _, x := range []int64{0, -1, 1, math.MinInt64, math.MaxInt64} {
		if unzigzag(zigzag(x)) != x {
			t.Errorf("zigzag(%d) does not round-trip", x)
		}
	}
}
