package ofproto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// vswitchSchema is where Debian's openvswitch-common puts the schema.
const vswitchSchema = "/usr/share/openvswitch/vswitch.ovsschema"

// namePrefix starts every namespace and run directory a Switch makes, so
// the tests can find what a Switch of this process left behind.
var namePrefix = fmt.Sprintf("hsofp%d-", os.Getpid())

// switches counts Starts in this process, for unique names.
var switches atomic.Int64

// Switch is a private ovsdb-server + ovs-vswitchd (datapath_type=netdev) in
// a network namespace of its own, with its own run directory. A userspace
// vswitchd owns the `ovs-netdev` tap of its namespace, so each Switch needs
// its own namespace.
type Switch struct {
	// Netns is the namespace the vswitchd runs in; Dir holds the database,
	// sockets, pid files and logs.
	Netns, Dir string

	nsMade  bool
	daemons []*proc // ovsdb-server, ovs-vswitchd: children, stopped by Close
	ctl     *unixctl

	mu       sync.Mutex
	ports    map[string]Port     // by name, every port AddBridge made
	veths    int                 // system ports made, for peer names
	underlay bool                // the bridge tunnel ports reach their remotes through
	locals   map[netip.Addr]bool // tunnel local_ip addresses the underlay owns
	dp       *dpPorts            // datapath port map; nil until needed, reset by AddBridge
}

// Missing says why this machine cannot run a Switch, or "" when it can.
func Missing() string {
	if os.Geteuid() != 0 {
		return "an OVS switch needs root: it creates a network namespace and runs ovs-vswitchd"
	}
	for _, t := range []struct{ bin, pkg string }{
		{"ip", "iproute2"},
		{"ovsdb-tool", "openvswitch-common"}, {"ovs-vsctl", "openvswitch-common"},
		{"ovs-ofctl", "openvswitch-common"}, {"ovs-appctl", "openvswitch-common"},
		{"ovsdb-server", "openvswitch-switch"}, {"ovs-vswitchd", "openvswitch-switch"},
	} {
		if _, err := exec.LookPath(t.bin); err != nil {
			return "an OVS switch needs " + t.bin + ": apt-get install " + t.pkg
		}
	}
	if _, err := os.Stat(vswitchSchema); err != nil {
		return "an OVS switch needs " + vswitchSchema + ": apt-get install openvswitch-common"
	}
	return ""
}

// Start runs a new Switch. On failure it has already removed whatever it
// made.
func Start(ctx context.Context) (_ *Switch, err error) {
	if why := Missing(); why != "" {
		return nil, errors.New(why)
	}
	n := switches.Add(1)
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", namePrefix, n))
	if err != nil {
		return nil, err
	}
	s := &Switch{Netns: fmt.Sprintf("%s%d", namePrefix, n), Dir: dir, ports: map[string]Port{}, locals: map[netip.Addr]bool{}}
	defer func() {
		if err != nil {
			if cerr := s.Close(); cerr != nil {
				err = fmt.Errorf("%w (and cleaning up: %v)", err, cerr)
			}
		}
	}()
	if err := s.run(ctx, "", "ip", "netns", "add", s.Netns); err != nil {
		return nil, err
	}
	s.nsMade = true
	if err := s.run(ctx, "", "ip", "-n", s.Netns, "link", "set", "lo", "up"); err != nil {
		return nil, err
	}
	db := s.path("conf.db")
	if err := s.run(ctx, "", "ovsdb-tool", "create", db, vswitchSchema); err != nil {
		return nil, err
	}
	if err := s.daemon(ctx, "db.sock", "ovsdb-server", db, "--remote=punix:"+s.path("db.sock")); err != nil {
		return nil, err
	}
	if err := s.vsctl(ctx, "--no-wait", "init"); err != nil {
		return nil, err
	}
	if err := s.daemon(ctx, "ovs-vswitchd.ctl", "ip", "netns", "exec", s.Netns,
		"ovs-vswitchd", "unix:"+s.path("db.sock")); err != nil {
		return nil, err
	}
	s.ctl = &unixctl{path: s.path("ovs-vswitchd.ctl")}
	return s, nil
}

