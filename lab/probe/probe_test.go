package probe

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Short timeouts keep the suite fast: a delivered probe answers within
// milliseconds on a veth, a lost one costs lossTimeout.
const (
	replyTimeout = time.Second
	lossTimeout  = 300 * time.Millisecond
)

// requireLab skips unless the test can build namespaces.
func requireLab(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: creates network namespaces, veth pairs and iptables rules")
	}
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s in PATH: %v", tool, err)
		}
	}
}

// run runs a command and fails the test with its output if it fails.
func run(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// nsRun runs a command inside namespace ns.
func nsRun(t *testing.T, ns string, args ...string) {
	t.Helper()
	run(t, append([]string{"ip", "netns", "exec", ns}, args...)...)
}

// newNS creates a uniquely named namespace with lo up, deleted at cleanup.
func newNS(t *testing.T, role string) string {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := "hsprb-" + hex.EncodeToString(b) + "-" + role
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	run(t, "ip", "-n", name, "link", "set", "lo", "up")
	return name
}

// veth links nsA and nsB with devices devA and devB carrying the given
// addresses (prefix notation), both up. The devices are created directly
// in their namespaces, so names need only be unique inside each.
func veth(t *testing.T, nsA, devA, addrA, nsB, devB, addrB string) {
	t.Helper()
	run(t, "ip", "link", "add", devA, "netns", nsA, "type", "veth", "peer", "name", devB, "netns", nsB)
	for _, end := range [][3]string{{nsA, devA, addrA}, {nsB, devB, addrB}} {
		run(t, "ip", "-n", end[0], "addr", "add", end[2], "dev", end[1])
		run(t, "ip", "-n", end[0], "link", "set", end[1], "up")
	}
}

// serve runs a Server in ns until the test ends.
func serve(t *testing.T, rec *Recorder, ns string, ports ...uint16) {
	t.Helper()
	s, err := Serve(rec, ns, ports)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

// arrival builds an Arrival from "addr:port" strings; a port of 0 in want
// matches any source port (ephemeral or rewritten by NAT).
func arrival(ns string, proto Proto, src, dst string) Arrival {
	ap := func(s string) netip.AddrPort {
		if a, err := netip.ParseAddr(s); err == nil {
			return netip.AddrPortFrom(a, 0)
		}
		return netip.MustParseAddrPort(s)
	}
	return Arrival{NS: ns, Proto: proto, Src: ap(src), Dst: ap(dst)}
}

// probeCase is one probe and what the lab must observe.
type probeCase struct {
	name    string
	probe   Probe
	want    []Arrival // Token filled in by check
	replied bool
	err     error // for errors.Is on Result.Err when not replied
}

// check sends the probes of all cases in parallel and compares.
func check(t *testing.T, rec *Recorder, cases []probeCase) {
	t.Helper()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.probe
			p.Token = fmt.Sprintf("c%d", i) // unique within the test's Recorder
			if p.Timeout == 0 {
				p.Timeout = lossTimeout
				if tc.replied {
					p.Timeout = replyTimeout
				}
			}
			res := Send(p)
			if res.Replied != tc.replied || (res.Err == nil) != res.Replied {
				t.Errorf("Send(%s) = %+v; want Replied %v", p, res, tc.replied)
			}
			if tc.err != nil && !errors.Is(res.Err, tc.err) {
				t.Errorf("Send(%s) error = %v; want %v", p, res.Err, tc.err)
			}
			wait := 100 * time.Millisecond
			if len(tc.want) > 0 {
				wait = replyTimeout
			}
			got := rec.Wait(p.Token, wait)
			var want []Arrival
			for j, a := range tc.want {
				a.Token = p.Token
				want = append(want, a)
				if j < len(got) && a.Src.Port() == 0 {
					got[j].Src = netip.AddrPortFrom(got[j].Src.Addr(), 0)
				}
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
				t.Errorf("arrivals of %s (-want +got):\n%s", p, diff)
			}
		})
	}
}

