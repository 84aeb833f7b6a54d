package alarms

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ruleCase is a file of testdata/rules: the rule, then a line "---", then
// for a valid rule its String(), a "child: REF" line per child and
// "eval: A=ALARM B=OK -> true" lines (children not listed do not exist),
// for an invalid one the error message. The file's name starts with
// valid- or invalid-.
type ruleCase struct {
	rule     string
	expected []string
}

func readRuleCase(t testing.TB, file string) ruleCase {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	sep := slices.Index(lines, "---")
	if sep < 0 {
		t.Fatalf("%s has no line ---", file)
	}
	return ruleCase{rule: strings.Join(lines[:sep], "\n"), expected: lines[sep+1:]}
}

func ruleCaseFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("testdata/rules", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRuleCorpus(t *testing.T) {
	files := ruleCaseFiles(t)
	if len(files) < 30 {
		t.Fatalf("found %d cases; want at least 30", len(files))
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			c := readRuleCase(t, file)
			r, err := ParseRule(c.rule)
			switch {
			case strings.HasPrefix(name, "valid-"):
				if err != nil {
					t.Fatalf("ParseRule(%q): %v", c.rule, err)
				}
				checkValidCase(t, r, c.expected)
			case strings.HasPrefix(name, "invalid-"):
				if err == nil {
					t.Fatalf("ParseRule(%q) = %s; want an error", c.rule, r)
				}
				if want := strings.Join(c.expected, "\n"); err.Error() != want {
					t.Errorf("ParseRule(%q) error\n got %s\nwant %s", c.rule, err, want)
				}
			default:
				t.Fatal("name starts with neither valid- nor invalid-")
			}
		})
	}
}

func checkValidCase(t *testing.T, r *Rule, expected []string) {
	t.Helper()
	if len(expected) == 0 {
		t.Fatal("no canonical form after ---")
	}
	if got := r.String(); got != expected[0] {
		t.Errorf("String()\n got %s\nwant %s", got, expected[0])
	}
	var children []string
	for _, line := range expected[1:] {
		if child, ok := strings.CutPrefix(line, "child: "); ok {
			children = append(children, child)
			continue
		}
		spec, ok := strings.CutPrefix(line, "eval: ")
		if !ok {
			t.Fatalf("line %q is neither child: nor eval:", line)
		}
		states, want, ok := strings.Cut(spec, "->")
		want = strings.TrimSpace(want)
		if !ok || (want != "true" && want != "false") {
			t.Fatalf("line %q does not end in -> true or -> false", line)
		}
		known := map[string]State{}
		for _, f := range strings.Fields(states) {
			ref, s, _ := strings.Cut(f, "=")
			switch State(s) {
			case StateOK, StateAlarm, StateInsufficientData:
				known[ref] = State(s)
			default:
				t.Fatalf("line %q: unknown state %q", line, s)
			}
		}
		got := r.Eval(func(ref string) (State, bool) {
			s, ok := known[ref]
			return s, ok
		})
		if fmt.Sprint(got) != want {
			t.Errorf("Eval with %s = %v; want %s", states, got, want)
		}
	}
	if got := r.Children(); !slices.Equal(got, children) {
		t.Errorf("Children() = %q; want %q", got, children)
	}
}

func TestRuleLength(t *testing.T) {
	// "é" is two bytes and one character: the limit counts characters.
	name := strings.Repeat("é", MaxRuleLength-len(`ALARM("")`))
	rule := `ALARM("` + name + `")`
	r, err := ParseRule(rule)
	if err != nil {
		t.Fatalf("rule of %d characters: %v", MaxRuleLength, err)
	}
	if got := r.Children(); !slices.Equal(got, []string{name}) {
		t.Errorf("Children() of the longest rule is not its name")
	}
	_, err = ParseRule(rule + " ")
	want := "Error in AlarmRule [Rule has 10241 characters, more than the maximum of 10240]"
	if err == nil || err.Error() != want {
		t.Errorf("rule of %d characters: got error %v; want %s", MaxRuleLength+1, err, want)
	}
}

