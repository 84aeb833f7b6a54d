package cloudtrail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"
)

// DigestEvery is how often a validating trail writes a digest file of
// each region it delivers, on the hours of the clock.
const DigestEvery = time.Hour

// SignatureAlgorithm is how digests are signed.
const SignatureAlgorithm = "SHA256withRSA"

// digestTimeFormat is the layout of a digest's times.
const digestTimeFormat = "2006-01-02T15:04:05Z"

// digestFile is a digest file's JSON, its members in AWS's order
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
type digestFile struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []digestLogFile `json:"logFiles"`
}

type digestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

func digestTime(v int64) string { return TimeOf(v).Format(digestTimeFormat) }

// DigestKey returns the key of a trail's digest of a region ending at end.
func DigestKey(prefix, account, region, trail, homeRegion string, end time.Time) string {
	end = end.UTC()
	return logPrefix(prefix, account, "CloudTrail-Digest", region) + end.Format("2006/01/02/") +
		account + "_CloudTrail-Digest_" + region + "_" + trail + "_" + homeRegion + "_" + end.Format("20060102T150405Z") + ".json.gz"
}

// digest writes the digests of the trail that are due at now: one a
// region, each hour, also when no log file was delivered.
func (s *Service) digest(ctx context.Context, t *Trail, now time.Time) error {
	end := now.Truncate(DigestEvery)
	if t.State.Chains == nil {
		t.State.Chains = map[string]*Chain{}
	}
	// The home region always has a chain; other regions of a
	// multi-region trail get one with their first log file.
	regions := []string{t.Region}
	for r := range t.State.Chains {
		if r != t.Region {
			regions = append(regions, r)
		}
	}
	slices.Sort(regions)
	for _, region := range regions {
		c := t.State.Chains[region]
		if c == nil {
			c = &Chain{End: t.State.StartLogging}
			t.State.Chains[region] = c
		}
		if ms(end) <= c.End {
			continue
		}
		if err := s.writeDigest(ctx, t, region, c, end); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) writeDigest(ctx context.Context, t *Trail, region string, c *Chain, end time.Time) error {
	files, err := s.opt.Store.TrailLogFiles(ctx, t.ARN, region, ms(end))
	if err != nil {
		return err
	}
	// Signed with the key of the digest's region, which validate-logs
	// lists in that region.
	key, err := s.signer(ctx, region, end)
	if err != nil {
		return err
	}
	d := digestFile{
		AWSAccountID: t.Account, DigestStartTime: digestTime(c.End), DigestEndTime: end.UTC().Format(digestTimeFormat),
		DigestS3Bucket: t.Bucket, DigestS3Object: DigestKey(t.Prefix, t.Account, region, t.Name, t.Region, end),
		DigestPublicKeyFingerprint: key.Fingerprint, DigestSignatureAlgorithm: SignatureAlgorithm,
		LogFiles: make([]digestLogFile, 0, len(files)),
	}
	if c.Key != "" {
		algo := "SHA-256"
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = &c.Bucket, &c.Key
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm, d.PreviousDigestSignature = &c.HashSHA256, &algo, &c.Signature
	}
	var oldest, newest int64
	for _, f := range files {
		d.LogFiles = append(d.LogFiles, digestLogFile{
			S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.HashSHA256, HashAlgorithm: "SHA-256",
			NewestEventTime: digestTime(f.Newest), OldestEventTime: digestTime(f.Oldest),
		})
		if oldest == 0 || f.Oldest < oldest {
			oldest = f.Oldest
		}
		newest = max(newest, f.Newest)
	}
	if len(files) > 0 {
		o, n := digestTime(oldest), digestTime(newest)
		d.OldestEventTime, d.NewestEventTime = &o, &n
	}
	body, err := json.Marshal(&d)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	previous := "null"
	if c.Key != "" {
		previous = c.Signature
	}
	signature, err := key.sign([]byte(d.DigestEndTime + "\n" + d.DigestS3Bucket + "/" + d.DigestS3Object + "\n" + hash + "\n" + previous))
	if err != nil {
		return err
	}
	err = s.opt.Buckets.Deliver(ctx, Object{
		SourceAccount: t.Account, SourceARN: t.ARN, Bucket: d.DigestS3Bucket, Key: d.DigestS3Object, Body: gzipped(body),
		Metadata: map[string]string{"signature": signature, "signature-algorithm": SignatureAlgorithm},
	})
	var refused *DeliveryError
	if errors.As(err, &refused) {
		// The log files stay for the next digest (before 0 forgets none).
		t.State.DigestError = refused.Code
		return s.opt.Store.SetTrailDigested(ctx, t.ARN, mustJSON(t.State), region, 0)
	}
	if err != nil {
		return err
	}
	*c = Chain{End: ms(end), Bucket: d.DigestS3Bucket, Key: d.DigestS3Object, HashSHA256: hash, Signature: signature}
	t.State.DigestDelivered, t.State.DigestError = ms(end), ""
	return s.opt.Store.SetTrailDigested(ctx, t.ARN, mustJSON(t.State), region, ms(end))
}
