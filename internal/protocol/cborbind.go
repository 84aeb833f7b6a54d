package protocol

import (
	"errors"
	"math"
	"reflect"
	"time"

	"github.com/vigilhq/vigil/internal/protocol/cbor"
)

// smithy-rpc-v2-cbor bodies are CBOR maps keyed by member name; timestamps
// are tag 1 around epoch seconds, floats f32 and doubles f64, blobs byte
// strings and null means absent. Clients write definite or indefinite
// lengths (Go indefinite, botocore definite); both are read.

// maxPrealloc caps the capacity reserved for a list from its declared
// length, which an attacker controls.
const maxPrealloc = 1024

// decodeCBOR decodes a request body into dst; an empty body is empty input.
func decodeCBOR(data []byte, dst reflect.Value, ti *typeInfo) error {
	if len(data) == 0 {
		return nil
	}
	d := &cborDecoder{r: cbor.NewReader(data)}
	if err := d.value(dst, ti, nil); err != nil {
		return err
	}
	if err := d.r.Finish(); err != nil {
		return cborDecodeError(err)
	}
	return nil
}

func cborDecodeError(err error) error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	return SerializationError("Malformed CBOR: %v", err)
}

type cborDecoder struct {
	r *cbor.Reader
	a arena
}

func (d *cborDecoder) value(dst reflect.Value, ti *typeInfo, at *path) error {
	r := d.r
	if r.TryNull() {
		return nil
	}
	switch ti.kind {
	case kString, kEnum:
		b, err := r.ReadTextBytes()
		if err != nil {
			return cborDecodeError(err)
		}
		d.a.setString(ti, dst, d.a.text(b))
	case kBool:
		b, err := r.ReadBool()
		if err != nil {
			return cborDecodeError(err)
		}
		d.a.deref(ti, dst).SetBool(b)
	case kInt32, kInt64:
		n, err := cborInt(r, at, ti.kind == kInt32)
		if err != nil {
			return err
		}
		d.a.deref(ti, dst).SetInt(n)
	case kFloat32, kFloat64:
		f, err := r.ReadNumber()
		if err != nil {
			return cborDecodeError(err)
		}
		d.a.setFloat(ti, dst, f)
	case kTime:
		if k, _ := r.Peek(); k == cbor.KindTag {
			if tag, err := r.ReadTag(); err != nil || tag != cbor.TagEpochTime {
				return SerializationError("Cannot deserialize the value of '%s': expected a timestamp (tag 1)", at)
			}
		}
		f, err := r.ReadNumber()
		if err != nil {
			return cborDecodeError(err)
		}
		t, err := epochTime(f)
		if err != nil {
			return err
		}
		d.a.setTime(ti, dst, t)
	case kBlob:
		b, err := r.ReadBytes()
		if err != nil {
			return cborDecodeError(err)
		}
		dst.SetBytes(b)
	case kList:
		n, err := r.ReadArrayHeader()
		if err != nil {
			return cborDecodeError(err)
		}
		// dst is addressable (a member, an element or the input): fill it
		// in place, doubling its capacity as needed (an indefinite length
		// says nothing of it).
		capacity := min(n, maxPrealloc)
		if n < 0 {
			capacity = 4
		}
		dst.Set(reflect.MakeSlice(ti.typ, 0, capacity))
		elem := d.a.child(at)
		for i := 0; r.More(n, i); i++ {
			if r.TryNull() {
				continue // sparse lists are not modeled
			}
			elem.index = i + 1
			if err := d.value(appendElem(dst, ti), ti.elem, elem); err != nil {
				return err
			}
		}
		if err := r.Err(); err != nil {
			return cborDecodeError(err)
		}
	case kMap:
		n, err := r.ReadMapHeader()
		if err != nil {
			return cborDecodeError(err)
		}
		m := reflect.MakeMap(ti.typ)
		entry := d.a.child(at)
		for i := 0; r.More(n, i); i++ {
			b, err := r.ReadTextBytes()
			if err != nil {
				return cborDecodeError(err)
			}
			key := d.a.text(b)
			ev := reflect.New(ti.elem.typ).Elem()
			entry.name = key
			if err := d.value(ev, ti.elem, entry); err != nil {
				return err
			}
			kv := reflect.New(ti.key.typ).Elem()
			kv.SetString(key)
			m.SetMapIndex(kv, ev)
		}
		if err := r.Err(); err != nil {
			return cborDecodeError(err)
		}
		dst.Set(m)
	case kStruct:
		n, err := r.ReadMapHeader()
		if err != nil {
			return cborDecodeError(err)
		}
		sv := d.a.deref(ti, dst)
		member := d.a.child(at)
		for i := 0; r.More(n, i); i++ {
			key, err := r.ReadTextBytes()
			if err != nil {
				return cborDecodeError(err)
			}
			f, ok := d.a.field(ti, i, key)
			if !ok || f.payload {
				if err := r.Skip(); err != nil {
					return cborDecodeError(err)
				}
				continue
			}
			member.name = f.path
			if err := d.value(sv.Field(f.index), f.t, member); err != nil {
				return err
			}
		}
		if err := r.Err(); err != nil {
			return cborDecodeError(err)
		}
	case kDocument:
		doc, err := cborAny(r)
		if err != nil {
			return cborDecodeError(err)
		}
		if doc != nil {
			dst.Set(reflect.ValueOf(doc))
		}
	}
	return nil
}

