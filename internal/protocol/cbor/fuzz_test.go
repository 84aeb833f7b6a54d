package cbor

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"
)

// FuzzReader reads arbitrary bytes two ways: item by item with Skip, and
// generically with Peek and the typed readers, re-encoding what it reads.
// Neither may panic. When the typed walk succeeds, Skip must too, and
// re-encoding the re-encoded input must give the same bytes.
func FuzzReader(f *testing.F) {
	f.Add(smithycbor.Encode(putMetricDataValue(2)))
	f.Add(smithycbor.Encode(smithycbor.Map{"Namespace": smithycbor.String("AWS/EC2")}))
	var w Writer
	writePutMetricData(&w, 2, true)
	f.Add(bytes.Clone(w.Bytes()))
	for _, h := range []string{
		"a0",
		"9f018202039f0405ffff",
		"bf6346756ef563416d7421ff",
		"7f657374726561646d696e67ff",
		"5f42010243030405ff",
		"c1fb41d452d9ec200000",
		"f97e00 f9fc00 f90001 fa7f800000",
		"f8ff f0 f7 f6 f5 f4",
		"3bffffffffffffffff",
		"7f 61 c3 61 bc ff",
		"9f c1 ff",
		"bf 61 61 ff",
		"5a 00000010 00",
		strings.Repeat("81", 70) + "00",
	} {
		f.Add(unhex(f, h))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(data)
		for r.Remaining() > 0 && r.Skip() == nil {
		}
		skipErr := r.Finish()

		r.Reset(data)
		var out Writer
		for r.Remaining() > 0 && transcode(r, &out) == nil {
		}
		if r.Finish() != nil {
			return
		}
		if skipErr != nil {
			t.Fatalf("typed walk succeeded, Skip failed: %v", skipErr)
		}

		r.Reset(out.Bytes())
		var again Writer
		for r.Remaining() > 0 && transcode(r, &again) == nil {
		}
		if err := r.Finish(); err != nil {
			t.Fatalf("re-reading %x: %v", out.Bytes(), err)
		}
		if !bytes.Equal(out.Bytes(), again.Bytes()) {
			t.Fatalf("re-encoding is not stable:\n%x\n%x", out.Bytes(), again.Bytes())
		}
	})
}

// transcode reads one item with the typed readers and writes it to w,
// keeping indefinite lengths. Strings become definite, and floats float64.
func transcode(r *Reader, w *Writer) error {
	k, err := r.Peek()
	if err != nil {
		return err
	}
	switch k {
	case KindUint:
		v, err := r.ReadUint()
		w.WriteUint(v)
		return err
	case KindNegInt:
		v, err := r.ReadInt()
		w.WriteInt(v)
		return err
	case KindFloat:
		f, err := r.ReadFloat64()
		w.WriteFloat64(f)
		return err
	case KindBool:
		b, err := r.ReadBool()
		w.WriteBool(b)
		return err
	case KindNull, KindUndefined:
		if !r.TryNull() {
			return fmt.Errorf("TryNull refused %v", k)
		}
		if k == KindNull {
			w.WriteNull()
		} else {
			w.WriteUndefined()
		}
		return nil
	case KindSimple:
		raw, err := r.ReadRaw()
		w.WriteRaw(raw)
		return err
	case KindBytes:
		b, err := r.ReadBytes()
		w.WriteBytes(b)
		return err
	case KindText:
		s, err := r.ReadText()
		w.WriteText(s)
		return err
	case KindTag:
		n, err := r.ReadTag()
		if err != nil {
			return err
		}
		w.WriteTag(n)
		return transcode(r, w)
	case KindArray, KindMap:
		var n int
		if k == KindArray {
			n, err = r.ReadArrayHeader()
		} else {
			n, err = r.ReadMapHeader()
		}
		if err != nil {
			return err
		}
		switch {
		case n == Indefinite && k == KindArray:
			w.WriteArrayStart()
		case n == Indefinite:
			w.WriteMapStart()
		case k == KindArray:
			w.WriteArrayHeader(n)
		default:
			w.WriteMapHeader(n)
		}
		for i := 0; r.More(n, i); i++ {
			if k == KindMap && r.off < len(r.data) && r.data[r.off]&majorMask == majorText {
				// Keys as the struct layer reads them.
				key, err := r.ReadTextBytes()
				if err != nil {
					return err
				}
				w.WriteTextBytes(key)
			} else if err := transcode(r, w); err != nil {
				return err
			}
			if k == KindMap {
				if err := transcode(r, w); err != nil {
					return err
				}
			}
		}
		if n == Indefinite {
			w.WriteBreak()
		}
		return r.Err()
	}
	// A break where an item is due: ReadBreak says why it is out of place.
	if err := r.ReadBreak(); err != nil {
		return err
	}
	return r.fail(r.off, "BUG: break accepted where an item is due", "")
}
