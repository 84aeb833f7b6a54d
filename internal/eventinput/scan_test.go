package eventinput

import (
	"encoding/json"
	"testing"
)

// TestAppendQuoted checks the JSON strings of the predefined variables
// that hold text: escaped as Jackson escapes, and read back as they were.
func TestAppendQuoted(t *testing.T) {
	f := func(s, want string) {
		t.Helper()
		got := appendQuoted(nil, s)
		if string(got) != want {
			t.Errorf("appendQuoted(%q) = %s; want %s", s, got, want)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%s reads back as %q, %v", got, back, err)
		}
	}
	f("example", `"example"`)
	f(`say "hi" \ bye`, `"say \"hi\" \\ bye"`)
	f("a\tb\nc\rd\be\ff", `"a\tb\nc\rd\be\ff"`)
	f("\x00\x1f\x7f", `"\u0000\u001F`+"\x7f"+`"`)
	f("<&> héllo 😀", `"<&> héllo 😀"`)
}
