package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// The performance targets' OVN network (scenarios.GenerateOVN).
const benchSwitches, benchPorts, benchACLs, benchRouters = 250, 100, 10000, 100

// BenchmarkOVNTraceVsOvnTrace puts the performance targets' network
// (scenarios.GenerateOVN) into a private OVN and measures, in the same run
// and on the same packets (scenarios.OVNChecks):
//
//   - hopscope in memory: the DB imported from the live NB and SB, then
//     Indexed; the median of many traces per packet (target: 0.1 ms);
//   - hopscope one-shot: `hopscope trace --ovn-nb --ovn-sb ... -o json` on
//     the east-west packet, load and one trace: wall time and max RSS
//     (target: 1 s and 300 MB), over the servers' sockets and from the
//     database files (file:PATH);
//   - ovn-trace one-shot on the same packet, wall time and max RSS;
//   - ovn-trace as a daemon (--detach), asked over its unixctl socket on a
//     kept connection, as oracle/ofproto asks ofproto/trace: the median
//     per trace with --minimal, its cheapest output (exec'ing ovs-appctl
//     per trace, the default and --all outputs are measured too).
//
// It reports the daemon ratio (ovn-trace daemon median / hopscope median)
// and the one-shot ratio (ovn-trace wall / hopscope wall), logs a table
// per packet, and fails when the two tools disagree on a packet, as the
// OVN differential compares them (outputs with their headers, ARPs,
// drops), one-shots included. The loop it times is hopscope's trace of
// the east-west packet; the setup (a minute or two) is logged.
func BenchmarkOVNTraceVsOvnTrace(b *testing.B) {
	if _, err := os.Stat(timeCmd); err != nil {
		b.Skipf("measuring a command's peak memory needs %s: apt-get install time", timeCmd)
	}
	c := ovnrun.Start(b) // skips when not root or OVN is missing
	bin := buildHopscope(b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	r := &ovnReport{setup: loadOVN(ctx, b, c)}

	// (a) hopscope in memory, from the live databases.
	begin := time.Now()
	db, err := ovnimport.Import(ctx, c.NB, c.SB)
	if err != nil {
		b.Fatal(err)
	}
	r.importTime = time.Since(begin)
	begin = time.Now()
	e, err := logicalEngine("generated-ovn", db)
	if err != nil {
		b.Fatal(err)
	}
	r.indexTime = time.Since(begin)
	r.measureHopscope(b, e, db)
	primary := &r.packets[min(1, len(r.packets)-1)] // east-west

	// What OVN learns from the first packets' ARP: see learnedBindings.
	r.learned = learnedBindings(db, r.packets)
	if err := addMACBindings(c, r.learned); err != nil {
		b.Fatal(err)
	}
	r.measureOneShots(b, c, bin, primary) // (b) and (c)
	begin = time.Now()
	d := startOvnTrace(b, c)
	if err := d.waitReady(primary); err != nil {
		b.Fatal(err)
	}
	r.daemonLoad = time.Since(begin)
	r.measureDaemon(b, d, primary) // (d)
	r.compare(b, d, db, e)
	r.log(b)

	for b.Loop() {
		if _, err := e.Trace(primary.req); err != nil {
			b.Fatal(err)
		}
	}
	r.metrics(b)
}

// measureHopscope traces each of OVNChecks' packets hopscopeRuns times.
func (r *ovnReport) measureHopscope(b *testing.B, e *trace.Engine, db *ovn.DB) {
	checks := scenarios.OVNChecks(benchSwitches, benchPorts, benchRouters)
	r.packets = make([]benchPacket, len(checks))
	runtime.GC() // the import's garbage, so that its collection is not timed
	var all []time.Duration
	for i, ck := range checks {
		p := newBenchPacket(b, e, db, ck)
		for range hopscopeRuns {
			begin := time.Now()
			if _, err := e.Trace(p.req); err != nil {
				b.Fatal(err)
			}
			p.hopscope = append(p.hopscope, time.Since(begin))
		}
		all = append(all, p.hopscope...)
		r.packets[i] = p
	}
	r.hsMedian = median(all)
}

// measureOneShots runs hopscope (over the sockets, then from the files) and
// ovn-trace (with the arguments the OVN differential gives it) on p, load
// and one trace, and checks they agree on where it goes.
func (r *ovnReport) measureOneShots(b *testing.B, c *ovnrun.Cluster, bin string, p *benchPacket) {
	hopscope := func(nb, sb string) oneShot {
		return oneShots(b, oneShotRuns, func() (string, procCost) {
			return runTool(b, bin, "trace", "--ovn-nb", nb, "--ovn-sb", sb, "--from", p.check.From, "--to", p.check.To,
				"--proto", "tcp", "--dport", fmt.Sprint(p.check.DPort), "-o", "json")
		})
	}
	sockets := hopscope(c.NB, c.SB)
	files := hopscope("file:"+filepath.Join(c.Dir, "nb.db"), "file:"+filepath.Join(c.Dir, "sb.db"))
	var ot oneShot
	t, err := TraceOVN(func(args ...string) (string, error) {
		ot = oneShots(b, 1, func() (string, procCost) {
			return runTool(b, "ovn-trace", append([]string{"--db=" + c.SB}, args...)...)
		})
		return ot.out, nil
	}, p.datapath, p.flow, nil, ctNew)
	if err != nil {
		b.Fatal(err)
	}
	for _, hs := range []oneShot{sockets, files} {
		if got, want := oneShotOutcome(b, hs.out), otOutcome(t); got != want {
			b.Errorf("%s: the one-shots disagree: hopscope %s, ovn-trace %s\nhopscope:\n%s\novn-trace:\n%s", p.check.Name, got, want, hs.out, ot.out)
		}
	}
	r.hsShot, r.hsFileShot, r.otShot = sockets.procCost, files.procCost, ot.procCost
}

// measureDaemon asks the daemon about every packet daemonRuns times with
// --minimal, its least output, and about p with its default and --all
// outputs and by exec'ing ovs-appctl.
func (r *ovnReport) measureDaemon(b *testing.B, d *ovnTraceDaemon, p *benchPacket) {
	timed := func(out *[]time.Duration, args ...string) {
		begin := time.Now()
		if _, err := d.ctl.unixctl("trace", args...); err != nil {
			b.Fatalf("ovn-trace daemon: trace %v: %v", args, err)
		}
		*out = append(*out, time.Since(begin))
	}
	var all, detailed, full, appctl []time.Duration
	for i := range r.packets {
		q := &r.packets[i]
		for range daemonRuns {
			timed(&q.daemon, "--minimal", q.datapath, q.flow.Microflow())
		}
		all = append(all, q.daemon...)
	}
	for range daemonRuns {
		timed(&detailed, p.datapath, p.flow.Microflow())
		timed(&full, "--all", p.datapath, p.flow.Microflow())
	}
	for range appctlRuns {
		begin := time.Now()
		cmd := exec.Command("ovs-appctl", "-t", d.ctlPath, "trace", "--minimal", p.datapath, p.flow.Microflow())
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("ovs-appctl trace: %v\n%s", err, out)
		}
		appctl = append(appctl, time.Since(begin))
	}
	r.otMedian, r.detailedMedian, r.allMedian, r.appctlMedian = median(all), median(detailed), median(full), median(appctl)
}

