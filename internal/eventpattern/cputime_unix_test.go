//go:build unix

package eventpattern

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, or 0 if it cannot
// tell. Benchmarks report it beside wall time, which a shared machine
// inflates.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
