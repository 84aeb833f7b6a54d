package schedexpr

import (
	"strconv"
	"strings"
	"time"
)

// field indexes the fields of a cron expression.
type field int

const (
	minutesField field = iota
	hoursField
	domField
	monthField
	dowField
	yearField
)

// fieldNames are the fields' names as AWS's documentation writes them.
var fieldNames = [...]string{"Minutes", "Hours", "Day-of-month", "Month", "Day-of-week", "Year"}

var (
	monthNames = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
	dayNames   = [...]string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}
)

// firstYear and lastYear bound the Year field of EventBridge's cron.
const (
	firstYear = 1970
	lastYear  = 2199
)

// bounds returns the values a field takes in a dialect.
func bounds(d Dialect, f field) (lo, hi int) {
	switch f {
	case minutesField:
		return 0, 59
	case hoursField:
		return 0, 23
	case domField:
		return 1, 31
	case monthField:
		return 1, 12
	case dowField:
		if d == Mute {
			return 0, 7 // 0 and 7 are both Sunday
		}
		return 1, 7 // 1 is Sunday
	}
	return firstYear, lastYear
}

// index returns where value v of field f is kept in a bitset: years from
// firstYear, days of the week as Go's time.Weekday (0 for Sunday), other
// values as themselves.
func index(d Dialect, f field, v int) int {
	switch f {
	case yearField:
		return v - firstYear
	case dowField:
		if d == Mute {
			return v % 7
		}
		return v - 1
	}
	return v
}

// dayKind is how a day field chooses days.
type dayKind uint8

const (
	dayAny            dayKind = iota // "?": any day
	daySet                           // the days in set
	dayLast                          // "L" in Day-of-month: the month's last day
	dayLastWeekday                   // "LW": the month's last weekday
	dayNearestWeekday                // "nW": the weekday nearest day arg, in the month
	dayLastOfMonth                   // "nL" in Day-of-week: the month's last weekday arg
	dayNth                           // "w#k": the month's nth weekday arg
)

// daySpec is a parsed Day-of-month or Day-of-week field.
type daySpec struct {
	kind dayKind
	set  bitset // daySet: days of the month, or weekdays with 0 for Sunday
	arg  int    // the day of dayNearestWeekday, the weekday of dayLastOfMonth and dayNth
	nth  int    // dayNth's k
}

// cronSpec is a parsed cron expression.
type cronSpec struct {
	dialect                       Dialect
	minutes, hours, months, years bitset
	dom, dow                      daySpec
	// domStar and dowStar record, for mute rules' standard cron, that
	// the field starts with "*": a day then matches when both day fields
	// match, else when either does.
	domStar, dowStar bool
	// fields are the canonical texts of the fields.
	fields []string
}

// String returns the expression in canonical form.
func (s *cronSpec) String() string {
	return "cron(" + strings.Join(s.fields, " ") + ")"
}

// cronParser parses the fields of one cron expression.
type cronParser struct {
	dialect Dialect
	input   string
}

func (p *cronParser) fail(f field, format string, args ...any) *Error {
	return fieldError(p.dialect, p.input, fieldNames[f], format, args...)
}

