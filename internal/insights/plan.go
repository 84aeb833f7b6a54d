package insights

// A Plan is a compiled query: typed expressions over named columns, the
// row steps in order, and the shape of the result. A store renders it for
// its engine (internal/store/duckdb renders one SQL statement).
//
// Value rules (AWS's dynamic typing, as Vigil implements it):
//   - A field read from an event is KindAny: text that is used as a number
//     where a number is needed (arithmetic, numeric functions, comparison
//     with a number). Text that is not a number is null there.
//   - Comparing two KindAny values compares numbers when both are numbers,
//     text otherwise.
//   - Booleans display as 1 and 0; times display as
//     "yyyy-MM-dd HH:mm:ss.SSS" (UTC); numbers display without a trailing
//     ".0" when whole.
//   - A missing field is null; a row omits its null fields.
type Plan struct {
	// Query is the query text.
	Query string
	// Source is set when the query starts with SOURCE logGroups(…).
	Source *SourceCmd
	// Discovered are the fields the query reads from events' messages;
	// the store extracts them (DiscoveryRules) into columns.
	Discovered []DiscoveredField
	// Steps transform rows in order.
	Steps []Step
	// Columns are the result columns, evaluated over the last relation.
	Columns []Column
	// Order sorts the result (the default order when the query has no
	// sort: @timestamp descending for events, group keys ascending for
	// statistics).
	Order []Order
	// Limit caps the rows (0: the API's limit applies).
	Limit int
	// Aggregated is true when the result rows are statistics, which have
	// no @ptr.
	Aggregated bool
}

// Kind is the static type of an expression.
type Kind uint8

const (
	// KindAny is a field value: text that may hold a number.
	KindAny Kind = iota
	// KindString is text produced by a string function.
	KindString
	// KindNumber is a number (a double).
	KindNumber
	// KindBool is a truth value.
	KindBool
	// KindTime is a timestamp in milliseconds since the epoch.
	KindTime
	// KindJSON is a map or a list made by jsonParse or split.
	KindJSON
	// KindPeriod is a time period argument (bin(5m)).
	KindPeriod
	// KindRegex is a regular expression operand of like or =~.
	KindRegex
)

var kindNames = [...]string{"value", "string", "number", "boolean", "timestamp", "map or list", "period", "regular expression"}

// String names the kind.
func (k Kind) String() string { return kindNames[k] }

// Column is a column of a relation: the system columns (see SystemColumn),
// discovered fields, and fields defined by fields, parse, unnest and stats.
type Column struct {
	// Name is the field name the user sees.
	Name string
	// Expr computes the column (result columns) or is a Ref to it.
	Expr Node
}

// SystemColumn maps the system fields to the columns a store provides in
// the first relation. The store must also provide the hidden columns
// "seq" and "group_id" for @ptr, ordering and ties.
var SystemColumn = map[string]struct {
	Col  string
	Kind Kind
}{
	"@timestamp":     {"ts", KindTime},
	"@ingestionTime": {"ingest", KindTime},
	"@logStream":     {"stream", KindString},
	"@log":           {"log", KindString},
	"@message":       {"message", KindString},
}

// DiscoveredField is a field the store extracts from each event's message.
type DiscoveredField struct {
	// Name is the field name (e.g. "level", "a.b.0.c", "@duration").
	Name string
	// Col is the column the store must produce.
	Col string
}

// Order is one sort key.
type Order struct {
	Expr Node
	Desc bool
}

// Step is a row step of a plan: *LetStep, *FilterStep, *ParseStep,
// *UnnestStep, *StatsStep or *DedupStep.
type Step interface{ step() }

// Def defines a column: Col = Expr.
type Def struct {
	Name string
	Col  string
	Expr Node
}

// LetStep adds or replaces columns (fields).
type LetStep struct{ Defs []Def }

// FilterStep keeps the rows where Cond is true.
type FilterStep struct{ Cond Node }

