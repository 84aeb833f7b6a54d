package eventinput

// A path is a compiled JsonPath of the subset EventBridge supports (see
// the package documentation).
type path struct {
	steps []step
	// many is set when a step is a wildcard: the path selects a list.
	many bool
}

// step is one step of a path.
type step struct {
	kind  stepKind
	name  string // of a member step
	index int    // of an element step
}

type stepKind uint8

const (
	member  stepKind = iota // .name
	element                 // [index]
	every                   // .* or [*]: every member or element
)

// maxIndexDigits bounds an array index, which no event reaches.
const maxIndexDigits = 9

// parsePath compiles s, or reports that it is not a path EventBridge
// takes.
func parsePath(s string) (*path, bool) {
	if s == "" || s[0] != '$' {
		return nil, false
	}
	p := &path{}
	for i := 1; i < len(s); {
		var st step
		switch s[i] {
		case '.':
			j := i + 1
			for j < len(s) && nameByte(s[j]) {
				j++
			}
			st = step{kind: member, name: s[i+1 : j]}
			switch st.name {
			case "":
				return nil, false
			case "*":
				st.kind = every
			}
			i = j
		case '[':
			j := i + 1
			for j < len(s) && s[j] != ']' {
				j++
			}
			if j == len(s) {
				return nil, false
			}
			inner := s[i+1 : j]
			if inner == "*" {
				st.kind = every
			} else if st.index, st.kind = index(inner), element; st.index < 0 {
				return nil, false
			}
			i = j + 1
		default:
			return nil, false
		}
		p.many = p.many || st.kind == every
		p.steps = append(p.steps, st)
	}
	return p, true
}

// nameByte reports whether c may be part of a member name in dot
// notation: not a blank, a control character, a dot, a bracket, a
// parenthesis or a quote, which Jayway JsonPath reads otherwise.
func nameByte(c byte) bool {
	switch c {
	case '.', '[', ']', '(', ')', '\'', '"', ' ', 0x7f:
		return false
	}
	return c > ' '
}

// index returns the value of the decimal digits s, or -1.
func index(s string) int {
	if s == "" || len(s) > maxIndexDigits {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