// parseCron parses body, the text between "cron(" and ")".
func parseCron(d Dialect, input, body string) (*cronSpec, *Error) {
	p := &cronParser{dialect: d, input: input}
	fields := strings.Fields(body)
	want := 6
	if d == Mute {
		want = 5
	}
	if len(fields) != want {
		return nil, fieldError(d, input, "", "cron expression has %d fields; want %d: %s",
			len(fields), want, strings.Join(fieldNames[:want], " "))
	}
	s := &cronSpec{dialect: d, fields: make([]string, want)}
	for i, text := range fields {
		f := field(i)
		text = upperASCII(text)
		var (
			canon string
			err   *Error
		)
		switch f {
		case minutesField:
			s.minutes, canon, err = p.list(f, text)
		case hoursField:
			s.hours, canon, err = p.list(f, text)
		case monthField:
			s.months, canon, err = p.list(f, text)
		case yearField:
			s.years, canon, err = p.list(f, text)
		case domField:
			s.dom, canon, err = p.dayOfMonth(text)
			s.domStar = strings.HasPrefix(text, "*")
		case dowField:
			s.dow, canon, err = p.dayOfWeek(text)
			s.dowStar = strings.HasPrefix(text, "*")
		}
		if err != nil {
			return nil, err
		}
		s.fields[i] = canon
	}
	s.pruneMonths()
	if d != Mute {
		switch domAny, dowAny := s.dom.kind == dayAny, s.dow.kind == dayAny; {
		case domAny && dowAny:
			return nil, fieldError(d, input, "Day-of-month", "only one of Day-of-month and Day-of-week may be '?'")
		case !domAny && !dowAny:
			return nil, fieldError(d, input, "Day-of-month", "one of Day-of-month and Day-of-week must be '?'")
		}
	}
	return s, nil
}

// pruneMonths removes from the months those that no day of the month
// can match in any year, so that Next passes them without looking at
// their days, and ends at once for cron(0 0 30 FEB ? *).
func (s *cronSpec) pruneMonths() {
	// Only Day-of-month's days restrict the month when Day-of-week does
	// not widen them: it is "?", or a mute rule's field starting with "*"
	// (both fields must then match).
	if s.dialect == Mute && !s.dowStar || s.dialect != Mute && s.dow.kind != dayAny {
		return
	}
	first := 0 // the least day of the month the field can name
	switch s.dom.kind {
	case daySet:
		first, _ = s.dom.set.next(1, 31)
	case dayNearestWeekday:
		first = s.dom.arg
	default:
		return
	}
	for m := 1; m <= 12; m++ {
		if first == 0 || first > daysIn(2000, m) { // 2000 is a leap year
			s.months[m>>6] &^= 1 << uint(m)
		}
	}
}

// special reports the first character of text that is Quartz syntax
// (? L W #) in a field that does not take it, or 0. Month names contain
// L (JUL) and day names W (WED), so only the characters that cannot be
// part of a name in the field count.
func special(f field, text string) byte {
	chars := "?LW#"
	switch f {
	case monthField:
		chars = "?#"
	case dowField:
		chars = "?L#"
	}
	if i := strings.IndexAny(text, chars); i >= 0 {
		return text[i]
	}
	return 0
}

// dayOfMonth parses a Day-of-month field.
func (p *cronParser) dayOfMonth(text string) (daySpec, string, *Error) {
	f := domField
	if p.dialect == Mute {
		if c := special(f, text); c != 0 {
			return daySpec{}, "", p.fail(f, "%q is EventBridge syntax that mute rules' cron does not take", string(c))
		}
		set, canon, err := p.list(f, text)
		return daySpec{kind: daySet, set: set}, canon, err
	}
	switch {
	case text == "?":
		return daySpec{kind: dayAny}, text, nil
	case text == "L":
		return daySpec{kind: dayLast}, text, nil
	case text == "LW":
		return daySpec{kind: dayLastWeekday}, text, nil
	case strings.Contains(text, "#"):
		return daySpec{}, "", p.fail(f, "'#' is only for Day-of-week")
	case strings.Contains(text, "?"):
		return daySpec{}, "", p.fail(f, "'?' must be the whole field")
	case strings.HasSuffix(text, "W"):
		day := strings.TrimSuffix(text, "W")
		if !isDigits(day) {
			return daySpec{}, "", p.fail(f, "'W' follows a single day of the month, as in 15W, and is the only item of the field")
		}
		v, canon, err := p.value(f, day)
		if err != nil {
			return daySpec{}, "", err
		}
		return daySpec{kind: dayNearestWeekday, arg: v}, canon + "W", nil
	case strings.ContainsAny(text, "LW"):
		return daySpec{}, "", p.fail(f, "'L', 'LW' and 'nW' must each be the only item of the field")
	}
	set, canon, err := p.list(f, text)
	return daySpec{kind: daySet, set: set}, canon, err
}

