package binread

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"testing"
)

var errTest = errors.New("corrupt test record")

func reader(b []byte) *Reader {
	return &Reader{B: b, Corrupt: func(msg string) error { return fmt.Errorf("%w: %s", errTest, msg) }}
}

func TestReads(t *testing.T) {
	b := binary.AppendUvarint(nil, 300)
	b = binary.AppendVarint(b, -5)
	b = append(b, 7)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(2.5))
	b = append(b, "abc"...)
	r := reader(b)
	if u, v, c, f, s := r.Uvarint(), r.Varint(), r.Byte(), r.Float(), string(r.Bytes(3)); u != 300 || v != -5 || c != 7 || f != 2.5 || s != "abc" || r.Err != nil || len(r.B) != 0 {
		t.Errorf("read %d %d %d %v %q, err %v, %d left", u, v, c, f, s, r.Err, len(r.B))
	}
}

func TestFirstErrorSticks(t *testing.T) {
	r := reader([]byte{0x80}) // a varint cut short
	if v := r.Uvarint(); v != 0 || !errors.Is(r.Err, errTest) || r.Err.Error() != "corrupt test record: bad varint" {
		t.Fatalf("Uvarint = %d, err %v", v, r.Err)
	}
	first := r.Err
	if r.Float() != 0 || r.Bytes(1) != nil || r.Byte() != 0 || r.Err != first {
		t.Errorf("reads after an error: err %v; want the first", r.Err)
	}
	r = reader([]byte{1, 2})
	if r.Bytes(3) != nil || r.Err == nil || len(r.B) != 0 {
		t.Errorf("Bytes past the end: err %v, %d left", r.Err, len(r.B))
	}
}