// compare asks the daemon about every packet and judges the answers
// against hopscope's as the OVN differential does (forward packets only:
// the daemon's conntrack states are fixed at its start).
func (r *ovnReport) compare(b *testing.B, d *ovnTraceDaemon, db *ovn.DB, e *trace.Engine) {
	r.agreement = ovnRun{Name: "generated-ovn"}
	j := &ovnJudge{db: db, e: e}
	for _, p := range r.packets {
		traces, err := e.Trace(p.req)
		if err != nil {
			b.Fatal(err)
		}
		ot, err := TraceOVN(d.trace, p.datapath, p.flow, nil, ctNew)
		if err != nil {
			b.Fatalf("%s: %v", p.check.Name, err)
		}
		o := ovnOutcome{Case: p.check.Name}
		o.fill(j, simulateOVN(traces), ot)
		if o.Differ != "" {
			b.Errorf("%s: hopscope and ovn-trace disagree: %s\n%s", p.check.Name, o.Differ, o.Detail)
		}
		r.agreement.Outcomes = append(r.agreement.Outcomes, o)
	}
}

// How many times each measurement runs.
const (
	hopscopeRuns = 500 // in-memory traces per packet
	daemonRuns   = 50  // unixctl traces per packet
	appctlRuns   = 10  // ovs-appctl execs
	oneShotRuns  = 3   // hopscope one-shot runs (ovn-trace's runs once: it takes seconds)
)