// dayOfWeek parses a Day-of-week field.
func (p *cronParser) dayOfWeek(text string) (daySpec, string, *Error) {
	f := dowField
	if p.dialect == Mute {
		if c := special(f, text); c != 0 {
			return daySpec{}, "", p.fail(f, "%q is EventBridge syntax that mute rules' cron does not take", string(c))
		}
		set, canon, err := p.list(f, text)
		return daySpec{kind: daySet, set: set}, canon, err
	}
	single := func(what, text string) (int, string, *Error) {
		if strings.ContainsAny(text, ",-/*?L#") || text == "" {
			return 0, "", p.fail(f, "%s follows a single day of the week and is the only item of the field", what)
		}
		v, canon, err := p.value(f, text)
		return index(p.dialect, f, v), canon, err
	}
	switch {
	case text == "?":
		return daySpec{kind: dayAny}, text, nil
	case text == "L":
		// Alone, L is the last day of the week: Saturday.
		s := daySpec{kind: daySet}
		s.set.add(int(time.Saturday))
		return s, text, nil
	case strings.Contains(text, "?"):
		return daySpec{}, "", p.fail(f, "'?' must be the whole field")
	case strings.Contains(text, "#"):
		if strings.ContainsAny(text, ",-/*") || strings.Count(text, "#") > 1 {
			return daySpec{}, "", p.fail(f, "'#' follows a single day of the week, as in 2#1, and is the only item of the field")
		}
		day, nth, _ := strings.Cut(text, "#")
		w, canon, err := single("'#'", day)
		if err != nil {
			return daySpec{}, "", err
		}
		k, _ := strconv.Atoi(nth)
		if !isDigits(nth) || len(nth) > 2 || k < 1 || k > 5 {
			return daySpec{}, "", p.fail(f, "the n of %s#n must be 1-5", canon)
		}
		return daySpec{kind: dayNth, arg: w, nth: k}, canon + "#" + strconv.Itoa(k), nil
	case strings.HasSuffix(text, "L"):
		w, canon, err := single("'L'", strings.TrimSuffix(text, "L"))
		if err != nil {
			return daySpec{}, "", err
		}
		return daySpec{kind: dayLastOfMonth, arg: w}, canon + "L", nil
	case strings.Contains(text, "L"):
		return daySpec{}, "", p.fail(f, "'L' follows a single day of the week, as in 6L, and is the only item of the field")
	}
	set, canon, err := p.list(f, text)
	return daySpec{kind: daySet, set: set}, canon, err
}

