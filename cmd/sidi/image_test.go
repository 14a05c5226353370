package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStaticImageRoot builds sidi as deploy/Containerfile does (static,
// CGO_ENABLED=0) and runs it the way the image's final stage holds it: in
// a root that has nothing but the binary, /tmp and an empty /data owned by an
// unprivileged user. `demo --no-serve` must fill /data and `audit verify`
// pass there, so the image needs no shared libraries, no /etc and no
// network. Needs root (chroot); skipped otherwise, and with -short.
func TestStaticImageRoot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a static binary: skipped with -short")
	}
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs Linux and root (chroot)")
	}
	chroot, err := exec.LookPath("chroot")
	if err != nil {
		t.Skip("no chroot command")
	}
	root := t.TempDir()
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(root, "sidi"), ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("static build: %v\n%s", err, out)
	}
	// SQLite needs /tmp for its temporary files (without it the index
	// builds of the migrations fail with a disk I/O error).
	tmp := filepath.Join(root, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(data, 65532, 65532); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(chroot, append([]string{"--userspec=65532:65532", root, "/sidi"}, args...)...)
		cmd.Env = []string{"PATH=/"} // nothing of the host's environment
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sidi %s in the image root: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("version")
	run("demo", "--no-serve", "--data", "/data")
	if out := run("audit", "verify", "--data", "/data"); !strings.Contains(out, "OK") {
		t.Fatalf("audit verify in the image root:\n%s", out)
	}
	st, err := os.Stat(filepath.Join(data, "audit.key"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("audit.key mode %v, want 0600", st.Mode().Perm())
	}
}
