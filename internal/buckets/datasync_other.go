//go:build !linux

package buckets

import "os"

// datasync makes a file's bytes durable.
func datasync(f *os.File) error { return f.Sync() }