// ParseStep extracts fields with a regular expression (RE2 syntax; globs
// are translated): Cols[i] gets the group named Groups[i]. When the
// pattern does not match, every column is null.
type ParseStep struct {
	Source Node
	Regex  string
	// Literals are the glob's text around its wildcards (nil for a
	// regular expression): a store may match them with plain string
	// search, first occurrences from left to right, which is what the
	// regular expression does.
	Literals []string
	Groups   []string
	Names    []string
	Cols     []string
}

// UnnestStep replaces each row by one row per element of the list X, with
// the element in Col. A value that is not a list counts as a list of one.
type UnnestStep struct {
	X    Node
	Name string
	Col  string
}

// StatsStep aggregates the rows into one row per distinct Keys (one row
// in all when there are no keys and at least one input row). Aggs are the
// aggregate functions, computed over each group; Items are the user's
// expressions over the key and aggregate columns. The new relation has
// only the key and item columns.
type StatsStep struct {
	Keys  []Def
	Aggs  []Def
	Items []Def
	// First is true for the query's first stats, whose input rows are the
	// matched events (recordsMatched counts them).
	First bool
}

// DedupStep keeps the first row, in Order, of each distinct combination
// of Keys; rows where a key is null are all kept.
type DedupStep struct {
	Keys  []Node
	Order []Order
}

func (*LetStep) step()    {}
func (*FilterStep) step() {}
func (*ParseStep) step()  {}
func (*UnnestStep) step() {}
func (*StatsStep) step()  {}
func (*DedupStep) step()  {}

// Node is a typed expression of a plan: *Ref, *Lit, *RegexLit, *PeriodLit,
// *OpNode, *CallNode, *AggNode or *PathNode.
type Node interface {
	// Kind returns the node's static type.
	Kind() Kind
}

// Ref reads a column of the current relation.
type Ref struct {
	Name string
	Col  string
	K    Kind
}

// Lit is a literal string, number or boolean.
type Lit struct {
	K   Kind
	Str string
	Num float64
	B   bool
}

// RegexLit is a regular expression in RE2 syntax (flags applied).
type RegexLit struct{ Pattern string }

// PeriodLit is a time period: N units (Unit is ms, s, m, h, d, w, mo, q
// or y); Millis is the fixed length for units up to weeks.
type PeriodLit struct {
	N      int64
	Unit   string
	Millis int64
}

// OpNode applies an operator: not, neg, and, or, =, !=, <, <=, >, >=, +,
// -, *, /, %, ^, like, not like, =~, in, not in. For in, Args[1:] are the
// list.
type OpNode struct {
	Op   string
	Args []Node
	K    Kind
}

// CallNode calls a scalar function of the catalog (Func is its canonical
// lower-case name).
type CallNode struct {
	Func string
	Args []Node
	K    Kind
}

// AggNode is an aggregate function inside stats.
type AggNode struct {
	Func string
	Args []Node
	Star bool
	K    Kind
}

// PathNode reads a member or element of a map or list: X.a[0].b.
type PathNode struct {
	X    Node
	Path []PathElem
}

// PathElem is one step of a PathNode: a key or an index.
type PathElem struct {
	Key     string
	Index   int
	IsIndex bool
}

// Kind implements Node.
func (n *Ref) Kind() Kind { return n.K }

// Kind implements Node.
func (n *Lit) Kind() Kind { return n.K }

// Kind implements Node.
func (n *RegexLit) Kind() Kind { return KindRegex }

// Kind implements Node.
func (n *PeriodLit) Kind() Kind { return KindPeriod }

// Kind implements Node.
func (n *OpNode) Kind() Kind { return n.K }

// Kind implements Node.
func (n *CallNode) Kind() Kind { return n.K }

// Kind implements Node.
func (n *AggNode) Kind() Kind { return n.K }

// Kind implements Node.
func (n *PathNode) Kind() Kind { return KindJSON }
