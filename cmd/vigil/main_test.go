package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "vigil.yaml")
	os.WriteFile(config, []byte("listen: 0.0.0.0:1\ndata-dir: /from-file\nregion: eu-west-1\nlog-level: warn\n"), 0o600)
	t.Setenv("VIGIL_DATA_DIR", "/from-env")
	t.Setenv("VIGIL_DEV", "true")
	t.Setenv("VIGIL_REGION", "ap-south-1")

	s, err := loadSettings([]string{"--config", config, "--region", "sa-east-1"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	want := settings{Listen: "0.0.0.0:1", DataDir: "/from-env", Dev: true, LogLevel: "warn", Region: "sa-east-1"}
	if s != want {
		t.Errorf("settings = %+v; want %+v (flag > env > file > default)", s, want)
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"extra"}, "", "unexpected argument"},
		{nil, "maybe", "invalid VIGIL_DEV"},
		{[]string{"--config", "/no/such/file"}, "", "cannot read config file"},
	} {
		t.Setenv("VIGIL_DEV", tc.env)
		if tc.env == "" {
			os.Unsetenv("VIGIL_DEV")
		}
		_, err := loadSettings(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("loadSettings(%v, VIGIL_DEV=%q) = %v; want %q", tc.args, tc.env, err, tc.want)
		}
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "bad.yaml")
	os.WriteFile(config, []byte("lisen: typo\n"), 0o600)
	if _, err := loadSettings([]string{"--config", config}, &bytes.Buffer{}); err == nil {
		t.Error("a config file with an unknown key was accepted")
	}
}

func TestHelpDescribesFlags(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"-help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"-listen", "-data-dir", "-dev", "-log-level", "-region", "-config", "-version", "VIGIL_"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("--help does not mention %s:\n%s", flag, out.String())
		}
	}
	// It claims only what exists.
	if strings.Contains(strings.ToLower(out.String()), "console") {
		t.Errorf("--help mentions a console, which Vigil does not have yet:\n%s", out.String())
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"--version"}, &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.HasPrefix(got, "vigil ") || strings.Count(got, "\n") != 1 || got == "vigil dev\n" {
		t.Errorf("--version printed %q; want one line naming the version", got)
	}
}
