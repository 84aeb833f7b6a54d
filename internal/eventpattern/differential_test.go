package eventpattern

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gen makes random patterns and events over a small vocabulary, so that
// their values often meet.
type gen struct {
	r *rand.Rand
}

var (
	genPaths   = []string{"a", "b", "c.d", "c.e", "arr.x", "arr.y", "n"}
	genStrings = []string{"", "a", "ab", "abc", "b", "B", "Ab", "10.0.0.1", "10.0.1.5", "2001:db8::1", "x*y", "é", "É"}
	genNumbers = []string{"0", "1", "1.5", "100", "-3", "1e2", "6e9", "0.0000001"}
	genGlobs   = []string{"*", "a*", "*b", "a*b", "*b*", "ab", `x\*y`, "*.*"}
	genCIDRs   = []string{"10.0.0.0/24", "10.0.0.0/8", "2001:db8::/32", "0.0.0.0/0"}
)

func (g gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g gen) quoted(s []string) string {
	b, _ := json.Marshal(g.pick(s))
	return string(b)
}

// cond returns one value of a pattern's list, as JSON.
func (g gen) cond() string {
	switch g.r.IntN(20) {
	case 0, 1:
		return g.quoted(genStrings)
	case 2:
		return g.pick(genNumbers)
	case 3:
		return g.pick([]string{"true", "false", "null"})
	case 4:
		return `{"prefix": ` + g.quoted(genStrings) + `}`
	case 5:
		return `{"prefix": {"equals-ignore-case": ` + g.quoted(genStrings) + `}}`
	case 6:
		return `{"suffix": ` + g.quoted(genStrings) + `}`
	case 7:
		return `{"suffix": {"equals-ignore-case": ` + g.quoted(genStrings) + `}}`
	case 8:
		return `{"equals-ignore-case": ` + g.quoted(genStrings) + `}`
	case 9:
		return `{"wildcard": ` + g.quoted(genGlobs) + `}`
	case 10:
		return `{"anything-but": ` + g.pick([]string{g.quoted(genStrings), "1", `["a", "b"]`, "[0, 100]"}) + `}`
	case 11:
		op := g.pick([]string{"prefix", "suffix", "equals-ignore-case", "wildcard"})
		v := g.quoted(genStrings)
		if op == "wildcard" {
			v = g.quoted(genGlobs)
		}
		if v == `""` && (op == "prefix" || op == "suffix") {
			v = `"a"`
		}
		return `{"anything-but": {"` + op + `": ` + v + `}}`
	case 12, 13:
		lo, hi := g.r.IntN(5)-1, g.r.IntN(200)
		switch g.r.IntN(4) {
		case 0:
			return fmt.Sprintf(`{"numeric": ["=", %d]}`, lo)
		case 1:
			return fmt.Sprintf(`{"numeric": ["%s", %d]}`, g.pick([]string{"<", "<=", ">", ">="}), hi)
		}
		return fmt.Sprintf(`{"numeric": [">%s", %d, "<%s", %d]}`, g.pick([]string{"", "="}), lo, g.pick([]string{"", "="}), lo+1+hi)
	case 14:
		return `{"exists": true}`
	case 15:
		return `{"exists": false}`
	case 16:
		return `{"cidr": "` + g.pick(genCIDRs) + `"}`
	}
	return g.quoted(genStrings)
}

// fields returns the members of a pattern object, as JSON.
func (g gen) fields(n int) string {
	var members []string
	for range n {
		var vals []string
		for range 1 + g.r.IntN(3) {
			vals = append(vals, g.cond())
		}
		path := strings.Split(g.pick(genPaths), ".")
		v := "[" + strings.Join(vals, ", ") + "]"
		for i := len(path) - 1; i > 0; i-- {
			v = `{"` + path[i] + `": ` + v + `}`
		}
		members = append(members, `"`+path[0]+`": `+v)
	}
	return strings.Join(members, ", ")
}

