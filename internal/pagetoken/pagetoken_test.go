package pagetoken

import "testing"

func TestRoundTrip(t *testing.T) {
	for _, key := range []string{"", "queue-1", "a b/c:d", "ünï"} {
		got, ok := Decode("list1:", Encode("list1:", key))
		if !ok || got != key {
			t.Errorf("Decode(Encode(%q)) = %q, %v", key, got, ok)
		}
	}
	if key, ok := Decode("list1:", ""); !ok || key != "" {
		t.Errorf("no token = %q, %v", key, ok)
	}
	for _, bad := range []string{"!!!", Encode("other1:", "x")} {
		if _, ok := Decode("list1:", bad); ok {
			t.Errorf("Decode(%q) accepted another list's token", bad)
		}
	}
}
