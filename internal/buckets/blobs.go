package buckets

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// blobs are the files of objects' and parts' bytes: DIR/objects/<name>,
// written through DIR/tmp. A blob's content is the object's bytes as
// they are, with no header (the store holds everything else).
type blobs struct {
	dir, tmp string
}

func openBlobs(dir string) (*blobs, error) {
	b := &blobs{dir: filepath.Join(dir, "objects"), tmp: filepath.Join(dir, "tmp")}
	for _, d := range []string{b.dir, b.tmp} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("cannot create the object directory %s: %w", d, err)
		}
	}
	return b, nil
}

// newName returns a fresh random name for a blob or a version id.
func newName() string {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic("BUG: buckets: no randomness: " + err.Error())
	}
	return hex.EncodeToString(r[:])
}

// write stores data as a new blob, durably, and returns its name: "" for
// no bytes, which need no file.
func (b *blobs) write(data []byte) (string, error) {
	if len(data) == 0 {
		return "", nil
	}
	name := newName()
	f, err := os.CreateTemp(b.tmp, "put-*")
	if err != nil {
		return "", fmt.Errorf("cannot create an object file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", fmt.Errorf("cannot write an object file: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, filepath.Join(b.dir, name)); err != nil {
		return fail(err)
	}
	if err := syncDir(b.dir); err != nil {
		return "", fmt.Errorf("cannot write an object file: %w", err)
	}
	return name, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// read returns a blob's bytes ("" is empty).
func (b *blobs) read(name string) ([]byte, error) {
	if name == "" {
		return nil, nil
	}
	data, err := os.ReadFile(filepath.Join(b.dir, name))
	if err != nil {
		return nil, fmt.Errorf("cannot read object file %s: %w", name, err)
	}
	return data, nil
}

// remove deletes blobs no row names any more; a failure leaves a file
// the next sweep removes.
func (b *blobs) remove(names []string) {
	for _, n := range names {
		if n != "" {
			os.Remove(filepath.Join(b.dir, n))
		}
	}
}

// sweep removes the temporary files and the blobs not in keep.
func (b *blobs) sweep(keep map[string]bool) error {
	if err := os.RemoveAll(b.tmp); err != nil {
		return fmt.Errorf("cannot clear %s: %w", b.tmp, err)
	}
	if err := os.MkdirAll(b.tmp, 0o700); err != nil {
		return fmt.Errorf("cannot create %s: %w", b.tmp, err)
	}
	entries, err := os.ReadDir(b.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot list %s: %w", b.dir, err)
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			if err := os.Remove(filepath.Join(b.dir, e.Name())); err != nil {
				return fmt.Errorf("cannot remove orphan object file: %w", err)
			}
		}
	}
	return nil
}
