package netfilter

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pkt builds a packet: proto "tcp", "udp", "icmp" or a number; for tcp and
// udp the addresses carry ports ("10.0.0.1:1234"). New connections are NEW,
// TCP ones SYN.
func pkt(proto, src, dst string) *Packet {
	p := &Packet{CtState: CtNew}
	switch proto {
	case "tcp":
		p.Proto, p.TCPFlags = ProtoTCP, 0x02
	case "udp":
		p.Proto = ProtoUDP
	case "icmp":
		p.Proto, p.ICMPType = ProtoICMP, 8
	default:
		n, _ := strconv.Atoi(proto)
		p.Proto = uint8(n)
	}
	parse := func(s string) (netip.Addr, uint16) {
		if ap, err := netip.ParseAddrPort(s); err == nil {
			return ap.Addr(), ap.Port()
		}
		return netip.MustParseAddr(s), 0
	}
	p.Src, p.SrcPort = parse(src)
	p.Dst, p.DstPort = parse(dst)
	return p
}

// toVM and fromVM set the bridge view of FORWARD on the port's qbr bridge.
func toVM(p *Packet) *Packet {
	p.In, p.Out, p.PhysIn, p.PhysOut, p.Bridged = "qbr8aa5e3b4-6c", "qbr8aa5e3b4-6c", "qvb8aa5e3b4-6c", "tap8aa5e3b4-6c", true
	return p
}

func fromVM(p *Packet) *Packet {
	p.In, p.Out, p.PhysIn, p.PhysOut, p.Bridged = "qbr8aa5e3b4-6c", "qbr8aa5e3b4-6c", "tap8aa5e3b4-6c", "qvb8aa5e3b4-6c", true
	p.SrcMAC = [6]byte{0xfa, 0x16, 0x3e, 0xae, 0xb3, 0xe7}
	return p
}

func with(p *Packet, f func(*Packet)) *Packet { f(p); return p }

func neutronSets(t testing.TB) func(string) *IPSet {
	sets, err := ParseIPSets(readFixture(t, "neutron_ipset.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return func(name string) *IPSet { return sets[name] }
}

// evalCase is one walk and what should come of it.
type evalCase struct {
	name    string
	chain   string
	p       *Packet
	disable string // rule text to disable first
	verdict Verdict
	by      string // "CHAIN #N" of the deciding rule, or "policy CHAIN", or "end CHAIN"
	hits    []string
	nat     string // Outcome.NAT printed, for VerdictNAT
	unsup   string
}

func runEvalCases(t *testing.T, rs *Ruleset, table string, tests []evalCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.disable != "" {
				r := rs.FindRule(table, tt.disable)
				if r == nil {
					t.Fatalf("no rule %q", tt.disable)
				}
				r.Disabled = true
				defer func() { r.Disabled = false }()
			}
			out := rs.Table(table).Evaluate(tt.chain, tt.p)
			if out.Verdict != tt.verdict {
				t.Errorf("verdict %s, want %s (%s)", out.Verdict, tt.verdict, out)
			}
			if got := decidedBy(out); got != tt.by {
				t.Errorf("decided by %q, want %q", got, tt.by)
			}
			var hits []string
			for _, h := range out.Hits {
				hits = append(hits, h.String())
			}
			if diff := cmp.Diff(tt.hits, hits); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
			gotNAT := ""
			if out.NAT != nil {
				gotNAT = out.NAT.String()
			}
			if gotNAT != tt.nat {
				t.Errorf("NAT %q, want %q", gotNAT, tt.nat)
			}
			if out.Unsupported != tt.unsup {
				t.Errorf("unsupported %q, want %q", out.Unsupported, tt.unsup)
			}
		})
	}
}

