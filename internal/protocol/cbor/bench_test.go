package cbor

import (
	"fmt"
	"strconv"
	"testing"

	smithycbor "github.com/aws/smithy-go/encoding/cbor"
)

// benchDatums is the size of the PutMetricData request the benchmarks
// read and write: CloudWatch accepts up to 1,000 datums in one request.
const benchDatums = 1000

type benchDimension struct {
	Name, Value string
}

type benchDatum struct {
	MetricName        string
	Value             float64
	Timestamp         float64
	Unit              string
	StorageResolution int64
	Dimensions        []benchDimension
}

type benchInput struct {
	Namespace  string
	MetricData []benchDatum
}

// writePutMetricData writes a PutMetricData input with n datums, with
// definite or indefinite lengths.
func writePutMetricData(w *Writer, n int, indefinite bool) {
	mapHeader := func(n int) {
		if indefinite {
			w.WriteMapStart()
		} else {
			w.WriteMapHeader(n)
		}
	}
	end := func() {
		if indefinite {
			w.WriteBreak()
		}
	}
	var name [32]byte
	mapHeader(2)
	w.WriteText("Namespace")
	w.WriteText("Vigil/Bench")
	w.WriteText("MetricData")
	if indefinite {
		w.WriteArrayStart()
	} else {
		w.WriteArrayHeader(n)
	}
	for i := range n {
		mapHeader(6)
		w.WriteText("MetricName")
		w.WriteTextBytes(strconv.AppendInt(append(name[:0], "Latency"...), int64(i), 10))
		w.WriteText("Value")
		w.WriteFloat64(float64(i) * 1.5)
		w.WriteText("Timestamp")
		w.WriteTag(TagEpochTime)
		w.WriteFloat64(1.7e9 + float64(i))
		w.WriteText("Unit")
		w.WriteText("Milliseconds")
		w.WriteText("StorageResolution")
		w.WriteUint(60)
		w.WriteText("Dimensions")
		w.WriteArrayHeader(1)
		mapHeader(2)
		w.WriteText("Name")
		w.WriteText("Host")
		w.WriteText("Value")
		w.WriteText("web-1")
		end()
		end()
	}
	end()
	end()
}