// list parses a field of comma-separated items: *, a value, a range a-b,
// each optionally followed by a step /n, and for EventBridge a/n.
func (p *cronParser) list(f field, text string) (bitset, string, *Error) {
	var set bitset
	if c := special(f, text); c != 0 {
		if f == domField || f == dowField {
			return set, "", p.fail(f, "%q cannot be combined with other items", string(c))
		}
		return set, "", p.fail(f, "%q is only for Day-of-month and Day-of-week", string(c))
	}
	lo, hi := bounds(p.dialect, f)
	items := strings.Split(text, ",")
	canon := make([]string, len(items))
	for i, item := range items {
		if item == "" {
			return set, "", p.fail(f, "empty item in list %q", text)
		}
		base, stepText, hasStep := strings.Cut(item, "/")
		var (
			from, to int
			wrap     bool
			c        string
		)
		switch a, b, isRange := strings.Cut(base, "-"); {
		case base == "*":
			from, to, c = lo, hi, "*"
		case isRange:
			var err *Error
			var ca, cb string
			if from, ca, err = p.value(f, a); err != nil {
				return set, "", err
			}
			if to, cb, err = p.value(f, b); err != nil {
				return set, "", err
			}
			if from > to {
				if p.dialect == Mute || f == yearField {
					return set, "", p.fail(f, "range %s-%s runs backwards", ca, cb)
				}
				wrap = true
			}
			c = ca + "-" + cb
		default:
			var err *Error
			if from, c, err = p.value(f, base); err != nil {
				return set, "", err
			}
			to = from
			if hasStep {
				if p.dialect == Mute {
					return set, "", p.fail(f, "a step follows '*' or a range, as in */15 or 0-30/5, not %q", item)
				}
				to = hi // "a/n" counts from a to the end of the field
			}
		}
		step := 1
		if hasStep {
			// Quartz, whose syntax EventBridge follows, refuses steps
			// above the field's largest value, except in Year.
			maxStep := hi
			if f == yearField {
				maxStep = 9999
			}
			if !isDigits(stepText) {
				return set, "", p.fail(f, "step %q is not a number", stepText)
			}
			if len(stepText) > 4 {
				return set, "", p.fail(f, "step %s is out of range 1-%d", stepText, maxStep)
			}
			step, _ = strconv.Atoi(stepText)
			if step < 1 || step > maxStep {
				return set, "", p.fail(f, "step %d is out of range 1-%d", step, maxStep)
			}
			c += "/" + strconv.Itoa(step)
		}
		n := to - from + 1
		if wrap {
			n = hi - from + 1 + to - lo + 1
		}
		for k := 0; k < n; k += step {
			v := from + k
			if v > hi {
				v += lo - hi - 1
			}
			set.add(index(p.dialect, f, v))
		}
		canon[i] = c
	}
	return set, strings.Join(canon, ","), nil
}

// value parses a number or, in Month and Day-of-week, a name, and
// returns it with its canonical text.
func (p *cronParser) value(f field, text string) (int, string, *Error) {
	lo, hi := bounds(p.dialect, f)
	var v int
	canon := text
	switch {
	case text == "":
		return 0, "", p.fail(f, "missing value")
	case isDigits(text):
		if len(text) > 4 {
			return 0, "", p.fail(f, "value %s is out of range %d-%d", text, lo, hi)
		}
		v, _ = strconv.Atoi(text)
		canon = strconv.Itoa(v)
	case f == monthField:
		i := indexOf(monthNames[:], text)
		if i < 0 {
			return 0, "", p.fail(f, "%q is neither a number nor a month name (JAN-DEC)", text)
		}
		v = i + 1
	case f == dowField:
		i := indexOf(dayNames[:], text)
		if i < 0 {
			return 0, "", p.fail(f, "%q is neither a number nor a day name (SUN-SAT)", text)
		}
		v = i
		if p.dialect != Mute {
			v++
		}
	default:
		return 0, "", p.fail(f, "%q is not a number", text)
	}
	if v < lo || v > hi {
		return 0, "", p.fail(f, "value %d is out of range %d-%d", v, lo, hi)
	}
	return v, canon, nil
}

