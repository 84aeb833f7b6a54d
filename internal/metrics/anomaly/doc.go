// Package anomaly is the model behind CloudWatch anomaly detection: Train
// fits a model to a metric's history, and Model.Band gives the band of
// expected values that ANOMALY_DETECTION_BAND returns and anomaly
// detection alarms compare the metric with.
//
// CloudWatch documents what its model does, not how
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html):
// it "trains on up to two weeks of metric data", "assesses both trends
// and hourly, daily, and weekly patterns", accepts excluded time ranges
// and a time zone for the patterns, re-trains "if the metric values evolve
// over time or have sudden changes", and a higher threshold "produces a
// thicker band". This package implements those behaviours with a robust,
// explainable decomposition:
//
//	value(t) = trend(t) + level shift(t) + seasonal(wall clock of t) + noise
//	band(t)  = expected(t) ± stddevs × scale(hour of t)
//
// # Training
//
// The model learns from the last two weeks (TrainingWindow) of history,
// less the excluded ranges and non-finite values; an excluded range is
// exactly as if its points were missing. Wall-clock times are read in the
// configured time zone, so daily and weekly patterns follow daylight
// saving time.
//
// The seasonal part is one of six structures: a flat level; a
// minute-of-hour pattern; a time-of-day pattern (buckets of 5 minutes or
// the period, each the median of at least 12 values spanning at least 15
// minutes of the day); time of day plus minute of hour; time of day plus
// day-of-week deviations (buckets of 30 minutes or the period); and that
// plus minute of hour. Weekly structures need 13 days of history, so that
// each weekday is seen twice. The structure is chosen by two-fold
// cross-validation (by week when weekly structures are candidates, else by
// day): each is fitted on one fold and predicts the other, and the
// smallest trimmed mean absolute error wins, a simpler structure being
// preferred within 2%. Pure noise gets a flat model; patterns the data
// does not support are not invented.
//
// The trend is a Theil–Sen line through block medians (daily blocks of the
// raw values first, then hourly blocks of the values less their seasonal
// part), kept only when significant at three standard errors. A level
// shift is the one split of the hourly blocks whose two medians explain
// them best; it is kept when it halves their absolute deviations, measures
// five block standard deviations, and both levels have lasted a day: a
// change that has persisted for a day becomes the new normal, a younger
// one is still an anomaly. Beyond the training data the trend is
// extrapolated for a day, then held.
//
// Medians everywhere make spikes in the training data, even many of them,
// leave the expected value where it was.
//
// # Band width
//
// The scale is the robust standard deviation of out-of-fold residuals (how
// far the metric strays from a model that has not seen the point, so it
// includes the model's own error): the median absolute residual, then the
// root mean square of the residuals within 3.5 of those deviations,
// corrected for the truncation. Spikes do not widen the band. It is
// estimated per hour of the day (or of the week, for weekly models), from
// the hour and its neighbours, and shrunk toward the overall scale in
// proportion to how few residuals the hour has, because metrics are often
// noisier when busy. With few training points the band widens by
// 1 + 3/(n-1), as a t interval does. It is never narrower than 0.01% of
// the metric's typical magnitude, so a constant metric gets a narrow band,
// not an empty one. With PeriodicSpikes the upper scale of the hours that
// had spikes (residuals the scale ignored) rises to half their 95th
// percentile height, so that the default two standard deviations hold
// them; spikes seen in most hours raise it everywhere.
//
// On normal noise, two standard deviations hold about 95.5% of new points,
// as for a normal distribution.
//
// # States
//
// A model with no usable data is PendingTraining. One with less than a day
// of usable history (MinHistory) or fewer than MinPoints points is
// TrainedInsufficientData and draws no band: CloudWatch documents no
// minimum, and until the model has seen a full day it cannot tell a
// metric's nightly low from an outage. Otherwise it is Trained.
//
// The package knows nothing of HTTP, the API types or storage; the
// CloudWatch service trains models from stored history and maps
// Configuration onto Config.
package anomaly