// readPutMetricData decodes a PutMetricData input the way the struct layer
// does: keys compared as bytes, strings copied, unknown members skipped.
func readPutMetricData(r *Reader, in *benchInput) error {
	n, err := r.ReadMapHeader()
	if err != nil {
		return err
	}
	for i := 0; r.More(n, i); i++ {
		key, err := r.ReadTextBytes()
		if err != nil {
			return err
		}
		switch string(key) {
		case "Namespace":
			in.Namespace, err = r.ReadText()
		case "MetricData":
			var m int
			if m, err = r.ReadArrayHeader(); err != nil {
				return err
			}
			if m != Indefinite {
				in.MetricData = make([]benchDatum, 0, m)
			}
			for j := 0; r.More(m, j); j++ {
				in.MetricData = append(in.MetricData, benchDatum{})
				if err := readDatum(r, &in.MetricData[len(in.MetricData)-1]); err != nil {
					return err
				}
			}
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	return r.Finish()
}

func readDatum(r *Reader, d *benchDatum) error {
	n, err := r.ReadMapHeader()
	if err != nil {
		return err
	}
	for i := 0; r.More(n, i); i++ {
		key, err := r.ReadTextBytes()
		if err != nil {
			return err
		}
		switch string(key) {
		case "MetricName":
			d.MetricName, err = r.ReadText()
		case "Value":
			d.Value, err = r.ReadNumber()
		case "Timestamp":
			if _, err = r.ReadTag(); err == nil {
				d.Timestamp, err = r.ReadNumber()
			}
		case "Unit":
			d.Unit, err = r.ReadText()
		case "StorageResolution":
			d.StorageResolution, err = r.ReadInt()
		case "Dimensions":
			var m int
			if m, err = r.ReadArrayHeader(); err != nil {
				return err
			}
			for j := 0; r.More(m, j); j++ {
				var dim benchDimension
				if err := readDimension(r, &dim); err != nil {
					return err
				}
				d.Dimensions = append(d.Dimensions, dim)
			}
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readDimension(r *Reader, dim *benchDimension) error {
	n, err := r.ReadMapHeader()
	if err != nil {
		return err
	}
	for i := 0; r.More(n, i); i++ {
		key, err := r.ReadTextBytes()
		if err != nil {
			return err
		}
		switch string(key) {
		case "Name":
			dim.Name, err = r.ReadText()
		case "Value":
			dim.Value, err = r.ReadText()
		default:
			err = r.Skip()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readPutMetricDataNoCopy visits every key and value with no allocation:
// strings stay byte slices of the input.
func readPutMetricDataNoCopy(r *Reader) (sum float64, err error) {
	var visit func() error
	visit = func() error {
		k, err := r.Peek()
		if err != nil {
			return err
		}
		switch k {
		case KindMap:
			n, err := r.ReadMapHeader()
			for i := 0; err == nil && r.More(n, i); i++ {
				var key []byte
				if key, err = r.ReadTextBytes(); err == nil {
					sum += float64(len(key))
					err = visit()
				}
			}
			return err
		case KindArray:
			n, err := r.ReadArrayHeader()
			for i := 0; err == nil && r.More(n, i); i++ {
				err = visit()
			}
			return err
		case KindText:
			s, err := r.ReadTextBytes()
			sum += float64(len(s))
			return err
		case KindTag:
			if _, err := r.ReadTag(); err != nil {
				return err
			}
			return visit()
		default:
			f, err := r.ReadNumber()
			sum += f
			return err
		}
	}
	if err := visit(); err != nil {
		return 0, err
	}
	return sum, r.Finish()
}

func benchInputBytes(b *testing.B, indefinite bool) []byte {
	var w Writer
	writePutMetricData(&w, benchDatums, indefinite)
	data := w.Bytes()
	var in benchInput
	if err := readPutMetricData(NewReader(data), &in); err != nil || len(in.MetricData) != benchDatums {
		b.Fatalf("decoding the input: %v", err)
	}
	return data
}

// benchBothForms runs f on the input with definite lengths, as the older
// generated aws-sdk-go-v2 serializers and botocore write it, and with
// indefinite lengths, as smithy-go's schema-based serializer writes every
// structure, list and map.
func benchBothForms(b *testing.B, f func(b *testing.B, r *Reader, data []byte)) {
	for _, form := range []struct {
		name       string
		indefinite bool
	}{{"definite", false}, {"indefinite", true}} {
		b.Run(form.name, func(b *testing.B) {
			data := benchInputBytes(b, form.indefinite)
			r := NewReader(nil)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			f(b, r, data)
		})
	}
}

// BenchmarkReadPutMetricData decodes 1,000 datums into structs, copying
// every string.
func BenchmarkReadPutMetricData(b *testing.B) {
	benchBothForms(b, func(b *testing.B, r *Reader, data []byte) {
		for b.Loop() {
			r.Reset(data)
			var in benchInput
			if err := readPutMetricData(r, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReadPutMetricDataNoCopy visits every key, number and string of
// 1,000 datums without allocating.
func BenchmarkReadPutMetricDataNoCopy(b *testing.B) {
	benchBothForms(b, func(b *testing.B, r *Reader, data []byte) {
		for b.Loop() {
			r.Reset(data)
			if _, err := readPutMetricDataNoCopy(r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSkipPutMetricData skips 1,000 datums as one item.
func BenchmarkSkipPutMetricData(b *testing.B) {
	benchBothForms(b, func(b *testing.B, r *Reader, data []byte) {
		for b.Loop() {
			r.Reset(data)
			if err := r.Skip(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWritePutMetricData encodes 1,000 datums into a reused buffer.
func BenchmarkWritePutMetricData(b *testing.B) {
	var w Writer
	writePutMetricData(&w, benchDatums, false)
	b.SetBytes(int64(w.Len()))
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		writePutMetricData(&w, benchDatums, false)
	}
}

// BenchmarkSmithyDecodePutMetricData decodes the same input with
// smithy-go, for comparison.
func BenchmarkSmithyDecodePutMetricData(b *testing.B) {
	data := benchInputBytes(b, false)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := smithycbor.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSmithyEncodePutMetricData encodes 1,000 datums with smithy-go,
// for comparison; building its Values is not timed.
func BenchmarkSmithyEncodePutMetricData(b *testing.B) {
	v := putMetricDataValue(benchDatums)
	b.SetBytes(int64(len(smithycbor.Encode(v))))
	b.ReportAllocs()
	for b.Loop() {
		_ = smithycbor.Encode(v)
	}
}

func TestBenchInput(t *testing.T) {
	for _, indefinite := range []bool{false, true} {
		var w Writer
		writePutMetricData(&w, 3, indefinite)
		var in benchInput
		if err := readPutMetricData(NewReader(w.Bytes()), &in); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%+v", in)
		const want = "{Namespace:Vigil/Bench MetricData:[" +
			"{MetricName:Latency0 Value:0 Timestamp:1.7e+09 Unit:Milliseconds StorageResolution:60 Dimensions:[{Name:Host Value:web-1}]} " +
			"{MetricName:Latency1 Value:1.5 Timestamp:1.700000001e+09 Unit:Milliseconds StorageResolution:60 Dimensions:[{Name:Host Value:web-1}]} " +
			"{MetricName:Latency2 Value:3 Timestamp:1.700000002e+09 Unit:Milliseconds StorageResolution:60 Dimensions:[{Name:Host Value:web-1}]}]}"
		if got != want {
			t.Errorf("indefinite %v:\ngot  %s\nwant %s", indefinite, got, want)
		}
	}
}
