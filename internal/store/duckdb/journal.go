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
// (journal_lsn), then truncates the journal; on open, the records past
// that position are appended again and committed.
//
// File format: records, each
//
//	length   uint32 little-endian, of lsn and payload
//	crc      uint32 little-endian, CRC-32C of lsn and payload
//	lsn      uint64 little-endian, 1, 2, … (never reused)
//	payload  the write's appended rows (encodeAppends)
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
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errJournal is what every journal decoding error wraps.
var errJournal = errors.New("corrupt journal record")

type journal struct {
	f    *os.File
	lsn  uint64 // the last record written
	size int64  // the file's size
	buf  []byte // framed records for the next write
	// added counts the records in buf.
	added uint64
}

func openJournal(path string) (*journal, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cannot open the journal: %w", err)
	}
	return &journal{f: f}, nil
}

// add frames a record for the next write.
func (j *journal) add(payload []byte) {
	j.lsn++
	j.added++
	start := len(j.buf)
	j.buf = binary.LittleEndian.AppendUint32(j.buf, uint32(8+len(payload)))
	j.buf = binary.LittleEndian.AppendUint32(j.buf, 0)
	j.buf = binary.LittleEndian.AppendUint64(j.buf, j.lsn)
	j.buf = append(j.buf, payload...)
	binary.LittleEndian.PutUint32(j.buf[start+4:], crc32.Checksum(j.buf[start+8:], crcTable))
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

// reset empties the file once its records are committed. The truncation
// becomes durable with the next record's sync; until then a crash leaves
// records whose lsn the database already includes, which replay skips.
func (j *journal) reset() error {
	if err := j.cut(0); err != nil {
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

// readRecords calls fn for each intact record of the journal in order, and
// sets the journal's lsn to the last one's (or after, when the journal is
// empty).
func (j *journal) readRecords(after uint64, fn func(lsn uint64, payload []byte) error) error {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("cannot read the journal: %w", err)
	}
	data, err := io.ReadAll(j.f)
	if err != nil {
		return fmt.Errorf("cannot read the journal: %w", err)
	}
	j.lsn = after
	for len(data) >= recordHeader {
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
		if lsn <= after {
			continue // committed before the crash
		}
		if lsn != j.lsn+1 {
			return fmt.Errorf("%w: record %d follows %d", errJournal, lsn, j.lsn)
		}
		if err := fn(lsn, body[8:]); err != nil {
			return err
		}
		j.lsn = lsn
	}
	return nil
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
