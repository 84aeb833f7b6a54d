// Package chunk is the on-disk format of rolled-up metric data: a
// compressed run of aggregated samples of one metric at one resolution
// (60, 300 or 3600 seconds). Each sample holds a timestamp, SampleCount,
// Sum, Minimum and Maximum, and a distribution sketch (package stats) when
// its observations have more than one distinct value.
//
// An Encoder appends samples in time order and returns the chunk's bytes;
// an Iterator (or Decode) reads them back; Merge joins two chunks,
// combining samples of the same period. Decoding never trusts its input:
// malformed bytes give an error wrapping ErrCorrupt, never a panic.
//
// # Format, version 1
//
//	chunk   = version:byte(1) n:uvarint                    n = 0: nothing follows
//	          t0:varint len:uvarint stream:byte{len} sketches
//	stream  = sample{n}, bit by bit, most significant first, zero-padded
//	sample  = [time] count sum minmax
//	time    = delta of delta of the timestamp (not for the first sample):
//	          '0' | '10' 7 bits | '110' 9 bits | '1110' 12 bits | '1111' varbits
//	          (zigzag); the first delta is taken against 0
//	count   = '0' (same as the previous sample's; 1 before the first) | '1' value
//	sum     = value
//	minmax  = '0'                           Min = Max = Sum/Count
//	        | '1' value(min) value(max) [sketch bit, when Min < Max]
//	sketches = the bodies (stats.Sketch.AppendBody) of the samples whose
//	          sketch bit is 1, in order
//
// A value is coded against a stream of its kind (count, sum, min, max).
// While the values are decimals of at most 15 significant digits
// (mantissas below 2^53), the stream holds
// them as mantissas at a common decimal exponent and a value is the
// zigzag residual of a prediction:
//
//	'0' | '10' 4 bits | '110' 8 bits | '1110' 14 bits | '11110' 24 bits | '111110' 40 bits
//
// The prediction is the previous mantissa, the linear extrapolation of the
// last two, or, for Min and Max, the sample's Sum/Count (and for Sum, the
// count times the previous mean): whichever was closest on the previous
// value. Six ones escape: '0' then the exponent (10 bits, zigzag) and the
// mantissa (varbits, zigzag) start over at a new exponent, or '1' then the
// value XORed with the previous one, Gorilla style ('0' for no change, or
// 6 bits of leading zeros, 6 bits of length less one, and the bits).
// varbits are groups of 7 bits, low first, each after a continuation bit.
// A value that is not coded (the count of a '0' count, Min and Max of a
// '0' minmax) still enters its stream as if it had been, so that the
// predictions follow the series.
//
// So a sample with one value of a few significant digits costs about a
// byte and a half: one bit of time, one of count, a short residual and one
// bit for Min and Max. The tests log the bytes per sample of several
// series shapes and pin the format with golden bytes.
package chunk