// upperASCII returns s with its ASCII letters in upper case; parse has
// refused the expressions with other characters.
func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func indexOf(names []string, s string) int {
	for i, n := range names {
		if n == s {
			return i
		}
	}
	return -1
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dayMatches reports whether the date y-m-d satisfies the day fields.
func (s *cronSpec) dayMatches(y, m, d int) bool {
	dim := daysIn(y, m)
	dom := s.dom.matchDayOfMonth(y, m, d, dim)
	dow := s.dow.matchDayOfWeek(d, dim, weekday(y, m, d))
	if s.dialect == Mute && !s.domStar && !s.dowStar {
		return dom || dow
	}
	return dom && dow
}

func (s *daySpec) matchDayOfMonth(y, m, d, dim int) bool {
	switch s.kind {
	case daySet:
		return s.set.has(d)
	case dayLast:
		return d == dim
	case dayLastWeekday:
		switch weekday(y, m, dim) {
		case 6: // Saturday
			return d == dim-1
		case 0: // Sunday
			return d == dim-2
		}
		return d == dim
	case dayNearestWeekday:
		n := s.arg
		if n > dim {
			return false
		}
		switch weekday(y, m, n) {
		case 6: // Saturday: the Friday before, or Monday the 3rd for the 1st
			if n == 1 {
				return d == 3
			}
			return d == n-1
		case 0: // Sunday: the Monday after, or the Friday before for the last day
			if n == dim {
				return d == n-2
			}
			return d == n+1
		}
		return d == n
	}
	return true
}

func (s *daySpec) matchDayOfWeek(d, dim, wd int) bool {
	switch s.kind {
	case daySet:
		return s.set.has(wd)
	case dayLastOfMonth:
		return wd == s.arg && d+7 > dim
	case dayNth:
		return wd == s.arg && (d-1)/7+1 == s.nth
	}
	return true
}

// nextAfter returns the first wall-clock minute after c that the
// expression names, looking no further than year last. It skips by
// field: a year, month, day or hour that does not match is passed whole.
func (s *cronSpec) nextAfter(c civil, last int) (civil, bool) {
	y, mo, d, h, mi := c.year, c.month, c.day, c.hour, c.minute+1
	if mi > 59 {
		mi, h = 0, h+1
	}
	if h > 23 {
		h, d = 0, d+1
	}
	if d > daysIn(y, mo) {
		d, mo = 1, mo+1
	}
	if mo > 12 {
		mo, y = 1, y+1
	}
	if s.dialect != Mute && y < firstYear {
		y, mo, d, h, mi = firstYear, 1, 1, 0, 0
	}
	for ; y <= last; y, mo, d, h, mi = y+1, 1, 1, 0, 0 {
		if s.dialect != Mute && !s.years.has(y-firstYear) {
			continue
		}
		for ; mo <= 12; mo, d, h, mi = mo+1, 1, 0, 0 {
			if !s.months.has(mo) {
				continue
			}
			for dim := daysIn(y, mo); d <= dim; d, h, mi = d+1, 0, 0 {
				if !s.dayMatches(y, mo, d) {
					continue
				}
				for ; h <= 23; h, mi = h+1, 0 {
					if !s.hours.has(h) {
						continue
					}
					if m, ok := s.minutes.next(mi, 59); ok {
						return civil{y, mo, d, h, m}, true
					}
				}
			}
		}
	}
	return civil{}, false
}

// CronSchedule is a parsed cron() expression, evaluated in a location.
type CronSchedule struct {
	spec *cronSpec
	loc  *time.Location
}

// String returns the expression in canonical form.
func (s *CronSchedule) String() string { return s.spec.String() }

// Location returns the time zone the expression is read in.
func (s *CronSchedule) Location() *time.Location { return s.loc }

// maxSkips bounds the wall-clock times Next passes over because they
// fall in a spring-forward gap or were already reached in a fall-back
// overlap: a few hours' worth of minutes, or one a year for a mute rule's
// 400-year horizon.
const maxSkips = 10000

// Next returns the first activation strictly after t, in the schedule's
// location, and false when there is none: a Year field whose years are
// over, or days that never come (cron(0 0 30 FEB ? *)). A mute rule's
// five fields repeat every 400 years, the period of the Gregorian
// calendar's days of the week, so Next looks no further ahead than that.
// Activations fall on whole minutes; see the package comment for
// daylight saving time.
func (s *CronSchedule) Next(t time.Time) (time.Time, bool) {
	c := civilOf(t.In(s.loc))
	last := lastYear
	if s.spec.dialect == Mute {
		last = c.year + 401
	}
	for range maxSkips {
		n, ok := s.spec.nextAfter(c, last)
		if !ok {
			return time.Time{}, false
		}
		if s.loc == time.UTC {
			return time.Unix(unixOf(n), 0).UTC(), true
		}
		if at, ok, _ := resolve(n, s.loc); ok && at.After(t) {
			return at, true
		}
		c = n
	}
	return time.Time{}, false
}
