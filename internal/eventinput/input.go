package eventinput

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config is a target's input configuration, as PutTargets takes it. At
// most one field is set; none means the target receives the whole event.
type Config struct {
	// Input is the Target's Input: JSON text the target receives instead
	// of the event.
	Input *string
	// InputPath is the Target's InputPath: a JsonPath selecting the part
	// of the event the target receives.
	InputPath *string
	// Transformer is the Target's InputTransformer.
	Transformer *Transformer
}

// Transformer is an InputTransformer: a template the target receives,
// filled with values of the event.
type Transformer struct {
	// PathsMap is the InputPathsMap: each key names a placeholder of the
	// template, and its value is the JsonPath of the value in the event.
	PathsMap map[string]string
	// Template is the InputTemplate.
	Template string
}

// Context is what the predefined variables of a template hold besides the
// event: the rule whose target receives it, and when EventBridge received
// the event.
type Context struct {
	// RuleARN is <aws.events.rule-arn>.
	RuleARN string
	// RuleName is <aws.events.rule-name>.
	RuleName string
	// IngestionTime is <aws.events.event.ingestion-time>.
	IngestionTime time.Time
}

// Input is a compiled Config: what a target receives of each event. It is
// immutable and safe for concurrent use.
type Input struct {
	// Of constant, inputPath and tmpl, at most one is set, as in the
	// Config.
	constant  []byte
	inputPath *finder
	tmpl      *template
}

// Error is a target's input configuration that PutTargets refuses.
type Error struct {
	// Message is that of AWS's ValidationException, as in "InputTemplate
	// for target t1 contains invalid placeholder x.".
	Message string
}

// Error returns the Message.
func (e *Error) Error() string { return e.Message }

// errorf returns an *Error with a formatted message.
func errorf(format string, args ...any) *Error {
	return &Error{Message: fmt.Sprintf(format, args...)}
}

// ErrUndeliverable is the error of Apply when the input it builds is one
// AWS does not deliver: a JSON template that does not give JSON, or an
// InputPath that selects nothing. The target is not invoked.
var ErrUndeliverable = errors.New("undeliverable input")

// Compile checks the input configuration c of the target targetID as
// PutTargets does and compiles it. A configuration PutTargets refuses
// yields an *Error with AWS's message, which names targetID.
func Compile(targetID string, c Config) (*Input, error) {
	set := 0
	for _, ok := range []bool{c.Input != nil, c.InputPath != nil, c.Transformer != nil} {
		if ok {
			set++
		}
	}
	if set > 1 {
		return nil, errorf("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", targetID)
	}
	switch {
	case c.Input != nil:
		in := []byte(*c.Input)
		if !json.Valid(in) {
			return nil, errorf("JSON syntax error in input for target %s: %s", targetID, jacksonLocation(in))
		}
		return &Input{constant: in}, nil
	case c.InputPath != nil:
		p, ok := parsePath(*c.InputPath)
		if !ok {
			return nil, invalidPath(targetID)
		}
		return &Input{inputPath: newFinder(p)}, nil
	case c.Transformer != nil:
		t, err := compileTemplate(targetID, c.Transformer)
		if err != nil {
			return nil, err
		}
		return &Input{tmpl: t}, nil
	}
	return &Input{}, nil
}

// invalidPath is the error of a path EventBridge does not take, in
// InputPath or InputPathsMap.
func invalidPath(targetID string) *Error {
	return errorf("InputPath for target %s is invalid.", targetID)
}

// Apply returns what the target receives of event, an event EventBridge
// delivers, matched by the rule ctx names. The result may share memory
// with event or with the Config's Input; it must not be modified. An input
// AWS would not deliver yields an error wrapping ErrUndeliverable.
//
// Apply reads event as JSON without checking it, as every event is JSON
// before a rule matches it: given other bytes it returns what it finds,
// and never panics. What a JSON template gives is JSON, whatever event is.
func (in *Input) Apply(event []byte, ctx Context) ([]byte, error) {
	switch {
	case in.constant != nil:
		return in.constant, nil
	case in.inputPath == nil && in.tmpl == nil:
		return event, nil
	case in.inputPath != nil:
		if v := in.inputPath.find(event)[0]; v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("%w: InputPath selects nothing in the event", ErrUndeliverable)
	}
	return in.tmpl.fill(event, ctx)
}

// maxSnippet is how many characters of its source Jackson quotes in a
// location.
const maxSnippet = 500

// jacksonLocation returns the location of the first syntax error in src as
// Jackson words it, which AWS appends to its message: `[Source:
// (String)"{'a': 1}"; line: 1, column: 3]`. Jackson counts characters,
// and its column is the one after the character at fault, or after a
// word it does not know. The offsets come from encoding/json, which stops
// where Jackson does for these faults (an unquoted name, a stray
// character, an unknown word, the end of the text) and may stop a
// character or two apart from it for others, such as a malformed number.
func jacksonLocation(src []byte) string {
	read := len(src)
	var serr *json.SyntaxError
	if errors.As(json.Unmarshal(src, new(json.RawMessage)), &serr) {
		read = int(serr.Offset)
		// Jackson reads a word it does not know to its end: from a
		// misspelt literal, up to the character at fault if that ends
		// the word, and from a word where a value begins.
		msg := serr.Error()
		inWord := read > 0 && strings.Contains(msg, " in literal ")
		if inWord && !wordByte(src[read-1]) {
			read--
		}
		if inWord || read > 0 && strings.HasSuffix(msg, "looking for beginning of value") && wordByte(src[read-1]) {
			for read < len(src) && wordByte(src[read]) {
				read++
			}
		}
	}
	line, rowStart := 1, 0
	for i, c := range src[:read] {
		if c == '\n' {
			line++
			rowStart = i + 1
		}
	}
	snippet, truncated := src, 0
	if n := utf16Len(src); n > maxSnippet {
		kept := 0
		for i, r := range string(src) {
			units := 1
			if r >= 0x10000 {
				units = 2
			}
			if kept+units > maxSnippet {
				snippet = src[:i]
				break
			}
			kept += units
		}
		truncated = n - kept
	}
	loc := `[Source: (String)"` + string(snippet) + `"`
	if truncated > 0 {
		loc += fmt.Sprintf("[truncated %d chars]", truncated)
	}
	return loc + fmt.Sprintf("; line: %d, column: %d]", line, utf16Len(src[rowStart:read])+1)
}

// wordByte reports whether Jackson reads c as part of a word it does not
// know (Character.isJavaIdentifierPart, for ASCII; any byte of a
// multibyte character).
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
}
