package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestTUISession runs scripts/tui-session.sh: the real binary in tmux,
// driven through a whole troubleshooting session on the DVR example.
func TestTUISession(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("the TUI session script needs tmux: apt-get install tmux")
	}
	if testing.Short() {
		t.Skip("-short: the TUI session builds the binary and drives it in tmux")
	}
	bin := filepath.Join(t.TempDir(), "hopscope")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command("bash", "../../scripts/tui-session.sh", bin)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/tui-session.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
