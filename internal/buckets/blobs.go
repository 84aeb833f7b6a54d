package buckets

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// blobs are the files of objects' and parts' bytes: DIR/objects/<name>,
// written through DIR/tmp. A blob's content is the object's bytes as
// they are, with no header (the store holds everything else).
//
// The files of blobs no row names any more are recycled: the next
// uploads overwrite them and rename them to their new names, which costs
// the file system less than creating a file and deleting another (an
// overwrite reuses the inode and its blocks). A recycled file is gone as
// far as readers go (open answers fs.ErrNotExist), and a file being read
// is not recycled. Recycled files are orphans: a crash leaves them to the
// sweep at the next start.
type blobs struct {
	dir, tmp string
	dirSync  groupSync

	mu      sync.Mutex
	reading map[string]int  // readers of each blob open for reading
	free    []string        // recycled blobs, to overwrite
	freed   map[string]bool // the names in free
}

// maxFree bounds the recycled files kept.
const maxFree = 64

func openBlobs(dir string) (*blobs, error) {
	b := &blobs{dir: filepath.Join(dir, "objects"), tmp: filepath.Join(dir, "tmp"), reading: map[string]int{}, freed: map[string]bool{}}
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

// written is a blob just written: its name ("" for no bytes, which need
// no file), size and MD5.
type written struct {
	name string
	size int64
	md5  [md5.Size]byte
}

// write stores what r reads as a new blob, durably, hashing it with MD5
// as it goes. A read error (a streamed upload that fails its
// verification at its end) leaves no file and is returned as is.
func (b *blobs) write(r io.Reader) (written, error) {
	f, recycled, err := b.create()
	if err != nil {
		return written{}, fmt.Errorf("cannot create an object file: %w", err)
	}
	h := md5.New()
	n, err := copyBuffered(io.MultiWriter(f, h), r)
	if err == nil && recycled {
		err = truncate(f, n)
	}
	if err != nil {
		b.discard(f)
		return written{}, err
	}
	w := written{size: n}
	h.Sum(w.md5[:0])
	if n == 0 {
		b.discard(f)
		return w, nil
	}
	w.name, err = b.commit(f)
	return w, err
}

// create opens a file to write a blob: a recycled one (reported true)
// when there is one, else a new one in tmp.
func (b *blobs) create() (*os.File, bool, error) {
	b.mu.Lock()
	var name string
	if n := len(b.free); n > 0 {
		// It stays in freed (unreadable) until renamed.
		name, b.free = b.free[n-1], b.free[:n-1]
	}
	b.mu.Unlock()
	if name != "" {
		path := filepath.Join(b.dir, name)
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			return f, true, nil
		}
		os.Remove(path)
		b.mu.Lock()
		delete(b.freed, name)
		b.mu.Unlock()
	}
	f, err := os.CreateTemp(b.tmp, "put-*")
	return f, false, err
}

// discard closes and removes a file being written.
func (b *blobs) discard(f *os.File) {
	f.Close()
	os.Remove(f.Name())
	b.release(f.Name())
}

// release ends the time of a file written over a recycled blob as that
// blob (it was renamed or removed).
func (b *blobs) release(path string) {
	if filepath.Dir(path) == b.dir {
		b.mu.Lock()
		delete(b.freed, filepath.Base(path))
		b.mu.Unlock()
	}
}

// truncate cuts what a recycled file held past the n bytes just written
// (most often nothing: objects are rewritten at the same size).
func truncate(f *os.File, n int64) error {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil || end == n {
		return err
	}
	return f.Truncate(n)
}

// copyBuffers are the buffers uploads are copied through.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// copyBuffered copies r to w, a full buffer at a time (a body arrives
// in small reads); a failure to write is wrapped, one to read returned
// as is.
func copyBuffered(w io.Writer, r io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	var n int64
	for {
		k, rerr := io.ReadFull(r, *buf)
		if k > 0 {
			if _, err := w.Write((*buf)[:k]); err != nil {
				return n, fmt.Errorf("cannot write an object file: %w", err)
			}
			n += int64(k)
		}
		switch rerr {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return n, nil
		default:
			return n, rerr
		}
	}
}

