package cbor_test

import (
	"fmt"

	"github.com/vigilhq/vigil/internal/protocol/cbor"
)

// A struct layer reads a map member by member, comparing keys as bytes and
// skipping members it does not know.
func ExampleReader() {
	var w cbor.Writer
	w.WriteMapStart() // smithy-go clients send structures with indefinite length
	w.WriteText("MetricName")
	w.WriteText("Latency")
	w.WriteText("Timestamp")
	w.WriteTag(cbor.TagEpochTime)
	w.WriteUint(1700000000) // a whole-number timestamp may come as an integer
	w.WriteText("Unknown")
	w.WriteArrayHeader(1)
	w.WriteBool(true)
	w.WriteBreak()

	r := cbor.NewReader(w.Bytes())
	var name string
	var ts float64
	n, err := r.ReadMapHeader()
	for i := 0; err == nil && r.More(n, i); i++ {
		var key []byte
		if key, err = r.ReadTextBytes(); err != nil {
			break
		}
		switch string(key) {
		case "MetricName":
			name, err = r.ReadText()
		case "Timestamp":
			if _, err = r.ReadTag(); err == nil {
				ts, err = r.ReadNumber()
			}
		default:
			err = r.Skip()
		}
	}
	if err == nil {
		err = r.Finish()
	}
	fmt.Println(name, ts, err)

	_, err = cbor.NewReader([]byte{0x61, 'x'}).ReadMapHeader()
	fmt.Println(err)
	// Output:
	// Latency 1.7e+09 <nil>
	// cbor: expected map at offset 0, found text string
}
