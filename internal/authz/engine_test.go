package authz

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// thingInput is the input type of the synthetic service "t" below.
type thingInput struct {
	Name   *string           `aws:"Name"`
	Other  *string           `aws:"Other"`
	Arn    *string           `aws:"Arn"`
	Names  []string          `aws:"Names"`
	Tags   map[string]string `aws:"Tags"`
	Query  *string           `aws:"Query"`
	Items  []thingItem       `aws:"Items"`
	Nested *thingItem        `aws:"Nested"`
	Count  *int32            `aws:"Count"`
	On     *bool             `aws:"On"`
	When   *time.Time        `aws:"When"`
	Mode   string            `aws:"Mode"`
}

type thingItem struct {
	Key   *string  `aws:"Key"`
	Value *string  `aws:"Value"`
	Subs  []string `aws:"Subs"`
}

// thingData is the synthetic service's tables; rows are appended as
// "op X …" lines.
const thingData = `service t
resource thing arn:${Partition}:t:${Region}:${Account}:thing/${ThingName} {aws:ResourceTag/${TagKey}}
resource part arn:${Partition}:t:${Region}:${Account}:thing/${ThingName}/part/${PartName}
resource global arn:${Partition}:t:::global/${ThingName}
action Get thing* {aws:RequestTag/${TagKey} aws:TagKeys t:Key t:Num}
action Opt thing part
action List
`

// compileThing compiles the operation X of thingData plus rows.
func compileThing(rows string) (*Resolver, error) {
	all := map[string]*serviceDef{}
	if err := parseData("t.authz", thingData+rows, all); err != nil {
		return nil, err
	}
	if err := checkTables(all["t"]); err != nil {
		return nil, err
	}
	c := &compiler{all: all}
	co, err := c.op(all["t"].ops["X"], reflect.TypeFor[thingInput]())
	if err != nil {
		return nil, err
	}
	return &Resolver{ops: map[string]map[string]*compiledOp{"t": {"X": co}}}, nil
}

