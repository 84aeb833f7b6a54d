package protocol

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"reflect"
	"time"
)

// Operations whose output is an event stream (CloudWatch Logs
// StartLiveTail) answer application/vnd.amazon.eventstream: a sequence of
// binary messages, each
//
//	total length u32 | headers length u32 | CRC32 of those 8 bytes |
//	headers (name length u8, name, type 7 = string, value length u16, value) |
//	payload | CRC32 of everything before
//
// The first message is the initial-response event; then one message per
// event the handler sends, flushed as it goes.

// EventStream produces the events of a streaming operation. The protocol
// layer calls it after the initial response; it sends each event with send
// — a pointer to the operation's event-stream union with one member set —
// and returns when the stream ends or ctx ends.
type EventStream func(ctx context.Context, send func(event any) error) error

// streamStartDelay is how long an event-stream response waits before its
// headers; see WriteStream.
const streamStartDelay = 50 * time.Millisecond

type streamSlot struct{ produce EventStream }

type streamKey struct{}

// withStreamSlot returns a context in which a handler can register its
// event stream.
func withStreamSlot(ctx context.Context) (context.Context, *streamSlot) {
	slot := &streamSlot{}
	return context.WithValue(ctx, streamKey{}, slot), slot
}

// SetEventStream registers the event producer of the current call. The
// handler of an event-stream operation calls it and returns its
// (otherwise empty) output.
func SetEventStream(ctx context.Context, s EventStream) {
	slot, ok := ctx.Value(streamKey{}).(*streamSlot)
	if !ok {
		panic("BUG: protocol: SetEventStream outside an event-stream operation")
	}
	slot.produce = s
}

// Invoke runs the call's handler. For an event-stream operation the
// returned EventStream is what the handler registered.
func (c *Call) Invoke(ctx context.Context, in any) (any, EventStream, error) {
	if !c.Op.EventStream {
		out, err := c.Handler(ctx, in)
		return out, nil, err
	}
	ctx, slot := withStreamSlot(ctx)
	out, err := c.Handler(ctx, in)
	if err == nil && slot.produce == nil {
		panic("BUG: protocol: handler of " + c.Op.Name + " registered no event stream")
	}
	return out, slot.produce, err
}

// WriteStream answers an event-stream operation: the initial response,
// then the events the producer sends until it returns. It returns the
// producer's error (after the stream started, errors can only end it).
func (c *Call) WriteStream(ctx context.Context, w http.ResponseWriter, requestID string, produce EventStream) error {
	// aws-sdk-go-v2 closes the request body as soon as the response
	// headers arrive, and its closed body then answers WriteTo with io.EOF.
	// If that happens before net/http's writer has finished with the body
	// (it reads once more past the Content-Length), the transport treats
	// it as a write error and closes the connection under the stream the
	// client is reading: "use of closed network connection". Over a
	// network the round trip hides the race; on loopback it hit about one
	// stream in twenty. Answering a moment later lets the writer finish.
	select {
	case <-time.After(streamStartDelay):
	case <-ctx.Done():
		return ctx.Err()
	}
	h := w.Header()
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	write := func(msg []byte) error {
		if _, err := w.Write(msg); err != nil {
			return err
		}
		if flusher != nil {
			flusher.Flush()
		}
		return nil
	}
	if err := write(eventMessage([][2]string{{":event-type", "initial-response"}, {":content-type", "application/json"}, {":message-type", "event"}}, []byte("{}"))); err != nil {
		return err
	}
	return produce(ctx, func(event any) error {
		return write(encodeEvent(event))
	})
}

// encodeEvent encodes the member set in an event-stream union: an event,
// or a modeled exception.
func encodeEvent(event any) []byte {
	v := reflect.Indirect(reflect.ValueOf(event))
	st := infoOf(v.Type()).st
	for _, f := range st.fields {
		fv := v.Field(f.index)
		if !f.t.present(fv) {
			continue
		}
		payload := appendJSONValue(nil, f.t.value(fv), f.t)
		if _, isErr := fv.Interface().(ModeledError); isErr {
			return eventMessage([][2]string{{":exception-type", f.wire}, {":content-type", "application/json"}, {":message-type", "exception"}}, payload)
		}
		return eventMessage([][2]string{{":event-type", f.wire}, {":content-type", "application/json"}, {":message-type", "event"}}, payload)
	}
	panic("BUG: protocol: event-stream event with no member set")
}

// eventMessage frames one message with string headers.
func eventMessage(headers [][2]string, payload []byte) []byte {
	var hb []byte
	for _, h := range headers {
		hb = append(hb, byte(len(h[0])))
		hb = append(hb, h[0]...)
		hb = append(hb, 7)
		hb = binary.BigEndian.AppendUint16(hb, uint16(len(h[1])))
		hb = append(hb, h[1]...)
	}
	total := 12 + len(hb) + len(payload) + 4
	msg := make([]byte, 0, total)
	msg = binary.BigEndian.AppendUint32(msg, uint32(total))
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(hb)))
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	msg = append(msg, hb...)
	msg = append(msg, payload...)
	return binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
}