// concat stores the blobs named, one after another, as a new blob (the
// kernel copies the bytes: copy_file_range on Linux).
func (b *blobs) concat(names []string) (string, error) {
	f, err := os.CreateTemp(b.tmp, "complete-*")
	if err != nil {
		return "", fmt.Errorf("cannot create an object file: %w", err)
	}
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("cannot assemble an object file: %w", err)
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		src, err := os.Open(filepath.Join(b.dir, n))
		if err != nil {
			return fail(err)
		}
		_, err = io.Copy(f, src)
		src.Close()
		if err != nil {
			return fail(err)
		}
	}
	return b.commit(f)
}

// commit makes a temporary file a durable blob: fsync, rename into the
// objects directory, fsync of the directory.
func (b *blobs) commit(f *os.File) (string, error) {
	name, tmp := newName(), f.Name()
	fail := func(err error) (string, error) {
		b.discard(f)
		return "", fmt.Errorf("cannot write an object file: %w", err)
	}
	if err := datasync(f); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	// syscall.Rename: os.Rename stats the target first, to refuse a
	// directory, which a fresh random name is not.
	if err := syscall.Rename(tmp, filepath.Join(b.dir, name)); err != nil {
		return fail(err)
	}
	b.release(tmp)
	if err := b.dirSync.sync(func() error { return syncDir(b.dir) }); err != nil {
		return "", fmt.Errorf("cannot write an object file: %w", err)
	}
	return name, nil
}

// groupSync shares fsyncs of one directory between the writers that
// need one at once, as a database's group commit shares its log's: a
// writer needs a sync that starts after its rename, and one sync serves
// every writer waiting when it starts.
type groupSync struct {
	mu      sync.Mutex
	cond    *sync.Cond
	started uint64 // syncs started
	done    uint64 // syncs finished
	running bool
	err     error // of the last sync
}

// sync returns once a sync that started after the call has finished,
// with its error.
func (g *groupSync) sync(fsync func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	// The next sync to start: a running one may have missed our rename.
	need := g.started + 1
	for g.done < need {
		if g.running {
			g.cond.Wait()
			continue
		}
		g.running = true
		g.started++
		n := g.started
		g.mu.Unlock()
		err := fsync()
		g.mu.Lock()
		g.running, g.done, g.err = false, n, err
		g.cond.Broadcast()
	}
	return g.err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// open opens a blob for reading ("" is empty). A blob removed since its
// row was read answers an error matching fs.ErrNotExist.
func (b *blobs) open(name string) (io.ReadSeekCloser, error) {
	if name == "" {
		return nopSeekCloser{strings.NewReader("")}, nil
	}
	path := filepath.Join(b.dir, name)
	b.mu.Lock()
	if b.freed[name] {
		b.mu.Unlock()
		return nil, fmt.Errorf("cannot read object file %s: %w", name, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist})
	}
	b.reading[name]++
	b.mu.Unlock()
	f, err := os.Open(path)
	if err != nil {
		b.doneReading(name)
		return nil, fmt.Errorf("cannot read object file %s: %w", name, err)
	}
	return &blobReader{File: f, b: b, name: name}, nil
}

func (b *blobs) doneReading(name string) {
	b.mu.Lock()
	if b.reading[name]--; b.reading[name] == 0 {
		delete(b.reading, name)
	}
	b.mu.Unlock()
}

// blobReader is a blob open for reading: recycling passes it by.
type blobReader struct {
	*os.File
	b    *blobs
	name string
	once sync.Once
}

func (r *blobReader) Close() error {
	r.once.Do(func() { r.b.doneReading(r.name) })
	return r.File.Close()
}

type nopSeekCloser struct{ io.ReadSeeker }

func (nopSeekCloser) Close() error { return nil }

// remove deletes (or recycles) blobs no row names any more; a failure
// leaves a file the next sweep removes.
func (b *blobs) remove(names []string) {
	for _, n := range names {
		if n == "" {
			continue
		}
		b.mu.Lock()
		recycle := b.reading[n] == 0 && !b.freed[n] && len(b.free) < maxFree
		if recycle {
			b.free = append(b.free, n)
			b.freed[n] = true
		}
		b.mu.Unlock()
		if !recycle {
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