// setupTimes are how long getting the network into OVN took.
type setupTimes struct {
	generate, write, northd, bind, total time.Duration
	bindTx                               time.Duration // of bind, the transaction (then northd catches up)
	ports, lflows                        int
}

// loadOVN writes the generated network into c's NB in one transaction,
// adds its chassis, waits for northd, and binds every VIF in one SB
// transaction.
func loadOVN(ctx context.Context, b *testing.B, c *ovnrun.Cluster) setupTimes {
	var st setupTimes
	begin := time.Now()
	gen := scenarios.GenerateOVN(benchSwitches, benchPorts, benchACLs, benchRouters)
	st.generate = time.Since(begin)
	t := time.Now()
	if err := ovnimport.Write(ctx, c.NB, gen); err != nil {
		b.Fatalf("writing the generated NB: %v", err)
	}
	st.write = time.Since(t)
	t = time.Now()
	if err := addChassis(c, gen); err != nil {
		b.Fatal(err)
	}
	if err := syncLong(c, 10*time.Minute); err != nil {
		b.Fatal(err)
	}
	st.northd = time.Since(t)
	t = time.Now()
	chassis := map[string]string{}
	for _, sw := range gen.Switches {
		for _, p := range sw.Ports {
			if p.Chassis != "" {
				chassis[p.Name] = p.Chassis
			}
		}
	}
	st.ports = len(chassis)
	if err := bindPorts(c, chassis); err != nil {
		b.Fatal(err)
	}
	st.bindTx = time.Since(t)
	if err := syncLong(c, 5*time.Minute); err != nil {
		b.Fatal(err)
	}
	st.bind = time.Since(t)
	st.total = time.Since(begin)
	if out, err := c.SBCtl("--bare", "--columns=_uuid", "list", "Logical_Flow"); err == nil {
		st.lflows = len(strings.Fields(out))
	}
	return st
}

// syncLong is Cluster.Sync for a northd that needs longer than one
// ovn-nbctl timeout: it asks again until northd has caught up.
func syncLong(c *ovnrun.Cluster, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := c.Sync()
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}

// bindPorts sets Port_Binding.chassis for each port, as ovn-controller
// does when a VM's interface appears: one select of the bindings and the
// chassis, then one transaction of updates by row UUID. (realiseOVN's
// single ovn-sbctl with an lsp-bind per port would need an argument list
// over the kernel's 2 MB limit here, and looks each port up by a scan.)
func bindPorts(c *ovnrun.Cluster, chassis map[string]string) error {
	conn, err := dialRPC(strings.TrimPrefix(c.SB, "unix:"))
	if err != nil {
		return err
	}
	defer conn.close()
	var sel []struct {
		Rows []map[string]json.RawMessage `json:"rows"`
	}
	if err := conn.transact("OVN_Southbound", &sel,
		map[string]any{"op": "select", "table": "Port_Binding", "where": []any{}, "columns": []string{"_uuid", "logical_port"}},
		map[string]any{"op": "select", "table": "Chassis", "where": []any{}, "columns": []string{"_uuid", "name"}}); err != nil {
		return err
	}
	chassisUUID := map[string]string{}
	for _, r := range sel[1].Rows {
		chassisUUID[jsonString(r["name"])] = uuidOf(r["_uuid"])
	}
	var ops []any
	for _, r := range sel[0].Rows {
		ch, ok := chassis[jsonString(r["logical_port"])]
		if !ok {
			continue
		}
		u := chassisUUID[ch]
		if u == "" {
			return fmt.Errorf("chassis %s is not in the SB", ch)
		}
		ops = append(ops, map[string]any{"op": "update", "table": "Port_Binding",
			"where": []any{[]any{"_uuid", "==", []string{"uuid", uuidOf(r["_uuid"])}}},
			"row":   map[string]any{"chassis": []string{"uuid", u}}})
	}
	if len(ops) != len(chassis) {
		return fmt.Errorf("%d ports to bind, but northd made Port_Bindings for %d of them", len(chassis), len(ops))
	}
	var res []json.RawMessage
	return conn.transact("OVN_Southbound", &res, ops...)
}

