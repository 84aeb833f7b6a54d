package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/store/sqlite"
)

// vigil admin creates accounts and root keys that the authenticator then
// finds, and lists the accounts.
func TestAdmin(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := admin(append(args, "-data-dir", dir), &out); err != nil {
			t.Fatalf("vigil admin %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	created := run("create-account", "-name", "team-a")
	var id, secret, account string
	for _, line := range strings.Split(created, "\n") {
		if v, ok := strings.CutPrefix(line, "export AWS_ACCESS_KEY_ID="); ok {
			id = v
		} else if v, ok := strings.CutPrefix(line, "export AWS_SECRET_ACCESS_KEY="); ok {
			secret = v
		} else if v, ok := strings.CutPrefix(line, "# account "); ok {
			account = v
		}
	}
	if !strings.HasPrefix(id, "AKIA") || len(secret) != 40 || len(account) != 12 {
		t.Fatalf("create-account printed %q", created)
	}
	if got := run("list-accounts"); got != account+"\tteam-a\n" {
		t.Errorf("list-accounts = %q", got)
	}
	second := run("create-access-key", "-account", account)
	if !strings.Contains(second, "# account "+account) || strings.Contains(second, id) {
		t.Errorf("create-access-key printed %q", second)
	}
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := st.Accounts().AccessKey(context.Background(), id)
	sealer, serr := auth.OpenSealer(dir)
	if err != nil || serr != nil || k.PrincipalARN != "arn:aws:iam::"+account+":root" || !k.Active {
		t.Fatalf("stored key %+v, %v, %v", k, err, serr)
	}
	if got, err := sealer.Open(k.SealedSecret); err != nil || string(got) != secret {
		t.Errorf("the stored secret does not open to the printed one: %v", err)
	}
	var out bytes.Buffer
	if err := admin([]string{"create-access-key", "-account", "999999999999", "-data-dir", dir}, &out); err == nil {
		t.Error("a key for an account Vigil does not host")
	}
}
