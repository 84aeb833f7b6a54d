package benchsdk

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

var serverPID = flag.Int("server-pid", 0, "process id of the server, to report the CPU it spends (Linux /proc, USER_HZ 100)")

// ServerCPU starts measuring the CPU time, user and system, of the process
// -server-pid names. The function it returns reports the time used since;
// ok is false when no pid was given or /proc cannot be read.
func ServerCPU() func() (used time.Duration, ok bool) {
	start, err := cpuTime(*serverPID)
	return func() (time.Duration, bool) {
		if err != nil {
			return 0, false
		}
		now, err := cpuTime(*serverPID)
		return now - start, err == nil
	}
}

// cpuTime reads a process's utime and stime from /proc/PID/stat, in clock
// ticks of 1/100 s (USER_HZ on Linux).
func cpuTime(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, fmt.Errorf("no -server-pid")
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ')'; utime and stime are fields 14 and 15.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	var ticks int64
	for _, f := range fields[11:13] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, nil
}

// ServerPID is the -server-pid flag's process id, 0 when none was given.
func ServerPID() int { return *serverPID }
