package widget

import (
	"encoding/json"
	"strconv"
	"time"
)

// parseAnnotations decodes the annotations object: horizontal and vertical
// arrays whose items are an annotation object, or a band given as an array
// of two objects.
func (w *Widget) parseAnnotations(path string, raw json.RawMessage) error {
	o, err := asObject(path, raw)
	if err != nil {
		return err
	}
	if raw, ok := o.take("horizontal"); ok {
		items, err := asArray(o.sub("horizontal"), raw)
		if err != nil {
			return err
		}
		for i, item := range items {
			a, err := parseHorizontal(o.sub("horizontal")+"["+strconv.Itoa(i)+"]", item)
			if err != nil {
				return err
			}
			w.Horizontal = append(w.Horizontal, a)
		}
	}
	if raw, ok := o.take("vertical"); ok {
		items, err := asArray(o.sub("vertical"), raw)
		if err != nil {
			return err
		}
		for i, item := range items {
			a, err := parseVertical(o.sub("vertical")+"["+strconv.Itoa(i)+"]", item)
			if err != nil {
				return err
			}
			w.Vertical = append(w.Vertical, a)
		}
	}
	return o.rest(map[string]string{"alarms": "alarm annotations"})
}

// bandParts splits an annotation item into its first object and, for a
// band, its second.
func bandParts(path string, raw json.RawMessage) (first, second *object, err error) {
	if kindOf(raw) != '[' {
		first, err = asObject(path, raw)
		return first, nil, err
	}
	parts, err := asArray(path, raw)
	if err != nil {
		return nil, nil, err
	}
	if len(parts) != 2 {
		return nil, nil, invalid("The parameter %s is a band annotation and must have exactly two items.", path)
	}
	if first, err = asObject(path+"[0]", parts[0]); err != nil {
		return nil, nil, err
	}
	if second, err = asObject(path+"[1]", parts[1]); err != nil {
		return nil, nil, err
	}
	return first, second, nil
}

// parseHorizontal decodes one horizontal annotation or band.
func parseHorizontal(path string, raw json.RawMessage) (HorizontalAnnotation, error) {
	a := HorizontalAnnotation{Visible: true, YAxis: AxisLeft}
	first, second, err := bandParts(path, raw)
	if err != nil {
		return a, err
	}
	var ok bool
	if a.Value, ok, err = first.number("value"); err != nil {
		return a, err
	} else if !ok {
		return a, missing(first.sub("value"))
	}
	if a.Label, _, err = first.str("label"); err != nil {
		return a, err
	}
	if a.Color, err = parseColor(first, "color"); err != nil {
		return a, err
	}
	if v, ok, err := first.boolean("visible"); err != nil {
		return a, err
	} else if ok {
		a.Visible = v
	}
	if a.YAxis, err = parseAxisName(first, "yAxis"); err != nil {
		return a, err
	}
	if fill, ok, err := first.str("fill"); err != nil {
		return a, err
	} else if ok {
		switch Fill(fill) {
		case FillAbove, FillBelow:
			a.Fill = Fill(fill)
		case "none":
		default:
			return a, invalid("The value %q for parameter %s is not valid. Valid values: above, below, none.", fill, first.sub("fill"))
		}
	}
	if second != nil {
		// AWS ignores the fill of bands, which always shade between
		// their edges.
		a.Band, a.Fill = true, FillNone
		if a.Value2, ok, err = second.number("value"); err != nil {
			return a, err
		} else if !ok {
			return a, missing(second.sub("value"))
		}
		if a.Label2, _, err = second.str("label"); err != nil {
			return a, err
		}
		if err := second.rest(nil); err != nil {
			return a, err
		}
	}
	return a, first.rest(nil)
}

// parseVertical decodes one vertical annotation or band.
func parseVertical(path string, raw json.RawMessage) (VerticalAnnotation, error) {
	a := VerticalAnnotation{Visible: true}
	first, second, err := bandParts(path, raw)
	if err != nil {
		return a, err
	}
	if a.Time, err = annotationTime(first); err != nil {
		return a, err
	}
	if a.Label, _, err = first.str("label"); err != nil {
		return a, err
	}
	if a.Color, err = parseColor(first, "color"); err != nil {
		return a, err
	}
	if v, ok, err := first.boolean("visible"); err != nil {
		return a, err
	} else if ok {
		a.Visible = v
	}
	if fill, ok, err := first.str("fill"); err != nil {
		return a, err
	} else if ok {
		switch Fill(fill) {
		case FillBefore, FillAfter:
			a.Fill = Fill(fill)
		case "none":
		default:
			return a, invalid("The value %q for parameter %s is not valid. Valid values: before, after, none.", fill, first.sub("fill"))
		}
	}
	if second != nil {
		a.Band, a.Fill = true, FillNone
		if a.Time2, err = annotationTime(second); err != nil {
			return a, err
		}
		if a.Label2, _, err = second.str("label"); err != nil {
			return a, err
		}
		if err := second.rest(nil); err != nil {
			return a, err
		}
	}
	return a, first.rest(nil)
}

// annotationTime takes the absolute timestamp of a vertical annotation.
func annotationTime(o *object) (time.Time, error) {
	s, ok, err := o.str("value")
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, missing(o.sub("value"))
	}
	t, err := parseTimestamp(s)
	if err != nil {
		return time.Time{}, invalid("The value %q for parameter %s is not valid. It must be an absolute ISO 8601 timestamp such as 2018-08-28T15:25:26Z.", s, o.sub("value"))
	}
	return t, nil
}
