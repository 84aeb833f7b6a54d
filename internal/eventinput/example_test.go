package eventinput

import "fmt"

// ExampleCompile shows the guide's example of a JSON template.
func ExampleCompile() {
	in, err := Compile("t1", Config{Transformer: &Transformer{
		PathsMap: map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state"},
		Template: `{"instance": <instance>, "status": "instance \"<instance>\" is in <state>", "rule": <aws.events.rule-name>}`,
	}})
	if err != nil {
		panic(err)
	}
	out, err := in.Apply([]byte(`{"id": "7bf73129", "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}}`),
		Context{RuleName: "example"})
	fmt.Println(string(out), err)
	// Output: {"instance":"i-0123456789","status":"instance \"i-0123456789\" is in RUNNING","rule":"example"} <nil>
}
