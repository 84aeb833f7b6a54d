// Package attrmap encodes the attributes of a resource — an SNS topic or
// subscription, an SQS queue — as the store keeps them: a JSON object
// with the version of the encoding, so that a store written by a newer
// Vigil is refused, not misread, by an older one.
package attrmap

import (
	"encoding/json"
	"fmt"
)

// version is the version of the encoding.
const version = 1

type stored struct {
	Version    int               `json:"v"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Encode returns the stored form of attrs.
func Encode(attrs map[string]string) []byte {
	b, err := json.Marshal(stored{Version: version, Attributes: attrs})
	if err != nil {
		panic("BUG: attrmap: cannot encode attributes: " + err.Error())
	}
	return b
}

// Decode reads attributes Encode wrote; a resource without any has an
// empty map.
func Decode(b []byte) (map[string]string, error) {
	var s stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("cannot read attributes: %w", err)
	}
	if s.Version != version {
		return nil, fmt.Errorf("cannot read attributes of version %d (this Vigil reads version %d)", s.Version, version)
	}
	if s.Attributes == nil {
		s.Attributes = map[string]string{}
	}
	return s.Attributes, nil
}