func decidedBy(o Outcome) string {
	switch {
	case o.Policy:
		return "policy " + o.Chain
	case o.Rule != nil:
		if o.Rule.Chain != o.Chain {
			return fmt.Sprintf("inconsistent: rule in %s, Chain %s", o.Rule.Chain, o.Chain)
		}
		return fmt.Sprintf("%s #%d", o.Rule.Chain, o.Rule.Num)
	}
	return "end " + o.Chain
}

func TestEvaluateNeutron(t *testing.T) {
	rs := parseFixture(t, "neutron_filter.txt")
	sets := neutronSets(t)
	withSets := func(p *Packet) *Packet { p.IPSet = sets; return p }
	const (
		fwd = "neutron-openvswi-FORWARD"
		sg  = "neutron-openvswi-sg-chain"
		in  = "neutron-openvswi-i8aa5e3b4-6"
		out = "neutron-openvswi-o8aa5e3b4-6"
		sp  = "neutron-openvswi-s8aa5e3b4-6"
	)
	toSG := []string{"FORWARD #1: jump neutron-filter-top", "neutron-filter-top #1: jump neutron-openvswi-local",
		"FORWARD #2: jump " + fwd}
	hits := func(more ...string) []string { return append(append([]string{}, toSG...), more...) }
	tests := []evalCase{
		{
			name: "dhcp reply to the VM", chain: "FORWARD",
			p:       withSets(toVM(pkt("udp", "172.12.10.2:67", "172.12.10.4:68"))),
			verdict: VerdictAccept, by: sg + " #3",
			hits: hits(fwd+" #1: jump "+sg, sg+" #1: jump "+in, in+" #2: return", sg+" #3: accept"),
		},
		{
			name: "ssh to the VM", chain: "FORWARD",
			p:       withSets(toVM(pkt("tcp", "203.0.113.5:40000", "172.12.10.4:22"))),
			verdict: VerdictAccept, by: sg + " #3",
			hits: hits(fwd+" #1: jump "+sg, sg+" #1: jump "+in, in+" #6: return", sg+" #3: accept"),
		},
		{
			name: "ssh to the VM without the any-port rule", chain: "FORWARD",
			p:       withSets(toVM(pkt("tcp", "203.0.113.5:40000", "172.12.10.4:22"))),
			disable: "-A " + in + " -p tcp -m tcp -m multiport --dports 1:65535 -j RETURN",
			verdict: VerdictDrop, by: "neutron-openvswi-sg-fallback #1",
			hits: hits(fwd+" #1: jump "+sg, sg+" #1: jump "+in, in+" #8: jump neutron-openvswi-sg-fallback",
				"neutron-openvswi-sg-fallback #1: drop"),
		},
		{
			name: "established reply to the VM", chain: "FORWARD",
			p:       with(toVM(pkt("udp", "8.8.8.8:53", "172.12.10.4:5353")), func(p *Packet) { p.CtState = CtEstablished }),
			verdict: VerdictAccept, by: sg + " #3",
			hits: hits(fwd+" #1: jump "+sg, sg+" #1: jump "+in, in+" #1: return", sg+" #3: accept"),
		},
		{
			name: "unknown ipset is unsupported", chain: "FORWARD",
			p:       toVM(pkt("tcp", "203.0.113.5:40000", "172.12.10.4:22")),
			verdict: VerdictUnsupported, by: in + " #5",
			hits: hits(fwd+" #1: jump "+sg, sg+" #1: jump "+in,
				in+" #5: unsupported: -m set --match-set NIPv415ca6cb4-09b4-418e-aee4- src (ipset NIPv415ca6cb4-09b4-418e-aee4- not loaded)"),
			unsup: "-m set --match-set NIPv415ca6cb4-09b4-418e-aee4- src (ipset NIPv415ca6cb4-09b4-418e-aee4- not loaded)",
		},
		{
			name: "traffic from the VM", chain: "FORWARD",
			p:       fromVM(pkt("tcp", "172.12.10.4:40000", "8.8.8.8:443")),
			verdict: VerdictAccept, by: sg + " #3",
			hits: hits(fwd+" #2: jump "+sg, sg+" #2: jump "+out, out+" #2: jump "+sp, sp+" #1: return",
				out+" #6: return", sg+" #3: accept"),
		},
		{
			name: "spoofed source from the VM", chain: "FORWARD",
			p:       fromVM(pkt("tcp", "10.9.9.9:40000", "8.8.8.8:443")),
			verdict: VerdictDrop, by: sp + " #2",
			hits: hits(fwd+" #2: jump "+sg, sg+" #2: jump "+out, out+" #2: jump "+sp, sp+" #2: drop"),
		},
		{
			name: "dhcp server spoofing by the VM", chain: "FORWARD",
			p:       fromVM(pkt("udp", "172.12.10.4:67", "172.12.10.9:68")),
			verdict: VerdictDrop, by: out + " #4",
			hits: hits(fwd+" #2: jump "+sg, sg+" #2: jump "+out, out+" #2: jump "+sp, sp+" #1: return", out+" #4: drop"),
		},
		{
			name: "dhcp discover from the VM to the host", chain: "INPUT",
			p: with(fromVM(pkt("udp", "0.0.0.0:68", "255.255.255.255:67")), func(p *Packet) {
				p.Out, p.PhysOut = "", ""
			}),
			verdict: VerdictAccept, by: "policy INPUT",
			hits: []string{"INPUT #1: jump neutron-openvswi-INPUT", "neutron-openvswi-INPUT #1: jump " + out, out + " #1: return"},
		},
		{
			name: "not bridged", chain: "FORWARD",
			p:       pkt("tcp", "10.0.0.1:1", "10.0.0.2:2"),
			verdict: VerdictAccept, by: "policy FORWARD",
			hits: toSG,
		},
		{
			name: "user chain falls through", chain: "neutron-openvswi-local",
			p:       pkt("tcp", "10.0.0.1:1", "10.0.0.2:2"),
			verdict: VerdictReturn, by: "end neutron-openvswi-local",
		},
		{
			name: "user chain returns", chain: in,
			p:       with(pkt("icmp", "10.0.0.1", "172.12.10.4"), func(p *Packet) { p.CtState = CtEstablished }),
			verdict: VerdictReturn, by: in + " #1",
			hits: []string{in + " #1: return"},
		},
		{
			name: "no such chain", chain: "NOPE", p: pkt("tcp", "10.0.0.1:1", "10.0.0.2:2"),
			verdict: VerdictUnsupported, by: "end NOPE", unsup: "no chain NOPE in table filter",
		},
	}
	runEvalCases(t, rs, "filter", tests)
}

