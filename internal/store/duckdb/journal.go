package duckdb

import (
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/binread"
)

// The journal makes writes that only append rows durable without a DuckDB
// commit. A DuckDB commit costs about a millisecond whatever it carries,
// more than a 1,000-event PutLogEvents spends anywhere else; an fsync of
// the same rows appended to a file costs a fifth of that. So the writer
// appends such a write's rows to its open DuckDB transaction as before,
// but acknowledges the write once the rows are in the journal and synced,
// and commits the transaction later: once enough is pending, after a
// delay, before a write that runs SQL, and whenever a reader needs to see
// what was acknowledged (every read of the store syncs first). Each
// commit records the journal position it includes in vigil_meta
// (journal_lsn), then truncates the journal to its header; on open, the
// records past that position are appended again and committed, before
// any migration runs (db.go).
//
// File format: records, each
//
//	length   uint32 little-endian, of lsn and payload
//	crc      uint32 little-endian, CRC-32C of lsn and payload
//	lsn      uint64 little-endian
//	payload  lsn 0: the header; 1, 2, … (never reused): a write's
//	         appended rows (encodeAppends)
//
// The first record is the header (format 1 on): lsn 0 and the payload
//
//	magic    "VIGILJNL"
//	format   uint32 little-endian, 1
//	schema   uint32 little-endian, the schema version (migrate.go) of the
//	         database the rows were appended to: they list its columns
//	         in its order
//
// A build writes rows only at its own schema version and migrates only
// before it creates the file (createJournal), so one stamp per file tells
// the schema of every record in it. The header is framed as a record so
// that a build from before it skips it as a record committed already and
// still reads the records after it. A file without a header is format 0,
// written before the header existed: the build that wrote it had migrated
// the database before writing, so its rows follow the database's schema
// version as long as no migration has run since, which Open guarantees by
// replaying before migrating. (Builds before the header migrated first: a
// journal that one of them failed to replay after a migration has rows
// of the previous version, which do not fit, and is refused.)
//
// A torn or corrupt record ends the journal: it was never acknowledged,
// since a write is acknowledged only after its record is synced.

// JournalName is the journal file inside the data directory.
const JournalName = "vigil.journal"

const (
	// journalMaxBytes bounds the journaled bytes the open transaction
	// holds before it commits; journalMaxDelay how long it stays open.
	journalMaxBytes = 32 << 20
	journalMaxDelay = time.Second
	recordHeader    = 16

	// journalFormat is the format this build writes and the newest it
	// reads.
	journalFormat = 1
	journalMagic  = "VIGILJNL"
	// headerPayload is the size of format 1's header payload.
	headerPayload = len(journalMagic) + 8
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errJournal is what every journal decoding error wraps.
var errJournal = errors.New("corrupt journal record")

type journal struct {
	f    *os.File
	lsn  uint64 // the last record written
	base int64  // the header's size, which reset keeps
	size int64  // the file's size
	buf  []byte // framed records for the next write
	// added counts the records in buf.
	added uint64
}

// createJournal replaces the journal file at path by one holding only a
// header for schema version schema, and opens it to append records
// numbered from lsn+1. The new file is written aside and renamed over the
// old one, so that a crash leaves either; the caller replaces a file only
// when the database includes all of its records.
func createJournal(path string, schema int, lsn uint64) (*journal, error) {
	hdr := appendHeader(nil, schema)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot create the journal: %w", err)
	}
	if _, err = f.Write(hdr); err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("cannot create the journal: %w", err)
	}
	n := int64(len(hdr))
	return &journal{f: f, lsn: lsn, base: n, size: n}, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// appendRecord frames a record.
func appendRecord(b []byte, lsn uint64, payload []byte) []byte {
	start := len(b)
	b = binary.LittleEndian.AppendUint32(b, uint32(8+len(payload)))
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint64(b, lsn)
	b = append(b, payload...)
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(b[start+8:], crcTable))
	return b
}

// appendHeader frames the header record of a journal of schema version
// schema.
func appendHeader(b []byte, schema int) []byte {
	p := make([]byte, 0, headerPayload)
	p = append(p, journalMagic...)
	p = binary.LittleEndian.AppendUint32(p, journalFormat)
	p = binary.LittleEndian.AppendUint32(p, uint32(schema))
	return appendRecord(b, 0, p)
}

// add frames a record for the next write.
func (j *journal) add(payload []byte) {
	j.lsn++
	j.added++
	j.buf = appendRecord(j.buf, j.lsn, payload)
}

