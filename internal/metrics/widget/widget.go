package widget

import "time"

// View is how a widget displays its metrics.
type View string

// The views Vigil draws. AWS dashboards also have gauge and table views,
// which ParseWidget refuses as unsupported.
const (
	// ViewTimeSeries draws lines, or stacked areas when Stacked is set.
	ViewTimeSeries View = "timeSeries"
	// ViewBar draws one bar per metric: its latest value.
	ViewBar View = "bar"
	// ViewPie draws one slice per metric: its latest value.
	ViewPie View = "pie"
	// ViewSingleValue prints each metric's latest value.
	ViewSingleValue View = "singleValue"
)

// LegendPosition is where the legend goes.
type LegendPosition string

// The legend positions of the MetricWidget legend.position field.
const (
	LegendBottom LegendPosition = "bottom"
	LegendRight  LegendPosition = "right"
	LegendHidden LegendPosition = "hidden"
)

// Axis names a y-axis.
type Axis string

// The two y-axes.
const (
	AxisLeft  Axis = "left"
	AxisRight Axis = "right"
)

// Theme is the color scheme of the image.
type Theme string

// The themes of the MetricWidget theme field.
const (
	ThemeLight Theme = "light"
	ThemeDark  Theme = "dark"
)

// Fill says which side of an annotation line is shaded.
type Fill string

// The fills of annotations. Horizontal annotations shade above or below,
// vertical ones before or after; FillNone shades nothing.
const (
	FillNone   Fill = ""
	FillAbove  Fill = "above"
	FillBelow  Fill = "below"
	FillBefore Fill = "before"
	FillAfter  Fill = "after"
)

// Defaults of the MetricWidget structure.
const (
	DefaultWidth  = 600
	DefaultHeight = 400
	DefaultPeriod = 300
	DefaultStat   = "Average"
	// MaxSize bounds width and height, in pixels.
	MaxSize = 2000
	// MaxMetrics bounds the metrics array.
	MaxMetrics = 100
)

// Widget is a parsed and validated MetricWidget. The zero values of its
// optional fields are already replaced by AWS's defaults.
type Widget struct {
	// Metrics are the rows of the metrics array, in order, with the "."
	// and "..." shorthands expanded.
	Metrics []Metric
	// Horizontal and Vertical are the annotations.
	Horizontal []HorizontalAnnotation
	Vertical   []VerticalAnnotation

	// View is the display format; Stacked stacks a time series' areas.
	View    View
	Stacked bool
	// Title is drawn above the graph; empty draws none.
	Title string
	// Width and Height are the image size in pixels.
	Width, Height int
	// Period is the default period in seconds; Stat the default statistic.
	Period int
	Stat   string
	// Start and End bound the graph; they default to -PT3H and -PT0H.
	Start, End TimeRef
	// Timezone is the zone of the time axis (the timezone field, "+0130").
	Timezone *time.Location
	// Legend is where the legend goes.
	Legend LegendPosition
	// Left and Right configure the y-axes.
	Left, Right YAxis
	// LiveData asks for data of the last, not yet complete, minute.
	LiveData bool
	// SetPeriodToTimeRange makes the bar, pie and single-value views
	// aggregate over the whole time range instead of showing the latest
	// period. Time series ignore it, as on AWS.
	SetPeriodToTimeRange bool
	// SingleValueFullPrecision prints single values with all their digits.
	SingleValueFullPrecision bool
	// Theme is the color scheme.
	Theme Theme
	// Region is the region field; the caller checks that it names the
	// local Region, as AWS requires.
	Region string

	// resolved is the time range the last Queries call resolved; Render
	// draws it.
	resolved *timeRange
}

// Metric is one row of the metrics array: a metric or a math expression.
type Metric struct {
	// ID is the row's id option, or one Vigil generated when it had none
	// (AutoID is then set). Expressions refer to rows by it.
	ID     string
	AutoID bool
	// Expression is the metric math expression of an expression row;
	// empty for a metric row.
	Expression string
	// Namespace, MetricName and Dimensions identify a metric row's metric.
	Namespace  string
	MetricName string
	Dimensions []Dimension
	// Stat and Period are the row's own statistic and period; empty and
	// zero mean the widget's.
	Stat   string
	Period int
	// Label is the legend label; empty means a generated one.
	Label string
	// Color is the row's color as "#rrggbb"; empty means the palette's.
	Color string
	// Visible is false for rows that only feed expressions.
	Visible bool
	// YAxis is the axis the row is drawn against.
	YAxis Axis
	// Region is the row's region option; the caller checks it.
	Region string
}

// Dimension is a name/value pair of a metric row.
type Dimension struct {
	Name, Value string
}

// YAxis is the configuration of one y-axis.
type YAxis struct {
	// Min and Max fix the ends of the axis; nil scales to the data.
	Min, Max *float64
	// Label is the axis title.
	Label string
	// ShowUnits shows the unit of the axis' metrics when Label is empty.
	ShowUnits bool
}

// HorizontalAnnotation is a line at a value, or a band between two values.
type HorizontalAnnotation struct {
	// Value is where the line is; Label is drawn beside it.
	Value float64
	Label string
	// Band is set for a band annotation, whose other edge is Value2
	// (labelled Label2).
	Band   bool
	Value2 float64
	Label2 string
	// Color is "#rrggbb", or empty for the default.
	Color string
	// Fill shades above or below the line (never for bands, which shade
	// between their edges).
	Fill    Fill
	Visible bool
	YAxis   Axis
}

// VerticalAnnotation is a line at a time, or a band between two times.
type VerticalAnnotation struct {
	// Time is where the line is; Label is drawn beside it.
	Time  time.Time
	Label string
	// Band is set for a band annotation, whose other edge is Time2
	// (labelled Label2).
	Band   bool
	Time2  time.Time
	Label2 string
	// Color is "#rrggbb", or empty for the default.
	Color string
	// Fill shades before or after the line (never for bands).
	Fill    Fill
	Visible bool
}
