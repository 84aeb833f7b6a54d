// Package widget renders CloudWatch metric widgets: the MetricWidget JSON
// of GetMetricWidgetImage, parsed and validated (ParseWidget), turned into
// the metric queries it needs (Widget.Queries) and drawn, once the caller
// has fetched the data, as a PNG or SVG image (Widget.Render).
//
// The package follows "GetMetricWidgetImage: Metric Widget Structure and
// Syntax"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Metric-Widget-Structure.html)
// and, for the views and options dashboards add (singleValue,
// singleValueFullPrecision, theme), "Dashboard Body Structure and Syntax".
// Options it does not implement are refused with an error that names them;
// none is silently ignored.
//
// It knows nothing of HTTP or of the API types: it returns *Error values
// carrying the AWS error code and message, and the CloudWatch service maps
// them onto its wire errors. Drawing uses gonum.org/v1/plot's vg package,
// whose canvases write both raster (PNG) and vector (SVG) images.
package widget
