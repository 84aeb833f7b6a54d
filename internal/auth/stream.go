package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// StreamResult is an authenticated S3 request whose payload is read as it
// streams in, never held whole.
type StreamResult struct {
	// Principal is who signed the request.
	Principal request.Principal
	// Region is the region of the credential scope.
	Region string
	// Body reads the payload, decoded from aws-chunked, and verifies it
	// as it goes (chunk signatures) and at its end (length, declared
	// SHA-256, x-amz-checksum-* headers and trailers): a failure is a
	// *protocol.Error in S3's words returned instead of io.EOF, so a
	// reader must not act on the payload before it saw io.EOF. Its
	// Trailers method returns the verified trailing headers after that.
	Body *PayloadReader
}

// PayloadReader is a streamed, verified request payload.
type PayloadReader struct {
	r        io.Reader
	closer   io.Closer
	trailers func() http.Header
	sig      *sigv4.Signature
	n        int64
}

// Read reads the payload.
func (p *PayloadReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if err != nil && err != io.EOF {
		var ae *Error
		if errors.As(wrap(err, p.sig, time.Time{}), &ae) {
			err = ae.ProtocolError(protocol.RESTXML)
		}
	}
	return n, err
}

// Size is the number of payload bytes read so far.
func (p *PayloadReader) Size() int64 { return p.n }

// Close closes the request body.
func (p *PayloadReader) Close() error { return p.closer.Close() }

// Trailers returns an aws-chunked payload's verified trailing headers
// once Read has returned io.EOF (nil else, and for other payloads).
func (p *PayloadReader) Trailers() http.Header {
	if p.trailers == nil {
		return nil
	}
	return p.trailers()
}

// AuthenticateStream verifies r, an S3 request whose body is to be
// streamed, from its headers alone (sigv4.Options.DeferPayloadCheck), and
// returns the reader that verifies the body as it is read. sig and
// parseErr are the result of sigv4.Parse(r).
func (a *Authenticator) AuthenticateStream(ctx context.Context, r *http.Request, body io.ReadCloser, sig *sigv4.Signature, parseErr error) (*StreamResult, error) {
	now := a.opt.Clock.Now()
	if parseErr != nil {
		if !a.opt.Dev || sigv4.KindOf(parseErr) != sigv4.KindUnsigned {
			return nil, wrap(parseErr, sig, now)
		}
		p, err := payloadReader(nil, false, r.Header, body, "", sigv4.Options{S3: true})
		if err != nil {
			return nil, wrap(err, sig, now)
		}
		return &StreamResult{Principal: devPrincipal(DevAccount, ""), Region: a.opt.DefaultRegion, Body: p}, nil
	}
	opt := sigv4.Options{S3: true, Keys: a.keys, DeferPayloadCheck: true}
	res := &StreamResult{Region: sig.Region}
	secret := ""
	key, err := a.key(ctx, sig)
	if err != nil {
		return nil, err
	}
	if key == nil {
		account := DevAccount
		if accountID.MatchString(sig.AccessKeyID) {
			account = sig.AccessKeyID
		}
		// Dev mode knows no secret: no signature to check, and no body
		// hash either (as Authenticate).
		res.Principal, opt.SkipChunkSignatures = devPrincipal(account, sig.AccessKeyID), true
	} else {
		if err := sigv4.Verify(sig, r, nil, key.secret, now, opt); err != nil {
			return nil, wrap(err, sig, now)
		}
		res.Principal, secret = key.principal, key.secret
	}
	p, err := payloadReader(sig, key != nil, r.Header, body, secret, opt)
	if err != nil {
		return nil, wrap(err, sig, now)
	}
	res.Body = p
	return res, nil
}

// payloadReader returns the verifying reader of a payload: aws-chunked
// when sig says so, else plain, its SHA-256 checked against sig's when
// checkHash.
func payloadReader(sig *sigv4.Signature, checkHash bool, h http.Header, body io.ReadCloser, secret string, opt sigv4.Options) (*PayloadReader, error) {
	p := &PayloadReader{closer: body, sig: sig}
	if sig != nil && sig.Streaming() {
		cr, err := sigv4.NewChunkedReader(sig, h, body, secret, opt)
		if err != nil {
			return nil, err
		}
		p.r, p.trailers = cr, cr.Trailers
		return p, nil
	}
	hashed := sig
	if !checkHash {
		hashed = nil
	}
	r, err := sigv4.NewPayloadReader(hashed, h, body)
	if err != nil {
		return nil, err
	}
	p.r = r
	return p, nil
}
