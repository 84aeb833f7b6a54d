package events

import (
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/eventinput"
)

// Input is a target's input configuration as it is stored: at most one
// of a constant Input, an InputPath, or an InputTransformer (PathsMap and
// Template); none sends the whole event.
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

// config is the input configuration as package eventinput takes it.
func (in Input) config() eventinput.Config {
	c := eventinput.Config{Input: in.Constant, InputPath: in.Path}
	if in.Template != nil {
		c.Transformer = &eventinput.Transformer{PathsMap: in.PathsMap, Template: *in.Template}
	}
	return c
}

// compile checks a target's input configuration as PutTargets does and
// returns it compiled.
func (in Input) compile(targetID string) (*eventinput.Input, error) {
	c, err := eventinput.Compile(targetID, in.config())
	var e *eventinput.Error
	if errors.As(err, &e) {
		return nil, errorf(Validation, "%s", e.Message)
	}
	return c, err
}

// apply makes what a target read from the store (decodeTarget, which
// compiles its input) receives of an event.
func (t *Target) apply(event []byte, ctx inputContext) ([]byte, error) {
	if t.compiled == nil {
		return nil, errors.New("the target's input configuration does not compile")
	}
	return t.compiled.Apply(event, eventinput.Context{RuleARN: ctx.RuleARN, RuleName: ctx.RuleName, IngestionTime: ctx.Ingestion})
}