func TestEvaluateQrouterNAT(t *testing.T) {
	rs := parseFixture(t, "qrouter_nat.txt")
	const (
		rfp   = "rfp-d3218b9c-7"
		qr    = "qr-56718ce4-c6"
		pre   = "neutron-l3-agent-PREROUTING"
		post  = "neutron-l3-agent-POSTROUTING"
		float = "neutron-l3-agent-float-snat"
	)
	in := func(iface string) func(*Packet) { return func(p *Packet) { p.In = iface } }
	inOut := func(i, o string) func(*Packet) { return func(p *Packet) { p.In, p.Out = i, o } }
	postHits := []string{"POSTROUTING #1: jump " + post, "POSTROUTING #2: jump neutron-postrouting-bottom",
		"neutron-postrouting-bottom #1: jump neutron-l3-agent-snat", "neutron-l3-agent-snat #1: jump " + float}
	tests := []evalCase{
		{
			name: "floating ip dnat", chain: "PREROUTING",
			p:       with(pkt("tcp", "203.0.113.5:40000", "192.168.10.106:22"), in(rfp)),
			verdict: VerdictNAT, by: pre + " #1",
			hits: []string{"PREROUTING #1: jump " + pre, pre + " #1: dnat --to-destination 172.12.10.4"},
			nat:  "-j DNAT --to-destination 172.12.10.4",
		},
		{
			name: "metadata redirect", chain: "PREROUTING",
			p:       with(pkt("tcp", "172.12.10.4:40000", "169.254.169.254:80"), in(qr)),
			verdict: VerdictNAT, by: pre + " #2",
			hits: []string{"PREROUTING #1: jump " + pre, pre + " #2: redirect --to-ports 9697"},
			nat:  "-j REDIRECT --to-ports 9697",
		},
		{
			name: "dnat needs the rfp interface", chain: "PREROUTING",
			p:       with(pkt("tcp", "203.0.113.5:40000", "192.168.10.106:22"), in(qr)),
			verdict: VerdictAccept, by: "policy PREROUTING",
			hits: []string{"PREROUTING #1: jump " + pre},
		},
		{
			name: "floating ip snat", chain: "POSTROUTING",
			p:       with(pkt("tcp", "172.12.10.4:40000", "8.8.8.8:443"), inOut("", rfp)),
			verdict: VerdictNAT, by: float + " #1",
			hits: append(append([]string{}, postHits...), float+" #1: snat --to-source 192.168.10.106"),
			nat:  "-j SNAT --to-source 192.168.10.106",
		},
		{
			name: "east-west accepted before snat", chain: "POSTROUTING",
			p:       with(pkt("tcp", "172.12.10.4:40000", "172.12.20.7:443"), inOut(qr, "qr-0000")),
			verdict: VerdictAccept, by: post + " #1",
			hits: []string{"POSTROUTING #1: jump " + post, post + " #1: accept"},
		},
		{
			name: "dnat-ed connection skips the accept", chain: "POSTROUTING",
			p: with(pkt("tcp", "172.12.10.5:40000", "172.12.20.7:443"), func(p *Packet) {
				p.In, p.Out, p.CtState = qr, "qr-0000", CtNew|CtDNAT
			}),
			verdict: VerdictAccept, by: "policy POSTROUTING",
			hits: postHits,
		},
	}
	runEvalCases(t, rs, "nat", tests)
}

