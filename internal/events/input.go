package events

import (
	"encoding/json"
	"time"
)

// Input is a target's input configuration: at most one of a constant
// Input, an InputPath, or an InputTransformer (PathsMap and Template);
// none sends the whole event.
type Input struct {
	Constant, Path *string           `json:",omitempty"`
	PathsMap       map[string]string `json:",omitempty"`
	Template       *string           `json:",omitempty"`
}

// inputContext is what an invocation knows besides the event.
type inputContext struct {
	RuleARN, RuleName string
	Ingestion         time.Time
}

func (in Input) validate() error {
	n := 0
	for _, set := range []bool{in.Constant != nil, in.Path != nil, in.Template != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errorf(Validation, "Only one of Input, InputPath, or InputTransformer must be provided.")
	}
	if in.Path != nil || in.Template != nil {
		return errorf(Validation, "Vigil does not apply InputPath and InputTransformer yet: give Input, or neither.")
	}
	if in.Constant != nil && !json.Valid([]byte(*in.Constant)) {
		return errorf(Validation, "Input is not valid JSON text.")
	}
	return nil
}

func (in Input) apply(event []byte, _ inputContext) ([]byte, error) {
	if in.Constant != nil {
		return []byte(*in.Constant), nil
	}
	return event, nil
}