// pattern returns a random pattern, as JSON.
func (g gen) pattern() string {
	members := g.fields(1 + g.r.IntN(3))
	if g.r.IntN(5) == 0 {
		members += `, "$or": [{` + g.fields(1+g.r.IntN(2)) + `}, {` + g.fields(1) + `}]`
	}
	return "{" + members + "}"
}

// scalar returns a random JSON value for an event.
func (g gen) scalar() string {
	switch g.r.IntN(4) {
	case 0:
		return g.pick(genNumbers)
	case 1:
		return g.pick([]string{"true", "false", "null"})
	}
	return g.quoted(genStrings)
}

// event returns a random event, as JSON.
func (g gen) event() string {
	val := func() string {
		switch g.r.IntN(6) {
		case 0:
			return "[" + g.scalar() + ", " + g.scalar() + "]"
		case 1:
			return "[]"
		case 2:
			return `{"z": 1}`
		}
		return g.scalar()
	}
	var members []string
	for _, k := range []string{"a", "b", "n"} {
		if g.r.IntN(4) > 0 {
			members = append(members, `"`+k+`": `+val())
		}
	}
	if g.r.IntN(3) > 0 {
		members = append(members, `"c": {"d": `+val()+`, "e": `+val()+`}`)
	} else if g.r.IntN(2) == 0 {
		members = append(members, `"c.d": `+val())
	}
	if g.r.IntN(3) > 0 {
		var elems []string
		for range g.r.IntN(4) {
			elems = append(elems, `{"x": `+val()+`, "y": `+val()+`}`)
		}
		members = append(members, `"arr": [`+strings.Join(elems, ", ")+`]`)
	}
	return "{" + strings.Join(members, ", ") + "}"
}

// checkAgree checks that m matches evt as the patterns do one by one.
func checkAgree(t *testing.T, m *Matcher, patterns map[string]*Pattern, evt []byte) {
	t.Helper()
	got, err := m.Match(evt)
	var want []string
	for id, p := range patterns {
		ok, perr := p.Matches(evt)
		if (perr != nil) != (err != nil) {
			t.Fatalf("event %s: Matcher error %v, pattern %s error %v", evt, err, id, perr)
		}
		if ok {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		var missing, extra []string
		for _, id := range want {
			if !slices.Contains(got, id) {
				missing = append(missing, id+" "+patterns[id].String())
			}
		}
		for _, id := range got {
			if !slices.Contains(want, id) {
				extra = append(extra, id)
			}
		}
		t.Fatalf("event %s:\nMatcher misses %v\nMatcher adds %v", evt, missing, extra)
	}
}

// TestDifferential checks that a Matcher holding many random patterns
// finds the same matches as the patterns alone, as patterns come and go.
func TestDifferential(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(1, 2))}
	m := NewMatcher()
	patterns := map[string]*Pattern{}
	add := func(n int) {
		for range n {
			text := g.pattern()
			p, err := Parse([]byte(text))
			if err != nil {
				continue
			}
			id := fmt.Sprintf("p%d", g.r.IntN(1_000_000))
			m.Add(id, p)
			patterns[id] = p
		}
	}
	add(600)
	for round := range 6 {
		for range 300 {
			checkAgree(t, m, patterns, []byte(g.event()))
		}
		// Remove a third of the patterns and add new ones.
		for id := range patterns {
			if g.r.IntN(3) == 0 {
				m.Remove(id)
				delete(patterns, id)
			}
		}
		add(200 * round)
		if m.Len() != len(patterns) {
			t.Fatalf("Len = %d; want %d", m.Len(), len(patterns))
		}
	}
}

