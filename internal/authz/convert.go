package authz

import (
	"fmt"
	"net/url"
	"strings"
)

// A converter turns a member's text into named values: PATH@CONV in the
// data. Its kinds:
//
//	@TYPE         a resource type (@svc:TYPE for another service's): the
//	              member holds a name or an ARN of that type. An ARN gives
//	              the template's variables (its Partition, Region and
//	              Account among them); a name gives the template's last
//	              variable. Logs' logGroupIdentifier, EventBridge's
//	              EventBusName, Scheduler's GroupName.
//	@queue-url    an SQS queue URL, …/ACCOUNT/NAME: Account, QueueName.
//	@copy-source  S3's x-amz-copy-source, [/]BUCKET/KEY[?versionId=V]
//	              URL-encoded: BucketName, ObjectName, VersionId.
//	@query-tags   S3's x-amz-tagging, "k1=v1&k2=v2": a set of tags, for
//	              tag condition keys only.
type converter struct {
	kind convKind
	// typ and tmpl are the resource type of a convARN.
	typ  string
	tmpl *template
}

type convKind uint8

const (
	convARN convKind = iota
	convQueueURL
	convCopySource
	convQueryTags
)

// builtinConverter returns the kind of a converter that is not a
// resource type.
func builtinConverter(name string) (convKind, bool) {
	switch name {
	case "queue-url":
		return convQueueURL, true
	case "copy-source":
		return convCopySource, true
	case "query-tags":
		return convQueryTags, true
	}
	return 0, false
}

// outputs lists the values the converter gives.
func (c *converter) outputs() []string {
	switch c.kind {
	case convARN:
		return append([]string{varPartition, varRegion, varAccount}, c.tmpl.vars...)
	case convQueueURL:
		return []string{varAccount, "QueueName"}
	case convCopySource:
		return []string{"BucketName", "ObjectName", "VersionId"}
	}
	return nil
}

// defaultOutput is the output taken when none is named: the name of an
// ARN's resource, or the queue's name; "" when one must be named.
func (c *converter) defaultOutput() string {
	switch c.kind {
	case convARN:
		return c.tmpl.nameVar()
	case convQueueURL:
		return "QueueName"
	}
	return ""
}

// merges reports whether the converter names the account (and region,
// partition) of the resource, which then fill the template's scope
// variables that no binding names.
func (c *converter) merges() bool {
	return c.kind == convARN || c.kind == convQueueURL
}

// value returns the output sel of raw.
func (c *converter) value(raw, sel string) (string, error) {
	switch c.kind {
	case convARN:
		if !strings.HasPrefix(raw, "arn:") {
			if sel == c.tmpl.nameVar() {
				return raw, nil
			}
			return "", nil
		}
		var out string
		if !c.tmpl.match(raw, func(v, val string) {
			if v == sel {
				out = val
			}
		}) {
			return "", fmt.Errorf("is not the ARN of a %s (%s)", c.typ, c.tmpl.text)
		}
		return out, nil
	case convQueueURL:
		account, name, err := splitQueueURL(raw)
		if err != nil {
			return "", err
		}
		if sel == varAccount {
			return account, nil
		}
		return name, nil
	case convCopySource:
		bucket, key, version, err := splitCopySource(raw)
		if err != nil {
			return "", err
		}
		switch sel {
		case "BucketName":
			return bucket, nil
		case "ObjectName":
			return key, nil
		}
		return version, nil
	}
	panic("BUG: authz: value of a tag converter")
}

// splitQueueURL reads the account and queue name of an SQS queue URL
// (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or Vigil's
// http://HOST:PORT/ACCOUNT/NAME).
func splitQueueURL(raw string) (account, name string, err error) {
	_, rest, ok := strings.Cut(raw, "://")
	host, path, _ := strings.Cut(rest, "/")
	if !ok || host == "" || strings.ContainsAny(raw, "?# ") {
		return "", "", fmt.Errorf("is not a queue URL")
	}
	account, name, ok = strings.Cut(strings.TrimSuffix(path, "/"), "/")
	if !ok || account == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("is not a queue URL (…/ACCOUNT/QUEUE)")
	}
	return account, name, nil
}

// splitCopySource reads S3's x-amz-copy-source.
func splitCopySource(raw string) (bucket, key, version string, err error) {
	path, query, _ := strings.Cut(raw, "?")
	if query != "" {
		q, qerr := url.ParseQuery(query)
		if qerr != nil {
			return "", "", "", fmt.Errorf("is not a copy source: %w", qerr)
		}
		version = q.Get("versionId")
	}
	path, perr := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if perr != nil {
		return "", "", "", fmt.Errorf("is not a copy source: %w", perr)
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" || key == "" || strings.HasPrefix(path, "arn:") {
		return "", "", "", fmt.Errorf("is not a copy source (BUCKET/KEY)")
	}
	return bucket, key, version, nil
}
