package cbor

import (
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// unhex decodes hex, ignoring spaces, and fails the test on bad input.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// diag decodes one item with the typed readers and renders it in a
// diagnostic notation close to RFC 8949 section 8: "_ " marks an
// indefinite-length array or map, and strings are shown concatenated.
func diag(r *Reader) (string, error) {
	var sb strings.Builder
	err := diagItem(r, &sb)
	return sb.String(), err
}

func diagItem(r *Reader, sb *strings.Builder) error {
	k, err := r.Peek()
	if err != nil {
		return err
	}
	switch k {
	case KindUint:
		v, err := r.ReadUint()
		sb.WriteString(strconv.FormatUint(v, 10))
		return err
	case KindNegInt:
		v, err := r.ReadInt()
		sb.WriteString(strconv.FormatInt(v, 10))
		return err
	case KindFloat:
		f, err := r.ReadFloat64()
		sb.WriteString(formatFloat(f))
		return err
	case KindBool:
		b, err := r.ReadBool()
		sb.WriteString(strconv.FormatBool(b))
		return err
	case KindNull:
		sb.WriteString("null")
		return r.ReadNull()
	case KindUndefined:
		sb.WriteString("undefined")
		return r.ReadUndefined()
	case KindSimple:
		raw, err := r.ReadRaw()
		if err != nil {
			return err
		}
		v := raw[0] & infoMask
		if raw[0] == byteSimple1 {
			v = raw[1]
		}
		fmt.Fprintf(sb, "simple(%d)", v)
		return nil
	case KindBytes:
		b, err := r.ReadBytes()
		fmt.Fprintf(sb, "h'%x'", b)
		return err
	case KindText:
		s, err := r.ReadText()
		sb.WriteString(strconv.Quote(s))
		return err
	case KindTag:
		n, err := r.ReadTag()
		if err != nil {
			return err
		}
		fmt.Fprintf(sb, "%d(", n)
		if err := diagItem(r, sb); err != nil {
			return err
		}
		sb.WriteString(")")
		return nil
	case KindArray, KindMap:
		var n int
		opening, closing := "[", "]"
		if k == KindArray {
			n, err = r.ReadArrayHeader()
		} else {
			n, err = r.ReadMapHeader()
			opening, closing = "{", "}"
		}
		if err != nil {
			return err
		}
		sb.WriteString(opening)
		if n == Indefinite {
			sb.WriteString("_ ")
		}
		for i := 0; r.More(n, i); i++ {
			if i > 0 {
				sb.WriteString(", ")
			}
			if err := diagItem(r, sb); err != nil {
				return err
			}
			if k == KindMap {
				sb.WriteString(": ")
				if err := diagItem(r, sb); err != nil {
					return err
				}
			}
		}
		sb.WriteString(closing)
		return r.Err()
	}
	// A break where an item is due: ReadBreak says why it is out of place.
	if err := r.ReadBreak(); err != nil {
		return err
	}
	return fmt.Errorf("diag: unexpected %v", k)
}

// formatFloat renders f so that it never looks like an integer.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// undef stands for undefined in the trees of readAny and writeAny.
type undef struct{}

// tagged is a tag and its item in the trees of readAny and writeAny.
type tagged struct {
	N uint64
	V any
}

// readAny decodes one item into a tree of uint64, int64 (negative
// integers), float64, bool, nil, undef, []byte, string, []any,
// map[string]any and tagged.
func readAny(r *Reader) (any, error) {
	k, err := r.Peek()
	if err != nil {
		return nil, err
	}
	switch k {
	case KindUint:
		return r.ReadUint()
	case KindNegInt:
		return r.ReadInt()
	case KindFloat:
		return r.ReadFloat64()
	case KindBool:
		return r.ReadBool()
	case KindNull:
		return nil, r.ReadNull()
	case KindUndefined:
		return undef{}, r.ReadUndefined()
	case KindBytes:
		return r.ReadBytes()
	case KindText:
		return r.ReadText()
	case KindTag:
		n, err := r.ReadTag()
		if err != nil {
			return nil, err
		}
		v, err := readAny(r)
		return tagged{n, v}, err
	case KindArray:
		n, err := r.ReadArrayHeader()
		if err != nil {
			return nil, err
		}
		l := []any{}
		for i := 0; r.More(n, i); i++ {
			v, err := readAny(r)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, r.Err()
	case KindMap:
		n, err := r.ReadMapHeader()
		if err != nil {
			return nil, err
		}
		m := map[string]any{}
		for i := 0; r.More(n, i); i++ {
			key, err := r.ReadText()
			if err != nil {
				return nil, err
			}
			if m[key], err = readAny(r); err != nil {
				return nil, err
			}
		}
		return m, r.Err()
	}
	return nil, fmt.Errorf("readAny: unexpected %v", k)
}

// writeAny encodes a tree as readAny returns it, plus float32 and int.
// Maps are written with sorted keys.
func writeAny(w *Writer, v any) {
	switch v := v.(type) {
	case uint64:
		w.WriteUint(v)
	case int64:
		w.WriteInt(v)
	case int:
		w.WriteInt(int64(v))
	case float32:
		w.WriteFloat32(v)
	case float64:
		w.WriteFloat64(v)
	case bool:
		w.WriteBool(v)
	case nil:
		w.WriteNull()
	case undef:
		w.WriteUndefined()
	case []byte:
		w.WriteBytes(v)
	case string:
		w.WriteText(v)
	case tagged:
		w.WriteTag(v.N)
		writeAny(w, v.V)
	case []any:
		w.WriteArrayHeader(len(v))
		for _, e := range v {
			writeAny(w, e)
		}
	case map[string]any:
		w.WriteMapHeader(len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			w.WriteText(k)
			writeAny(w, v[k])
		}
	default:
		panic(fmt.Sprintf("writeAny: unexpected %T", v))
	}
}

// checkTree compares trees, reporting got and want.
func checkTree(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %#v\nwant %#v", got, want)
	}
}