func TestDataErrors(t *testing.T) {
	f := func(rows, want string) {
		t.Helper()
		_, err := compileThing(rows)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got error %v, want one containing %q", rows, err, want)
		}
	}
	// The lines.
	f("bogus line\n", `unknown line kind "bogus"`)
	f("service t\n", "bad or repeated service")
	f("  t:Get thing(ThingName=Name)\n", "continuation line")
	f("op X -\n  t:Get thing(ThingName=Name)\n", "continuation line")
	f("op X\n", "needs an operation and a requirement")
	f("op X t:List *\nop X t:List *\n", "mapped twice")
	f("resource thing arn:${Partition}:t::x\n", "defined twice")
	f("resource y arn:${Partition}:t:${A}${B}\n", "touch")
	f("resource y arn:${Partition}:t:${A\n", "unterminated variable")
	f("resource y urn:x\n", `does not start with "arn:"`)
	f("resource y arn:x {k\n", "unterminated {")
	f("action Get\n", "defined twice")
	f("action Z nothing*\n", "no resource line")
	// Requirements.
	f("op X Get thing(ThingName=Name)\n", "is not SERVICE:ACTION")
	f("op X t:Get\n", "names no resource")
	f("op X t:Get {t:Key=Name} thing(ThingName=Name)\n", "must come last")
	f("op X t:Get thing(ThingName=Name\n", "unbalanced")
	f(`op X t:Get thing(ThingName="x)`+"\n", "unbalanced")
	f("op X t:Get thing(Name)\n", "is not VAR=SRC")
	f("op X t:Get thing\n", "is not *, arn(SRC) or TYPE")
	f(`op X if(Name == x) t:Get thing(ThingName=Name)`+"\n", "not a quoted literal")
	f("op X t:Get thing(ThingName=Na me)\n", "bad member path")
	f("op X t:Get thing(ThingName=@thing)\n", "bad converted member")
	f("op X t:Get * {Key=Name}\n", "is not KEY=SRC")
	// Against the tables.
	f("op X t:Nope *\n", "not in t's action list")
	f("op X u:Get *\n", "no data for service u")
	f("op X t:Get thing(ThingName=Name) *\n", "must be marked !*")
	f("op X t:Get nothing(ThingName=Name)\n", "no resource type nothing")
	f("op X t:Get part(ThingName=Name, PartName=Other)\n", "does not list resource type part")
	f("op X t:Get global(ThingName=Name)\n", "does not list resource type global")
	f("op X t:List arn(Arn)\n", "must be marked !arn")
	f("op X t:List !part(ThingName=Name)\n", "leaves variable PartName unbound")
	f("op X t:Get thing(ThingName=Name, Color=Other)\n", "has no variable Color")
	f("op X t:Get thing(ThingName=Name, ThingName=Other)\n", "binds ThingName twice")
	f("op X t:Get thing(ThingName=Name) {t:Other=Name}\n", "does not support condition key t:Other")
	f("op X t:Get thing(ThingName=Name) {aws:RequestTag/${TagKey}=Name}\n", "needs a set of tags")
	f("op X t:Get thing(ThingName=Name) {aws:TagKeys=Query@query-tags.X}\n", "@query-tags has no output X")
	f("op X t:Get thing(ThingName=Count@query-tags)\n", "gives tags, not a value")
	f("op X t:Get thing(ThingName=Name) {aws:TagKeys=Count@query-tags}\n", "reads a string")
	f("op X t:Opt ?*\n", "cannot be optional")
	// Against the input type.
	f("op X t:Get thing(ThingName=Missing)\n", `has no member "Missing"`)
	f("op X t:Get thing(ThingName=Name.Key)\n", "Name is not a structure")
	f("op X t:Get thing(ThingName=Nested)\n", "not a value")
	f("op X t:Get thing(ThingName=Names)\n", "not a value")
	f("op X t:Get thing(ThingName=Items.Key)\n", "write Items[]")
	f("op X t:Get thing(ThingName=Name[])\n", "Name is not a list")
	f("op X t:Get thing(ThingName=Items[].Subs[])\n", "only one list")
	f("op X t:Get thing(ThingName=Names[]|Items[].Key)\n", "reads two lists")
	f("op X t:Opt part(ThingName=Names[], PartName=Items[].Key)\n", "reads two lists")
	f("op X t:Get thing(ThingName=Name@nothing)\n", "has no resource type nothing")
	f("op X t:Get thing(ThingName=Name@u:thing)\n", "no service u")
	f("op X t:Get thing(ThingName=Name@thing.Color)\n", `gives no "Color"`)
	f("op X t:Get thing(ThingName=Name@copy-source)\n", "name the output of @copy-source to take")
}

