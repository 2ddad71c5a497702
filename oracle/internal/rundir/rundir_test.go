package rundir

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestEnv drops the caller's OVN and OVS settings, points the tools at
// the directory, and ends with the caller's own pairs.
func TestEnv(t *testing.T) {
	t.Setenv("OVN_NB_DB", "tcp:192.0.2.1:6641")
	t.Setenv("OVS_RUNDIR", "/var/run/openvswitch")
	d := newDir(t)
	d.AddEnv("OVN_SB_DB=unix:" + d.Path("sb.sock"))
	env := d.Env()
	for _, kv := range env {
		if kv == "OVN_NB_DB=tcp:192.0.2.1:6641" || kv == "OVS_RUNDIR=/var/run/openvswitch" {
			t.Errorf("the caller's %s reached the tools", kv)
		}
	}
	for _, k := range []string{"OVS_RUNDIR", "OVS_LOGDIR", "OVS_DBDIR", "OVN_RUNDIR", "OVN_LOGDIR", "OVN_DBDIR"} {
		if !slices.Contains(env, k+"="+d.Root()) {
			t.Errorf("%s is not set to %s", k, d.Root())
		}
	}
	if env[len(env)-1] != "OVN_SB_DB=unix:"+d.Path("sb.sock") {
		t.Errorf("env ends with %q, want the pair from AddEnv", env[len(env)-1])
	}
}

// TestOutput feeds stdin to a tool, and a failing tool's error names it
// and carries its stderr.
func TestOutput(t *testing.T) {
	d := newDir(t)
	d.Chdir = true
	out, err := d.Output(context.Background(), "hello", "sh", "-c", "cat; pwd")
	if err != nil || out != "hello"+d.Root()+"\n" {
		t.Errorf("Output = %q, %v; want stdin echoed, then the run directory", out, err)
	}
	_, err = d.Output(context.Background(), "", "sh", "-c", "echo oops >&2; exit 3", strings.Repeat("x", 400))
	if err == nil || !strings.Contains(err.Error(), "sh -c echo oops") || !strings.HasSuffix(err.Error(), "...: exit status 3: oops") {
		t.Errorf("a failing tool gave error %v, want one naming it, its arguments cut short, and its stderr", err)
	}
}

// TestStartExits reports a daemon that dies at start with what it printed.
func TestStartExits(t *testing.T) {
	d := newDir(t)
	_, err := d.Start(context.Background(), Daemon{Name: "bad", Sock: "bad.sock", Args: []string{"sh", "-c", "echo boom; exit 1"}})
	if err == nil || !strings.Contains(err.Error(), "sh (bad) exited at start: boom") {
		t.Errorf("Start = %v, want an early-exit error quoting the output", err)
	}
}

// TestClose removes the directory and may be called again.
func TestClose(t *testing.T) {
	d, err := New("rundir-test-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.Path("x.log"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(d.Root()); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Close (stat: %v)", d.Root(), err)
	}
}

func newDir(t *testing.T) *Dir {
	t.Helper()
	d, err := New("rundir-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}
