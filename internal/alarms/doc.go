// Package alarms runs CloudWatch alarms: the Service behind the alarm
// operations of the CloudWatch API (put, describe, delete, set state,
// history, tags), the evaluation of every alarm on the scheduler's clock
// (Run), composite alarms (their AlarmRule language, ParseRule) and the
// execution of actions through the outbox (an SNS notification through
// the targets dispatcher; other action types recorded as failed). It
// reads datapoints through a Source, which the composition root
// implements on the metrics engine, and keeps alarms in store.Alarms.
//
// At its core is a pure function, Evaluate, from a metric alarm's
// configuration, its current state, the time of evaluation and the
// datapoints of its evaluation range (Window) to its next state, with the
// StateReason and StateReasonData AWS writes. It reads no clock and runs
// no query.
//
// It follows the CloudWatch user guide, "Configuring how CloudWatch alarms
// treat missing data" and "Avoiding premature transitions to alarm state"
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html,
// formerly sections of AlarmThatSendsEmail.html), and "Percentile-based
// alarms and low data samples". Its corpus, testdata/missing-data, holds
// every row of the guide's two tables for every treatment of missing data,
// and rows derived from the rules below.
//
// # The evaluation range
//
// "CloudWatch attempts to retrieve a higher number of data points than the
// number specified as Evaluation Periods ... The time frame of the data
// points that it attempts to retrieve is the evaluation range." The guide
// does not publish its length ("depends on the length of the alarm period
// and whether it is based on a metric with standard resolution or high
// resolution"); its only example is an alarm of 3 evaluation periods whose
// range is 5. Vigil's range is EvaluationPeriods + 2 periods for every
// alarm (RangePeriods), which reproduces both tables, and the periods are
// those that ended by the evaluation time: the last one ends at now
// truncated to the minute (to the period, for periods under a minute), as
// in AWS's reasons, where an alarm evaluated at 11:26:05 with a period of
// 60 s reports a datapoint at 11:25:00 as its most recent.
//
// # Missing data
//
// With R real datapoints in the range, N evaluation periods and M
// datapoints to alarm (N when unset):
//
//   - R >= N: the N most recent real datapoints are evaluated, however
//     many periods they span; the treatment of missing data is not used.
//   - breaching, notBreaching: the missing periods are filled "as few
//     times as possible" — N-R of them, the most recent ones ("the two most
//     recent missing data points are both treated as breaching") — and all
//     the real datapoints are evaluated with them. ALARM when M or more
//     breach, else OK.
//   - missing: no datapoint is invented. ALARM when M or more real
//     datapoints breach; else OK when a real datapoint does not breach; else
//     (no real datapoint, or only breaching ones) ALARM if the oldest real
//     datapoint is at least M periods old — the premature-transition rule:
//     "alarms are designed to always go into ALARM state when the oldest
//     available breaching datapoint ... is at least as old as the value of
//     Datapoints to Alarm, and all other more recent data points are
//     breaching or missing" — and INSUFFICIENT_DATA otherwise, which covers
//     "if all data points in the alarm evaluation range are missing, the
//     alarm transitions to INSUFFICIENT_DATA". Row "0 - X - -" of the 2 out
//     of 3 table (OK, not ALARM) shows that an older non-breaching datapoint
//     defeats the rule: "available" is read as any real datapoint.
//   - ignore: as missing, except that where missing would give
//     INSUFFICIENT_DATA or a premature ALARM the current state is kept, as
//     the tables' "Retain current state" cells say.
//
// # Low sample counts
//
// For a percentile statistic (pNN) with EvaluateLowSampleCountPercentile
// "ignore", "the alarm state does not change during periods with too few
// data points": when any real datapoint Evaluate would use has a
// SampleCount below 10/(1-p) (p in [0.5, 1)) or 10/p (p in (0, 0.5)), the
// state is kept. A SampleCount of 0 means unknown and is never low.
//
// # State reasons
//
// Reasons copy what AWS writes, as seen in DescribeAlarms output, SNS
// notifications and EventBridge events:
//
//	Threshold Crossed: 2 datapoints [0.0 (09/01/23 14:02:00), 1.0 (09/01/23 14:01:00)] were not greater than the threshold (42.0).
//	Threshold Crossed: 3 out of the last 3 datapoints [...] were greater than or equal to the threshold (30.0) (minimum 3 datapoints for OK -> ALARM transition).
//	Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing datapoint was treated as [Breaching].
//	Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].
//	Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (25/07/24 07:21:00)] was greater than the upper thresholds [225.71426732099445] (minimum 1 datapoint for OK -> ALARM transition).
//	Insufficient Data: 3 datapoints were unknown.
//
// The short form ("2 datapoints [...]") is used when DatapointsToAlarm is
// unset, the "K out of the last N" form with its "(minimum ...)" suffix
// when it is set; a reason lists, newest first, the real datapoints that
// agree with the new state (breaching for ALARM, not breaching for OK); the
// minimum is M for OK -> ALARM and N-M+1 for ALARM -> OK, and the
// transition is named so whatever the previous state. Numbers are written
// as Java's Double.toString writes them (21.0, 0.005, 8.3714617344E10),
// reason timestamps as dd/MM/yy HH:mm:ss in UTC. StateReasonData is
// {"version":"1.0","queryDate","startDate","unit","statistic","period",
// "recentDatapoints","threshold","evaluatedDatapoints"} in that order, with
// recentDatapoints the real values of the evaluated periods oldest first and
// evaluatedDatapoints the newest "minimum" datapoints that decided the
// state, newest first, each {"timestamp","sampleCount","value"}.
//
// Guesses, for want of a real example: the "(minimum ...)" suffix after a
// "no datapoints were received" reason; "out of the last N" when the
// missing treatment evaluated fewer than N real datapoints; the
// "Insufficient Data" count and evaluatedDatapoints when some datapoints
// exist but too few; the key of a two-sided band's thresholds in
// evaluatedDatapoints (lowerThreshold, upperThreshold); "statistic" holding
// an extended statistic (p99) as SNS's Trigger does.
package alarms