// macBinding is a MAC_Binding row: router's port learned ip's MAC.
type macBinding struct {
	router, port string
	ip           netip.Addr
	mac          ovn.MAC
}

func (m macBinding) String() string {
	return fmt.Sprintf("%s port %s: %s is %s", m.router, m.port, m.ip, model.MAC(m.mac))
}

// learnedBindings are the MAC_Binding rows OVN holds once a first packet
// to another project's floating IP has gone: the sending VM's router ARPs
// for it (Neutron sets options:dynamic_neigh_routers, and northd 23.03
// writes no arp_resolve flow for a neighbour router's floating IP in any
// case), ext-net answers with the external MAC, and ovn-controller records
// the answer. Without them ovn-trace stops at the ARP; hopscope, which
// reads the NB, answers for the packets after it, so ovn-trace is given
// the bindings those packets find.
func learnedBindings(db *ovn.DB, packets []benchPacket) []macBinding {
	var out []macBinding
	for _, p := range packets {
		dst, err := netip.ParseAddr(p.check.To)
		if err != nil {
			continue
		}
		var from *ovn.Router
		for _, sp := range db.Port(p.check.From).Switch.Ports {
			if sp.RouterPort != nil {
				from = sp.RouterPort.Router
			}
		}
		for _, lr := range db.Routers {
			for _, n := range lr.NAT {
				if n.ExternalIP != dst || !n.HasExternalMAC || lr == from || from == nil {
					continue
				}
				for _, gw := range from.Ports {
					m := macBinding{router: from.Name, port: gw.Name, ip: dst, mac: n.ExternalMAC}
					if gw.IsGateway() && !slices.Contains(out, m) {
						out = append(out, m)
					}
				}
			}
		}
	}
	return out
}

// addMACBindings inserts bindings into c's SB, as ovn-controller does
// when an ARP answer comes back.
func addMACBindings(c *ovnrun.Cluster, bindings []macBinding) error {
	if len(bindings) == 0 {
		return nil
	}
	conn, err := dialRPC(strings.TrimPrefix(c.SB, "unix:"))
	if err != nil {
		return err
	}
	defer conn.close()
	var sel []struct {
		Rows []struct {
			UUID        json.RawMessage `json:"_uuid"`
			ExternalIDs json.RawMessage `json:"external_ids"`
		} `json:"rows"`
	}
	if err := conn.transact("OVN_Southbound", &sel,
		map[string]any{"op": "select", "table": "Datapath_Binding", "where": []any{}, "columns": []string{"_uuid", "external_ids"}}); err != nil {
		return err
	}
	datapath := map[string]string{}
	for _, r := range sel[0].Rows {
		var ids []any // ["map", [[k, v], ...]]
		json.Unmarshal(r.ExternalIDs, &ids)
		if len(ids) == 2 {
			pairs, _ := ids[1].([]any)
			for _, kv := range pairs {
				if kv, ok := kv.([]any); ok && len(kv) == 2 && kv[0] == "name" {
					datapath[fmt.Sprint(kv[1])] = uuidOf(r.UUID)
				}
			}
		}
	}
	var ops []any
	for _, m := range bindings {
		dp := datapath[m.router]
		if dp == "" {
			return fmt.Errorf("router %s has no Datapath_Binding", m.router)
		}
		ops = append(ops, map[string]any{"op": "insert", "table": "MAC_Binding", "row": map[string]any{
			"logical_port": m.port, "ip": m.ip.String(), "mac": model.MAC(m.mac).String(), "datapath": []string{"uuid", dp}}})
	}
	var res []json.RawMessage
	return conn.transact("OVN_Southbound", &res, ops...)
}

func jsonString(m json.RawMessage) string {
	var s string
	json.Unmarshal(m, &s)
	return s
}

// uuidOf reads OVSDB's ["uuid", "..."].
func uuidOf(m json.RawMessage) string {
	var pair []string
	if json.Unmarshal(m, &pair) != nil || len(pair) != 2 {
		return ""
	}
	return pair[1]
}

