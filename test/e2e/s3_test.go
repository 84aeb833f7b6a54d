package e2e

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// s3Script is the boto3 scenario of the bucket store: every object path,
// listings, copies, multipart uploads, presigned URLs, versioning and
// bucket policies, with real signatures.
const s3Script = `
import sys, urllib.request, boto3, botocore, botocore.config
s3 = boto3.client("s3")
def code(f):
    try:
        f()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
    return None
s3.create_bucket(Bucket="e2e-bucket")
assert code(lambda: s3.create_bucket(Bucket="e2e-bucket")) in (None, "BucketAlreadyOwnedByYou")
assert s3.get_bucket_location(Bucket="e2e-bucket").get("LocationConstraint") is None
put = s3.put_object(Bucket="e2e-bucket", Key="dir/a.txt", Body=b"hello world", ContentType="text/plain",
                    Metadata={"color": "blue"}, ChecksumAlgorithm="CRC32")
assert put["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"', put
got = s3.get_object(Bucket="e2e-bucket", Key="dir/a.txt", Range="bytes=6-")
assert got["Body"].read() == b"world" and got["ContentRange"] == "bytes 6-10/11", got
head = s3.head_object(Bucket="e2e-bucket", Key="dir/a.txt")
assert head["Metadata"] == {"color": "blue"} and head["ContentType"] == "text/plain", head
assert code(lambda: s3.head_object(Bucket="e2e-bucket", Key="dir/a.txt", IfNoneMatch=put["ETag"])) == "304"
assert code(lambda: s3.get_object(Bucket="e2e-bucket", Key="dir/a.txt", IfMatch='"nope"')) == "PreconditionFailed"
assert code(lambda: s3.get_object(Bucket="e2e-bucket", Key="dir/a.txt", Range="bytes=50-")) == "InvalidRange"
assert code(lambda: s3.get_object(Bucket="e2e-bucket", Key="missing")) == "NoSuchKey"
s3.copy_object(Bucket="e2e-bucket", Key="b.txt", CopySource={"Bucket": "e2e-bucket", "Key": "dir/a.txt"})
page = s3.list_objects_v2(Bucket="e2e-bucket", Delimiter="/")
assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["dir/"] and [o["Key"] for o in page["Contents"]] == ["b.txt"], page
v1 = s3.list_objects(Bucket="e2e-bucket", MaxKeys=1)
assert v1["IsTruncated"] and [o["Key"] for o in v1["Contents"]] == ["b.txt"], v1
mp = s3.create_multipart_upload(Bucket="e2e-bucket", Key="big")
p1 = s3.upload_part(Bucket="e2e-bucket", Key="big", UploadId=mp["UploadId"], PartNumber=1, Body=b"a" * (5 << 20))
p2 = s3.upload_part(Bucket="e2e-bucket", Key="big", UploadId=mp["UploadId"], PartNumber=2, Body=b"tail")
assert len(s3.list_parts(Bucket="e2e-bucket", Key="big", UploadId=mp["UploadId"])["Parts"]) == 2
done = s3.complete_multipart_upload(Bucket="e2e-bucket", Key="big", UploadId=mp["UploadId"],
    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": p1["ETag"]}, {"PartNumber": 2, "ETag": p2["ETag"]}]})
assert done["ETag"].endswith('-2"'), done
# botocore presigns S3 URLs with SigV2 unless told; Vigil verifies SigV4 only.
v4 = boto3.client("s3", config=botocore.config.Config(signature_version="s3v4"))
url = v4.generate_presigned_url("get_object", Params={"Bucket": "e2e-bucket", "Key": "dir/a.txt"}, ExpiresIn=300)
try:
    assert urllib.request.urlopen(url).read() == b"hello world"
except urllib.error.HTTPError as e:
    sys.exit("presigned GET %s: %s" % (url, e.read()))
s3.put_bucket_versioning(Bucket="e2e-bucket", VersioningConfiguration={"Status": "Enabled"})
v = s3.put_object(Bucket="e2e-bucket", Key="b.txt", Body=b"v2")["VersionId"]
d = s3.delete_object(Bucket="e2e-bucket", Key="b.txt")
assert d["DeleteMarker"], d
vers = s3.list_object_versions(Bucket="e2e-bucket", Prefix="b.txt")
assert len(vers["Versions"]) == 2 and len(vers["DeleteMarkers"]) == 1, vers
assert s3.get_object(Bucket="e2e-bucket", Key="b.txt", VersionId=v)["Body"].read() == b"v2"
assert code(lambda: s3.put_bucket_policy(Bucket="e2e-bucket", Policy="{")) == "MalformedPolicy"
s3.put_bucket_policy(Bucket="e2e-bucket", Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::e2e-bucket/*"}]}')
assert "cloudtrail" in s3.get_bucket_policy(Bucket="e2e-bucket")["Policy"]
s3.put_bucket_tagging(Bucket="e2e-bucket", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
assert s3.get_bucket_tagging(Bucket="e2e-bucket")["TagSet"] == [{"Key": "k", "Value": "v"}]
assert code(lambda: s3.delete_bucket(Bucket="e2e-bucket")) == "BucketNotEmpty"
for o in vers["Versions"] + vers["DeleteMarkers"]:
    s3.delete_object(Bucket="e2e-bucket", Key=o["Key"], VersionId=o["VersionId"])
s3.delete_objects(Bucket="e2e-bucket", Delete={"Objects": [{"Key": "dir/a.txt"}, {"Key": "big"}]})
left = s3.list_object_versions(Bucket="e2e-bucket")
for o in left.get("Versions", []) + left.get("DeleteMarkers", []):
    s3.delete_object(Bucket="e2e-bucket", Key=o["Key"], VersionId=o["VersionId"])
s3.delete_bucket(Bucket="e2e-bucket")
assert code(lambda: s3.head_bucket(Bucket="e2e-bucket")) == "404"
print("ok")
`