func TestEvaluateDocker(t *testing.T) {
	rs := parseFixture(t, "docker_host.txt")
	local := func(a netip.Addr) AddrType {
		if a == netip.MustParseAddr("192.0.2.10") {
			return AddrLocal
		}
		return AddrUnicast
	}
	fwd := func(i, o string) func(*Packet) { return func(p *Packet) { p.In, p.Out = i, o } }
	skip := []string{"FORWARD #1: jump DOCKER-USER", "DOCKER-USER #1: return", "FORWARD #2: jump DOCKER-ISOLATION-STAGE-1",
		"DOCKER-ISOLATION-STAGE-1 #2: return"}
	t.Run("filter", func(t *testing.T) {
		runEvalCases(t, rs, "filter", []evalCase{
			{
				name: "published port", chain: "FORWARD",
				p:       with(pkt("tcp", "203.0.113.5:40000", "172.17.0.2:80"), fwd("eth0", "docker0")),
				verdict: VerdictAccept, by: "DOCKER #1",
				hits: append(append([]string{}, skip...), "FORWARD #4: jump DOCKER", "DOCKER #1: accept"),
			},
			{
				name: "unpublished port hits the DROP policy", chain: "FORWARD",
				p:       with(pkt("tcp", "203.0.113.5:40000", "172.17.0.2:81"), fwd("eth0", "docker0")),
				verdict: VerdictDrop, by: "policy FORWARD",
				hits: append(append([]string{}, skip...), "FORWARD #4: jump DOCKER"),
			},
			{
				name: "container to outside", chain: "FORWARD",
				p:       with(pkt("udp", "172.17.0.2:5353", "8.8.8.8:53"), fwd("docker0", "eth0")),
				verdict: VerdictAccept, by: "FORWARD #5",
				hits: []string{"FORWARD #1: jump DOCKER-USER", "DOCKER-USER #1: return", "FORWARD #2: jump DOCKER-ISOLATION-STAGE-1",
					"DOCKER-ISOLATION-STAGE-1 #1: jump DOCKER-ISOLATION-STAGE-2", "DOCKER-ISOLATION-STAGE-2 #2: return",
					"DOCKER-ISOLATION-STAGE-1 #2: return", "FORWARD #5: accept"},
			},
		})
	})
	t.Run("nat", func(t *testing.T) {
		runEvalCases(t, rs, "nat", []evalCase{
			{
				name: "port publish dnat", chain: "PREROUTING",
				p:       with(pkt("tcp", "203.0.113.5:40000", "192.0.2.10:8080"), func(p *Packet) { p.In, p.AddrType = "eth0", local }),
				verdict: VerdictNAT, by: "DOCKER #2",
				hits: []string{"PREROUTING #1: jump DOCKER", "DOCKER #2: dnat --to-destination 172.17.0.2:80"},
				nat:  "-j DNAT --to-destination 172.17.0.2:80",
			},
			{
				name: "masquerade", chain: "POSTROUTING",
				p:       with(pkt("udp", "172.17.0.2:5353", "8.8.8.8:53"), fwd("", "eth0")),
				verdict: VerdictNAT, by: "POSTROUTING #1",
				hits: []string{"POSTROUTING #1: masquerade"},
				nat:  "-j MASQUERADE",
			},
		})
	})
}

