package cbor

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"
)

// fromSmithy converts a smithy-go Value into the tree readAny returns.
func fromSmithy(v smithycbor.Value) any {
	switch v := v.(type) {
	case smithycbor.Uint:
		return uint64(v)
	case smithycbor.NegInt:
		// smithy-go holds -n as NegInt(n).
		return -int64(v)
	case smithycbor.Float32:
		return float64(v)
	case smithycbor.Float64:
		return float64(v)
	case smithycbor.Bool:
		return bool(v)
	case *smithycbor.Nil:
		return nil
	case *smithycbor.Undefined:
		return undef{}
	case smithycbor.Slice:
		return append([]byte{}, v...)
	case smithycbor.String:
		return string(v)
	case *smithycbor.Tag:
		return tagged{v.ID, fromSmithy(v.Value)}
	case smithycbor.List:
		l := []any{}
		for _, e := range v {
			l = append(l, fromSmithy(e))
		}
		return l
	case smithycbor.Map:
		m := map[string]any{}
		for k, e := range v {
			m[k] = fromSmithy(e)
		}
		return m
	}
	panic(fmt.Sprintf("fromSmithy: unexpected %T", v))
}

// putMetricDataValue is a PutMetricData input as aws-sdk-go-v2 builds it.
func putMetricDataValue(n int) smithycbor.Value {
	data := smithycbor.List{}
	for i := range n {
		data = append(data, smithycbor.Map{
			"MetricName": smithycbor.String(fmt.Sprintf("Latency%d", i)),
			"Value":      smithycbor.Float64(float64(i) + 0.25),
			"Timestamp":  &smithycbor.Tag{ID: 1, Value: smithycbor.Float64(1.7e9 + float64(i))},
			"Unit":       smithycbor.String("Milliseconds"),
			"Dimensions": smithycbor.List{
				smithycbor.Map{"Name": smithycbor.String("Host"), "Value": smithycbor.String("web-1")},
				smithycbor.Map{"Name": smithycbor.String("AZ"), "Value": smithycbor.String("eu-west-1a")},
			},
			"Values":            smithycbor.List{smithycbor.Float64(1), smithycbor.Float64(2.5)},
			"Counts":            smithycbor.List{smithycbor.Float64(3), smithycbor.Float64(4)},
			"StorageResolution": smithycbor.Uint(60),
		})
	}
	return smithycbor.Map{
		"Namespace":  smithycbor.String("Vigil/Test"),
		"MetricData": data,
	}
}

// TestSmithyEncodeReaderDecode encodes values with smithy-go and reads them
// with Reader.
func TestSmithyEncodeReaderDecode(t *testing.T) {
	values := []smithycbor.Value{
		putMetricDataValue(3),
		smithycbor.Map{
			"float32":  smithycbor.Float32(0.1),
			"float64":  smithycbor.Float64(-1e300),
			"nan":      smithycbor.Float64(math.Inf(-1)),
			"negint":   smithycbor.NegInt(1000),
			"maxuint":  smithycbor.Uint(math.MaxUint64),
			"minint":   smithycbor.NegInt(1 << 63),
			"blob":     smithycbor.Slice{0xde, 0xad},
			"bool":     smithycbor.Bool(true),
			"nil":      &smithycbor.Nil{},
			"undef":    &smithycbor.Undefined{},
			"lists":    smithycbor.List{smithycbor.List{}, smithycbor.List{smithycbor.List{smithycbor.String("deep")}}},
			"maps":     smithycbor.Map{"a": smithycbor.Map{"b": smithycbor.Map{}}},
			"epochInt": &smithycbor.Tag{ID: 1, Value: smithycbor.Uint(1700000000)},
			"bignum":   &smithycbor.Tag{ID: 2, Value: smithycbor.Slice{1, 0, 0}},
			"unicode":  smithycbor.String("naïve ☃ 𝄞"),
		},
	}
	for i, v := range values {
		r := NewReader(smithycbor.Encode(v))
		got, err := readAny(r)
		if err == nil {
			err = r.Finish()
		}
		if err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
		checkTree(t, got, fromSmithy(v))
	}
}

// TestWriterSmithyDecode writes with Writer and decodes with smithy-go.
func TestWriterSmithyDecode(t *testing.T) {
	tree := map[string]any{
		"Namespace": "Vigil/Test",
		"MetricDataResults": []any{
			map[string]any{
				"Id":         "m1",
				"Label":      "CPUUtilization",
				"Timestamps": []any{tagged{TagEpochTime, 1.7e9}, tagged{TagEpochTime, 1.7e9 + 60.5}},
				"Values":     []any{0.5, 99.75, -1e-300},
				"StatusCode": "Complete",
			},
			map[string]any{"Id": "m2", "Values": []any{}, "Messages": []any{map[string]any{}}},
		},
		"float": float32(1.5),
		"ints":  []any{int64(-1), int64(math.MinInt64), uint64(math.MaxUint64), int64(24), int64(-25)},
		"blob":  []byte("blob"),
		"flags": []any{true, false, nil, undef{}},
	}
	var w Writer
	writeAny(&w, tree)
	v, err := smithycbor.Decode(w.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	tree["float"] = 1.5                  // smithy-go decodes float32 as Float32
	tree["ints"].([]any)[3] = uint64(24) // and a non-negative int as Uint
	checkTree(t, fromSmithy(v), tree)

	// Indefinite-length containers, and the half-precision non-finite
	// floats, which smithy-go reads as Float32.
	w.Reset()
	w.WriteMapStart()
	w.WriteText("list")
	w.WriteArrayStart()
	w.WriteFloat64(math.NaN())
	w.WriteFloat64(math.Inf(1))
	w.WriteFloat32(float32(math.Inf(-1)))
	w.WriteBreak()
	w.WriteBreak()
	v, err = smithycbor.Decode(w.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	list, ok := v.(smithycbor.Map)["list"].(smithycbor.List)
	if !ok || len(list) != 3 {
		t.Fatalf("got %#v", v)
	}
	nan, _ := list[0].(smithycbor.Float32)
	pinf, _ := list[1].(smithycbor.Float32)
	ninf, _ := list[2].(smithycbor.Float32)
	if !math.IsNaN(float64(nan)) || !math.IsInf(float64(pinf), 1) || !math.IsInf(float64(ninf), -1) {
		t.Errorf("non-finite floats: got %v, %v, %v", list[0], list[1], list[2])
	}
}

// TestFloat16Smithy decodes every half-precision value with both decoders.
func TestFloat16Smithy(t *testing.T) {
	data := []byte{byteFloat16, 0, 0}
	for h := range 1 << 16 {
		binary.BigEndian.PutUint16(data[1:], uint16(h))
		got, err := NewReader(data).ReadFloat64()
		if err != nil {
			t.Fatal(err)
		}
		v, err := smithycbor.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		want := float64(v.(smithycbor.Float32))
		if !sameFloat(got, want) {
			t.Fatalf("float16 %#04x: got %v, smithy-go %v", h, got, want)
		}
	}
}
