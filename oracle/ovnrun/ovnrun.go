// Package ovnrun runs a private OVN control plane for tests: a northbound
// and a southbound ovsdb-server and an ovn-northd, in a temp dir of their
// own, for ovn-nbctl, ovn-sbctl, ovn-trace and the importers to talk to.
//
//	test ──ovn-nbctl──▶ nb.sock ◀── ovn-northd ──▶ sb.sock ◀──ovn-sbctl/ovn-trace── test
//	     (ovsdb-server nb.db)                    (ovsdb-server sb.db)
//
// The daemons are children of the test process (SIGKILLed if it dies), so
// Close stops them by process, never by name.
package ovnrun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hopscope/hopscope/oracle/internal/rundir"
)

// The schemas Debian's ovn-common ships.
const (
	nbSchema = "/usr/share/ovn/ovn-nb.ovsschema"
	sbSchema = "/usr/share/ovn/ovn-sb.ovsschema"
)

// cmdTimeout bounds one ovn-nbctl/ovn-sbctl/ovn-trace call, including
// --wait=sb; how long a daemon may take to start is rundir's to say.
const cmdTimeout = 60 * time.Second

// namePrefix starts every run directory a Cluster makes, so what a test
// process left behind can be told from another's.
var namePrefix = fmt.Sprintf("hsovn%d-", os.Getpid())

// clusters counts Starts in this process, for unique names.
var clusters atomic.Int64

// Cluster is a private NB and SB ovsdb-server and an ovn-northd, in a temp
// dir, with OVN_RUNDIR/OVN_LOGDIR/OVN_DBDIR/OVS_RUNDIR pointed there.
type Cluster struct {
	Dir    string // databases, sockets, pid files and logs
	NB, SB string // "unix:/abs/path.sock" endpoints

	tb        testing.TB
	rd        *rundir.Dir
	daemons   []*proc // nb ovsdb-server, sb ovsdb-server, ovn-northd
	closeOnce sync.Once
}

// Missing says why this machine cannot run a Cluster, or "" when it can.
func Missing() string {
	if os.Geteuid() != 0 {
		return "a private OVN control plane is an oracle test, and oracle tests run as root (.ci/run runs them so)"
	}
	for _, t := range []struct{ bin, pkg string }{
		{"ovsdb-tool", "openvswitch-common"}, {"ovsdb-server", "openvswitch-switch"},
		{"ovn-northd", "ovn-central"}, {"ovn-nbctl", "ovn-common"},
		{"ovn-sbctl", "ovn-common"}, {"ovn-trace", "ovn-common"},
	} {
		if _, err := exec.LookPath(t.bin); err != nil {
			return "a private OVN control plane needs " + t.bin + ": apt-get install " + t.pkg
		}
	}
	for _, s := range []string{nbSchema, sbSchema} {
		if _, err := os.Stat(s); err != nil {
			return "a private OVN control plane needs " + s + ": apt-get install ovn-common"
		}
	}
	return ""
}

// Start runs a new Cluster, stopped and removed when tb ends. It skips tb
// when the machine cannot run one (see Missing) and fails it when a daemon
// does not come up.
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	if why := Missing(); why != "" {
		tb.Skip(why)
	}
	c, err := start(tb)
	if err != nil {
		tb.Fatalf("starting OVN: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

// start makes the databases and starts the daemons; on failure it has
// already stopped whatever it started.
func start(tb testing.TB) (_ *Cluster, err error) {
	n := clusters.Add(1)
	rd, err := rundir.New(fmt.Sprintf("%s%d-", namePrefix, n))
	if err != nil {
		return nil, err
	}
	rd.Chdir = true
	c := &Cluster{Dir: rd.Root(), tb: tb, rd: rd}
	defer func() {
		if err != nil {
			if cerr := c.close(); cerr != nil {
				err = fmt.Errorf("%w (and cleaning up: %v)", err, cerr)
			}
		}
	}()
	if err := rd.CheckSocket("northd.ctl"); err != nil { // the longest socket path
		return nil, err
	}
	c.NB, c.SB = "unix:"+rd.Path("nb.sock"), "unix:"+rd.Path("sb.sock")
	rd.AddEnv("OVN_NB_DB="+c.NB, "OVN_SB_DB="+c.SB)
	ctx, cancel := context.WithTimeout(context.Background(), 2*rundir.StartTimeout)
	defer cancel()
	for _, db := range []struct{ name, schema string }{{"nb", nbSchema}, {"sb", sbSchema}} {
		if _, err := rd.Output(ctx, "", "ovsdb-tool", "create", rd.Path(db.name+".db"), db.schema); err != nil {
			return nil, err
		}
		if err := c.daemon(ctx, rundir.Daemon{Name: db.name, Sock: db.name + ".sock",
			Args: []string{"ovsdb-server", rd.Path(db.name + ".db"), "--remote=punix:" + rd.Path(db.name+".sock")}}); err != nil {
			return nil, err
		}
	}
	// NB_Global first, so that --wait=sb has a row to count in.
	if _, err := c.NBCtl("init"); err != nil {
		return nil, err
	}
	if err := c.daemon(ctx, rundir.Daemon{Name: "northd", Sock: "northd.ctl",
		Args: []string{"ovn-northd", "--ovnnb-db=" + c.NB, "--ovnsb-db=" + c.SB}}); err != nil {
		return nil, err
	}
	if err := c.Sync(); err != nil {
		return nil, fmt.Errorf("ovn-northd did not catch up: %w%s", err, rd.LogTail("northd"))
	}
	return c, nil
}

// NBCtl runs ovn-nbctl against the cluster's northbound database.
func (c *Cluster) NBCtl(args ...string) (string, error) {
	return c.run("ovn-nbctl", append([]string{"--db=" + c.NB, "--timeout=30"}, args...)...)
}

// SBCtl runs ovn-sbctl against the cluster's southbound database.
func (c *Cluster) SBCtl(args ...string) (string, error) {
	return c.run("ovn-sbctl", append([]string{"--db=" + c.SB, "--timeout=30"}, args...)...)
}

// Sync waits until ovn-northd has translated everything in the northbound
// database into the southbound one.
func (c *Cluster) Sync() error {
	_, err := c.NBCtl("--wait=sb", "sync")
	return err
}

// Trace runs ovn-trace against the cluster's southbound database.
func (c *Cluster) Trace(args ...string) (string, error) {
	return c.run("ovn-trace", append([]string{"--db=" + c.SB}, args...)...)
}

// Close stops the daemons and removes the run directory. It is safe to
// call twice; a daemon that will not die fails the test.
func (c *Cluster) Close() {
	c.closeOnce.Do(func() {
		if err := c.close(); err != nil {
			c.tb.Errorf("stopping OVN in %s: %v", c.Dir, err)
		}
	})
}

// close stops the daemons, northd first (it is the databases' client),
// and removes the directory once they are gone.
func (c *Cluster) close() error {
	c.daemons = nil
	if c.rd == nil {
		return nil
	}
	return c.rd.Close()
}

// proc is a daemon the Cluster started. The run directory stops it; the
// Cluster keeps it so that a test can check it is gone after Close.
type proc struct{ cmd *exec.Cmd }

// daemon starts one daemon in the run directory and records it.
func (c *Cluster) daemon(ctx context.Context, d rundir.Daemon) error {
	cmd, err := c.rd.Start(ctx, d)
	if err != nil {
		return err
	}
	c.daemons = append(c.daemons, &proc{cmd: cmd})
	return nil
}

// run runs one tool with the cluster's environment and a time limit.
func (c *Cluster) run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return c.rd.Output(ctx, "", name, args...)
}