// write appends the framed records to the file and syncs it. When that
// fails it takes them out again, so that writes answered with the error
// cannot be replayed after a restart; fatal is set when even that failed.
func (j *journal) write() (fatal bool, err error) {
	_, err = j.f.Write(j.buf)
	if err == nil {
		err = j.f.Sync()
	}
	n, added := int64(len(j.buf)), j.added
	j.buf, j.added = j.buf[:0], 0
	if err == nil {
		j.size += n
		return false, nil
	}
	j.lsn -= added
	err = fmt.Errorf("cannot write the journal: %w", err)
	if terr := j.truncate(j.size); terr != nil {
		return true, errors.Join(err, terr)
	}
	return false, err
}

// truncate cuts the file to size bytes, durably.
func (j *journal) truncate(size int64) error {
	err := j.cut(size)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		return fmt.Errorf("cannot truncate the journal: %w", err)
	}
	return nil
}

// reset empties the file but for its header once its records are
// committed. The truncation becomes durable with the next record's sync;
// until then a crash leaves records whose lsn the database already
// includes, which replay skips.
func (j *journal) reset() error {
	if err := j.cut(j.base); err != nil {
		return fmt.Errorf("cannot truncate the journal: %w", err)
	}
	return nil
}

// cut truncates the file to size bytes and writes on from there.
func (j *journal) cut(size int64) error {
	if err := j.f.Truncate(size); err != nil {
		return err
	}
	if _, err := j.f.Seek(size, io.SeekStart); err != nil {
		return err
	}
	j.size = size
	return nil
}

func (j *journal) close() error { return j.f.Close() }

// journalHeader is what a journal file says about its records.
type journalHeader struct {
	// format is 0 for a file without a header.
	format int
	// schema is the schema version of the records' rows (format ≥ 1).
	schema int
}

// readJournal calls fn for each intact record of a journal file's
// contents data whose lsn is past after, in order, and returns the file's
// header and the lsn of the last record read (after when none is). It
// refuses a file of a newer format that holds more than its header, since
// it cannot know how to read it.
func readJournal(data []byte, after uint64, fn func(lsn uint64, payload []byte) error) (h journalHeader, last uint64, err error) {
	last = after
	for first := true; len(data) >= recordHeader; first = false {
		n := uint64(binary.LittleEndian.Uint32(data))
		if n < 8 || uint64(len(data)-8) < n {
			break // torn
		}
		body := data[8 : 8+n]
		if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(data[4:]) {
			break // torn or damaged
		}
		lsn := binary.LittleEndian.Uint64(body)
		data = data[8+n:]
		if first && lsn == 0 {
			if h, err = parseHeader(body[8:]); err != nil {
				return h, last, err
			}
			if h.format > journalFormat && len(data) > 0 {
				return h, last, fmt.Errorf("the journal was written by a newer Vigil (journal format %d; this build reads up to %d)", h.format, journalFormat)
			}
			if h.format > journalFormat {
				return h, last, nil
			}
			continue
		}
		if lsn <= after {
			continue // committed before the crash
		}
		if lsn != last+1 {
			return h, last, fmt.Errorf("%w: record %d follows %d", errJournal, lsn, last)
		}
		if err := fn(lsn, body[8:]); err != nil {
			return h, last, err
		}
		last = lsn
	}
	return h, last, nil
}

// parseHeader decodes a header record's payload. Later formats may add
// to it; the magic and format stay first.
func parseHeader(p []byte) (journalHeader, error) {
	if len(p) < len(journalMagic)+4 || string(p[:len(journalMagic)]) != journalMagic {
		return journalHeader{}, fmt.Errorf("%w: the first record is not a journal header", errJournal)
	}
	h := journalHeader{format: int(binary.LittleEndian.Uint32(p[len(journalMagic):]))}
	switch {
	case h.format == 0:
		return h, fmt.Errorf("%w: journal header of format 0", errJournal)
	case h.format > journalFormat:
		return h, nil
	case len(p) != headerPayload:
		return h, fmt.Errorf("%w: journal header of %d bytes", errJournal, len(p))
	}
	h.schema = int(binary.LittleEndian.Uint32(p[len(journalMagic)+4:]))
	return h, nil
}

// tableRows are the rows one write appended to one table.
type tableRows struct {
	table string
	rows  [][]driver.Value
}