// benchPacket is one of OVNChecks' packets and what it cost each tool.
type benchPacket struct {
	check    scenarios.Check
	req      trace.Request
	datapath string  // the sending port's logical switch
	flow     OVNFlow // the first frame hopscope built, for ovn-trace
	outcome  string  // hopscope's, in otOutcome's words
	hopscope []time.Duration
	daemon   []time.Duration
}

// newBenchPacket traces ck once and checks it ends as OVNChecks says.
func newBenchPacket(b *testing.B, e *trace.Engine, db *ovn.DB, ck scenarios.Check) benchPacket {
	res := check.One(e, ck)
	if res.Err != nil || !res.Pass {
		var text strings.Builder
		trace.WriteText(&text, res.Traces)
		b.Fatalf("%s on the imported DB: %v %v\n%s", ck.Name, res.Err, res.Failures, text.String())
	}
	req, err := check.Request(ck)
	if err != nil {
		b.Fatal(err)
	}
	t := res.Traces[0]
	return benchPacket{check: ck, req: req, datapath: db.Port(ck.From).Switch.Name, flow: flowOf(ck.From, t.Packet),
		outcome: hopscopeOutcome(t.Disposition.String(), t.LogicalPort())}
}

// hopscopeOutcome puts a trace's end in otOutcome's words.
func hopscopeOutcome(disposition, port string) string {
	switch {
	case port != "" && (disposition == "DELIVERED" || disposition == "EXITED"):
		return "output " + port
	case disposition == "NEIGHBOR_UNREACHABLE":
		return "ARP"
	}
	return "dropped"
}

// otOutcome is where ovn-trace says a packet went: "output PORT,...",
// "ARP" (for a next hop without a MAC binding) or "dropped".
func otOutcome(t *OVNTrace) string {
	switch {
	case len(t.Outputs) > 0:
		var ports []string
		for _, o := range t.Outputs {
			ports = append(ports, o.Port)
		}
		return "output " + strings.Join(ports, ",")
	case len(t.ARPs) > 0:
		return "ARP"
	}
	return "dropped"
}