func mustParse(t testing.TB, text string) *Ruleset {
	t.Helper()
	rs, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestEvaluateMarks(t *testing.T) {
	rs := mustParse(t, `*mangle
:PREROUTING ACCEPT [0:0]
:MARKS - [0:0]
-A PREROUTING -j MARKS
-A PREROUTING -m mark --mark 0x101 -j DROP
-A MARKS -j MARK --set-xmark 0x1/0xff
-A MARKS -m mark --mark 0x1/0xff -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff
-A MARKS -m connmark --mark 0x1 -j LOG --log-prefix "m1 "
-A MARKS -p tcp
-A MARKS -j MARK --or-mark 0x100
-A MARKS -j CT --zone 7
COMMIT
`)
	p := pkt("tcp", "10.0.0.1:1", "10.0.0.2:2")
	p.Mark = 0xf00
	out := rs.Table("mangle").Evaluate("PREROUTING", p)
	if p.Mark != 0xf01 || p.CtMark != 0x1 {
		t.Errorf("mark 0x%x ctmark 0x%x, want 0xf01 0x1", p.Mark, p.CtMark)
	}
	if out.Verdict != VerdictAccept || !out.Policy || out.Zone != 7 {
		t.Errorf("outcome %s zone %d, want ACCEPT by policy, zone 7", out, out.Zone)
	}
	var hits []string
	for _, h := range out.Hits {
		hits = append(hits, h.String())
	}
	want := []string{"PREROUTING #1: jump MARKS", "MARKS #1: mark 0xf00 -> 0xf01", "MARKS #2: ctmark 0x0 -> 0x1 (saved from mark)",
		`MARKS #3: log prefix "m1 "`, "MARKS #4: count", "MARKS #5: mark 0xf01 -> 0xf01", "MARKS #6: ct zone 7"}
	if diff := cmp.Diff(want, hits); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}

	p = pkt("tcp", "10.0.0.1:1", "10.0.0.2:2")
	if out := rs.Table("mangle").Evaluate("PREROUTING", p); out.Verdict != VerdictDrop || p.Mark != 0x101 {
		t.Errorf("from mark 0: %s with mark 0x%x, want DROP with 0x101", out, p.Mark)
	}
}

