package main

import "testing"

func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 400},
		{10 << 20, 400}, // small heap: four times what is live
		{32 << 20, 400}, // 128 MiB of growth
		{64 << 20, 200}, // 128 MiB of growth
		{100 << 20, 128},
		{128 << 20, 100}, // Go's default from here on
		{4 << 30, 100},
	} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("gcPercent(%d MiB) = %d; want %d", c.live>>20, got, c.want)
		}
	}
}