// oneShotOutcome reads `hopscope trace -o json`'s first path.
func oneShotOutcome(b *testing.B, out string) string {
	var rep struct {
		Traces []struct {
			Disposition string `json:"disposition"`
			Hops        []struct {
				Steps []struct {
					Kind   string `json:"kind"`
					Detail struct {
						Port string `json:"port"`
					} `json:"detail"`
				} `json:"steps"`
			} `json:"hops"`
		} `json:"traces"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Traces) == 0 {
		b.Fatalf("hopscope trace -o json: %v\n%s", err, out)
	}
	t := rep.Traces[0]
	port := ""
	if n := len(t.Hops); n > 0 {
		steps := t.Hops[n-1].Steps
		if m := len(steps); m > 0 && steps[m-1].Kind == "Deliver" {
			port = steps[m-1].Detail.Port
		}
	}
	return hopscopeOutcome(t.Disposition, port)
}

// procCost is one process's wall time and peak memory.
type procCost struct {
	wall   time.Duration
	maxRSS int64 // bytes
}

// runTool runs a command to the end and returns its output (stdout, then
// stderr) and cost. An exit status of 1 is an answer (hopscope: the
// packet does not get through), not a failure. The peak memory comes from
// /usr/bin/time: the child's rusage as os/exec reports it is not the
// child's alone, for Go starts it with vfork, and Linux carries the
// parent's peak RSS over to the child at exec.
func runTool(b *testing.B, name string, args ...string) (string, procCost) {
	rss := filepath.Join(b.TempDir(), "maxrss")
	cmd := exec.Command(timeCmd, append([]string{"-o", rss, "-f", "%M", name}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "OVN_NB_DB=", "OVN_SB_DB=")
	begin := time.Now()
	err := cmd.Run()
	r := procCost{wall: time.Since(begin)}
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	text, err := os.ReadFile(rss)
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Fields(string(text)) // "Command exited with non-zero status 1" comes first
	if _, err := fmt.Sscan(lines[len(lines)-1], &r.maxRSS); err != nil {
		b.Fatalf("%s: %q: %v", timeCmd, text, err)
	}
	r.maxRSS *= 1024
	return out.String() + errb.String(), r
}

// timeCmd is GNU time, which measures a command's peak memory.
const timeCmd = "/usr/bin/time"

// oneShot is a command's last output and its median wall time and peak
// memory over n runs.
type oneShot struct {
	out string
	procCost
}

func oneShots(b *testing.B, n int, f func() (string, procCost)) oneShot {
	var s oneShot
	var walls []time.Duration
	for range n {
		out, r := f()
		s.out = out
		walls = append(walls, r.wall)
		s.maxRSS = max(s.maxRSS, r.maxRSS)
	}
	s.wall = median(walls)
	return s
}

// buildHopscope builds the hopscope command into a temp dir.
func buildHopscope(b *testing.B) string {
	bin := filepath.Join(b.TempDir(), "hopscope")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/hopscope/hopscope/cmd/hopscope")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build ./cmd/hopscope: %v\n%s", err, out)
	}
	return bin
}

// ovnTraceDaemon is an `ovn-trace --detach` this benchmark started.
type ovnTraceDaemon struct {
	ctlPath string
	ctl     *rpcConn
}

// startOvnTrace starts ovn-trace as a daemon on c's SB. Its unixctl
// trace takes only an output format, so the options TraceOVN gives every
// trace (--no-friendly-names, a new connection at every conntrack lookup)
// are the daemon's own. It is stopped (its unixctl exit, then its pid
// from the pid file) when b ends.
func startOvnTrace(b *testing.B, c *ovnrun.Cluster) *ovnTraceDaemon {
	pidfile, ctl := filepath.Join(c.Dir, "ovn-trace.pid"), filepath.Join(c.Dir, "ovn-trace.ctl")
	args := []string{"--detach", "--no-chdir", "--pidfile=" + pidfile, "--unixctl=" + ctl,
		"--log-file=" + filepath.Join(c.Dir, "ovn-trace.log"), "-vconsole:off", "--db=" + c.SB, "--no-friendly-names"}
	for range ovnTraceCT {
		args = append(args, "--ct="+ctNew)
	}
	cmd := exec.Command("ovn-trace", args...)
	cmd.Env = append(os.Environ(), "OVN_RUNDIR="+c.Dir, "OVS_RUNDIR="+c.Dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("ovn-trace --detach: %v\n%s", err, out)
	}
	b.Cleanup(func() { stopDaemon(b, pidfile, ctl) })
	conn, err := dialRPC(ctl)
	if err != nil {
		b.Fatalf("ovn-trace's unixctl socket: %v", err)
	}
	b.Cleanup(conn.close)
	return &ovnTraceDaemon{ctlPath: ctl, ctl: conn}
}

// trace is a TraceOVN run function: the daemon's options must be the
// ones asked for, and its --all output holds the summary and minimal
// forms TraceOVN reads.
func (d *ovnTraceDaemon) trace(args ...string) (string, error) {
	var pass []string
	for _, a := range args {
		switch {
		case a == "--summary" || a == "--minimal" || a == "--no-friendly-names" || a == "--ct="+ctNew:
		case strings.HasPrefix(a, "--"):
			return "", fmt.Errorf("ovn-trace's daemon was started with --no-friendly-names and --ct=%s; it cannot trace with %s", ctNew, a)
		default:
			pass = append(pass, a)
		}
	}
	return d.ctl.unixctl("trace", append([]string{"--all"}, pass...)...)
}

// waitReady waits until the daemon has read the SB: until it outputs p
// somewhere.
func (d *ovnTraceDaemon) waitReady(p *benchPacket) error {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		t, err := TraceOVN(d.trace, p.datapath, p.flow, nil, ctNew)
		if err == nil && !t.Dropped() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ovn-trace's daemon did not trace %s within 5 minutes: %v", p.check.Name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stopDaemon asks the daemon to exit and, if it lingers, signals the pid
// its pid file names.
func stopDaemon(b *testing.B, pidfile, ctl string) {
	if conn, err := dialRPC(ctl); err == nil {
		conn.unixctl("exit")
		conn.close()
	}
	raw, err := os.ReadFile(pidfile)
	if err != nil {
		return
	}
	var pid int
	if _, err := fmt.Sscan(string(raw), &pid); err != nil || pid <= 0 {
		return
	}
	for range 50 {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		b.Logf("stopping ovn-trace (pid %d): %v", pid, err)
	}
}

// rpcConn is a JSON-RPC 1.0 connection to an OVS daemon's unix socket:
// unixctl (what ovs-appctl speaks) and OVSDB use the same protocol.
type rpcConn struct {
	conn net.Conn
	dec  *json.Decoder
	id   int
}

func dialRPC(path string) (*rpcConn, error) {
	conn, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		return nil, err
	}
	return &rpcConn{conn: conn, dec: json.NewDecoder(conn)}, nil
}

func (c *rpcConn) close() { c.conn.Close() }

// call sends one request and decodes its result into result.
func (c *rpcConn) call(method string, params []any, result any) error {
	c.id++
	req, err := json.Marshal(map[string]any{"method": method, "params": params, "id": c.id})
	if err != nil {
		return err
	}
	c.conn.SetDeadline(time.Now().Add(5 * time.Minute))
	if _, err := c.conn.Write(req); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	for {
		var reply struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := c.dec.Decode(&reply); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if reply.Method != "" || string(reply.ID) != fmt.Sprint(c.id) {
			continue // a notification or an echo request, not our answer
		}
		if len(reply.Error) > 0 && string(reply.Error) != "null" {
			return fmt.Errorf("%s: %s", method, reply.Error)
		}
		return json.Unmarshal(reply.Result, result)
	}
}

// unixctl runs one unixctl command; its params are all strings.
func (c *rpcConn) unixctl(method string, params ...string) (string, error) {
	ps := make([]any, len(params))
	for i, p := range params {
		ps[i] = p
	}
	var out string
	err := c.call(method, ps, &out)
	return out, err
}

// transact runs one OVSDB transaction and checks each operation's result.
func (c *rpcConn) transact(db string, results any, ops ...any) error {
	var raw []json.RawMessage
	if err := c.call("transact", append([]any{db}, ops...), &raw); err != nil {
		return err
	}
	for i, r := range raw {
		var res struct {
			Error   string `json:"error"`
			Details string `json:"details"`
		}
		json.Unmarshal(r, &res)
		if res.Error != "" {
			return fmt.Errorf("transact: operation %d: %s: %s", i, res.Error, res.Details)
		}
	}
	if len(raw) < len(ops) {
		return fmt.Errorf("transact: %d operations, %d results", len(ops), len(raw))
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, results)
}

// ovnReport is every figure of one run.
type ovnReport struct {
	setup                             setupTimes
	importTime, indexTime, daemonLoad time.Duration
	packets                           []benchPacket
	hsMedian, otMedian                time.Duration // over every packet's runs
	detailedMedian, allMedian         time.Duration // ovn-trace's default output, and --all
	appctlMedian                      time.Duration // exec'ing ovs-appctl
	learned                           []macBinding
	hsShot, hsFileShot, otShot        procCost // hopscope over the sockets and from the files; ovn-trace
	agreement                         ovnRun
}

// log prints the report. The testing package keeps only ten lines of a
// benchmark's log, so the tables go to stdout, beside the benchmark's
// result line, and the log gets the headline figures.
func (r *ovnReport) log(b *testing.B) {
	var s strings.Builder
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	fmt.Fprintf(&s, "setup: generate %v; NB write (one transaction) %v; chassis + ovn-northd %v (%d logical flows); binding %d ports %v (one SB transaction %v, then northd); total %v\n",
		ms(r.setup.generate), ms(r.setup.write), ms(r.setup.northd), r.setup.lflows, r.setup.ports, ms(r.setup.bind), ms(r.setup.bindTx), ms(r.setup.total))
	fmt.Fprintf(&s, "hopscope: Import of the live NB+SB %v, Index %v\n", ms(r.importTime), ms(r.indexTime))
	fmt.Fprintf(&s, "median per trace: %-34s %10s %10s %7s  %s\n", "packet", "hopscope", "ovn-trace", "ratio", "outcome")
	for _, p := range r.packets {
		hs, ot := median(p.hopscope), median(p.daemon)
		fmt.Fprintf(&s, "                  %-34s %10v %10v %6.0fx  %s\n", p.check.Name, hs.Round(time.Microsecond/10), ot.Round(time.Microsecond),
			float64(ot)/float64(hs), p.outcome)
	}
	fmt.Fprintf(&s, "                  %-34s %10v %10v %6.0fx\n", "all", r.hsMedian.Round(time.Microsecond/10), r.otMedian.Round(time.Microsecond),
		float64(r.otMedian)/float64(r.hsMedian))
	fmt.Fprintf(&s, "ovn-trace daemon, east-west: --minimal (above) %v, default --detailed %v, --all %v; exec'ing ovs-appctl %v; its load of the SB %v\n",
		median(r.packets[min(1, len(r.packets)-1)].daemon).Round(time.Microsecond), r.detailedMedian.Round(time.Microsecond),
		r.allMedian.Round(time.Microsecond), ms(r.appctlMedian), ms(r.daemonLoad))
	for _, m := range r.learned {
		fmt.Fprintf(&s, "MAC_Binding added as OVN would learn it: %s\n", m)
	}
	fmt.Fprintf(&s, "one-shot, east-west (load + one trace): ovn-trace %v, %s; hopscope over the sockets %v, %s (%.1fx time, %.1fx memory); from the files %v, %s (%.1fx, %.1fx)\n",
		ms(r.otShot.wall), mb(r.otShot.maxRSS), ms(r.hsShot.wall), mb(r.hsShot.maxRSS),
		float64(r.otShot.wall)/float64(r.hsShot.wall), float64(r.otShot.maxRSS)/float64(r.hsShot.maxRSS),
		ms(r.hsFileShot.wall), mb(r.hsFileShot.maxRSS),
		float64(r.otShot.wall)/float64(r.hsFileShot.wall), float64(r.otShot.maxRSS)/float64(r.hsFileShot.maxRSS))
	s.WriteString("agreement (the OVN differential's comparison, forward packets):\n")
	writeOVNTable(&s, []ovnRun{r.agreement})
	fmt.Printf("%s:\n%s", b.Name(), s.String())
	b.Logf("median per trace: hopscope %v, ovn-trace daemon %v: %.0fx", r.hsMedian.Round(time.Microsecond/10), r.otMedian.Round(time.Microsecond),
		float64(r.otMedian)/float64(r.hsMedian))
	b.Logf("one-shot (load + one trace): ovn-trace %v %s; hopscope over the sockets %v %s (%.1fx), from the files %v %s (%.1fx)",
		ms(r.otShot.wall), mb(r.otShot.maxRSS), ms(r.hsShot.wall), mb(r.hsShot.maxRSS), float64(r.otShot.wall)/float64(r.hsShot.wall),
		ms(r.hsFileShot.wall), mb(r.hsFileShot.maxRSS), float64(r.otShot.wall)/float64(r.hsFileShot.wall))
	b.Logf("setup %v (NB write %v, northd %v); hopscope's Import %v, Index %v", ms(r.setup.total), ms(r.setup.write), ms(r.setup.northd),
		ms(r.importTime), ms(r.indexTime))
}

func (r *ovnReport) metrics(b *testing.B) {
	b.ReportMetric(float64(r.hsMedian.Nanoseconds())/1e3, "hs-median-us/trace")
	b.ReportMetric(float64(r.otMedian.Nanoseconds())/1e3, "ovntrace-daemon-median-us/trace")
	b.ReportMetric(float64(r.otMedian)/float64(r.hsMedian), "daemon-ratio")
	b.ReportMetric(r.hsShot.wall.Seconds(), "hs-oneshot-s")
	b.ReportMetric(float64(r.hsShot.maxRSS)/1e6, "hs-oneshot-MB")
	b.ReportMetric(r.otShot.wall.Seconds(), "ovntrace-oneshot-s")
	b.ReportMetric(float64(r.otShot.maxRSS)/1e6, "ovntrace-oneshot-MB")
	b.ReportMetric(float64(r.otShot.wall)/float64(r.hsShot.wall), "oneshot-ratio")
	b.ReportMetric(r.hsFileShot.wall.Seconds(), "hs-file-oneshot-s")
	b.ReportMetric(float64(r.hsFileShot.maxRSS)/1e6, "hs-file-oneshot-MB")
	b.ReportMetric(float64(r.otShot.wall)/float64(r.hsFileShot.wall), "file-oneshot-ratio")
	b.ReportMetric(r.setup.write.Seconds(), "nb-write-s")
	b.ReportMetric(r.setup.total.Seconds(), "setup-s")
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

// median is the middle of ds (which it sorts).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}