func TestEvaluateJumpDepth(t *testing.T) {
	tests := []struct {
		name, rules string
	}{
		{"jump loop", "-A INPUT -j A\n-A A -j B\n-A B -j A\n"},
		{"goto loop", "-A INPUT -j A\n-A A -g B\n-A B -g A\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := mustParse(t, "*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n"+tt.rules+"COMMIT\n")
			out := rs.Table("filter").Evaluate("INPUT", pkt("tcp", "10.0.0.1:1", "10.0.0.2:2"))
			if out.Verdict != VerdictUnsupported || out.Unsupported != "jump depth 64 exceeded" {
				t.Errorf("got %s, want UNSUPPORTED jump depth 64 exceeded", out)
			}
			if len(out.Hits) != MaxJumpDepth+1 {
				t.Errorf("%d hits, want %d", len(out.Hits), MaxJumpDepth+1)
			}
		})
	}
}

func TestEvaluateUnsupported(t *testing.T) {
	rs := mustParse(t, `*filter
:INPUT DROP [0:0]
:X - [0:0]
-A INPUT -s 10.0.0.0/8 -m limit --limit 5/sec -j ACCEPT
-A INPUT -s 192.168.0.0/16 -j NFQUEUE --queue-num 3
-A INPUT -s 172.16.0.0/12 -p tcp -m tcp --tcp-option 8 -j ACCEPT
-A INPUT -m set --match-set ports src -j ACCEPT
COMMIT
`)
	sets, err := ParseIPSets("create ports hash:ip,port family inet\nadd ports 10.0.0.1,tcp:80\n")
	if err != nil {
		t.Fatal(err)
	}
	withSet := func(p *Packet) { p.IPSet = func(string) *IPSet { return sets["ports"] } }
	runEvalCases(t, rs, "filter", []evalCase{
		{name: "failed matches before an unknown module: it is never consulted", chain: "INPUT",
			p: with(pkt("tcp", "203.0.113.1:1", "10.0.0.2:2"), withSet), verdict: VerdictUnsupported, by: "INPUT #4",
			hits:  []string{"INPUT #4: unsupported: -m set --match-set ports src (ipset type hash:ip,port not modelled)"},
			unsup: "-m set --match-set ports src (ipset type hash:ip,port not modelled)"},
		{name: "unknown module", chain: "INPUT", p: pkt("tcp", "10.1.1.1:1", "10.0.0.2:2"),
			verdict: VerdictUnsupported, by: "INPUT #1",
			hits: []string{"INPUT #1: unsupported: -m limit --limit 5/sec"}, unsup: "-m limit --limit 5/sec"},
		{name: "unknown target", chain: "INPUT", p: pkt("udp", "192.168.1.1:1", "10.0.0.2:2"),
			verdict: VerdictUnsupported, by: "INPUT #2",
			hits: []string{"INPUT #2: unsupported: -j NFQUEUE --queue-num 3"}, unsup: "-j NFQUEUE --queue-num 3"},
		{name: "unknown option", chain: "INPUT", p: pkt("tcp", "172.16.1.1:1", "10.0.0.2:2"),
			verdict: VerdictUnsupported, by: "INPUT #3",
			hits: []string{"INPUT #3: unsupported: --tcp-option 8"}, unsup: "--tcp-option 8"},
		{name: "udp skips the tcp option", chain: "INPUT", p: with(pkt("udp", "172.16.1.1:1", "10.0.0.2:2"), withSet),
			verdict: VerdictUnsupported, by: "INPUT #4",
			hits:  []string{"INPUT #4: unsupported: -m set --match-set ports src (ipset type hash:ip,port not modelled)"},
			unsup: "-m set --match-set ports src (ipset type hash:ip,port not modelled)"},
	})
}

