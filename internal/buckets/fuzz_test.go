package buckets

import "testing"

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=-5", "bytes=6-", "bytes=1-0", "bytes=0-1,2-3", "items=0-1", "bytes=99999999999999999999-"} {
		f.Add(s, int64(11))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			return
		}
		r, ok, err := ParseRange(h, size)
		if ok && (err != nil || r.Start < 0 || r.Start > r.End || r.End >= size) {
			t.Fatalf("ParseRange(%q, %d) = %+v, %v, %v", h, size, r, ok, err)
		}
	})
}

func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/a%20b?versionId=v", "b", "b/k?x=y", "/b/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, err := ParseCopySource(h)
		if err == nil && (c.Bucket == "" || c.Key == "") {
			t.Fatalf("ParseCopySource(%q) = %+v with no error", h, c)
		}
	})
}
