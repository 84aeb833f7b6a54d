package authz

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/api/s3"
)

func TestResolveS3(t *testing.T) {
	r := newResolver(t)
	f := resolveTester(t, r, "s3")
	obj := "arn:aws:s3:::bkt/dir/a.txt"
	bkt := "arn:aws:s3:::bkt"
	f("ListObjectsV2", &s3.ListObjectsV2Request{Bucket: api.Ptr("bkt"), Prefix: api.Ptr("logs/"), Delimiter: api.Ptr("/"), MaxKeys: api.Ptr[int32](100)},
		req("s3:ListBucket", bkt).tagged().cond("s3:prefix", "logs/").cond("s3:delimiter", "/").cond("s3:max-keys", "100"))
	f("HeadBucket", &s3.HeadBucketRequest{Bucket: api.Ptr("bkt")}, req("s3:ListBucket", bkt).tagged())
	f("HeadObject", &s3.HeadObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt")}, req("s3:GetObject", obj).tagged())
	f("GetObject", &s3.GetObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt"), VersionId: api.Ptr("v1")},
		req("s3:GetObjectVersion", obj).tagged().cond("s3:versionid", "v1"))
	f("CopyObject", &s3.CopyObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt"), CopySource: api.Ptr("/src/some%20key.txt?versionId=v9"),
		ACL: "private", MetadataDirective: "REPLACE"},
		req("s3:PutObject", obj).tagged().cond("s3:x-amz-acl", "private").cond("s3:x-amz-copy-source", "/src/some%20key.txt?versionId=v9").
			cond("s3:x-amz-metadata-directive", "REPLACE"),
		req("s3:GetObjectVersion", "arn:aws:s3:::src/some key.txt").tagged().cond("s3:versionid", "v9"),
		req("s3:PutObjectAcl", obj).tagged().cond("s3:x-amz-acl", "private"))
	f("UploadPartCopy", &s3.UploadPartCopyRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt"), CopySource: api.Ptr("src/k")},
		req("s3:PutObject", obj).tagged(), req("s3:GetObject", "arn:aws:s3:::src/k").tagged())
	f("CompleteMultipartUpload", &s3.CompleteMultipartUploadRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt")}, req("s3:PutObject", obj).tagged())
	f("PutObject", &s3.PutObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt"), Tagging: api.Ptr("env=prod&team=a%20b")},
		req("s3:PutObject", obj).tagged().cond("s3:RequestObjectTag/env", "prod").cond("s3:RequestObjectTag/team", "a b").cond("s3:RequestObjectTagKeys", "env", "team"),
		req("s3:PutObjectTagging", obj).tagged().cond("s3:RequestObjectTag/env", "prod").cond("s3:RequestObjectTag/team", "a b").cond("s3:RequestObjectTagKeys", "env", "team"))
	f("DeleteObjects", &s3.DeleteObjectsRequest{Bucket: api.Ptr("bkt"), Delete: &s3.Delete{Objects: []s3.ObjectIdentifier{{Key: api.Ptr("a")}, {Key: api.Ptr("b"), VersionId: api.Ptr("v2")}, {Key: api.Ptr("a")}}}},
		req("s3:DeleteObject", "arn:aws:s3:::bkt/a", "arn:aws:s3:::bkt/b").tagged(),
		req("s3:DeleteObjectVersion", "arn:aws:s3:::bkt/a", "arn:aws:s3:::bkt/b").tagged().cond("s3:versionid", "v2"))
	f("ListBuckets", &s3.ListBucketsRequest{}, req("s3:ListAllMyBuckets", "*"))
	f("PutBucketReplication", &s3.PutBucketReplicationRequest{Bucket: api.Ptr("bkt"), ReplicationConfiguration: &s3.ReplicationConfiguration{Role: api.Ptr("arn:aws:iam::123456789012:role/repl")}},
		req("s3:PutReplicationConfiguration", bkt).tagged(),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/repl").tagged().cond("iam:PassedToService", "s3.amazonaws.com"))
	f("PutObjectTagging", &s3.PutObjectTaggingRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("k"), Tagging: &s3.Tagging{TagSet: []s3.Tag{{Key: api.Ptr("c"), Value: api.Ptr("3")}}}},
		req("s3:PutObjectTagging", "arn:aws:s3:::bkt/k").tagged().cond("s3:RequestObjectTag/c", "3").cond("s3:RequestObjectTagKeys", "c"))
	f("CreateSession", &s3.CreateSessionRequest{Bucket: api.Ptr("dir--use1-az4--x-s3")},
		req("s3express:CreateSession", "arn:aws:s3express:us-east-1:123456789012:bucket/dir--use1-az4--x-s3").tagged())
}
