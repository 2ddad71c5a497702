package ovnrun

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCluster starts a cluster, creates a switch with two ports, and sees
// northd turn it into a Datapath_Binding and ovn-trace deliver across it.
func TestCluster(t *testing.T) {
	begin := time.Now()
	c := Start(t)
	t.Logf("Start took %v", time.Since(begin))
	for _, ep := range []string{c.NB, c.SB} {
		if !strings.HasPrefix(ep, "unix:"+c.Dir+"/") {
			t.Errorf("endpoint %q is not a socket in %s", ep, c.Dir)
		}
	}
	mustCtl(t, c.NBCtl, "ls-add", "sw0",
		"--", "lsp-add", "sw0", "p1", "--", "lsp-set-addresses", "p1", "00:00:00:00:00:01 10.0.0.1",
		"--", "lsp-add", "sw0", "p2", "--", "lsp-set-addresses", "p2", "00:00:00:00:00:02 10.0.0.2")
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	out := mustCtl(t, c.SBCtl, "--bare", "--columns=external_ids", "find", "Datapath_Binding", "external_ids:name=sw0")
	if !strings.Contains(out, "logical-switch=") {
		t.Errorf("no Datapath_Binding for sw0 in the SB; find printed %q", out)
	}
	tr, err := c.Trace("--minimal", "sw0",
		`inport == "p1" && eth.src == 00:00:00:00:00:01 && eth.dst == 00:00:00:00:00:02`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tr, `output("p2")`) {
		t.Errorf("ovn-trace did not deliver p1 -> p2:\n%s", tr)
	}
	if _, err := c.NBCtl("no-such-command"); err == nil || !strings.Contains(err.Error(), "no-such-command") {
		t.Errorf("a failing ovn-nbctl gave error %v, want one quoting the command and its stderr", err)
	}
}

// TestClose stops every daemon, removes the directory, and may be called
// again; two clusters in one process get directories of their own.
func TestClose(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Dir == b.Dir {
		t.Fatalf("two clusters share %s", a.Dir)
	}
	var pids []int
	for _, p := range a.daemons {
		pids = append(pids, p.cmd.Process.Pid)
	}
	if len(pids) != 3 {
		t.Fatalf("cluster runs %d daemons, want 3 (two ovsdb-servers and ovn-northd)", len(pids))
	}
	a.Close()
	a.Close()
	if _, err := os.Stat(a.Dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Close (stat: %v)", a.Dir, err)
	}
	for _, pid := range pids {
		// The children were reaped by Wait, so the pid is free: signal 0 fails.
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("daemon pid %d still running after Close", pid)
		}
	}
	if _, err := b.NBCtl("ls-list"); err != nil {
		t.Errorf("closing one cluster broke the other: %v", err)
	}
}

func mustCtl(t *testing.T, ctl func(...string) (string, error), args ...string) string {
	t.Helper()
	out, err := ctl(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
