package buckets

import (
	"os"
	"syscall"
)

// datasync makes a file's bytes and size durable (fdatasync: unlike
// fsync it does not wait on the journal for the times a write changed).
func datasync(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := sc.Control(func(fd uintptr) {
		for {
			if serr = syscall.Fdatasync(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	return serr
}
