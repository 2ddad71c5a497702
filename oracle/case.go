package oracle

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// Case is one packet both oracles are asked about.
type Case struct {
	From  *model.Endpoint
	Dst   netip.Addr
	Proto string // icmp, tcp, udp
	SPort uint16
	DPort uint16
	Check string // the scenario check it comes from, if any
}

func (c Case) String() string {
	s := fmt.Sprintf("%s %s -> %s", c.Proto, c.From.Name, c.Dst)
	if c.Proto != "icmp" {
		s += fmt.Sprintf(":%d", c.DPort)
	}
	return s
}

// Request is the trace request for the case.
func (c Case) Request() trace.Request {
	proto := map[string]uint8{"icmp": trace.ProtoICMP, "tcp": trace.ProtoTCP, "udp": trace.ProtoUDP}[c.Proto]
	return trace.Request{From: c.From.Name, To: c.Dst.String(), Proto: proto, SrcPort: c.SPort, DstPort: c.DPort}
}

// genericPort is the port probed between every pair of endpoints.
const genericPort = 5201

// Cases are a scenario's checks (those a socket can send: no spoofed
// source) and every endpoint to every other endpoint in ICMP, TCP and UDP.
func Cases(sc *scenarios.Scenario) []Case {
	t := sc.Topology
	var out []Case
	seen := map[string]bool{}
	add := func(c Case) {
		if c.From == nil || !c.Dst.IsValid() || !c.Dst.Is4() || c.From.Addr == c.Dst {
			return
		}
		k := fmt.Sprint(c.From.Name, c.Dst, c.Proto, c.DPort)
		if seen[k] {
			return
		}
		seen[k] = true
		if c.Proto != "icmp" {
			c.SPort = uint16(20000 + len(out))
		}
		out = append(out, c)
	}
	for _, ch := range sc.Checks {
		if ch.SrcIP.IsValid() || len(ch.Disable) > 0 {
			continue
		}
		from := t.Endpoint(ch.From)
		dst := addrOf(t, ch.To)
		proto := ch.Proto
		if proto == "" {
			proto = "icmp"
		}
		add(Case{From: from, Dst: dst, Proto: proto, DPort: uint16(ch.DPort), Check: ch.Name})
	}
	for _, a := range t.Endpoints {
		for _, b := range t.Endpoints {
			if a == b {
				continue
			}
			for _, proto := range []string{"icmp", "tcp", "udp"} {
				port := uint16(genericPort)
				if proto == "icmp" {
					port = 0
				}
				add(Case{From: a, Dst: b.Addr, Proto: proto, DPort: port})
			}
		}
	}
	return out
}

// addrOf reads a check's destination: an address or an endpoint name.
func addrOf(t *model.Topology, s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a
	}
	if e := t.Endpoint(s); e != nil {
		return e.Addr
	}
	return netip.Addr{}
}

// Ports are the ports listeners must open: the probed ones and any a
// trace says a DNAT turns them into.
func Ports(cases []Case, sims []Verdict) []uint16 {
	var ports []uint16
	for _, c := range cases {
		if c.DPort != 0 {
			ports = append(ports, c.DPort)
		}
	}
	for _, v := range sims {
		if v.DPort != 0 {
			ports = append(ports, v.DPort)
		}
	}
	slices.Sort(ports)
	return slices.Compact(ports)
}