// TestDirect: A and B on one veth, servers in both; B redirects tcp 8080
// to 80 and drops udp to 5454.
//
//	A 10.250.0.1 ──veth── 10.250.0.2 B
func TestDirect(t *testing.T) {
	requireLab(t)
	a, b := newNS(t, "a"), newNS(t, "b")
	veth(t, a, "va", "10.250.0.1/24", b, "vb", "10.250.0.2/24")
	nsRun(t, b, "iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "--dport", "8080", "-j", "REDIRECT", "--to-ports", "80")
	nsRun(t, b, "iptables", "-A", "INPUT", "-p", "udp", "--dport", "5454", "-j", "DROP")
	rec := NewRecorder()
	serve(t, rec, a, 80, 53, 5454)
	serve(t, rec, b, 80, 53, 5454)

	aAddr, bAddr, nobody := ip("10.250.0.1"), ip("10.250.0.2"), ip("10.250.0.9")
	check(t, rec, []probeCase{
		{name: "icmp", probe: Probe{NS: a, Proto: ICMP, Dst: bAddr},
			want: []Arrival{arrival(b, ICMP, "10.250.0.1", "10.250.0.2")}, replied: true},
		{name: "icmp bound source", probe: Probe{NS: a, Proto: ICMP, Src: aAddr, Dst: bAddr},
			want: []Arrival{arrival(b, ICMP, "10.250.0.1", "10.250.0.2")}, replied: true},
		{name: "tcp", probe: Probe{NS: a, Proto: TCP, Dst: bAddr, DPort: 80},
			want: []Arrival{arrival(b, TCP, "10.250.0.1", "10.250.0.2:80")}, replied: true},
		{name: "tcp fixed source port", probe: Probe{NS: a, Proto: TCP, Src: aAddr, SPort: 40001, Dst: bAddr, DPort: 80},
			want: []Arrival{arrival(b, TCP, "10.250.0.1:40001", "10.250.0.2:80")}, replied: true},
		{name: "udp", probe: Probe{NS: a, Proto: UDP, Dst: bAddr, DPort: 53},
			want: []Arrival{arrival(b, UDP, "10.250.0.1", "10.250.0.2:53")}, replied: true},
		{name: "udp fixed source port", probe: Probe{NS: a, Proto: UDP, SPort: 40002, Dst: bAddr, DPort: 53},
			want: []Arrival{arrival(b, UDP, "10.250.0.1:40002", "10.250.0.2:53")}, replied: true},
		{name: "icmp to self", probe: Probe{NS: b, Proto: ICMP, Dst: bAddr},
			want: []Arrival{arrival(b, ICMP, "10.250.0.2", "10.250.0.2")}, replied: true},
		{name: "icmp to nobody", probe: Probe{NS: a, Proto: ICMP, Dst: nobody}, err: os.ErrDeadlineExceeded},
		{name: "tcp to nobody", probe: Probe{NS: a, Proto: TCP, Dst: nobody, DPort: 80}, err: os.ErrDeadlineExceeded},
		{name: "udp to nobody", probe: Probe{NS: a, Proto: UDP, Dst: nobody, DPort: 53}, err: os.ErrDeadlineExceeded},
		{name: "tcp to closed port", probe: Probe{NS: a, Proto: TCP, Dst: bAddr, DPort: 81}, err: syscall.ECONNREFUSED},
		{name: "udp to closed port", probe: Probe{NS: a, Proto: UDP, Dst: bAddr, DPort: 81}, err: syscall.ECONNREFUSED},
		{name: "tcp redirected 8080 to 80", probe: Probe{NS: a, Proto: TCP, Dst: bAddr, DPort: 8080},
			want: []Arrival{arrival(b, TCP, "10.250.0.1", "10.250.0.2:80")}, replied: true},
		{name: "udp dropped in INPUT", probe: Probe{NS: a, Proto: UDP, Dst: bAddr, DPort: 5454}, err: os.ErrDeadlineExceeded},
	})
}

// TestMasquerade: R routes between A and B and masquerades towards B. B
// has no route back to A, so replies return only through R's NAT.
//
//	A 10.250.1.1 ── 10.250.1.254 R 10.250.2.254 ── 10.250.2.2 B
func TestMasquerade(t *testing.T) {
	requireLab(t)
	a, r, b := newNS(t, "a"), newNS(t, "r"), newNS(t, "b")
	veth(t, a, "va", "10.250.1.1/24", r, "ra", "10.250.1.254/24")
	veth(t, r, "rb", "10.250.2.254/24", b, "vb", "10.250.2.2/24")
	run(t, "ip", "-n", a, "route", "add", "default", "via", "10.250.1.254")
	nsRun(t, r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	nsRun(t, r, "iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "rb", "-j", "MASQUERADE")
	rec := NewRecorder()
	for _, ns := range []string{a, r, b} {
		serve(t, rec, ns, 80, 53)
	}

	bAddr := ip("10.250.2.2")
	check(t, rec, []probeCase{
		{name: "icmp", probe: Probe{NS: a, Proto: ICMP, Dst: bAddr},
			want: []Arrival{arrival(b, ICMP, "10.250.2.254", "10.250.2.2")}, replied: true},
		{name: "tcp", probe: Probe{NS: a, Proto: TCP, Dst: bAddr, DPort: 80},
			want: []Arrival{arrival(b, TCP, "10.250.2.254", "10.250.2.2:80")}, replied: true},
		{name: "udp", probe: Probe{NS: a, Proto: UDP, Dst: bAddr, DPort: 53},
			want: []Arrival{arrival(b, UDP, "10.250.2.254", "10.250.2.2:53")}, replied: true},
		{name: "icmp to the router", probe: Probe{NS: a, Proto: ICMP, Dst: ip("10.250.2.254")},
			want: []Arrival{arrival(r, ICMP, "10.250.1.1", "10.250.2.254")}, replied: true},
	})
}

// TestManyServers serves 30 namespaces at once with 10 ports each, probes
// all of them concurrently, and checks Close leaves no goroutine behind,
// including for a TCP client that connected and never sent its token.
func TestManyServers(t *testing.T) {
	requireLab(t)
	const nsCount = 30
	ports := []uint16{80, 81, 82, 83, 84, 85, 86, 87, 88, 89}
	names := make([]string, nsCount)
	for i := range names {
		names[i] = newNS(t, fmt.Sprint(i))
	}
	before := runtime.NumGoroutine()

	rec := NewRecorder()
	servers := make([]*Server, nsCount)
	errs := make([]error, nsCount)
	var wg sync.WaitGroup
	for i, ns := range names {
		wg.Go(func() { servers[i], errs[i] = Serve(rec, ns, ports) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	loop := ip("127.0.0.1")
	results := make(chan string, nsCount*3)
	for i, ns := range names {
		for _, proto := range []Proto{ICMP, TCP, UDP} {
			wg.Go(func() {
				p := Probe{NS: ns, Proto: proto, Dst: loop, Token: fmt.Sprintf("m%d-%s", i, proto), Timeout: replyTimeout}
				if proto != ICMP {
					p.DPort = ports[i%len(ports)]
				}
				if res := Send(p); !res.Replied {
					results <- fmt.Sprintf("Send(%s): %v", p, res.Err)
					return
				}
				got := rec.Wait(p.Token, replyTimeout)
				if len(got) != 1 || got[0].NS != ns || got[0].Dst.Addr() != loop {
					results <- fmt.Sprintf("arrivals of %s: %v", p, got)
				}
			})
		}
	}
	wg.Wait()
	close(results)
	for msg := range results {
		t.Error(msg)
	}

	idle, err := dialIn(names[0], "127.0.0.1:80")
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	time.Sleep(20 * time.Millisecond) // let the server accept it

	start := time.Now()
	for _, s := range servers {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
	// Close ends open connections instead of waiting out serverIOTimeout.
	if d := time.Since(start); d > serverIOTimeout/2 {
		t.Errorf("Close took %v", d)
	}
	deadline := time.Now().Add(200 * time.Millisecond)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// dialIn opens a TCP connection from inside ns.
func dialIn(ns, addr string) (c net.Conn, err error) {
	err = inNetns(ns, func() (err error) {
		c, err = net.Dial("tcp4", addr)
		return err
	})
	return c, err
}

func TestServeErrors(t *testing.T) {
	requireLab(t)
	ns := newNS(t, "e")
	rec := NewRecorder()
	serve(t, rec, ns, 80)

	tests := []struct {
		name  string
		ns    string
		ports []uint16
		want  string
	}{
		{"missing namespace", "hsprb-missing", []uint16{80}, "netns hsprb-missing: open: no such file or directory"},
		{"port 0", ns, []uint16{80, 0}, "netns " + ns + ": serve: port 0 is not a port"},
		{"port in use", ns, []uint16{79, 80}, "netns " + ns + ": listen tcp 0.0.0.0:80: listen tcp4 0.0.0.0:80: bind: address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Serve(rec, tt.ns, tt.ports)
			if err == nil {
				s.Close()
				t.Fatalf("Serve(%s, %v) succeeded", tt.ns, tt.ports)
			}
			if err.Error() != tt.want {
				t.Errorf("Serve(%s, %v) error:\n got %s\nwant %s", tt.ns, tt.ports, err, tt.want)
			}
		})
	}
	// The failed Serve closed port 79 again.
	serve(t, rec, ns, 79)
}

func TestSendRejects(t *testing.T) {
	tests := []struct {
		name  string
		probe Probe
		want  string
	}{
		{"no namespace", Probe{Proto: TCP, Dst: ip("10.0.0.1"), DPort: 80, Token: "x"},
			"probe tcp x from  *:0 > 10.0.0.1:80: no namespace to send from"},
		{"unknown protocol", Probe{NS: "n", Proto: "sctp", Dst: ip("10.0.0.1"), DPort: 80, Token: "x"},
			`probe sctp x from n *:0 > 10.0.0.1:80: protocol "sctp": want icmp, tcp or udp`},
		{"IPv6 destination", Probe{NS: "n", Proto: ICMP, Dst: ip("2001:db8::1"), Token: "x"},
			"probe icmp x from n * > 2001:db8::1: destination 2001:db8::1: want an IPv4 address"},
		{"no port", Probe{NS: "n", Proto: UDP, Dst: ip("10.0.0.1"), Token: "x"},
			"probe udp x from n *:0 > 10.0.0.1:0: udp needs a destination port"},
		{"bad token", Probe{NS: "n", Proto: ICMP, Dst: ip("10.0.0.1"), Token: "a b"},
			`probe icmp a b from n * > 10.0.0.1: token "a b": want 1 to 64 characters from [A-Za-z0-9._-]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Send(tt.probe)
			if res.Replied || res.Err == nil || res.Err.Error() != tt.want {
				t.Errorf("Send(%s) = %+v\nwant error %s", tt.probe, res, tt.want)
			}
		})
	}
}
