package e2e

import (
	"encoding/json"
	"fmt"
	"math/big"
	"testing"
	"time"
)

// TestSNSFIFOTopicToFIFOQueue: boto3, the AWS CLI 1.45 and the Debian AWS
// CLI 2.9 each publish 48 messages in 4 groups (PublishBatch, with
// explicit deduplication ids and the topic's content-based deduplication)
// to a FIFO topic a FIFO queue subscribes to, then publish again under
// deduplication ids already used and content already sent; four Go SDK
// consumers take the queue concurrently. Each entry is answered with a
// SequenceNumber that increases within its group; each group arrives
// whole, in the order published, to one consumer at a time, under its
// MessageGroupId; nothing published again within the deduplication
// window arrives.
func TestSNSFIFOTopicToFIFOQueue(t *testing.T) {
	for _, c := range flowClients() {
		t.Run(c.name, func(t *testing.T) {
			c.need(t)
			v := startStill(t, time.Now().UTC().Truncate(time.Second))
			topic := "arn:aws:sns:us-east-1:" + devAccount + ":orders.fifo"
			l := &sqsLoad{queue: v.endpoint + "/" + devAccount + "/orders.fifo", fifo: true, key: func(body string) string {
				var doc snsMessage
				if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Type != "Notification" || doc.TopicArn != topic {
					return body // no message published: reported so
				}
				return doc.Message
			}}
			steps := []step{
				api("sqs", "CreateQueue", map[string]any{"QueueName": "orders.fifo", "Attributes": map[string]any{"FifoQueue": "true",
					"Policy": servicePolicy("sns.amazonaws.com")}}),
				api("sns", "CreateTopic", map[string]any{"Name": "orders.fifo",
					"Attributes": map[string]any{"FifoTopic": "true", "ContentBasedDeduplication": "true"}}).expect(map[string]any{"TopicArn": topic}),
				api("sns", "Subscribe", map[string]any{"TopicArn": topic, "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:" + devAccount + ":orders.fifo"}).
					expect(map[string]any{"SubscriptionArn": topic + ":*"}),
			}
			var entries []any
			publish := func() {
				steps = append(steps, api("sns", "PublishBatch", map[string]any{"TopicArn": topic, "PublishBatchRequestEntries": entries}))
				entries = nil
			}
			for i := range 48 {
				s := sqsItem{key: fmt.Sprintf("order %02d", i), group: fmt.Sprintf("customer-%d", i%4)}
				l.sent = append(l.sent, s)
				e := map[string]any{"Id": fmt.Sprintf("e%d", i), "Message": s.key, "MessageGroupId": s.group}
				if i%5 != 0 { // else the topic's content-based deduplication
					e["MessageDeduplicationId"] = fmt.Sprintf("d%d", i)
				}
				if entries = append(entries, e); len(entries) == 10 {
					publish()
				}
			}
			publish()
			// Again, within the deduplication window: accepted, not
			// delivered.
			entries = []any{
				map[string]any{"Id": "again1", "Message": "order 01 again", "MessageGroupId": "customer-1", "MessageDeduplicationId": "d1"},
				map[string]any{"Id": "again10", "Message": "order 10", "MessageGroupId": "customer-2"},
				map[string]any{"Id": "again47", "Message": "order 47 again", "MessageGroupId": "customer-3", "MessageDeduplicationId": "d47"},
			}
			publish()
			// Each entry's SequenceNumber, which "continues to increase
			// for a particular MessageGroupId".
			seqs := map[string]*big.Int{}
			for i, o := range c.calls(t, v, steps...) {
				s := steps[i]
				if s.Op != "PublishBatch" {
					continue
				}
				ok, _ := lookup(o.Response, "Successful").([]any)
				if n := lenOf(lookup(s.Params, "PublishBatchRequestEntries")); len(ok) != n || lenOf(lookup(o.Response, "Failed")) != 0 {
					t.Fatalf("PublishBatch = %v; want its %d entries published", o.Response, n)
				}
				for _, e := range ok {
					id, _ := lookup(e, "Id").(string)
					seq, _ := lookup(e, "SequenceNumber").(string)
					if seqs[id], _ = new(big.Int).SetString(seq, 10); lookup(e, "MessageId") == nil || seqs[id] == nil {
						t.Fatalf("PublishBatch entry %v: want its MessageId and SequenceNumber (a number), as AWS answers for a FIFO topic", e)
					}
				}
			}
			seq := func(i int) *big.Int { return seqs[fmt.Sprintf("e%d", i)] }
			last := map[string]int{}
			for i, s := range l.sent {
				if j, ok := last[s.group]; ok && seq(i).Cmp(seq(j)) <= 0 {
					t.Errorf("%s has SequenceNumber %v, not above %v of %s, published before it in its group", s.key, seq(i), seq(j), l.sent[j].key)
				}
				last[s.group] = i
			}
			v.settle(t)
			l.run(t, v, []int32{1, 3, 5, 10}, false, nil)
			l.check(t)
			drained(t, v.sqsClient(), l.queue)
		})
	}
}
