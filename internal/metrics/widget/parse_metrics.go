package widget

import (
	"encoding/json"
	"strconv"
)

// unsupportedOption lists the metric options AWS has and Vigil refuses.
var unsupportedOption = map[string]string{
	"accountId": "cross-account metrics",
}

// parseMetrics decodes the metrics array: each row is
// [Namespace, MetricName, DimName, DimValue, …, {options}] or
// [{expression, …}]. In a metric row "." repeats the previous row's entry
// at the same position, and "..." stands for the previous row's entries
// that the row does not list, the listed ones replacing its last entries.
// At most max rows are accepted.
func (w *Widget) parseMetrics(path string, raw json.RawMessage, max int) error {
	rows, err := asArray(path, raw)
	if err != nil {
		return err
	}
	if len(rows) == 0 || len(rows) > max {
		return invalid("The parameter %s must have from 1 to %d metrics and expressions; it has %d.", path, max, len(rows))
	}
	var prev []string // the previous row's expanded strings
	ids := map[string]bool{}
	for i, raw := range rows {
		rp := path + "[" + strconv.Itoa(i) + "]"
		elems, err := asArray(rp, raw)
		if err != nil {
			return err
		}
		if len(elems) == 0 {
			return invalid("The parameter %s must not be empty.", rp)
		}
		var opts *object
		if kindOf(elems[len(elems)-1]) == '{' {
			if opts, err = asObject(rowPath(path, i, len(elems)-1), elems[len(elems)-1]); err != nil {
				return err
			}
			elems = elems[:len(elems)-1]
		}
		strs := make([]string, len(elems))
		for j, e := range elems {
			if strs[j], err = asString(rowPath(path, i, j), e); err != nil {
				return err
			}
		}
		m := Metric{Visible: true, YAxis: AxisLeft}
		if len(strs) > 0 {
			if strs, err = expandRow(path, i, strs, prev); err != nil {
				return err
			}
			if err := m.setMetric(path, i, strs); err != nil {
				return err
			}
			prev = strs
		} else {
			prev = nil
		}
		if opts == nil {
			if len(strs) == 0 {
				return invalid("The parameter %s must name a metric or hold an expression.", rp)
			}
		} else if err := m.parseOptions(opts, len(strs) > 0); err != nil {
			return err
		}
		if m.ID != "" {
			if ids[m.ID] {
				return invalid("The id %q of parameter %s is not unique; ids must be unique within the widget.", m.ID, rp)
			}
			ids[m.ID] = true
		}
		w.Metrics = append(w.Metrics, m)
	}
	assignIDs(w.Metrics, ids)
	return nil
}

// expandRow resolves the "." and "..." shorthands of a metric row.
func expandRow(path string, i int, strs, prev []string) ([]string, error) {
	dots := -1
	for j, s := range strs {
		if s == "..." {
			if dots >= 0 {
				return nil, invalid("The parameter %s may use \"...\" only once.", path+"["+strconv.Itoa(i)+"]")
			}
			dots = j
		}
	}
	out := strs
	if dots >= 0 {
		before, after := strs[:dots], strs[dots+1:]
		n := len(prev) - len(before) - len(after)
		if prev == nil || n < 0 {
			return nil, invalid("The parameter %s uses \"...\" but the previous row has no metric entries to repeat.", rowPath(path, i, dots))
		}
		out = make([]string, 0, len(prev))
		out = append(out, before...)
		out = append(out, prev[len(before):len(before)+n]...)
		out = append(out, after...)
	} else {
		out = append([]string(nil), strs...)
	}
	for j, s := range out {
		if s != "." {
			continue
		}
		if j >= len(prev) {
			return nil, invalid("The parameter %s is \".\" but the previous row has no entry at that position.", rowPath(path, i, j))
		}
		out[j] = prev[j]
	}
	return out, nil
}

// CheckMetrics validates the metrics array of a dashboard's metric
// widget (path names it in messages) as ParseWidget validates
// MetricWidget's, but for its count, at most max rows. The *Error's
// Unsupported marks what dashboards accept and Vigil does not draw.
func CheckMetrics(path string, raw json.RawMessage, max int) error {
	var w Widget
	return w.parseMetrics(path, raw, max)
}