// TestS3Boto3 runs the bucket store's scenario through boto3.
func TestS3Boto3(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	script := filepath.Join(t.TempDir(), "s3.py")
	if err := os.WriteFile(script, []byte(s3Script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ok") {
		t.Fatalf("s3.py: %v\n%s", err, out)
	}
}

// TestS3AWSCLIv1 drives the high-level aws s3 commands (multipart
// uploads included) and s3api.
func TestS3AWSCLIv1(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(py, append([]string{"-m", "awscli"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	dir := t.TempDir()
	big := make([]byte, 12<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o600)
	os.WriteFile(filepath.Join(dir, "small.txt"), []byte("small"), 0o600)
	aws("s3", "mb", "s3://cli-bucket")
	aws("s3", "cp", filepath.Join(dir, "big.bin"), "s3://cli-bucket/one/big.bin", "--only-show-errors")
	aws("s3", "sync", dir, "s3://cli-bucket/sync/", "--only-show-errors")
	if out := aws("s3", "ls", "s3://cli-bucket/sync/"); !strings.Contains(out, "big.bin") || !strings.Contains(out, "small.txt") {
		t.Errorf("aws s3 ls = %s", out)
	}
	back := filepath.Join(dir, "back.bin")
	aws("s3", "cp", "s3://cli-bucket/one/big.bin", back, "--only-show-errors")
	if got, _ := os.ReadFile(back); string(got) != string(big) {
		t.Errorf("downloaded object differs from the upload (%d bytes)", len(got))
	}
	if out := aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "one/big.bin"); !strings.Contains(out, `-2\""`) {
		t.Errorf("multipart ETag: %s", out)
	}
	aws("s3", "rm", "--recursive", "s3://cli-bucket/", "--only-show-errors")
	aws("s3", "rb", "s3://cli-bucket")
}

// TestS3VirtualHost addresses a bucket in the Host header.
func TestS3VirtualHost(t *testing.T) {
	v := start(t, true)
	do := func(method, host, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, v.endpoint+path, strings.NewReader(body))
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := do("PUT", "vhost-bucket.localhost", "/", ""); st != 200 {
		t.Fatalf("CreateBucket by virtual host = %d %s", st, body)
	}
	do("PUT", "vhost-bucket.localhost:1234", "/k", "data")
	if st, body := do("GET", "127.0.0.1", "/vhost-bucket/k", ""); st != 200 || body != "data" {
		t.Errorf("path-style GET = %d %q", st, body)
	}
	if st, body := do("GET", "vhost-bucket.localhost", "/nope", ""); st != 404 || !strings.Contains(body, "<Code>NoSuchKey</Code>") {
		t.Errorf("missing key = %d %s", st, body)
	}
}
