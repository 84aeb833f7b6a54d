package sigv4

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"net/http"
	"strings"
)

// Flexible checksums of S3 uploads, sent as x-amz-checksum-<algorithm> headers
// or aws-chunked trailers, base64 of the big-endian digest:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html

const checksumPrefix = "x-amz-checksum-"

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 in the
// reversed form hash/crc64 takes; with crc64's initial and final inversion it
// yields the check value 0xae8b14860a799888 for "123456789".
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// newChecksum returns a hash for the algorithm part of an
// x-amz-checksum-<algorithm> name and its name as S3 spells it in messages,
// or nil when the algorithm is not one S3 supports.
func newChecksum(alg string) (hash.Hash, string) {
	switch alg {
	case "crc32":
		return crc32.NewIEEE(), "CRC32"
	case "crc32c":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli)), "CRC32C"
	case "crc64nvme":
		return crc64.New(crc64.MakeTable(crc64NVMEPoly)), "CRC64NVME"
	case "sha1":
		return sha1.New(), "SHA1"
	case "sha256":
		return sha256.New(), "SHA256"
	}
	return nil, ""
}

// checksumAlgorithm returns the algorithm of a lowercase header name such as
// "x-amz-checksum-crc32", or "" when name is not such a header.
func checksumAlgorithm(name string) string {
	alg, ok := strings.CutPrefix(name, checksumPrefix)
	if !ok {
		return ""
	}
	switch alg {
	case "mode", "type", "algorithm":
		// x-amz-checksum-mode and x-amz-checksum-type name no digest.
		return ""
	}
	return alg
}

// runningChecksum accumulates one checksum over a payload.
type runningChecksum struct {
	alg     string // e.g. "crc32"
	display string // e.g. "CRC32"
	h       hash.Hash
	trailer bool   // the expected value comes in the trailer
	value   string // the expected value, base64, when it came as a header
}

func (c *runningChecksum) check(value, where string) error {
	want, err := base64.StdEncoding.DecodeString(value)
	if err != nil || len(want) != c.h.Size() {
		return wrapError(KindChecksumMismatch,
			fmt.Sprintf("Value for %s%s %s is invalid.", checksumPrefix, c.alg, where),
			fmt.Errorf("cannot decode checksum %q", truncate(value, 128)))
	}
	if got := c.h.Sum(nil); string(got) != string(want) {
		return newError(KindChecksumMismatch,
			fmt.Sprintf("The %s you specified did not match the calculated checksum.", c.display))
	}
	return nil
}

// CheckChecksums verifies every x-amz-checksum-<algorithm> header of h
// (crc32, crc32c, crc64nvme, sha1 or sha256) against payload, for uploads
// that are not aws-chunked (a ChunkedReader checks those itself). A header
// naming an algorithm S3 does not know yields KindInvalidPayloadHash, a wrong
// value KindChecksumMismatch.
func CheckChecksums(h http.Header, payload []byte) error {
	for name, values := range h {
		alg := checksumAlgorithm(strings.ToLower(name))
		if alg == "" {
			continue
		}
		hh, display := newChecksum(alg)
		if hh == nil {
			return newError(KindInvalidPayloadHash, fmt.Sprintf("Checksum algorithm %q is not supported.", truncate(alg, 32)))
		}
		if len(values) != 1 {
			return newError(KindMalformed, fmt.Sprintf("The request carries more than one %s header.", name))
		}
		hh.Write(payload)
		c := runningChecksum{alg: alg, display: display, h: hh}
		if err := c.check(values[0], "header"); err != nil {
			return err
		}
	}
	return nil
}