// setMetric fills a metric row's identity from its expanded strings.
func (m *Metric) setMetric(path string, i int, strs []string) error {
	if len(strs) < 2 {
		return invalid("The parameter %s must list a namespace and a metric name.", path+"["+strconv.Itoa(i)+"]")
	}
	if len(strs)%2 != 0 {
		return invalid("The parameter %s has a dimension name without a value.", rowPath(path, i, len(strs)-1))
	}
	if (len(strs)-2)/2 > maxDimensions {
		return invalid("The parameter %s has more than %d dimensions.", path+"["+strconv.Itoa(i)+"]", maxDimensions)
	}
	if err := checkName(rowPath(path, i, 0), strs[0], maxNameLen); err != nil {
		return err
	}
	if err := checkName(rowPath(path, i, 1), strs[1], maxNameLen); err != nil {
		return err
	}
	m.Namespace, m.MetricName = strs[0], strs[1]
	seen := map[string]bool{}
	for j := 2; j+1 < len(strs); j += 2 {
		if err := checkName(rowPath(path, i, j), strs[j], maxNameLen); err != nil {
			return err
		}
		if err := checkName(rowPath(path, i, j+1), strs[j+1], maxDimValueLen); err != nil {
			return err
		}
		if seen[strs[j]] {
			return invalid("The parameter %s repeats the dimension %q.", rowPath(path, i, j), strs[j])
		}
		seen[strs[j]] = true
		m.Dimensions = append(m.Dimensions, Dimension{Name: strs[j], Value: strs[j+1]})
	}
	return nil
}

// parseOptions decodes a row's options object; isMetric tells a metric row
// from an expression row.
func (m *Metric) parseOptions(o *object, isMetric bool) error {
	expr, hasExpr, err := o.str("expression")
	if err != nil {
		return err
	}
	switch {
	case hasExpr && isMetric:
		return &Error{Code: CodeInvalidParameterCombination, Message: "The parameter " + o.sub("expression") + " cannot be combined with a metric in the same row."}
	case !hasExpr && !isMetric:
		return invalid("The parameter %s must hold an expression, or the row must name a metric.", o.path)
	case hasExpr && (expr == "" || len(expr) > maxExpressionLen):
		return invalid("The parameter %s must be from 1 to %d characters long.", o.sub("expression"), maxExpressionLen)
	}
	m.Expression = expr
	if id, ok, err := o.str("id"); err != nil {
		return err
	} else if ok {
		if !idPattern.MatchString(id) || len(id) > maxNameLen {
			return invalid("The value %q for parameter %s is not valid. An id starts with a lowercase letter and has only letters, numbers and underscores.", id, o.sub("id"))
		}
		m.ID = id
	}
	if m.Label, _, err = o.str("label"); err != nil {
		return err
	}
	if m.Color, err = parseColor(o, "color"); err != nil {
		return err
	}
	if v, ok, err := o.boolean("visible"); err != nil {
		return err
	} else if ok {
		m.Visible = v
	}
	if m.YAxis, err = parseAxisName(o, "yAxis"); err != nil {
		return err
	}
	if m.Region, _, err = o.str("region"); err != nil {
		return err
	}
	if s, ok, err := o.str("stat"); err != nil {
		return err
	} else if ok {
		if !isMetric {
			return &Error{Code: CodeInvalidParameterCombination, Message: "The parameter " + o.sub("stat") + " is not applicable to math expressions."}
		}
		if !validStat(s) {
			return badStat(o.sub("stat"), s)
		}
		m.Stat = s
	}
	// Expressions may carry a period too: the console writes one for
	// SEARCH expressions, whose results it sets.
	if p, ok, err := o.integer("period", 1, 1<<31-1); err != nil {
		return err
	} else if ok {
		if !validPeriod(p) {
			return badPeriod(o.sub("period"), p)
		}
		m.Period = p
	}
	return o.rest(unsupportedOption)
}

// assignIDs gives rows without an id one that no row uses: m1, m2, … for
// metrics and e1, e2, … for expressions, numbered by row.
func assignIDs(ms []Metric, used map[string]bool) {
	for i := range ms {
		if ms[i].ID != "" {
			continue
		}
		prefix := "m"
		if ms[i].Expression != "" {
			prefix = "e"
		}
		id := prefix + strconv.Itoa(i+1)
		for n := 1; used[id]; n++ {
			id = prefix + strconv.Itoa(i+1) + "_" + strconv.Itoa(n)
		}
		used[id] = true
		ms[i].ID, ms[i].AutoID = id, true
	}
}
