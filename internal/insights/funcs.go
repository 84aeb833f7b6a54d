package insights

import "strings"

// FuncInfo describes a function of the language.
type FuncInfo struct {
	// Name is the documented spelling; lookups ignore case.
	Name string
	// MinArgs and MaxArgs bound the arguments (MaxArgs -1: any number).
	MinArgs, MaxArgs int
	// Result is the result kind; ResultOfArg >= 0 means "the kind of
	// that argument" instead.
	Result      Kind
	ResultOfArg int
	// Aggregate functions are only allowed in stats.
	Aggregate bool
	// Period lists the arguments that must be time periods.
	Period []int
	// Family groups the function as the documentation does.
	Family string
}

func fn(name string, min, max int, result Kind, family string) FuncInfo {
	return FuncInfo{Name: name, MinArgs: min, MaxArgs: max, Result: result, ResultOfArg: -1, Family: family}
}

func agg(name string, min, max int, result Kind) FuncInfo {
	f := fn(name, min, max, result, "stats")
	f.Aggregate = true
	return f
}

func sameAs(f FuncInfo, arg int) FuncInfo { f.ResultOfArg = arg; return f }

func periodArgs(f FuncInfo, args ...int) FuncInfo { f.Period = args; return f }

// catalog lists exactly the functions AWS documents ("Boolean, comparison,
// numeric, datetime, and other functions" and "stats"):
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html
var catalog = func() map[string]FuncInfo {
	list := []FuncInfo{
		// Numeric.
		fn("abs", 1, 1, KindNumber, "numeric"),
		fn("ceil", 1, 1, KindNumber, "numeric"),
		fn("floor", 1, 1, KindNumber, "numeric"),
		fn("greatest", 1, -1, KindNumber, "numeric"),
		fn("least", 1, -1, KindNumber, "numeric"),
		fn("log", 1, 1, KindNumber, "numeric"),
		fn("round", 1, 2, KindNumber, "numeric"),
		fn("sqrt", 1, 1, KindNumber, "numeric"),
		fn("haversine", 4, 4, KindNumber, "numeric"),
		fn("toNumber", 1, 1, KindNumber, "numeric"),
		fn("toInt", 1, 1, KindNumber, "numeric"),
		fn("toLong", 1, 1, KindNumber, "numeric"),
		fn("toDouble", 1, 1, KindNumber, "numeric"),
		// Datetime.
		periodArgs(fn("bin", 1, 1, KindTime, "datetime"), 0),
		periodArgs(fn("datefloor", 2, 2, KindTime, "datetime"), 1),
		periodArgs(fn("dateceil", 2, 2, KindTime, "datetime"), 1),
		fn("fromMillis", 1, 1, KindTime, "datetime"),
		fn("toMillis", 1, 1, KindNumber, "datetime"),
		fn("now", 0, 0, KindNumber, "datetime"),
		fn("parseDate", 2, 3, KindNumber, "datetime"),
		fn("formatDate", 2, 3, KindString, "datetime"),
		fn("strftime", 2, 3, KindString, "datetime"),
		// General.
		fn("ispresent", 1, 1, KindBool, "general"),
		fn("coalesce", 1, -1, KindAny, "general"),
		fn("case", 2, 21, KindAny, "general"),
		fn("if", 3, 3, KindAny, "general"),
		fn("isNumeric", 1, 1, KindBool, "general"),
		fn("messageSize", 1, 1, KindNumber, "general"),
		fn("queryStartTime", 0, 0, KindNumber, "general"),
		fn("queryEndTime", 0, 0, KindNumber, "general"),
		fn("queryTimeRange", 0, 0, KindNumber, "general"),
		// JSON.
		fn("jsonParse", 1, 1, KindJSON, "json"),
		fn("jsonStringify", 1, 1, KindString, "json"),
		fn("jsonArraySize", 1, 1, KindNumber, "json"),
		fn("jsonArrayContains", 2, 2, KindBool, "json"),
		// IP address.
		fn("isValidIp", 1, 1, KindBool, "ip"),
		fn("isValidIpV4", 1, 1, KindBool, "ip"),
		fn("isValidIpV6", 1, 1, KindBool, "ip"),
		fn("isIpInSubnet", 2, 2, KindBool, "ip"),
		fn("isIpv4InSubnet", 2, 2, KindBool, "ip"),
		fn("isIpv6InSubnet", 2, 2, KindBool, "ip"),
		fn("ipv4ToNumber", 1, 1, KindNumber, "ip"),
		fn("isPrivateIP", 1, 1, KindBool, "ip"),
		fn("isPublicIP", 1, 1, KindBool, "ip"),
		fn("isReservedIP", 1, 1, KindBool, "ip"),
		// String.
		fn("isempty", 1, 1, KindNumber, "string"),
		fn("isblank", 1, 1, KindNumber, "string"),
		fn("concat", 1, -1, KindString, "string"),
		fn("ltrim", 1, 2, KindString, "string"),
		fn("rtrim", 1, 2, KindString, "string"),
		fn("trim", 1, 2, KindString, "string"),
		fn("strlen", 1, 1, KindNumber, "string"),
		fn("toupper", 1, 1, KindString, "string"),
		fn("tolower", 1, 1, KindString, "string"),
		fn("substr", 2, 3, KindString, "string"),
		fn("replace", 3, 3, KindString, "string"),
		fn("regexReplace", 3, 3, KindString, "string"),
		fn("strcontains", 2, 3, KindNumber, "string"),
		fn("startsWith", 2, 2, KindNumber, "string"),
		fn("endsWith", 2, 2, KindNumber, "string"),
		fn("urlencode", 1, 1, KindString, "string"),
		fn("urldecode", 1, 1, KindString, "string"),
		fn("base64encode", 1, 1, KindString, "string"),
		fn("base64decode", 1, 1, KindString, "string"),
		fn("split", 2, 2, KindJSON, "string"),
		fn("hexToAscii", 1, 1, KindString, "string"),
		fn("hexToDec", 1, 1, KindNumber, "string"),
		fn("decToHex", 1, 1, KindString, "string"),
		// Stats.
		agg("avg", 1, 1, KindNumber),
		agg("count", 0, 1, KindNumber),
		agg("count_distinct", 1, 1, KindNumber),
		sameAs(agg("max", 1, 1, KindAny), 0),
		sameAs(agg("min", 1, 1, KindAny), 0),
		agg("pct", 2, 2, KindNumber),
		agg("stddev", 1, 1, KindNumber),
		agg("sum", 1, 1, KindNumber),
		sameAs(agg("earliest", 1, 1, KindAny), 0),
		sameAs(agg("latest", 1, 1, KindAny), 0),
		sameAs(agg("sortsFirst", 1, 1, KindAny), 0),
		sameAs(agg("sortsLast", 1, 1, KindAny), 0),
	}
	m := make(map[string]FuncInfo, len(list))
	for _, f := range list {
		m[strings.ToLower(f.Name)] = f
	}
	return m
}()

// LookupFunc returns the function named name (any case).
func LookupFunc(name string) (FuncInfo, bool) {
	f, ok := catalog[strings.ToLower(name)]
	return f, ok
}

// Funcs returns every function of the catalog.
func Funcs() []FuncInfo {
	out := make([]FuncInfo, 0, len(catalog))
	for _, f := range catalog {
		out = append(out, f)
	}
	return out
}
