package ofproto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hopscope/hopscope/oracle/internal/rundir"
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

	nsMade bool
	rd     *rundir.Dir // ovsdb-server and ovs-vswitchd run in it, stopped by Close
	ctl    *unixctl

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
	rd, err := rundir.New(fmt.Sprintf("%s%d-", namePrefix, n))
	if err != nil {
		return nil, err
	}
	rd.AddEnv("OVS_SYSCONFDIR="+rd.Root(), "OVS_PKGDATADIR=/usr/share/openvswitch")
	s := &Switch{Netns: fmt.Sprintf("%s%d", namePrefix, n), Dir: rd.Root(), rd: rd, ports: map[string]Port{}, locals: map[netip.Addr]bool{}}
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
	db := rd.Path("conf.db")
	if err := s.run(ctx, "", "ovsdb-tool", "create", db, vswitchSchema); err != nil {
		return nil, err
	}
	if _, err := rd.Start(ctx, rundir.Daemon{Sock: "db.sock",
		Args: []string{"ovsdb-server", db, "--remote=punix:" + rd.Path("db.sock")}}); err != nil {
		return nil, err
	}
	if err := s.vsctl(ctx, "--no-wait", "init"); err != nil {
		return nil, err
	}
	if _, err := rd.Start(ctx, rundir.Daemon{Sock: "ovs-vswitchd.ctl", Via: []string{"ip", "netns", "exec", s.Netns},
		Args: []string{"ovs-vswitchd", "unix:" + rd.Path("db.sock")}}); err != nil {
		return nil, err
	}
	s.ctl = &unixctl{path: rd.Path("ovs-vswitchd.ctl")}
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
	// The daemons before the namespace the vswitchd runs in.
	if s.rd != nil {
		if err := s.rd.Stop(); err != nil {
			errs = append(errs, err)
		}
	}
	if s.nsMade {
		out, err := exec.Command("ip", "netns", "del", s.Netns).CombinedOutput()
		if err != nil {
			errs = append(errs, fmt.Errorf("ip netns del %s: %v: %s", s.Netns, err, bytes.TrimSpace(out)))
		} else {
			s.nsMade = false
		}
	}
	// The directory goes last, and only when all the rest did, so what is
	// left behind keeps its logs.
	if s.rd != nil && len(errs) == 0 {
		if err := s.rd.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// run runs one tool with the Switch's environment; the error names the
// command and carries what it printed.
func (s *Switch) run(ctx context.Context, stdin string, name string, args ...string) error {
	_, err := s.output(ctx, stdin, name, args...)
	return err
}

// output runs one tool with the Switch's environment and returns what it
// printed.
func (s *Switch) output(ctx context.Context, stdin string, name string, args ...string) (string, error) {
	return s.rd.Output(ctx, stdin, name, args...)
}

func (s *Switch) vsctl(ctx context.Context, args ...string) error {
	_, err := s.vsctlOutput(ctx, args...)
	return err
}

func (s *Switch) vsctlOutput(ctx context.Context, args ...string) (string, error) {
	return s.output(ctx, "", "ovs-vsctl", append([]string{"--db=unix:" + s.rd.Path("db.sock"), "--timeout=30"}, args...)...)
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
	return s.output(ctx, "", "ovs-appctl", append([]string{"-t", s.rd.Path("ovs-vswitchd.ctl"), method}, params...)...)
}

// appctlExec always execs ovs-appctl; the benchmark compares it with the
// socket client.
func (s *Switch) appctlExec(method string, params ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.output(ctx, "", "ovs-appctl", append([]string{"-t", s.rd.Path("ovs-vswitchd.ctl"), method}, params...)...)
}