func cborInt(r *cbor.Reader, at *path, is32 bool) (int64, error) {
	k, err := r.Peek()
	if err != nil {
		return 0, cborDecodeError(err)
	}
	var n int64
	if k == cbor.KindFloat {
		f, err := r.ReadFloat64()
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<62 {
			return 0, SerializationError("Cannot deserialize the value of '%s': expected an integer", at)
		}
		n = int64(f)
	} else if n, err = r.ReadInt(); err != nil {
		return 0, cborDecodeError(err)
	}
	if is32 && (n < math.MinInt32 || n > math.MaxInt32) {
		return 0, SerializationError("Cannot deserialize the value of '%s': expected a 32-bit integer", at)
	}
	return n, nil
}

// cborAny decodes a document value into JSON-like Go values.
func cborAny(r *cbor.Reader) (any, error) {
	k, err := r.Peek()
	if err != nil {
		return nil, err
	}
	switch k {
	case cbor.KindNull, cbor.KindUndefined:
		r.TryNull()
		return nil, nil
	case cbor.KindBool:
		return r.ReadBool()
	case cbor.KindUint, cbor.KindNegInt, cbor.KindFloat:
		return r.ReadNumber()
	case cbor.KindText:
		return r.ReadText()
	case cbor.KindBytes:
		return r.ReadBytes()
	case cbor.KindTag:
		if _, err := r.ReadTag(); err != nil {
			return nil, err
		}
		return cborAny(r)
	case cbor.KindArray:
		n, err := r.ReadArrayHeader()
		if err != nil {
			return nil, err
		}
		var out []any
		for i := 0; r.More(n, i); i++ {
			v, err := cborAny(r)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, r.Err()
	case cbor.KindMap:
		n, err := r.ReadMapHeader()
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for i := 0; r.More(n, i); i++ {
			key, err := r.ReadText()
			if err != nil {
				return nil, err
			}
			if out[key], err = cborAny(r); err != nil {
				return nil, err
			}
		}
		return out, r.Err()
	}
	return nil, r.Skip()
}

// appendCBORStruct encodes the body members of a structure as a map.
func appendCBORStruct(b []byte, v reflect.Value, st *structInfo) []byte {
	n := 0
	for _, f := range st.body {
		if f.written(v.Field(f.index)) {
			n++
		}
	}
	b = cbor.AppendMapHeader(b, n)
	return appendCBORFields(b, v, st)
}

func appendCBORFields(b []byte, v reflect.Value, st *structInfo) []byte {
	for _, f := range st.body {
		fv := v.Field(f.index)
		if !f.written(fv) {
			continue
		}
		b = cbor.AppendText(b, f.wire)
		b = appendCBORValue(b, f.t.value(fv), f.t)
	}
	return b
}

func appendCBORValue(b []byte, v reflect.Value, ti *typeInfo) []byte {
	switch ti.kind {
	case kString, kEnum:
		return cbor.AppendText(b, v.String())
	case kBool:
		return cbor.AppendBool(b, v.Bool())
	case kInt32, kInt64:
		return cbor.AppendInt(b, v.Int())
	case kFloat32:
		return cbor.AppendFloat32(b, float32(v.Float()))
	case kFloat64:
		return cbor.AppendFloat64(b, v.Float())
	case kTime:
		b = cbor.AppendTag(b, cbor.TagEpochTime)
		return cbor.AppendFloat64(b, float64(v.Interface().(time.Time).UnixMilli())/1000)
	case kBlob:
		return cbor.AppendBytes(b, v.Bytes())
	case kList:
		b = cbor.AppendArrayHeader(b, v.Len())
		for i := 0; i < v.Len(); i++ {
			b = appendCBORValue(b, v.Index(i), ti.elem)
		}
		return b
	case kMap:
		b = cbor.AppendMapHeader(b, v.Len())
		for _, k := range sortedMapKeys(v) {
			b = cbor.AppendText(b, k.String())
			b = appendCBORValue(b, v.MapIndex(k), ti.elem)
		}
		return b
	case kStruct:
		return appendCBORStruct(b, v, ti.st)
	case kDocument:
		return appendCBORAny(b, v.Interface())
	}
	panic("BUG: protocol: unhandled kind in CBOR encoder")
}

// appendCBORAny encodes a document value.
func appendCBORAny(b []byte, doc any) []byte {
	switch x := doc.(type) {
	case nil:
		return cbor.AppendNull(b)
	case bool:
		return cbor.AppendBool(b, x)
	case float64:
		return cbor.AppendFloat64(b, x)
	case string:
		return cbor.AppendText(b, x)
	case []byte:
		return cbor.AppendBytes(b, x)
	case []any:
		b = cbor.AppendArrayHeader(b, len(x))
		for _, e := range x {
			b = appendCBORAny(b, e)
		}
		return b
	case map[string]any:
		b = cbor.AppendMapHeader(b, len(x))
		for _, k := range sortedKeys(x) {
			b = cbor.AppendText(b, k)
			b = appendCBORAny(b, x[k])
		}
		return b
	}
	return cbor.AppendNull(b)
}

// cborError encodes an error body: __type, message and modeled members.
func (c *Call) cborError(e *resolved) []byte {
	b := cbor.AppendMapStart(nil)
	b = cbor.AppendText(b, "__type")
	b = cbor.AppendText(b, c.errorType(e))
	if e.shape.IsValid() {
		b = appendCBORFields(b, e.shape, e.info.st)
	} else if e.message != "" {
		b = cbor.AppendText(b, "message")
		b = cbor.AppendText(b, e.message)
	}
	return cbor.AppendBreak(b)
}
