package eventinput

import (
	"encoding/json"
	"errors"
	"testing"
)

// Kinds of configuration FuzzApply builds from its text.
const (
	fuzzWhole uint8 = iota
	fuzzInput
	fuzzInputPath
	fuzzTransformer
	fuzzKinds
)

// FuzzApply compiles configurations and applies them to events: neither
// may panic, Compile refuses with an *Error only, Apply fails with
// ErrUndeliverable only, and gives JSON for a JSON template, and for an
// InputPath of a JSON event.
func FuzzApply(f *testing.F) {
	for _, c := range readCorpus(f) {
		cfg, kind, text, paths := c.target.config(), fuzzWhole, "", []byte("{}")
		switch {
		case cfg.Input != nil:
			kind, text = fuzzInput, *cfg.Input
		case cfg.InputPath != nil:
			kind, text = fuzzInputPath, *cfg.InputPath
		case cfg.Transformer != nil:
			kind, text = fuzzTransformer, cfg.Transformer.Template
			var err error
			if paths, err = json.Marshal(cfg.Transformer.PathsMap); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(kind, text, string(paths), c.event)
	}
	f.Fuzz(func(t *testing.T, kind uint8, text, paths string, event []byte) {
		var cfg Config
		switch kind % fuzzKinds {
		case fuzzInput:
			cfg.Input = &text
		case fuzzInputPath:
			cfg.InputPath = &text
		case fuzzTransformer:
			tr := &Transformer{Template: text}
			// Paths that are not a JSON object give a transformer
			// without InputPathsMap.
			_ = json.Unmarshal([]byte(paths), &tr.PathsMap)
			cfg.Transformer = tr
		}
		in, err := Compile("t1", cfg)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("Compile error %v (%T) is not an *Error with a message", err, err)
			}
			return
		}
		out, err := in.Apply(event, corpusContext)
		if err != nil {
			if !errors.Is(err, ErrUndeliverable) {
				t.Fatalf("Apply: %v", err)
			}
			return
		}
		jsonTemplate := cfg.Transformer != nil && isJSONTemplate(text)
		if (jsonTemplate || cfg.InputPath != nil && json.Valid(event)) && !json.Valid(out) {
			t.Fatalf("Apply gave %q, which is not JSON", out)
		}
		if cfg.Input != nil && string(out) != text {
			t.Fatalf("Apply gave %q for the Input %q", out, text)
		}
	})
}