// TestMatcherReplace checks that Add replaces the pattern under an id.
func TestMatcherReplace(t *testing.T) {
	m := NewMatcher()
	p1, _ := Parse([]byte(`{"a": ["1"]}`))
	p2, _ := Parse([]byte(`{"a": ["2"]}`))
	m.Add("x", p1)
	m.Add("x", p2)
	for evt, want := range map[string]int{`{"a": "1"}`: 0, `{"a": "2"}`: 1} {
		ids, err := m.Match([]byte(evt))
		if err != nil || len(ids) != want {
			t.Errorf("Match(%s) = %v, %v; want %d ids", evt, ids, err, want)
		}
	}
	m.Remove("x")
	m.Remove("x")
	if ids, _ := m.Match([]byte(`{"a": "2"}`)); len(ids) != 0 || m.Len() != 0 {
		t.Errorf("after Remove: %v, Len %d", ids, m.Len())
	}
}

// refLeaf is a value of an event, for refMatches.
type refLeaf struct {
	path  string
	leaf  leaf
	trail []arrayPos
}

// refFlatten flattens a decoded event the way the package documents:
// dotted paths, arrays crushed out, elements that are objects or arrays
// recorded in the trail.
func refFlatten(v any, path string, trail []arrayPos, arrays *int32, out *[]refLeaf) {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			refFlatten(x, join(k), trail, arrays, out)
		}
	case []any:
		id := *arrays
		*arrays++
		for i, x := range v {
			switch x.(type) {
			case map[string]any, []any:
				refFlatten(x, path, append(slices.Clip(trail), arrayPos{id, int32(i)}), arrays, out)
			default:
				refFlatten(x, path, trail, arrays, out)
			}
		}
	default:
		l := leaf{arena: new([]byte)}
		switch v := v.(type) {
		case string:
			l.kind, l.text = vString, v
		case json.Number:
			l.kind, l.text = vNumber, string(v)
			l.key, l.keyOK = numberKey(l.text)
		case bool:
			l.kind, l.text = vFalse, "false"
			if v {
				l.kind, l.text = vTrue, "true"
			}
		case nil:
			l.kind, l.text = vNull, "null"
		}
		*out = append(*out, refLeaf{path: path, leaf: l, trail: trail})
	}
}

// refMatches reports whether pattern p matches evt, by brute force.
func refMatches(t *testing.T, p *Pattern, evt []byte) bool {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(evt)))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", evt, err)
	}
	var leaves []refLeaf
	var arrays int32
	refFlatten(v, "", nil, &arrays, &leaves)
	consistent := func(a, b []arrayPos) bool {
		for _, x := range a {
			for _, y := range b {
				if x.array == y.array && x.index != y.index {
					return false
				}
			}
		}
		return true
	}
	for _, r := range p.rules {
		// Try every choice of a matching leaf per field.
		var choose func(i int, chosen [][]arrayPos) bool
		choose = func(i int, chosen [][]arrayPos) bool {
			if i == len(r.fields) {
				return true
			}
			f := &r.fields[i]
			present := false
			for j := range leaves {
				l := &leaves[j]
				if l.path != f.path {
					continue
				}
				present = true
				if !f.matches(&l.leaf) {
					continue
				}
				ok := true
				for _, c := range chosen {
					ok = ok && consistent(c, l.trail)
				}
				if ok && choose(i+1, append(chosen, l.trail)) {
					return true
				}
			}
			return !present && f.absent && choose(i+1, chosen)
		}
		if choose(0, nil) {
			return true
		}
	}
	return false
}

// TestReference checks Pattern.Matches against a brute-force reading of
// the documented semantics, on random patterns and events.
func TestReference(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(9, 10))}
	for range 3000 {
		p, err := Parse([]byte(g.pattern()))
		if err != nil {
			continue
		}
		for range 10 {
			evt := []byte(g.event())
			got, err := p.Matches(evt)
			if err != nil {
				t.Fatal(err)
			}
			if want := refMatches(t, p, evt); got != want {
				t.Fatalf("%s on %s: Matches = %v; the reference says %v", p, evt, got, want)
			}
		}
	}
}
