package sqs

import (
	"maps"
	"testing"
)

// queueAttributeNames are the values of the model's QueueAttributeName
// enum (botocore's sqs service-2.json).
var queueAttributeNames = []string{"All", "Policy", "VisibilityTimeout", "MaximumMessageSize", "MessageRetentionPeriod",
	"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
	"ApproximateNumberOfMessagesDelayed", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "RedrivePolicy", "FifoQueue",
	"ContentBasedDeduplication", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "DeduplicationScope", "FifoThroughputLimit",
	"RedriveAllowPolicy", "SqsManagedSseEnabled"}

// TestGetQueueAttributesEveryName: every name of the model is answered,
// by itself, as All answers it; any other is refused.
func TestGetQueueAttributesEveryName(t *testing.T) {
	f := newFixture(t)
	f.create("dlq", nil)
	f.fifo("dlq.fifo", nil)
	attrs := func(dlq string) map[string]string {
		return map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[]}`, "KmsMasterKeyId": "alias/aws/sqs",
			"KmsDataKeyReusePeriodSeconds": "600", "RedrivePolicy": `{"deadLetterTargetArn":"` + arn(dlq) + `","maxReceiveCount":3}`,
			"RedriveAllowPolicy": `{"redrivePermission":"allowAll"}`}
	}
	// Every attribute set: a standard queue has all of them but the FIFO
	// queues' four, a FIFO queue all of them.
	for u, n := range map[string]int{f.create("std", attrs("dlq")): len(queueAttributeNames) - 1 - 4,
		f.fifo("f.fifo", attrs("dlq.fifo")): len(queueAttributeNames) - 1} {
		got := f.attrs(u, "All")
		if len(got) != n {
			t.Errorf("All of %s has %d attributes, want %d: %v", u, len(got), n, got)
		}
		for _, n := range queueAttributeNames[1:] {
			one := f.attrs(u, n)
			if v, ok := got[n]; ok && (len(one) != 1 || one[n] != v) || !ok && len(one) != 0 {
				t.Errorf("%s of %s = %v; All has %q", n, u, one, v)
			}
		}
		_, err := f.svc.GetQueueAttributes(f.ctx, scope, u, []string{"QueueArn", "Foobar"})
		wantErr(t, err, InvalidAttributeName, "Unknown Attribute Foobar.")
	}
}

// TestEncryptionAttributes: a KMS key turns SQS-managed encryption off,
// both are refused at once, and the data key reuse period is reported
// with a key only, as AWS answers them.
func TestEncryptionAttributes(t *testing.T) {
	f := newFixture(t)
	sse := func(u string) map[string]string {
		t.Helper()
		return f.attrs(u, "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")
	}
	u := f.create("q", nil)
	if got := sse(u); !maps.Equal(got, map[string]string{"SqsManagedSseEnabled": "true"}) {
		t.Errorf("a new queue's encryption = %v", got)
	}
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"KmsMasterKeyId": "testKeyId", "KmsDataKeyReusePeriodSeconds": "6000"}); err != nil {
		t.Fatal(err)
	}
	if got := sse(u); !maps.Equal(got, map[string]string{"KmsMasterKeyId": "testKeyId", "KmsDataKeyReusePeriodSeconds": "6000", "SqsManagedSseEnabled": "false"}) {
		t.Errorf("with a KMS key = %v", got)
	}
	// Back to the defaults: no key, no period, and SQS-managed encryption
	// still off.
	if err := f.svc.SetQueueAttributes(f.ctx, scope, u, map[string]string{"KmsMasterKeyId": "", "KmsDataKeyReusePeriodSeconds": "300"}); err != nil {
		t.Fatal(err)
	}
	if got := sse(u); !maps.Equal(got, map[string]string{"SqsManagedSseEnabled": "false"}) {
		t.Errorf("without a KMS key again = %v", got)
	}
	both := map[string]string{"KmsMasterKeyId": "testKeyId", "SqsManagedSseEnabled": "true"}
	const msg = "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE."
	wantErr(t, f.svc.SetQueueAttributes(f.ctx, scope, u, both), InvalidAttributeName, msg)
	_, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "both", both, nil)
	wantErr(t, err, InvalidAttributeName, msg)
	k := f.create("k", map[string]string{"KmsMasterKeyId": "alias/aws/sqs"})
	if got := sse(k); !maps.Equal(got, map[string]string{"KmsMasterKeyId": "alias/aws/sqs", "KmsDataKeyReusePeriodSeconds": "300", "SqsManagedSseEnabled": "false"}) {
		t.Errorf("created with a KMS key = %v", got)
	}
	// Created again with the same attributes, it is the same queue.
	if got, err := f.svc.CreateQueue(f.ctx, scope, baseURL, "k", map[string]string{"KmsMasterKeyId": "alias/aws/sqs"}, nil); err != nil || got != k {
		t.Errorf("CreateQueue k again = %q, %v", got, err)
	}
}
