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
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The schemas Debian's ovn-common ships.
const (
	nbSchema = "/usr/share/ovn/ovn-nb.ovsschema"
	sbSchema = "/usr/share/ovn/ovn-sb.ovsschema"
)

// Timeouts: a daemon must open its socket within startTimeout, and one
// ovn-nbctl/ovn-sbctl/ovn-trace call (including --wait=sb) must finish
// within cmdTimeout.
const (
	startTimeout = 20 * time.Second
	cmdTimeout   = 60 * time.Second
	stopTimeout  = 5 * time.Second
)

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
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", namePrefix, n))
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, tb: tb}
	defer func() {
		if err != nil {
			if cerr := c.close(); cerr != nil {
				err = fmt.Errorf("%w (and cleaning up: %v)", err, cerr)
			}
		}
	}()
	if len(c.path("northd.ctl")) > 100 { // sun_path holds 108 bytes
		return nil, fmt.Errorf("run directory %s is too long for unix sockets; set TMPDIR to a shorter path", dir)
	}
	c.NB, c.SB = "unix:"+c.path("nb.sock"), "unix:"+c.path("sb.sock")
	ctx, cancel := context.WithTimeout(context.Background(), 2*startTimeout)
	defer cancel()
	for _, db := range []struct{ name, schema string }{{"nb", nbSchema}, {"sb", sbSchema}} {
		if _, err := c.output(ctx, "ovsdb-tool", "create", c.path(db.name+".db"), db.schema); err != nil {
			return nil, err
		}
		if err := c.daemon(ctx, db.name, db.name+".sock", "ovsdb-server", c.path(db.name+".db"),
			"--remote=punix:"+c.path(db.name+".sock")); err != nil {
			return nil, err
		}
	}
	// NB_Global first, so that --wait=sb has a row to count in.
	if _, err := c.NBCtl("init"); err != nil {
		return nil, err
	}
	if err := c.daemon(ctx, "northd", "northd.ctl", "ovn-northd", "--ovnnb-db="+c.NB, "--ovnsb-db="+c.SB); err != nil {
		return nil, err
	}
	if err := c.Sync(); err != nil {
		return nil, fmt.Errorf("ovn-northd did not catch up: %w%s", err, c.logTail("northd"))
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
	var errs []error
	for i := len(c.daemons) - 1; i >= 0; i-- {
		if err := c.daemons[i].stop(); err != nil {
			errs = append(errs, err)
		}
	}
	c.daemons = nil
	if len(errs) == 0 && c.Dir != "" {
		if err := os.RemoveAll(c.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// proc is a daemon this process started; done closes when it has exited.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// stop ends one daemon: SIGTERM, then SIGKILL if it lingers.
func (p *proc) stop() error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
	}
	p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// daemon starts one daemon as a child of this process, logging to
// NAME.log, and waits until it accepts connections on sock.
func (c *Cluster) daemon(ctx context.Context, name, sock string, args ...string) error {
	args = append(args, "--unixctl="+c.path(name+".ctl"), "--pidfile="+c.path(name+".pid"),
		"--log-file="+c.path(name+".log"), "-vconsole:off")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = c.env()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", args[0], err)
	}
	p := &proc{name: args[0] + " (" + name + ")", cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	c.daemons = append(c.daemons, p)
	deadline := time.After(startTimeout)
	for {
		if conn, err := net.Dial("unix", c.path(sock)); err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start: %s%s", p.name, strings.TrimSpace(out.String()), c.logTail(name))
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w%s", p.name, ctx.Err(), c.logTail(name))
		case <-deadline:
			return fmt.Errorf("%s did not open %s within %v%s", p.name, sock, startTimeout, c.logTail(name))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// logTail is the end of a daemon's log, for errors.
func (c *Cluster) logTail(name string) string {
	b, err := os.ReadFile(c.path(name + ".log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + name + ".log ends:\n" + string(b)
}

func (c *Cluster) path(name string) string { return filepath.Join(c.Dir, name) }

// env points the OVS and OVN tools at the cluster's directory and
// databases, and drops settings of the caller's that would redirect them.
func (c *Cluster) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OVN_") || strings.HasPrefix(k, "OVS_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "OVN_RUNDIR="+c.Dir, "OVN_LOGDIR="+c.Dir, "OVN_DBDIR="+c.Dir,
		"OVS_RUNDIR="+c.Dir, "OVS_LOGDIR="+c.Dir, "OVS_DBDIR="+c.Dir,
		"OVN_NB_DB="+c.NB, "OVN_SB_DB="+c.SB)
}

// run runs one tool with the cluster's environment and a time limit.
func (c *Cluster) run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return c.output(ctx, name, args...)
}

// output runs one tool; the error names the command and carries its stderr.
func (c *Cluster) output(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.Dir
	cmd.Env = c.env()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		shown := strings.Join(args, " ")
		if len(shown) > 300 {
			shown = shown[:300] + "..."
		}
		return out.String(), fmt.Errorf("%s %s: %v: %s", name, shown, err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}
