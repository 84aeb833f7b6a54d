package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// schedule measures how late scheduled rules fire on the real clock: a
// rule on the default bus with cron(* * * * ? *), whose scheduled times
// are whole minutes, targets a queue; for each of n firings it reports
// the time from the event's scheduled time (its "time") until the
// message reached the queue (its SentTimestamp).
func (b *bench) schedule(ctx context.Context, n int) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	urls, arns := b.queues(ctx, run, 1)
	rule := "snsbench-" + run
	if _, err := b.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(rule), ScheduleExpression: aws.String("cron(* * * * ? *)")}); err != nil {
		log.Fatalf("PutRule: %v", err)
	}
	if _, err := b.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(rule),
		Targets: []ebtypes.Target{{Id: aws.String("q"), Arn: aws.String(arns[0])}}}); err != nil {
		log.Fatalf("PutTargets: %v", err)
	}
	defer func() {
		b.events.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String(rule), Ids: []string{"q"}})
		b.events.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String(rule)})
	}()
	fmt.Printf("rule %s fires every minute; waiting for %d firings (about %d minutes)\n", rule, n, n+1)
	var delays []time.Duration
	for len(delays) < n {
		out, err := b.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(urls[0]), MaxNumberOfMessages: 10,
			WaitTimeSeconds: 20, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameSentTimestamp}})
		if err != nil {
			log.Fatalf("ReceiveMessage: %v", err)
		}
		for _, m := range out.Messages {
			var evt struct {
				Time       time.Time `json:"time"`
				DetailType string    `json:"detail-type"`
			}
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &evt); err != nil || evt.DetailType != "Scheduled Event" {
				log.Fatalf("not a scheduled event (%v): %s", err, aws.ToString(m.Body))
			}
			sent, err := strconv.ParseInt(m.Attributes[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64)
			if err != nil {
				log.Fatalf("SentTimestamp: %v", err)
			}
			d := time.UnixMilli(sent).Sub(evt.Time)
			delays = append(delays, d)
			fmt.Printf("scheduled %s, in the queue %s later\n", evt.Time.Format(time.RFC3339), d)
			if _, err := b.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(urls[0]), ReceiptHandle: m.ReceiptHandle}); err != nil {
				log.Fatalf("DeleteMessage: %v", err)
			}
		}
	}
	fmt.Printf("RESULT latest-firing-ms %d\n", slices.Max(delays).Milliseconds())
}
