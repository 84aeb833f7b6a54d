// Package sts issues and opens temporary credentials, as AWS STS does
// (https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html):
// role sessions (AssumeRole), session tokens of IAM users and roots
// (GetSessionToken) and federated users (GetFederationToken).
//
// Temporary credentials need no storage: the session token carries the
// session — its principal, its secret access key, its session policies
// and tags, its expiry — sealed (AES-256-GCM) under the data directory's
// master key, so that only Vigil can read or make one, on any node that
// shares the key. The access key id (ASIA…) must come with its token.
package sts

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/request"
)

// Sealer encrypts and authenticates tokens (auth.Sealer).
type Sealer interface {
	Seal(plaintext []byte) []byte
	Open(sealed []byte) ([]byte, error)
}

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}

// tokenPrefix starts every token, with the version of its encoding.
const tokenPrefix = "VIGIL1"

// sealed is what a token seals.
type sealed struct {
	Principal request.Principal
	Secret    string
}

// seal returns the credentials of p (whose AccessKey and Session are set).
func seal(s Sealer, p request.Principal, secret string) Credentials {
	b, err := json.Marshal(sealed{Principal: p, Secret: secret})
	if err != nil {
		panic("BUG: sts: cannot encode a session: " + err.Error())
	}
	return Credentials{
		AccessKeyID: p.AccessKey, SecretAccessKey: secret, Expires: p.Session.Expires,
		SessionToken: tokenPrefix + base64.StdEncoding.EncodeToString(s.Seal(b)),
	}
}

// Errors of Open.
var (
	// ErrInvalidToken: the token is not one Vigil issued, or it is not
	// the token of the access key it came with.
	ErrInvalidToken = errors.New("the security token included in the request is invalid")
	// ErrExpiredToken: the token has expired.
	ErrExpiredToken = errors.New("the security token included in the request is expired")
)

// Open returns the principal and the secret access key of the session a
// token stands for, when it is the token of accessKeyID and has not
// expired at now.
func Open(s Sealer, token, accessKeyID string, now time.Time) (request.Principal, string, error) {
	raw, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return request.Principal{}, "", ErrInvalidToken
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return request.Principal{}, "", ErrInvalidToken
	}
	if b, err = s.Open(b); err != nil {
		return request.Principal{}, "", ErrInvalidToken
	}
	var v sealed
	if err := json.Unmarshal(b, &v); err != nil || v.Principal.Session == nil {
		return request.Principal{}, "", fmt.Errorf("%w (it does not decode: %v)", ErrInvalidToken, err)
	}
	if v.Principal.AccessKey != accessKeyID {
		return request.Principal{}, "", ErrInvalidToken
	}
	if !now.Before(v.Principal.Session.Expires) {
		return request.Principal{}, "", ErrExpiredToken
	}
	return v.Principal, v.Secret, nil
}