// Value types in the payload.
const (
	tagNull = iota
	tagFalse
	tagTrue
	tagInt64
	tagInt32
	tagFloat64
	tagString
	tagBytes
)

// encodeAppends encodes a write's appended rows: the number of tables
// (uvarint), then per table its name, row count and column count
// (uvarints, the name's bytes), then each value as a tag byte and, for
// integers a zig-zag varint, for floats 8 bytes, for strings and bytes a
// uvarint length and the bytes. ok is false when a value has a type the
// journal does not carry; such a write commits instead.
func encodeAppends(b []byte, appends []tableRows) (_ []byte, ok bool) {
	b = slices.Grow(b, encodedSize(appends))
	b = binary.AppendUvarint(b, uint64(len(appends)))
	for _, a := range appends {
		b = appendString(b, a.table)
		b = binary.AppendUvarint(b, uint64(len(a.rows)))
		cols := 0
		if len(a.rows) > 0 {
			cols = len(a.rows[0])
		}
		b = binary.AppendUvarint(b, uint64(cols))
		for _, row := range a.rows {
			if len(row) != cols {
				return b, false
			}
			for _, v := range row {
				switch v := v.(type) {
				case nil:
					b = append(b, tagNull)
				case bool:
					b = append(b, tagFalse+boolByte(v))
				case int64:
					b = binary.AppendVarint(append(b, tagInt64), v)
				case int32:
					b = binary.AppendVarint(append(b, tagInt32), int64(v))
				case float64:
					b = binary.LittleEndian.AppendUint64(append(b, tagFloat64), math.Float64bits(v))
				case string:
					b = appendString(append(b, tagString), v)
				case []byte:
					b = binary.AppendUvarint(append(b, tagBytes), uint64(len(v)))
					b = append(b, v...)
				default:
					return b, false
				}
			}
		}
	}
	return b, true
}

// encodedSize bounds the encoding of appends (for supported types), so
// that it takes one allocation.
func encodedSize(appends []tableRows) int {
	n := binary.MaxVarintLen64
	for _, a := range appends {
		n += len(a.table) + 3*binary.MaxVarintLen64
		for _, row := range a.rows {
			for _, v := range row {
				n += 1 + binary.MaxVarintLen64
				switch v := v.(type) {
				case string:
					n += len(v)
				case []byte:
					n += len(v)
				}
			}
		}
	}
	return n
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// decodeAppends decodes what encodeAppends wrote.
func decodeAppends(b []byte) ([]tableRows, error) {
	r := binread.Reader{B: b, Corrupt: func(msg string) error { return fmt.Errorf("%w: %s", errJournal, msg) }}
	n := r.Uvarint()
	var out []tableRows
	for i := uint64(0); i < n && r.Err == nil; i++ {
		a := tableRows{table: string(r.Bytes(r.Uvarint()))}
		nrows, cols := r.Uvarint(), r.Uvarint()
		// Every value takes at least a byte: counts beyond the input are
		// corrupt, not allocations to make.
		if left := uint64(len(r.B)); nrows > left || cols > left || nrows*cols > left || cols == 0 && nrows > 0 {
			r.Fail("%d rows of %d columns in %d bytes", nrows, cols, len(r.B))
			break
		}
		values := make([]driver.Value, nrows*cols)
		a.rows = make([][]driver.Value, nrows)
		for k := range a.rows {
			row := values[uint64(k)*cols : uint64(k+1)*cols : uint64(k+1)*cols]
			for c := range row {
				row[c] = decodeValue(&r)
			}
			a.rows[k] = row
		}
		out = append(out, a)
	}
	if r.Err == nil && len(r.B) > 0 {
		r.Fail("%d bytes after the rows", len(r.B))
	}
	return out, r.Err
}

func decodeValue(r *binread.Reader) driver.Value {
	switch tag := r.Byte(); tag {
	case tagNull:
		return nil
	case tagFalse, tagTrue:
		return tag == tagTrue
	case tagInt64:
		return r.Varint()
	case tagInt32:
		v := r.Varint()
		if v < math.MinInt32 || v > math.MaxInt32 {
			r.Fail("int32 out of range")
		}
		return int32(v)
	case tagFloat64:
		return r.Float()
	case tagString:
		return string(r.Bytes(r.Uvarint()))
	case tagBytes:
		b := r.Bytes(r.Uvarint())
		return append(make([]byte, 0, len(b)), b...)
	default:
		r.Fail("unknown value tag %d", tag)
		return nil
	}
}
