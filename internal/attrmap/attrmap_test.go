package attrmap

import (
	"maps"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

func TestEncoding(t *testing.T) {
	attrs := map[string]string{"DisplayName": "Ops", "Policy": `{"Version":"2012-10-17"}`}
	b := Encode(attrs)
	golden.Check(t, "attributes-v1.json", append(b, '\n'))
	got, err := Decode(b)
	if err != nil || !maps.Equal(got, attrs) {
		t.Errorf("Decode = %v, %v", got, err)
	}
	if got, err := Decode(Encode(nil)); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no attributes decode to %v, %v; want an empty map", got, err)
	}
	for _, bad := range []string{`{"v":2}`, `{"attributes":{}}`, `not json`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s) accepted it", bad)
		}
	}
}
