package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// SNS checks the backend's store.SNS: topics created once per account,
// region and name, read, listed and paged by ARN, their attributes and
// data protection policies updated in one transaction, and deleted with
// their subscriptions; sequence numbers that only grow; subscriptions
// put only to topics that exist, replaced, read, found by endpoint,
// listed by topic and by scope, confirmed by token and deleted; accounts
// and regions apart; and all of it kept across a reopen.
func SNS(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	const otherAcct, otherRegion = "222222222222", "eu-west-1"
	snsOf := func(t *testing.T, b Backend) store.SNS {
		t.Helper()
		need(t, b.SNS != nil, "SNS")
		return b.SNS
	}
	topic := func(account, region, name string) store.Topic {
		return store.Topic{Account: account, Region: region, Name: name, ARN: "arn:aws:sns:" + region + ":" + account + ":" + name,
			Attributes: []byte(`{"DisplayName":"` + name + `"}`), Created: 1000}
	}
	// sub is a subscription of tp, by id: confirmed and without a token
	// for sqs, unconfirmed with a token for other protocols.
	sub := func(tp store.Topic, id, protocol, endpoint string) store.Subscription {
		s := store.Subscription{ARN: tp.ARN + ":" + id, Account: tp.Account, Region: tp.Region, Owner: otherAcct, TopicARN: tp.ARN,
			Protocol: protocol, Endpoint: endpoint, Attributes: []byte(`{"RawMessageDelivery":"false","id":"` + id + `"}`), Created: 2000}
		if protocol == "sqs" {
			s.Confirmed = true
		} else {
			s.Token = "token-" + id
		}
		return s
	}
	create := func(t *testing.T, s store.SNS, tp store.Topic) {
		t.Helper()
		got, created, err := s.CreateTopic(ctx, tp)
		if err != nil {
			t.Fatalf("CreateTopic(%s): %v", tp.ARN, err)
		}
		if !created || !reflect.DeepEqual(*got, tp) {
			t.Fatalf("CreateTopic(%s) = %+v, %v; want %+v, true", tp.ARN, *got, created, tp)
		}
	}
	readTopic := func(t *testing.T, s store.SNS, want store.Topic) {
		t.Helper()
		got, err := s.Topic(ctx, want.ARN)
		if err != nil {
			t.Fatalf("Topic(%s): %v", want.ARN, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Topic(%s) =\n%+v\nwant\n%+v", want.ARN, *got, want)
		}
	}
	missingTopic := func(t *testing.T, s store.SNS, arn string) {
		t.Helper()
		if got, err := s.Topic(ctx, arn); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Topic(%s) = %+v, %v; want ErrNotFound", arn, got, err)
		}
	}
	topicNames := func(ts []store.Topic) []string {
		out := []string{}
		for _, tp := range ts {
			out = append(out, tp.Name)
		}
		return out
	}
	topicsListed := func(t *testing.T, s store.SNS, account, region, after string, limit int, want ...string) {
		t.Helper()
		got, err := s.Topics(ctx, account, region, after, limit)
		if err != nil {
			t.Fatalf("Topics(%s, %s, %q, %d): %v", account, region, after, limit, err)
		}
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(topicNames(got), want) {
			t.Errorf("Topics(%s, %s, %q, %d) = %q; want %q", account, region, after, limit, topicNames(got), want)
		}
	}
	put := func(t *testing.T, s store.SNS, subs ...store.Subscription) {
		t.Helper()
		for _, sb := range subs {
			if err := s.PutSubscription(ctx, sb); err != nil {
				t.Fatalf("PutSubscription(%s): %v", sb.ARN, err)
			}
		}
	}
	readSub := func(t *testing.T, s store.SNS, want store.Subscription) {
		t.Helper()
		got, err := s.Subscription(ctx, want.ARN)
		if err != nil {
			t.Fatalf("Subscription(%s): %v", want.ARN, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Subscription(%s) =\n%+v\nwant\n%+v", want.ARN, *got, want)
		}
	}
	missingSub := func(t *testing.T, s store.SNS, arn string) {
		t.Helper()
		if got, err := s.Subscription(ctx, arn); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Subscription(%s) = %+v, %v; want ErrNotFound", arn, got, err)
		}
	}
	subARNs := func(subs []store.Subscription) []string {
		out := []string{}
		for _, sb := range subs {
			out = append(out, sb.ARN)
		}
		return out
	}
	// sorted are the ARNs of subs in byte order.
	sorted := func(subs ...store.Subscription) []string {
		return slices.Sorted(slices.Values(subARNs(subs)))
	}
	subsListed := func(t *testing.T, s store.SNS, account, region, topicARN, after string, limit int, want []string) {
		t.Helper()
		got, err := s.Subscriptions(ctx, account, region, topicARN, after, limit)
		if err != nil {
			t.Fatalf("Subscriptions(%s, %s, %q, %q, %d): %v", account, region, topicARN, after, limit, err)
		}
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(subARNs(got), want) {
			t.Errorf("Subscriptions(%s, %s, %q, %q, %d) = %q; want %q", account, region, topicARN, after, limit, subARNs(got), want)
		}
	}

	t.Run("create", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders := topic(acct, region, "orders")
		create(t, s, orders)
		readTopic(t, s, orders)

		// Creating again returns the topic stored, unchanged.
		again := orders
		again.Attributes, again.Created = []byte(`{"DisplayName":"other"}`), 9000
		got, created, err := s.CreateTopic(ctx, again)
		if err != nil {
			t.Fatalf("CreateTopic(existing): %v", err)
		}
		if created || !reflect.DeepEqual(*got, orders) {
			t.Errorf("CreateTopic(existing) = %+v, %v; want %+v, false", *got, created, orders)
		}
		readTopic(t, s, orders)

		// The same name in another account or region is another topic.
		create(t, s, topic(otherAcct, region, "orders"))
		create(t, s, topic(acct, otherRegion, "orders"))
		readTopic(t, s, orders)
		readTopic(t, s, topic(otherAcct, region, "orders"))
		readTopic(t, s, topic(acct, otherRegion, "orders"))
	})

	t.Run("read", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		bin := topic(acct, region, "bin")
		bin.Attributes, bin.Created = []byte{0, 1, 2, 0xff}, 1234567890123
		create(t, s, bin)
		readTopic(t, s, bin)
		missingTopic(t, s, topic(acct, region, "nosuch").ARN)
		missingTopic(t, s, topic(otherAcct, region, "bin").ARN)
		missingTopic(t, s, topic(acct, otherRegion, "bin").ARN)
		missingTopic(t, s, "")
	})

	t.Run("list", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		// Byte order: upper case before lower case, "-" before letters, a
		// prefix before its extensions.
		for _, n := range []string{"web", "db", "Web", "db-1", "db-10", "d", "web-latency"} {
			create(t, s, topic(acct, region, n))
		}
		create(t, s, topic(otherAcct, region, "db-other"))
		create(t, s, topic(acct, otherRegion, "db-other"))
		all := []string{"Web", "d", "db", "db-1", "db-10", "web", "web-latency"}
		topicsListed(t, s, acct, region, "", 0, all...)
		topicsListed(t, s, otherAcct, region, "", 0, "db-other")
		topicsListed(t, s, acct, otherRegion, "", 0, "db-other")
		topicsListed(t, s, "333333333333", region, "", 0)

		// Paging by the ARN of the last topic of a page.
		pages := pages(t, "Topics", 2, func(after string) ([]store.Topic, error) { return s.Topics(ctx, acct, region, after, 2) },
			func(tp store.Topic) string { return tp.ARN }, func(tp store.Topic) string { return tp.Name })
		if got := slices.Concat(pages...); !slices.Equal(got, all) || len(pages) != 4 {
			t.Errorf("pages of 2 = %q; want %q in 4 pages", pages, all)
		}
		// An ARN between topics: those after it.
		topicsListed(t, s, acct, region, topic(acct, region, "db-").ARN, 0, "db-1", "db-10", "web", "web-latency")
		topicsListed(t, s, acct, region, topic(acct, region, "db").ARN, 3, "db-1", "db-10", "web")
		topicsListed(t, s, acct, region, topic(acct, region, "web-latency").ARN, 0)
	})

	t.Run("update", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders, other := topic(acct, region, "orders"), topic(acct, region, "other")
		orders.DataProtectionPolicy = `{"Name":"p"}`
		create(t, s, orders)
		create(t, s, other)
		readTopic(t, s, orders)
		want := orders
		want.Attributes, want.DataProtectionPolicy = []byte(`{"DisplayName":"Orders","Policy":"{}"}`), ""
		err := s.UpdateTopic(ctx, orders.ARN, func(tp *store.Topic) error {
			if !reflect.DeepEqual(*tp, orders) {
				t.Errorf("UpdateTopic's update got\n%+v\nwant\n%+v", *tp, orders)
			}
			// Only the attributes and the data protection policy change.
			*tp = store.Topic{Attributes: want.Attributes, Name: "renamed", Created: 1}
			return nil
		})
		if err != nil {
			t.Fatalf("UpdateTopic: %v", err)
		}
		readTopic(t, s, want)
		readTopic(t, s, other)
		topicsListed(t, s, acct, region, "", 0, "orders", "other")

		// An update that fails changes nothing, and its error comes back.
		refused := errors.New("refused")
		err = s.UpdateTopic(ctx, orders.ARN, func(tp *store.Topic) error {
			tp.Attributes, tp.DataProtectionPolicy = []byte(`{}`), "x"
			return refused
		})
		if !errors.Is(err, refused) {
			t.Errorf("UpdateTopic(failing) = %v; want its error", err)
		}
		readTopic(t, s, want)

		for _, arn := range []string{topic(acct, region, "nosuch").ARN, topic(otherAcct, region, "orders").ARN} {
			err := s.UpdateTopic(ctx, arn, func(*store.Topic) error {
				t.Errorf("UpdateTopic(%s) called its update", arn)
				return nil
			})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("UpdateTopic(%s) = %v; want ErrNotFound", arn, err)
			}
			missingTopic(t, s, arn)
		}
		if err := s.DeleteTopic(ctx, orders.ARN); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateTopic(ctx, orders.ARN, func(*store.Topic) error { return nil }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateTopic(deleted) = %v; want ErrNotFound", err)
		}
	})

	t.Run("sequence", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		last := int64(0)
		for _, n := range []int{1, 1, 10, 3} {
			got, err := s.NextSequence(ctx, n)
			if err != nil {
				t.Fatalf("NextSequence(%d): %v", n, err)
			}
			if got-int64(n) < last {
				t.Fatalf("NextSequence(%d) = %d after %d: the numbers reserved overlap those before", n, got, last)
			}
			last = got
		}
	})

	t.Run("delete topic", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders, other := topic(acct, region, "orders"), topic(acct, region, "other")
		create(t, s, orders)
		create(t, s, other)
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		b := sub(orders, "00000000-0000-4000-8000-00000000000b", "https", "https://example.com/hook")
		c := sub(other, "00000000-0000-4000-8000-00000000000c", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		put(t, s, a, b, c)
		if err := s.DeleteTopic(ctx, orders.ARN); err != nil {
			t.Fatalf("DeleteTopic: %v", err)
		}
		missingTopic(t, s, orders.ARN)
		missingSub(t, s, a.ARN)
		missingSub(t, s, b.ARN)
		subsListed(t, s, acct, region, orders.ARN, "", 0, nil)
		subsListed(t, s, acct, region, "", "", 0, sorted(c))
		if _, err := s.FindSubscription(ctx, orders.ARN, "sqs", a.Endpoint); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FindSubscription(of the deleted topic) = %v; want ErrNotFound", err)
		}
		// The other topic and its subscription are left.
		readTopic(t, s, other)
		readSub(t, s, c)
		topicsListed(t, s, acct, region, "", 0, "other")

		// Deleting again, or a topic that never was, is no error.
		if err := s.DeleteTopic(ctx, orders.ARN); err != nil {
			t.Errorf("DeleteTopic(deleted) = %v; want nil", err)
		}
		if err := s.DeleteTopic(ctx, topic(acct, region, "nosuch").ARN); err != nil {
			t.Errorf("DeleteTopic(nosuch) = %v; want nil", err)
		}
		// Created again, it has no subscriptions.
		create(t, s, orders)
		subsListed(t, s, acct, region, orders.ARN, "", 0, nil)
		missingSub(t, s, a.ARN)
	})

	t.Run("put subscription", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders := topic(acct, region, "orders")
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "https", "https://example.com/hook")

		// No topic: ErrNotFound, and nothing written.
		if err := s.PutSubscription(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutSubscription(to a missing topic) = %v; want ErrNotFound", err)
		}
		missingSub(t, s, a.ARN)
		subsListed(t, s, acct, region, "", "", 0, nil)
		create(t, s, orders)
		subsListed(t, s, acct, region, orders.ARN, "", 0, nil)

		put(t, s, a)
		readSub(t, s, a)

		// Replacing writes every field.
		b := a
		b.Owner, b.Protocol, b.Endpoint = acct, "email", "ops@example.com"
		b.Confirmed, b.Token = true, "token-b"
		b.Attributes, b.Created = []byte{0, 1, 0xff}, 3000
		put(t, s, b)
		readSub(t, s, b)
		subsListed(t, s, acct, region, orders.ARN, "", 0, sorted(b))
		if _, err := s.FindSubscription(ctx, orders.ARN, a.Protocol, a.Endpoint); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FindSubscription(replaced endpoint) = %v; want ErrNotFound", err)
		}

		// Another topic's subscription that names a missing topic.
		lost := sub(topic(otherAcct, region, "orders"), "00000000-0000-4000-8000-00000000000c", "sqs", "arn:aws:sqs:us-east-1:222222222222:q")
		if err := s.PutSubscription(ctx, lost); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutSubscription(to another account's missing topic) = %v; want ErrNotFound", err)
		}
		missingSub(t, s, lost.ARN)
		subsListed(t, s, otherAcct, region, "", "", 0, nil)
		// Replacing one whose topic is gone fails too, and writes nothing.
		if err := s.DeleteTopic(ctx, orders.ARN); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSubscription(ctx, a); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutSubscription(to a deleted topic) = %v; want ErrNotFound", err)
		}
		missingSub(t, s, a.ARN)
	})

	t.Run("read subscription", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders, other := topic(acct, region, "orders"), topic(acct, region, "other")
		create(t, s, orders)
		create(t, s, other)
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "https", "https://example.com/hook")
		b := sub(orders, "00000000-0000-4000-8000-00000000000b", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		c := sub(other, "00000000-0000-4000-8000-00000000000c", "https", "https://example.com/hook")
		put(t, s, a, b, c)
		readSub(t, s, a)
		readSub(t, s, b)
		readSub(t, s, c)
		missingSub(t, s, orders.ARN+":00000000-0000-4000-8000-0000000000ff")
		missingSub(t, s, orders.ARN)
		missingSub(t, s, "")

		found := func(topicARN, protocol, endpoint string, want store.Subscription) {
			t.Helper()
			got, err := s.FindSubscription(ctx, topicARN, protocol, endpoint)
			if err != nil {
				t.Fatalf("FindSubscription(%s, %s, %s): %v", topicARN, protocol, endpoint, err)
			}
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("FindSubscription(%s, %s, %s) =\n%+v\nwant\n%+v", topicARN, protocol, endpoint, *got, want)
			}
		}
		notFound := func(topicARN, protocol, endpoint string) {
			t.Helper()
			if got, err := s.FindSubscription(ctx, topicARN, protocol, endpoint); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("FindSubscription(%s, %s, %s) = %+v, %v; want ErrNotFound", topicARN, protocol, endpoint, got, err)
			}
		}
		found(orders.ARN, "https", "https://example.com/hook", a)
		found(orders.ARN, "sqs", "arn:aws:sqs:us-east-1:111111111111:q", b)
		found(other.ARN, "https", "https://example.com/hook", c)
		// Protocol, endpoint and topic all count.
		notFound(orders.ARN, "http", "https://example.com/hook")
		notFound(orders.ARN, "https", "https://example.com/hook2")
		notFound(orders.ARN, "https", "https://example.com/")
		notFound(other.ARN, "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		notFound(topic(acct, region, "nosuch").ARN, "https", "https://example.com/hook")
	})

	t.Run("list subscriptions", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		// Topic "a-1" sorts before "a" by ARN, and so do its
		// subscriptions (":" is after "-").
		ta, ta1, tb := topic(acct, region, "a"), topic(acct, region, "a-1"), topic(acct, region, "b")
		tOtherAcct, tOtherRegion := topic(otherAcct, region, "a"), topic(acct, otherRegion, "a")
		for _, tp := range []store.Topic{ta, ta1, tb, tOtherAcct, tOtherRegion} {
			create(t, s, tp)
		}
		var ofA, ofA1, ofB []store.Subscription
		for _, id := range []string{"3", "1", "5", "2", "4"} {
			ofA = append(ofA, sub(ta, "00000000-0000-4000-8000-00000000000"+id, "sqs", "arn:aws:sqs:us-east-1:111111111111:q"+id))
		}
		for _, id := range []string{"2", "1"} {
			ofA1 = append(ofA1, sub(ta1, "00000000-0000-4000-8000-00000000000"+id, "https", "https://example.com/"+id))
		}
		ofB = append(ofB, sub(tb, "00000000-0000-4000-8000-000000000009", "email", "ops@example.com"))
		put(t, s, ofA...)
		put(t, s, ofB...)
		put(t, s, ofA1...)
		put(t, s, sub(tOtherAcct, "00000000-0000-4000-8000-000000000001", "sqs", "arn:aws:sqs:us-east-1:222222222222:q"),
			sub(tOtherRegion, "00000000-0000-4000-8000-000000000001", "sqs", "arn:aws:sqs:eu-west-1:111111111111:q"))

		subsListed(t, s, acct, region, ta.ARN, "", 0, sorted(ofA...))
		subsListed(t, s, acct, region, ta1.ARN, "", 0, sorted(ofA1...))
		subsListed(t, s, acct, region, tb.ARN, "", 0, sorted(ofB...))
		subsListed(t, s, acct, region, topic(acct, region, "nosuch").ARN, "", 0, nil)
		scope := sorted(slices.Concat(ofA, ofA1, ofB)...)
		if scope[0] != ofA1[1].ARN {
			t.Fatalf("the test's ARNs are not in the order it expects: %q", scope)
		}
		subsListed(t, s, acct, region, "", "", 0, scope)
		subsListed(t, s, otherAcct, region, "", "", 0, []string{tOtherAcct.ARN + ":00000000-0000-4000-8000-000000000001"})
		subsListed(t, s, acct, otherRegion, "", "", 0, []string{tOtherRegion.ARN + ":00000000-0000-4000-8000-000000000001"})
		subsListed(t, s, "333333333333", region, "", "", 0, nil)

		// Paging by the ARN of the last subscription of a page, of a
		// topic and of the scope.
		for _, c := range []struct {
			topicARN string
			want     []string
		}{{ta.ARN, sorted(ofA...)}, {"", scope}} {
			for _, size := range []int{1, 2, 3, 100} {
				subARN := func(s store.Subscription) string { return s.ARN }
				got := slices.Concat(pages(t, "Subscriptions "+c.topicARN, size, func(after string) ([]store.Subscription, error) {
					return s.Subscriptions(ctx, acct, region, c.topicARN, after, size)
				}, subARN, subARN)...)
				if !slices.Equal(got, c.want) {
					t.Errorf("Subscriptions(%q) by pages of %d = %q; want %q", c.topicARN, size, got, c.want)
				}
			}
		}
		// An ARN between subscriptions: those after it.
		subsListed(t, s, acct, region, ta.ARN, ta.ARN+":00000000-0000-4000-8000-000000000002x", 2, sorted(ofA...)[2:4])
		subsListed(t, s, acct, region, "", ta.ARN+":", 0, sorted(slices.Concat(ofA, ofB)...))
	})

	t.Run("confirm", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders, other := topic(acct, region, "orders"), topic(acct, region, "other")
		create(t, s, orders)
		create(t, s, other)
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "https", "https://example.com/hook")
		b := sub(orders, "00000000-0000-4000-8000-00000000000b", "email", "ops@example.com")
		c := sub(other, "00000000-0000-4000-8000-00000000000c", "https", "https://example.com/hook")
		c.Token = a.Token // the same token for another topic's subscription
		put(t, s, a, b, c)

		// A wrong token, or the token of another topic: ErrNotFound, and
		// nothing confirmed.
		for _, k := range [][2]string{{orders.ARN, "wrong"}, {orders.ARN, a.Token + "x"}, {orders.ARN, "token-"},
			{topic(acct, region, "nosuch").ARN, a.Token}, {topic(otherAcct, region, "orders").ARN, a.Token}} {
			if got, err := s.ConfirmSubscription(ctx, k[0], k[1]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ConfirmSubscription(%s, %s) = %+v, %v; want ErrNotFound", k[0], k[1], got, err)
			}
		}
		if got, err := s.ConfirmSubscription(ctx, other.ARN, b.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ConfirmSubscription(of another topic's token) = %+v, %v; want ErrNotFound", got, err)
		}
		readSub(t, s, a)
		readSub(t, s, b)
		readSub(t, s, c)

		got, err := s.ConfirmSubscription(ctx, orders.ARN, a.Token)
		if err != nil {
			t.Fatalf("ConfirmSubscription: %v", err)
		}
		want := a
		want.Confirmed = true
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("ConfirmSubscription =\n%+v\nwant\n%+v", *got, want)
		}
		readSub(t, s, want)
		// Only that one.
		readSub(t, s, b)
		readSub(t, s, c)
		// Confirming again returns it, confirmed.
		if got, err := s.ConfirmSubscription(ctx, orders.ARN, a.Token); err != nil || !reflect.DeepEqual(*got, want) {
			t.Errorf("ConfirmSubscription(again) = %+v, %v; want %+v", got, err, want)
		}
		// A deleted subscription's token confirms nothing.
		if err := s.DeleteSubscription(ctx, b.ARN); err != nil {
			t.Fatal(err)
		}
		if got, err := s.ConfirmSubscription(ctx, orders.ARN, b.Token); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ConfirmSubscription(deleted) = %+v, %v; want ErrNotFound", got, err)
		}
	})

	t.Run("delete subscription", func(t *testing.T) {
		s := snsOf(t, fresh(t, open))
		orders := topic(acct, region, "orders")
		create(t, s, orders)
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "https", "https://example.com/hook")
		b := sub(orders, "00000000-0000-4000-8000-00000000000b", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		put(t, s, a, b)
		if err := s.DeleteSubscription(ctx, a.ARN); err != nil {
			t.Fatalf("DeleteSubscription: %v", err)
		}
		missingSub(t, s, a.ARN)
		readSub(t, s, b)
		readTopic(t, s, orders)
		subsListed(t, s, acct, region, orders.ARN, "", 0, sorted(b))
		if err := s.DeleteSubscription(ctx, a.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteSubscription(deleted) = %v; want ErrNotFound", err)
		}
		if err := s.DeleteSubscription(ctx, orders.ARN+":nosuch"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteSubscription(nosuch) = %v; want ErrNotFound", err)
		}
		// Put again after a delete.
		put(t, s, a)
		readSub(t, s, a)
	})

	t.Run("durable", func(t *testing.T) {
		orders, gone, other := topic(acct, region, "orders"), topic(acct, region, "gone"), topic(otherAcct, region, "orders")
		a := sub(orders, "00000000-0000-4000-8000-00000000000a", "https", "https://example.com/hook")
		b := sub(orders, "00000000-0000-4000-8000-00000000000b", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		c := sub(orders, "00000000-0000-4000-8000-00000000000c", "email", "ops@example.com")
		d := sub(gone, "00000000-0000-4000-8000-00000000000d", "sqs", "arn:aws:sqs:us-east-1:111111111111:q")
		e := sub(other, "00000000-0000-4000-8000-00000000000e", "email", "ops@example.com")
		attributes := []byte(`{"DisplayName":"Orders"}`)
		var sequence int64
		s := snsOf(t, reopen(t, open, func(t *testing.T, bk Backend) {
			s := snsOf(t, bk)
			for _, tp := range []store.Topic{orders, gone, other} {
				create(t, s, tp)
			}
			put(t, s, a, b, c, d, e)
			if err := s.UpdateTopic(ctx, orders.ARN, func(tp *store.Topic) error {
				tp.Attributes, tp.DataProtectionPolicy = attributes, `{"Name":"p"}`
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var err error
			if sequence, err = s.NextSequence(ctx, 5); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmSubscription(ctx, orders.ARN, a.Token); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteSubscription(ctx, c.ARN); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteTopic(ctx, gone.ARN); err != nil {
				t.Fatal(err)
			}
		}))
		wantOrders := orders
		wantOrders.Attributes, wantOrders.DataProtectionPolicy = attributes, `{"Name":"p"}`
		readTopic(t, s, wantOrders)
		if got, err := s.NextSequence(ctx, 1); err != nil || got <= sequence {
			t.Errorf("NextSequence after a reopen = %d, %v; want more than %d", got, err, sequence)
		}
		readTopic(t, s, other)
		missingTopic(t, s, gone.ARN)
		topicsListed(t, s, acct, region, "", 0, "orders")
		wantA := a
		wantA.Confirmed = true
		readSub(t, s, wantA)
		readSub(t, s, b)
		readSub(t, s, e)
		missingSub(t, s, c.ARN)
		missingSub(t, s, d.ARN)
		subsListed(t, s, acct, region, "", "", 0, sorted(a, b))
		subsListed(t, s, otherAcct, region, other.ARN, "", 0, sorted(e))
		if got, err := s.FindSubscription(ctx, orders.ARN, "sqs", b.Endpoint); err != nil || !reflect.DeepEqual(*got, b) {
			t.Errorf("FindSubscription after a reopen = %+v, %v; want %+v", got, err, b)
		}
		// The existing topic is still found by name.
		if got, created, err := s.CreateTopic(ctx, orders); err != nil || created || !reflect.DeepEqual(*got, wantOrders) {
			t.Errorf("CreateTopic(existing) after a reopen = %+v, %v, %v; want %+v, false", got, created, err, wantOrders)
		}
	})
}
