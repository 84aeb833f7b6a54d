package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// KeyCache caches derived SigV4 signing keys, so that repeated requests with
// the same secret, date, region and service skip the four HMACs of the key
// derivation. It holds at most the number of keys given to NewKeyCache and is
// safe for concurrent use.
//
// The cache keeps two generations: lookups hit the current one under a read
// lock; when it is full it becomes the previous generation, whose entries are
// promoted back when used, and the one before is dropped. Keys unused for a
// whole generation, such as yesterday's, thus fall out.
type KeyCache struct {
	mu   sync.RWMutex
	half int
	cur  map[keyID][32]byte
	prev map[keyID][32]byte
}

type keyID struct {
	secret, date, region, service string
}

// NewKeyCache returns a cache holding up to size signing keys; size is
// raised to 2 if smaller.
func NewKeyCache(size int) *KeyCache {
	half := max(size/2, 1)
	return &KeyCache{half: half, cur: make(map[keyID][32]byte, half)}
}

// defaultKeys serves Options without a KeyCache. It is the package's only
// global and is bounded.
var defaultKeys = NewKeyCache(1024)

// SigningKey returns the signing key for the secret access key and the
// credential scope date (YYYYMMDD), region and service:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func (c *KeyCache) SigningKey(secret, date, region, service string) [32]byte {
	id := keyID{secret, date, region, service}
	c.mu.RLock()
	k, ok := c.cur[id]
	c.mu.RUnlock()
	if ok {
		return k
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.cur[id]; ok {
		return k
	}
	k, ok = c.prev[id]
	if !ok {
		k = deriveKey(secret, date, region, service)
	}
	if len(c.cur) >= c.half {
		c.prev, c.cur = c.cur, make(map[keyID][32]byte, c.half)
	}
	c.cur[id] = k
	return k
}

// Len returns the number of keys the cache holds.
func (c *KeyCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.cur) + len(c.prev)
}

func deriveKey(secret, date, region, service string) [32]byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k[:], region)
	k = hmacSHA256(k[:], service)
	return hmacSHA256(k[:], terminator)
}

// hmacSHA256 is HMAC-SHA256 for keys of any length, used to derive keys.
func hmacSHA256(key []byte, data string) [32]byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// padLen is the room hmacPadded needs in front of its message.
const padLen = sha256.BlockSize

// hmacPadded returns HMAC-SHA256(key, msg) for padded = 64 bytes of room
// followed by msg, overwriting the room with the inner pad. Unlike
// crypto/hmac it does not allocate, which matters on the hot path of Verify.
func hmacPadded(key *[32]byte, padded []byte) [32]byte {
	for i := range padLen {
		padded[i] = 0x36
	}
	for i, k := range key {
		padded[i] ^= k
	}
	inner := sha256.Sum256(padded)
	var outer [padLen + sha256.Size]byte
	for i := range padLen {
		outer[i] = 0x5c
	}
	for i, k := range key {
		outer[i] ^= k
	}
	copy(outer[padLen:], inner[:])
	return sha256.Sum256(outer[:])
}

// decodeHex32 decodes 64 hex digits.
func decodeHex32(s string) ([32]byte, bool) {
	var out [32]byte
	if len(s) != 64 {
		return out, false
	}
	for i := range out {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return out, false
		}
		out[i] = hi<<4 | lo
	}
	return out, true
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