// Close stops the daemons, deletes the namespace (and with it every
// device the Switch made) and the run directory. It is safe after a
// partial Start and safe to call twice.
func (s *Switch) Close() error {
	var errs []error
	if s.ctl != nil {
		s.ctl.close()
	}
	// The vswitchd first: it is the database's client.
	for i := len(s.daemons) - 1; i >= 0; i-- {
		if err := stop(s.daemons[i]); err != nil {
			errs = append(errs, err)
		}
	}
	s.daemons = nil
	if s.nsMade {
		out, err := exec.Command("ip", "netns", "del", s.Netns).CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("ip netns del %s: %v: %s", s.Netns, err, bytes.TrimSpace(out)))
		} else {
			s.nsMade = false
		}
	}
	if s.Dir != "" && len(errs) == 0 {
		if err := os.RemoveAll(s.Dir); err != nil {
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
func stop(p *proc) error {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
	}
	p.cmd.Process.Kill()
	select {
	case <-p.done:
		return nil
	case <-time.After(5 * time.Second):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
}

// daemon starts one OVS daemon as a child of this process (so it dies
// with it) and waits until the socket it serves accepts connections.
func (s *Switch) daemon(ctx context.Context, sock string, args ...string) error {
	name := args[0]
	if name == "ip" {
		name = args[4]
	}
	args = append(args, "--unixctl="+s.path(name+".ctl"), "--pidfile="+s.path(name+".pid"),
		"--log-file="+s.path(name+".log"), "-vconsole:off")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = s.env()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	s.daemons = append(s.daemons, p)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := net.Dial("unix", s.path(sock)); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited at start: %s%s", name, out.String(), s.logTail(name))
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not open %s in 20s%s", name, sock, s.logTail(name))
		}
	}
}

// logTail is the end of a daemon's log, for errors.
func (s *Switch) logTail(name string) string {
	b, err := os.ReadFile(s.path(name + ".log"))
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "\n" + name + ".log ends:\n" + string(b)
}

func (s *Switch) path(name string) string { return filepath.Join(s.Dir, name) }

// env points the OVS tools at this Switch's run directory.
func (s *Switch) env() []string {
	return append(os.Environ(), "OVS_RUNDIR="+s.Dir, "OVS_LOGDIR="+s.Dir, "OVS_DBDIR="+s.Dir,
		"OVS_SYSCONFDIR="+s.Dir, "OVS_PKGDATADIR=/usr/share/openvswitch")
}

// run runs one tool with the Switch's environment; the error names the
// command and carries what it printed.
func (s *Switch) run(ctx context.Context, stdin string, name string, args ...string) error {
	_, err := s.output(ctx, stdin, name, args...)
	return err
}

func (s *Switch) output(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = s.env()
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
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

func (s *Switch) vsctl(ctx context.Context, args ...string) error {
	_, err := s.vsctlOutput(ctx, args...)
	return err
}

func (s *Switch) vsctlOutput(ctx context.Context, args ...string) (string, error) {
	return s.output(ctx, "", "ovs-vsctl", append([]string{"--db=unix:" + s.path("db.sock"), "--timeout=30"}, args...)...)
}

// appctl sends one command to the vswitchd over its unixctl socket,
// falling back to exec'ing ovs-appctl when the socket client fails.
func (s *Switch) appctl(method string, params ...string) (string, error) {
	out, err := s.ctl.call(method, params...)
	var serr *ServerError
	if err == nil || errors.As(err, &serr) {
		return out, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.output(ctx, "", "ovs-appctl", append([]string{"-t", s.path("ovs-vswitchd.ctl"), method}, params...)...)
}

// appctlExec always execs ovs-appctl; the benchmark compares it with the
// socket client.
func (s *Switch) appctlExec(method string, params ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.output(ctx, "", "ovs-appctl", append([]string{"-t", s.path("ovs-vswitchd.ctl"), method}, params...)...)
}