// joinRule returns the rule that joins n operands made by f with op.
func joinRule(n int, op string, f func(i int) string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f(i)
	}
	return strings.Join(parts, " "+op+" ")
}

func TestRuleChildrenLimit(t *testing.T) {
	ref := func(i int) string { return fmt.Sprintf("ALARM(a%d)", i) }
	// The limit counts distinct alarms: the first 100 again add none.
	rule := joinRule(MaxRuleChildren, "OR", ref) + " AND " + joinRule(MaxRuleChildren, "AND", ref)
	r, err := ParseRule(rule)
	if err != nil {
		t.Fatalf("%d children twice: %v", MaxRuleChildren, err)
	}
	if got := len(r.Children()); got != MaxRuleChildren {
		t.Errorf("len(Children()) = %d; want %d", got, MaxRuleChildren)
	}
	_, err = ParseRule(joinRule(MaxRuleChildren+1, "OR", ref))
	want := "Error in AlarmRule [Rule references 101 alarms, more than the maximum of 100]"
	if err == nil || err.Error() != want {
		t.Errorf("%d children: got error %v; want %s", MaxRuleChildren+1, err, want)
	}
	// A name and the ARN of the same alarm are two references.
	r, err = ParseRule(`ALARM(x) OR ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:x")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(r.Children()); got != 2 {
		t.Errorf("a name and its ARN: %d children; want 2", got)
	}
}

func TestRuleElementsLimit(t *testing.T) {
	tests := []struct {
		name string
		rule string
		err  string
	}{
		{"500 constants", joinRule(500, "OR", func(int) string { return "TRUE" }), ""},
		{"501 constants", joinRule(501, "OR", func(int) string { return "TRUE" }),
			"Error in AlarmRule [Rule has 501 elements, more than the maximum of 500]"},
		// Every occurrence of a child counts, not only the first.
		{"501 functions of one child", joinRule(501, "AND", func(int) string { return "OK(x)" }),
			"Error in AlarmRule [Rule has 501 elements, more than the maximum of 500]"},
		// A pair of parentheses counts as one element.
		{"250 groups", joinRule(250, "OR", func(int) string { return "(FALSE)" }), ""},
		{"250 groups and a constant", joinRule(250, "OR", func(int) string { return "(FALSE)" }) + " OR TRUE",
			"Error in AlarmRule [Rule has 501 elements, more than the maximum of 500]"},
		{"499 nested groups", strings.Repeat("(", 499) + "TRUE" + strings.Repeat(")", 499), ""},
		{"500 nested groups", strings.Repeat("(", 500) + "TRUE" + strings.Repeat(")", 500),
			"Error in AlarmRule [Rule has 501 elements, more than the maximum of 500]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRule(tt.rule)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.err {
				t.Errorf("error %q; want %q", got, tt.err)
			}
		})
	}
}

func TestRuleEval(t *testing.T) {
	states := map[string]State{"a": StateAlarm, "o": StateOK, "i": StateInsufficientData}
	lookup := func(ref string) (State, bool) {
		s, ok := states[ref]
		return s, ok
	}
	tests := []struct {
		rule string
		want bool
	}{
		{"ALARM(a)", true},
		{"ALARM(o)", false},
		{"OK(o)", true},
		{"OK(i)", false},
		{"INSUFFICIENT_DATA(i)", true},
		{"INSUFFICIENT_DATA(a)", false},
		// A missing child counts as INSUFFICIENT_DATA.
		{"ALARM(gone)", false},
		{"OK(gone)", false},
		{"INSUFFICIENT_DATA(gone)", true},
		{"NOT ALARM(gone)", true},
		{"TRUE", true},
		{"FALSE", false},
		{"NOT TRUE", false},
		{"NOT NOT TRUE", true},
		{"TRUE AND FALSE", false},
		{"TRUE OR FALSE", true},
		// NOT binds tighter than AND, AND tighter than OR.
		{"NOT FALSE AND FALSE", false},
		{"NOT (FALSE AND FALSE)", true},
		{"TRUE OR TRUE AND FALSE", true},
		{"(TRUE OR TRUE) AND FALSE", false},
		{"FALSE AND FALSE OR TRUE", true},
		{"FALSE AND (FALSE OR TRUE)", false},
	}
	for _, tt := range tests {
		r, err := ParseRule(tt.rule)
		if err != nil {
			t.Errorf("ParseRule(%q): %v", tt.rule, err)
			continue
		}
		if got := r.Eval(lookup); got != tt.want {
			t.Errorf("Eval(%q) = %v; want %v", tt.rule, got, tt.want)
		}
	}
}

func TestRuleEvalExhaustive(t *testing.T) {
	// The rule of the guide's third example, against its meaning for
	// every state of its three children.
	r, err := ParseRule("(ALARM(CPUUtilizationTooHigh) OR ALARM(DiskReadOpsTooHigh)) AND OK(NetworkOutTooHigh)")
	if err != nil {
		t.Fatal(err)
	}
	all := []State{StateOK, StateAlarm, StateInsufficientData}
	for _, cpu := range all {
		for _, disk := range all {
			for _, net := range all {
				states := map[string]State{"CPUUtilizationTooHigh": cpu, "DiskReadOpsTooHigh": disk, "NetworkOutTooHigh": net}
				got := r.Eval(func(ref string) (State, bool) { s, ok := states[ref]; return s, ok })
				want := (cpu == StateAlarm || disk == StateAlarm) && net == StateOK
				if got != want {
					t.Errorf("cpu %s, disk %s, network %s: %v; want %v", cpu, disk, net, got, want)
				}
			}
		}
	}
}

func TestRuleChildrenCopy(t *testing.T) {
	r, err := ParseRule("ALARM(a) OR ALARM(b)")
	if err != nil {
		t.Fatal(err)
	}
	r.Children()[0] = "changed"
	if got := r.Children(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Children() = %q after its result was changed; want [a b]", got)
	}
}

func TestRuleRefName(t *testing.T) {
	tests := []struct{ ref, want string }{
		{"CPUUtilizationTooHigh", "CPUUtilizationTooHigh"},
		{"my alarm", "my alarm"},
		{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:CPUUtilizationTooHigh", "CPUUtilizationTooHigh"},
		{"arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:my alarm", "my alarm"},
		{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:a:b:alarm:c", "a:b:alarm:c"},
		{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:", "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"},
		{"arn:aws:sns:us-east-1:123456789012:alarm:x", "arn:aws:sns:us-east-1:123456789012:alarm:x"},
		{"arn:aws:cloudwatch:us-east-1:123456789012:dashboard/x", "arn:aws:cloudwatch:us-east-1:123456789012:dashboard/x"},
		{"x:y:cloudwatch:r:a:alarm:z", "x:y:cloudwatch:r:a:alarm:z"},
	}
	for _, tt := range tests {
		if got := RuleRefName(tt.ref); got != tt.want {
			t.Errorf("RuleRefName(%q) = %q; want %q", tt.ref, got, tt.want)
		}
	}
}

// FuzzParseRule checks that ParseRule never panics and that a rule's
// canonical form parses back to itself. A canonical form may outgrow
// MaxRuleLength (it quotes every reference and spaces every operator):
// it must then fail on the length alone.
func FuzzParseRule(f *testing.F) {
	for _, file := range ruleCaseFiles(f) {
		f.Add(readRuleCase(f, file).rule)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		canon := r.String()
		r2, err := ParseRule(canon)
		if err != nil {
			if strings.HasPrefix(err.Error(), "Error in AlarmRule [Rule has ") && strings.HasSuffix(err.Error(), " characters, more than the maximum of 10240]") {
				return
			}
			t.Fatalf("ParseRule(%q).String() = %q does not parse: %v", s, canon, err)
		}
		if got := r2.String(); got != canon {
			t.Fatalf("ParseRule(%q).String() = %q parses to %q", s, canon, got)
		}
		if !slices.Equal(r2.Children(), r.Children()) {
			t.Fatalf("ParseRule(%q): children %q; of its canonical form %q", s, r.Children(), r2.Children())
		}
	})
}
