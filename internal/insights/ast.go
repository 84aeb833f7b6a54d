package insights

// Query is a parsed query: its commands in order.
type Query struct {
	// Text is the query as written.
	Text string
	// Commands are the commands between pipes, in order.
	Commands []Command
}

// Command is one command of a query (fields, filter, stats …).
type Command interface {
	// Position returns where the command starts.
	Position() Pos
	// Keyword returns the command's name in lower case.
	Keyword() string
}

// Projection is an expression with an optional alias: "abs(x) as y".
type Projection struct {
	// Expr is the expression.
	Expr Expr
	// Alias is the name after "as", or "".
	Alias string
	// Text is the expression's source text (white space collapsed); it
	// names the result column when there is no alias.
	Text string
}

// Name returns the column name the projection produces.
func (p Projection) Name() string {
	if p.Alias != "" {
		return p.Alias
	}
	if f, ok := p.Expr.(*FieldExpr); ok {
		return f.Name
	}
	return p.Text
}

// FieldsCmd is "fields a, f(b) as c".
type FieldsCmd struct {
	At    Pos
	Items []Projection
}

// DisplayCmd is "display a, b".
type DisplayCmd struct {
	At    Pos
	Items []Projection
}

// FilterCmd is "filter <condition>" (or "filterIndex <condition>").
type FilterCmd struct {
	At   Pos
	Cond Expr
	// Index is true for filterIndex, which has filter's results.
	Index bool
}

// StatsCmd is "stats agg(x) as a, … by k1, k2".
type StatsCmd struct {
	At    Pos
	Items []Projection
	By    []Projection
}

// SortKey is one key of a sort command.
type SortKey struct {
	Expr Expr
	Text string
	Desc bool
}

// SortCmd is "sort a desc, b".
type SortCmd struct {
	At   Pos
	Keys []SortKey
}

// LimitCmd is "limit n".
type LimitCmd struct {
	At Pos
	N  int
}

// ParseCmd is "parse <field> "glob" as a, b" or "parse <field> /regex/".
type ParseCmd struct {
	At     Pos
	Source Expr
	// Pattern is the glob or the regular expression.
	Pattern string
	// Regex is true for /…/ patterns; Flags are its trailing flags.
	Regex bool
	Flags string
	// Names are the fields the pattern extracts, in order.
	Names []string
}

// DedupCmd is "dedup a, b".
type DedupCmd struct {
	At     Pos
	Fields []*FieldExpr
}

// UnnestCmd is "unnest <field> into <name>".
type UnnestCmd struct {
	At    Pos
	Field Expr
	Into  string
}

// SourceCmd is "SOURCE logGroups(namePrefix: [...], class: ..., accountIdentifiers: [...])",
// which selects log groups for StartQuery calls that name none.
type SourceCmd struct {
	At Pos
	// NamePrefixes, Class and AccountIDs are the selection criteria.
	NamePrefixes []string
	Class        string
	AccountIDs   []string
}

// Position implements Command.
func (c *FieldsCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *DisplayCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *FilterCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *StatsCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *SortCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *LimitCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *ParseCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *DedupCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *UnnestCmd) Position() Pos { return c.At }

// Position implements Command.
func (c *SourceCmd) Position() Pos { return c.At }

// Keyword implements Command.
func (c *FieldsCmd) Keyword() string { return "fields" }

// Keyword implements Command.
func (c *DisplayCmd) Keyword() string { return "display" }

// Keyword implements Command.
func (c *FilterCmd) Keyword() string {
	if c.Index {
		return "filterindex"
	}
	return "filter"
}

// Keyword implements Command.
func (c *StatsCmd) Keyword() string { return "stats" }

// Keyword implements Command.
func (c *SortCmd) Keyword() string { return "sort" }

// Keyword implements Command.
func (c *LimitCmd) Keyword() string { return "limit" }

// Keyword implements Command.
func (c *ParseCmd) Keyword() string { return "parse" }

// Keyword implements Command.
func (c *DedupCmd) Keyword() string { return "dedup" }

// Keyword implements Command.
func (c *UnnestCmd) Keyword() string { return "unnest" }

// Keyword implements Command.
func (c *SourceCmd) Keyword() string { return "source" }

// Expr is an expression of the syntax tree.
type Expr interface {
	// Position returns where the expression starts.
	Position() Pos
}

// FieldExpr names a field: @message, level, `foo-bar`, a.b.0.c.
type FieldExpr struct {
	At   Pos
	Name string
	// Parts are the name's dot-separated parts; a part written in
	// backticks keeps its dots (a.`b.c` has the parts a and b.c).
	Parts []string
}

// StringExpr is a string literal.
type StringExpr struct {
	At    Pos
	Value string
}

// NumberExpr is a number literal.
type NumberExpr struct {
	At    Pos
	Value float64
	Text  string
}

// BoolExpr is true or false.
type BoolExpr struct {
	At    Pos
	Value bool
}

// RegexExpr is /pattern/flags.
type RegexExpr struct {
	At      Pos
	Pattern string
	Flags   string
}

// PeriodExpr is a time period such as 5m or 1h.
type PeriodExpr struct {
	At   Pos
	Text string
}

// ListExpr is [a, b, c], the right side of in.
type ListExpr struct {
	At    Pos
	Elems []Expr
}

// UnaryExpr is "not x" or "-x".
type UnaryExpr struct {
	At Pos
	Op string
	X  Expr
}

// BinaryExpr is "l op r". Op is one of or, and, =, !=, <, <=, >, >=, +,
// -, *, /, %, ^, like, not like, =~, in, not in.
type BinaryExpr struct {
	At   Pos
	Op   string
	L, R Expr
}

// CallExpr is a function call; Star is set for count(*).
type CallExpr struct {
	At   Pos
	Name string
	Args []Expr
	Star bool
}

// IndexExpr is x[i] on a list from jsonParse.
type IndexExpr struct {
	At    Pos
	X     Expr
	Index Expr
}

// MemberExpr is x.name after an index: x[0].name.
type MemberExpr struct {
	At   Pos
	X    Expr
	Name string
}

// Position implements Expr.
func (e *FieldExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *StringExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *NumberExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *BoolExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *RegexExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *PeriodExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *ListExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *UnaryExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *BinaryExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *CallExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *IndexExpr) Position() Pos { return e.At }

// Position implements Expr.
func (e *MemberExpr) Position() Pos { return e.At }
