package eventinput

import "testing"

// benchEvent is an event of about 1.5 KB, as a shop's order service sends
// them: strings, numbers, a nested address and an array of line items.
var benchEvent = []byte(`{
  "version": "0",
  "id": "0d079340-135a-c8c6-95c2-41fb8f496c53",
  "detail-type": "Order Placed",
  "source": "com.shop.orders",
  "account": "123456789012",
  "time": "2024-02-29T23:59:59Z",
  "region": "eu-west-1",
  "resources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],
  "detail": {
    "orderId": "ord-7f3a9c21",
    "status": "placed",
    "customer": {"id": "cus-1842", "tier": "gold", "email": "jane.doe@example.com",
      "address": {"street": "12 Rue de la Paix", "city": "Paris", "zip": "75002", "country": "FR"}},
    "total": 149.85, "currency": "EUR", "giftWrap": false,
    "items": [
      {"sku": "SKU-0001", "name": "Espresso cup", "qty": 2, "price": 12.5},
      {"sku": "SKU-0042", "name": "Coffee grinder", "qty": 1, "price": 89.9},
      {"sku": "SKU-0107", "name": "Filter papers (100)", "qty": 3, "price": 4.95},
      {"sku": "SKU-0233", "name": "Milk jug", "qty": 1, "price": 19.6}
    ],
    "notes": "Leave the parcel with the concierge if nobody answers, please.",
    "tags": ["web", "promo-spring", "returning-customer"]
  }
}`)

// BenchmarkApply reports the cost of what a target receives of an event,
// for each kind of input configuration.
func BenchmarkApply(b *testing.B) {
	str := func(s string) *string { return &s }
	paths := map[string]string{
		"order": "$.detail.orderId", "status": "$.detail.status", "city": "$.detail.customer.address.city",
		"total": "$.detail.total", "items": "$.detail.items", "skus": "$.detail.items[*].sku", "first": "$.detail.items[0].name",
	}
	configs := []struct {
		name string
		cfg  Config
	}{
		{"whole-event", Config{}},
		{"input", Config{Input: str(`{"action": "refresh"}`)}},
		{"input-path", Config{InputPath: str("$.detail.customer")}},
		{"text-template", Config{Transformer: &Transformer{PathsMap: paths,
			Template: `"Order <order> (<status>) of <total> to <city>: <first> and more, rule <aws.events.rule-name>"`}}},
		{"json-template", Config{Transformer: &Transformer{PathsMap: paths,
			Template: `{"order": <order>, "status": "<status>", "total": <total>, "city": <city>, "items": <items>, "skus": <skus>, "rule": <aws.events.rule-arn>, "at": <aws.events.event.ingestion-time>}`}}},
		{"json-template-with-event", Config{Transformer: &Transformer{PathsMap: paths,
			Template: `{"order": <order>, "summary": <aws.events.event>, "event": <aws.events.event.json>}`}}},
	}
	for _, c := range configs {
		in, err := Compile("t1", c.cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(benchEvent)))
			var out []byte
			for b.Loop() {
				if out, err = in.Apply(benchEvent, corpusContext); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out)), "out-bytes")
		})
	}
}