func TestEngine(t *testing.T) {
	scope := Scope{Partition: "aws", Region: "r1", Account: "111"}
	f := func(rows string, in *thingInput, want ...Requirement) {
		t.Helper()
		r, err := compileThing(rows)
		if err != nil {
			t.Fatalf("%q: %v", rows, err)
		}
		got, err := r.Resolve("t", "X", in, scope)
		if err != nil {
			t.Fatalf("%q: %v", rows, err)
		}
		if len(want) == 0 {
			want = []Requirement{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %s\nwant %s", rows, show(got), show(want))
		}
	}
	s := func(v string) *string { return &v }
	thing := "arn:aws:t:r1:111:thing/"
	// Gates.
	gated := "op X if(Name) t:List *\n  if(!Name) t:Get thing(ThingName=Other)\n  if(Mode == \"a\") t:Opt thing(ThingName=\"m\")\n  if(Mode != \"a\") t:List *\n"
	f(gated, &thingInput{Name: s("n"), Mode: "a"}, req("t:List", "*"), req("t:Opt", thing+"m").tagged())
	f(gated, &thingInput{Other: s("o")}, req("t:Get", thing+"o").tagged(), req("t:List", "*"))
	// A list gate holds when any element is present.
	f("op X if(Items[].Key) t:List *\n", &thingInput{Items: []thingItem{{}, {Key: s("k")}}}, req("t:List", "*"))
	f("op X if(Items[].Key) t:List *\n", &thingInput{Items: []thingItem{{}}})
	// Alternatives, literals, and an absent member's empty part.
	f("op X t:Get thing(ThingName=Name|Other|\"dflt\")\n", &thingInput{Other: s("o")}, req("t:Get", thing+"o").tagged())
	f("op X t:Get thing(ThingName=Name|Other|\"dflt\")\n", &thingInput{}, req("t:Get", thing+"dflt").tagged())
	f("op X t:Get thing(ThingName=Name)\n", &thingInput{}, req("t:Get", thing).tagged())
	f("op X t:Get thing(ThingName=Name)\n", nil, req("t:Get", thing).tagged())
	f("op X t:Get thing(ThingName=Name, Account=Other)\n", &thingInput{Name: s("n"), Other: s("222")}, req("t:Get", "arn:aws:t:r1:222:thing/n").tagged())
	// Lists: one ARN per element, repeated ones once; an empty list
	// still names the resource.
	f("op X t:Get thing(ThingName=Names[])\n", &thingInput{Names: []string{"a", "b", "a"}}, req("t:Get", thing+"a", thing+"b").tagged())
	f("op X t:Get thing(ThingName=Names[])\n", &thingInput{}, req("t:Get", thing).tagged())
	f("op X t:Opt part(ThingName=Items[].Key, PartName=Items[].Value)\n",
		&thingInput{Items: []thingItem{{Key: s("a"), Value: s("1")}, {Key: s("b"), Value: s("2")}}},
		req("t:Opt", thing+"a/part/1", thing+"b/part/2"))
	// Optional resources, and the first named anyway when all are left out.
	opt := "op X t:Opt ?thing(ThingName=Name) ?thing(ThingName=Names[])\n"
	f(opt, &thingInput{Names: []string{"x"}}, req("t:Opt", thing+"x").tagged())
	f(opt, &thingInput{}, req("t:Opt", thing).tagged())
	f("op X t:Opt ?arn(Arn) ?thing(ThingName=Name)\n", &thingInput{Name: s("n")}, req("t:Opt", thing+"n").tagged())
	f("op X t:Opt arn(Items[].Key)\n", &thingInput{}, req("t:Opt", "").tagged())
	f("op X t:Opt arn(Arn)\n", &thingInput{}, req("t:Opt", "").tagged())
	// Name or ARN.
	conv := "op X t:Get thing(ThingName=Name@thing)\n"
	f(conv, &thingInput{Name: s("n")}, req("t:Get", thing+"n").tagged())
	f(conv, &thingInput{Name: s("arn:aws-cn:t:r2:222:thing/n")}, req("t:Get", "arn:aws-cn:t:r2:222:thing/n").tagged())
	f("op X t:Get thing(ThingName=Name@thing, Account=\"333\")\n", &thingInput{Name: s("arn:aws:t:r2:222:thing/n")}, req("t:Get", "arn:aws:t:r2:333:thing/n").tagged())
	f("op X t:Opt !global(ThingName=Name@thing)\n", &thingInput{Name: s("arn:aws:t:r2:222:thing/n")}, req("t:Opt", "arn:aws:t:::global/n"))
	// Condition keys: values of every kind, lists, tags.
	f("op X t:Get !* {t:Key=Name, t:Key=Names[], t:Num=Count, t:Num=On, t:Num=When, t:Key=Mode}\n",
		&thingInput{Name: s("a"), Names: []string{"b", "a"}, Count: new(int32), On: new(bool), When: &time.Time{}, Mode: "m"},
		req("t:Get", "*").cond("t:Key", "a", "b", "m").cond("t:Num", "0", "false", "0001-01-01T00:00:00Z"))
	tags := "op X t:Get !* {aws:RequestTag/${TagKey}=Items, aws:TagKeys=Items}\n"
	f(tags, &thingInput{Items: []thingItem{{Key: s("b"), Value: s("2")}, {Key: s("a"), Value: s("1")}}},
		req("t:Get", "*").cond("aws:RequestTag/a", "1").cond("aws:RequestTag/b", "2").cond("aws:TagKeys", "a", "b"))
	f(tags, &thingInput{}, req("t:Get", "*"))
	f("op X t:Get !* {aws:RequestTag/${TagKey}=Tags, aws:TagKeys=Query@query-tags}\n",
		&thingInput{Tags: map[string]string{"k": "v"}, Query: s("x=1&y=2")},
		req("t:Get", "*").cond("aws:RequestTag/k", "v").cond("aws:TagKeys", "x", "y"))
	f("op X -\n", &thingInput{Name: s("n")})
}

func TestResolveErrors(t *testing.T) {
	r, err := compileThing("op X t:Get thing(ThingName=Name@thing) {aws:TagKeys=Query@query-tags}\n")
	if err != nil {
		t.Fatal(err)
	}
	f := func(op string, in any, want string) {
		t.Helper()
		_, err := r.Resolve("t", op, in, Scope{})
		if err == nil || err.Error() != want {
			t.Errorf("%s %#v: got error %v, want %q", op, in, err, want)
		}
	}
	s := func(v string) *string { return &v }
	f("Y", nil, "authz: no entry for t:Y")
	f("X", &thingItem{}, "authz: t:X: input is a *authz.thingItem, want *authz.thingInput")
	f("X", &thingInput{Name: s("arn:aws:t:r:1:other/n")}, `cannot authorize t:X: Name "arn:aws:t:r:1:other/n" is not the ARN of a thing (arn:${Partition}:t:${Region}:${Account}:thing/${ThingName})`)
	f("X", &thingInput{Query: s("a=%zz")}, `cannot authorize t:X: Query "a=%zz" is not a tag set: invalid URL escape "%zz"`)
	// A struct value and a nil pointer do as well as a pointer.
	if got, err := r.Resolve("t", "X", thingInput{Name: s("n")}, Scope{Account: "1"}); err != nil || got[0].Resources[0] != "arn::t::1:thing/n" {
		t.Errorf("struct input: got %v, %v", got, err)
	}
	if _, err := r.Resolve("t", "X", (*thingInput)(nil), Scope{}); err != nil {
		t.Errorf("nil input: %v", err)
	}
	var ie *InputError
	if _, err := r.Resolve("t", "X", &thingInput{Name: s("arn:x")}, Scope{}); !errors.As(err, &ie) || ie.Member != "Name" {
		t.Errorf("got %v, want an *InputError", err)
	}
}

func TestNewErrors(t *testing.T) {
	f := func(s Service, want string) {
		t.Helper()
		_, err := New(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got error %v, want one containing %q", s.Prefix, err, want)
		}
	}
	logsOps := services()[10]
	if logsOps.Prefix != "logs" {
		t.Fatalf("services()[10] is %s", logsOps.Prefix)
	}
	f(Service{Prefix: "nope"}, "no authorization data for service nope")
	missing := Service{Prefix: "logs", Inputs: map[string]reflect.Type{"NewOperation": reflect.TypeFor[thingInput]()}}
	for k, v := range logsOps.Inputs {
		missing.Inputs[k] = v
	}
	f(missing, "logs.authz: no entry for operation NewOperation")
	stale := Service{Prefix: "logs", Inputs: map[string]reflect.Type{}}
	for k, v := range logsOps.Inputs {
		if k != "PutLogEvents" {
			stale.Inputs[k] = v
		}
	}
	f(stale, "PutLogEvents is not an operation of logs")
	wrong := Service{Prefix: "logs", Inputs: map[string]reflect.Type{}}
	for k, v := range logsOps.Inputs {
		wrong.Inputs[k] = v
	}
	wrong.Inputs["PutLogEvents"] = reflect.TypeFor[thingInput]()
	f(wrong, `PutLogEvents: member path logGroupName: thingInput has no member "logGroupName"`)
	wrong.Inputs["PutLogEvents"] = reflect.TypeFor[string]()
	f(wrong, "input of PutLogEvents is string, not a struct")
}

func TestResourceConditions(t *testing.T) {
	q := req("t:Get", "arn:x").cond("aws:TagKeys", "k")
	if got := q.ResourceConditions(map[string]string{"env": "prod"}); !reflect.DeepEqual(got, q.Conditions) {
		t.Errorf("without ResourceTags: got %v", got)
	}
	q = q.tagged()
	got := q.ResourceConditions(map[string]string{"env": "prod"})
	want := map[string][]string{"aws:TagKeys": {"k"}, "aws:ResourceTag/env": {"prod"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if len(q.Conditions) != 1 {
		t.Errorf("Conditions changed: %v", q.Conditions)
	}
	if got := q.ResourceConditions(nil); !reflect.DeepEqual(got, q.Conditions) {
		t.Errorf("no tags: got %v", got)
	}
}

// TestDedupeLong covers the map path of dedupe (DeleteObjects' keys).
func TestDedupeLong(t *testing.T) {
	var in, want []string
	for i := range 40 {
		in = append(in, fmt.Sprint(i%25))
		if i < 25 {
			want = append(want, fmt.Sprint(i))
		}
	}
	if got := dedupe(in); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