// TestIndexMatchesLinearScan holds the indexed walk to the plain scan, on
// the fixtures and on random packets through a generated compute node.
func TestIndexMatchesLinearScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const ports = 300
	gen := mustParse(t, GenerateNeutronHost(ports))
	if gen.Table("filter").Chain("neutron-openvswi-FORWARD").index == nil || gen.Table("raw").Chain("neutron-openvswi-PREROUTING").index == nil {
		t.Fatal("dispatch chains are not indexed")
	}
	sets := neutronSets(t)
	genSet := &IPSet{Name: "remote", Type: "hash:net", Family: "inet", Members: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/28")}}
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	randPacket := func() *Packet {
		k, j := rng.IntN(ports+2), rng.IntN(ports+2) // +2: ports the host does not have
		ip := func(k int) string {
			return pick(PortAddr(k), "203.0.113.9", "0.0.0.0", "255.255.255.255", "172.12.10.4")
		}
		proto := pick("tcp", "udp", "icmp", "47")
		port := func() string { return pick("22", "53", "67", "68", "80", "443", strconv.Itoa(rng.IntN(65536))) }
		src, dst := ip(k), ip(j)
		if proto == "tcp" || proto == "udp" {
			src, dst = src+":"+port(), dst+":"+port()
		}
		p := pkt(proto, src, dst)
		p.CtState = CtState(rng.IntN(128))
		p.In, p.Out = pick("", "qbr"+portID(k)[:11], "qvb"+portID(k), "eth0"), pick("", "qbr"+portID(j)[:11])
		if rng.IntN(4) > 0 {
			p.PhysIn, p.PhysOut, p.Bridged = pick("tap", "qvb")+portID(k), pick("tap", "qvb")+portID(j), rng.IntN(4) > 0
		}
		switch rng.IntN(3) {
		case 0:
			p.IPSet = func(string) *IPSet { return genSet }
		case 1:
			p.IPSet = sets
		}
		return p
	}
	type walk struct {
		rs    *Ruleset
		table string
		chain string
	}
	var walks []walk
	for _, name := range fixtures {
		rs := parseFixture(t, name)
		for _, tn := range rs.TableOrder {
			for _, cn := range rs.Tables[tn].ChainOrder {
				walks = append(walks, walk{rs, tn, cn})
			}
		}
	}
	for range 2000 {
		walks = append(walks, walk{gen, "filter", pick("FORWARD", "INPUT")}, walk{gen, "raw", "PREROUTING"})
	}
	for i, w := range walks {
		p := randPacket()
		q := *p
		got := w.rs.Tables[w.table].evaluate(w.chain, p, true)
		want := w.rs.Tables[w.table].evaluate(w.chain, &q, false)
		if diff := cmp.Diff(want, got, netipOpts); diff != "" {
			t.Fatalf("walk %d %s/%s: indexed differs from scan (-scan +indexed):\n%s", i, w.table, w.chain, diff)
		}
		if p.Mark != q.Mark || p.CtMark != q.CtMark {
			t.Fatalf("walk %d: marks differ", i)
		}
	}
}

// TestEvaluateLastPort walks to the last port of a generated node, where the
// index matters, and checks the walk is the expected one.
func TestEvaluateLastPort(t *testing.T) {
	const ports = 50
	rs := mustParse(t, GenerateNeutronHost(ports))
	p := benchPacket(ports - 1)
	out := rs.Table("filter").Evaluate("FORWARD", p)
	if out.Verdict != VerdictAccept || out.Rule == nil || out.Rule.Chain != "neutron-openvswi-sg-chain" {
		t.Fatalf("got %s", out)
	}
	i := "neutron-openvswi-i" + portChain(ports-1)
	if got := out.Hits[len(out.Hits)-2].String(); !strings.HasPrefix(got, i+" #5: return") {
		t.Errorf("hit %q, want the ssh rule of %s", got, i)
	}
}

// benchPacket is a new ssh connection to port k through its qbr bridge.
func benchPacket(k int) *Packet {
	p := pkt("tcp", "203.0.113.5:40000", PortAddr(k)+":22")
	p.In, p.Out = "qbr"+portID(k)[:11], "qbr"+portID(k)[:11]
	p.PhysIn, p.PhysOut, p.Bridged = "qvb"+portID(k), PortTap(k), true
	return p
}
