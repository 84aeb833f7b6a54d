// Package schedexpr parses AWS schedule expressions and ISO 8601
// durations, and computes when a schedule next activates. It serves
// CloudWatch alarm mute rules, EventBridge's scheduled rules and
// EventBridge Scheduler. It is a library of pure functions: it never reads the
// clock, so callers pass the time they evaluate a schedule at.
//
// # Three dialects
//
// AWS writes schedules in three related dialects, each with its own
// parser here; all three return a Schedule, whose Next gives the first
// activation strictly after a time and whose String gives the expression
// in canonical form.
//
// CloudWatch alarm mute rules (ParseMuteSchedule; Schedule.Expression of
// PutAlarmMuteRule,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Schedule.html,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-mute-rules.html)
// take "cron(Minutes Hours Day-of-month Month Day-of-week)", five fields
// in "standard cron syntax", or "at(yyyy-MM-ddThh:mm)" for one mute
// window; both are read in the rule's Timezone (UTC by default). AWS
// documents that "the characters *, -, and , are supported in all
// fields" and that "English names can be used for the month (JAN-DEC) and
// day of week (SUN-SAT) fields". This package reads the five fields as
// standard (Vixie) cron does: Day-of-week is 0-7 with both 0 and 7 Sunday,
// a step "/n" may follow "*" or a range, and when Day-of-month and
// Day-of-week are both restricted (neither starts with "*") a day matches
// if either does; with one of them "*", both must. The Quartz extensions
// of EventBridge (? L W #) are refused. The Duration of a mute rule is an
// ISO 8601 duration from PT1M to P15D (ParseMuteDuration), and ActiveAt
// tells whether a time falls in one of the rule's windows.
//
// EventBridge rules (ParseRuleSchedule; ScheduleExpression of PutRule,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html)
// take "rate(value unit)" or "cron(Minutes Hours Day-of-month Month
// Day-of-week Year)", six fields, always in UTC. Day-of-week is 1-7 or
// SUN-SAT with 1 Sunday; Year is 1970-2199; exactly one of Day-of-month
// and Day-of-week is "?" ("You can't specify the Day-of-month and
// Day-of-week fields in the same cron expression"). Besides , - * / the
// day fields take L (the last day of the month; alone in Day-of-week,
// Saturday, "the last day of the week"; "6L", the last Friday of the
// month), W ("3W", the weekday nearest the 3rd, not leaving the month;
// "LW", the last weekday of the month) and # ("2#1", the first Monday).
// L, W and # items stand alone in their field ("If you use a '#'
// character, you can define only one expression in the day-of-week
// field"). A range may wrap ("20-2" in Hours is 20:00 to 02:00, as in
// AWS's example "0/30 20-2 ? * MON-FRI *"), "a/n" counts from a to the
// end of the field, and a step is at most the field's largest value
// (AWS refuses cron(*/60 * * * ? *)). A rate's unit is singular for 1 and
// plural otherwise: "rate(1 hours) and rate(5 hour) aren't valid".
//
// EventBridge Scheduler (ParseSchedulerSchedule; ScheduleExpression of
// CreateSchedule,
// https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html,
// https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html)
// takes "at(yyyy-mm-ddThh:mm:ss)", "rate(value unit)" and the six-field
// cron of EventBridge rules, read in ScheduleExpressionTimezone.
//
// Names (JAN, MON) and the letters L and W are read in any case, as
// Quartz, on which EventBridge's syntax is modelled, reads them; the
// canonical form writes them in upper case and numbers without leading
// zeros, and otherwise keeps the expression as written, so that
// "cron(0/15 * * * ? *)" stays itself. Every expression is at most 256
// characters, the length AWS allows, of printable ASCII and white space.
//
// # Rates
//
// AWS starts a rate schedule when the rule is created ("A rate expression
// starts when you create the scheduled event rule") or at a schedule's
// StartDate. A parsed rate is anchored at the Unix epoch, so that Next is
// defined without one; RateSchedule.Anchored, or Anchor for any Schedule,
// gives the same rate counted from a chosen start, which is itself an
// activation. A day is 24 hours whatever the time zone: "days represents a
// 24-hour duration on the clock" (AWS re:Post, "EventBridge Scheduler
// adjust DST").
//
// # Daylight saving time
//
// A cron schedule in a time zone with daylight saving time behaves as
// AWS documents for EventBridge Scheduler: "When the time shifts forward
// in Spring, your schedule invocation gets skipped if the cron expression
// falls on a non-existent date and time. When the time shifts back in the
// Fall, your schedule runs only once and doesn't repeat its invocation."
// Here each local time the expression names activates once, at its first
// occurrence; a local time in a spring-forward gap does not activate. Mute
// rules follow the same rule, AWS documenting none of their own. An at()
// naming a local time in a gap activates at the first instant after the
// gap (skipping it would lose the only activation), and one in a
// fall-back overlap at its first occurrence.
//
// # Errors
//
// Parse errors are *Error. Its Message is what AWS answers where AWS's
// wording is known ("Parameter ScheduleExpression is not valid." for
// EventBridge rules, "Invalid Schedule Expression …" for EventBridge
// Scheduler, "At expressions must be a valid date in 'yyyy-MM-ddThh:mm'
// format" for a mute rule's at()), and a clear sentence otherwise; its
// Reason names the field and the fault in every case.
package schedexpr
