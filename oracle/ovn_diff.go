package oracle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/trace"
)

// The OVN comparison: hopscope traces a packet through the logical
// network alone (a topology with only its OVN part, so a trace starts at
// a logical switch port and ends at the logical port it is output to),
// ovn-trace follows the same packet through the logical flows northd made
// from the same northbound content, and the two must agree on what left
// the logical network: which logical ports, with which eth.src, eth.dst,
// ip4.src, ip4.dst, ip.ttl and L4 ports; or that nothing did.
//
//	            ┌── hopscope: trace.Engine on Topology{OVN: db} ──┐
//	db ─Write─▶ NB ─northd─▶ SB ─ovn-trace──────────────────────── compare
//
// Some answers cannot be compared, and are counted apart with the reason:
// ovn-trace sends an ARP request for a next hop no MAC binding names (the
// model, without a physical network, knows no MAC either); a router
// answers an echo for its own address (ovn-trace shows the answer going
// back, hopscope stops at the router); a reply through a NAT or load
// balancer that only conntrack could undo (ovn-trace keeps no conntrack
// table).

// ovnCase is one packet from a VIF logical switch port.
type ovnCase struct {
	From  string // logical switch port
	Dst   netip.Addr
	Proto uint8
	DPort uint16 // valid iff Proto is TCP or UDP
}

func (c ovnCase) String() string {
	s := fmt.Sprintf("%s %s -> %s", trace.ProtoName(c.Proto), c.From, c.Dst)
	if c.Proto != trace.ProtoICMP {
		s += fmt.Sprintf(":%d", c.DPort)
	}
	return s
}

// ovnProbes are the protocols every pair is probed with.
var ovnProbes = []struct {
	proto uint8
	port  uint16
}{{trace.ProtoICMP, 0}, {trace.ProtoTCP, 22}, {trace.ProtoTCP, 443}, {trace.ProtoUDP, 53}}

// ovnOutcome is one case, or its reply, judged by both.
type ovnOutcome struct {
	Case       string
	Reply      bool   // the answer to a delivered case
	Sim        string // hopscope's answer
	Trace      string // ovn-trace's answer
	Differ     string // "" when they agree (or cannot be compared): what differs
	DifferKind string // the difference without particulars, for the summary
	Skip       string // why they cannot be compared
	SkipKind   string // the reason without particulars, for the summary
	Detail     string // a disagreement's reproduction: the ovn-trace command and its minimal trace
}

// ovnTargets are the addresses worth sending to in db: every VIF's,
// every router port's, every NAT external address, and extra.
func ovnTargets(db *ovn.DB, extra ...netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if p.Type != ovn.PortVIF {
				continue
			}
			for _, a := range p.Addresses {
				for _, ip := range a.IPs {
					if ip.Addr().Is4() && ip.IsSingleIP() {
						out = append(out, ip.Addr())
					}
				}
			}
		}
	}
	for _, r := range db.Routers {
		for _, p := range r.Ports {
			for _, n := range p.Networks {
				if n.Addr().Is4() {
					out = append(out, n.Addr())
				}
			}
		}
		for _, n := range r.NAT {
			if !n.Disabled && n.ExternalIP.Is4() {
				out = append(out, n.ExternalIP)
			}
		}
	}
	out = append(out, extra...)
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

// ovnSources are db's VIF logical switch ports that have an address.
func ovnSources(db *ovn.DB) []*ovn.SwitchPort {
	var out []*ovn.SwitchPort
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if p.Type != ovn.PortVIF {
				continue
			}
			for _, a := range p.Addresses {
				if len(a.IPs) > 0 && a.MAC != (ovn.MAC{}) {
					out = append(out, p)
					break
				}
			}
		}
	}
	return out
}

// ovnAllCases is every source to every target in every probe.
func ovnAllCases(db *ovn.DB, targets []netip.Addr) []ovnCase {
	var out []ovnCase
	for _, p := range ovnSources(db) {
		own, _ := firstIP(p)
		for _, dst := range targets {
			if dst == own {
				continue
			}
			for _, pr := range ovnProbes {
				out = append(out, ovnCase{From: p.Name, Dst: dst, Proto: pr.proto, DPort: pr.port})
			}
		}
	}
	return out
}

func firstIP(p *ovn.SwitchPort) (netip.Addr, bool) {
	for _, a := range p.Addresses {
		if len(a.IPs) > 0 {
			return a.IPs[0].Addr(), true
		}
	}
	return netip.Addr{}, false
}

// realiseOVN writes db's northbound content into the cluster's (empty) NB,
// lets northd translate it, and binds every logical port db places on a
// chassis there (the chassis must exist in the SB), so that gateway ports
// and distributed NAT are laid out as in db.
func realiseOVN(ctx context.Context, c *ovnrun.Cluster, db *ovn.DB) error {
	if err := ovnimport.Write(ctx, c.NB, db); err != nil {
		return err
	}
	if err := c.Sync(); err != nil {
		return err
	}
	var args []string
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if p.Chassis != "" {
				args = append(args, "--", "lsp-bind", p.Name, p.Chassis)
			}
		}
	}
	if len(args) > 0 {
		if _, err := c.SBCtl(args[1:]...); err != nil {
			return err
		}
	}
	return c.Sync()
}

// addChassis adds db's chassis to the cluster's SB, as ovn-controller
// would register them.
func addChassis(c *ovnrun.Cluster, db *ovn.DB) error {
	var args []string
	for _, ch := range db.Chassis {
		ip := "127.0.0.1"
		for _, e := range ch.Encaps {
			if e.Type == "geneve" {
				ip = e.IP.String()
			}
		}
		args = append(args, "--", "chassis-add", ch.Name, "geneve", ip)
	}
	if len(args) == 0 {
		return nil
	}
	_, err := c.SBCtl(args[1:]...)
	return err
}

// rewritePortSec gives ovn-trace, in the SB, a port_security column it
// reads as ovn-controller reads the NB's, for every port where the two
// would differ and such a column exists (see portSecSkip): ovn-northd is
// paused, so that it does not put its own back, until resumeNorthd. It
// returns the columns it wrote, by port.
func rewritePortSec(c *ovnrun.Cluster, db *ovn.DB) (map[string][]ovn.Address, error) {
	view := map[string][]ovn.Address{}
	for _, sw := range db.Switches {
		for _, p := range sw.Ports {
			if ps, ok := faithfulPortSec(p.PortSecurity); ok {
				view[p.Name] = ps
			}
		}
	}
	if len(view) == 0 {
		return nil, nil
	}
	if err := northdCtl(c, "pause"); err != nil {
		return nil, err
	}
	var args []string
	for name, ps := range view {
		var q []string
		for _, a := range ps {
			q = append(q, strconv.Quote(a.Text))
		}
		args = append(args, "--", "set", "Port_Binding", name, "port_security=["+strings.Join(q, ",")+"]")
	}
	if _, err := c.SBCtl(args[1:]...); err != nil {
		return nil, err
	}
	return view, nil
}

// northdCtl sends a command (pause, resume) to the cluster's ovn-northd.
func northdCtl(c *ovnrun.Cluster, cmd string) error {
	out, err := exec.Command("ovs-appctl", "-t", filepath.Join(c.Dir, "northd.ctl"), cmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ovs-appctl %s to ovn-northd: %v: %s", cmd, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// faithfulPortSec rewrites a port_security column whose entries for some
// MAC ovn-trace and ovn-controller read differently (portSecAmbiguous)
// into one they read alike for IPv4: per MAC one entry, "MAC" when a /0
// admits every address, else "MAC" and every address the entries admit
// (a network prefix of up to 256 addresses spelt out). It reports false
// when nothing needs rewriting or it cannot be done: a MAC with both an
// address-less entry and addressed ones (ovn-controller admits anything
// coming in but only the addresses going out), or a prefix too wide to
// list. The broadcast address ovn-controller also admits going out to a
// "MAC 10.0.0.5/24" is left out: no case sends to it.
func faithfulPortSec(ps []ovn.Address) ([]ovn.Address, bool) {
	if !portSecAmbiguous(ps) {
		return nil, false
	}
	var macs []ovn.MAC
	groups := map[ovn.MAC][]ovn.Address{}
	for _, a := range ps {
		if groups[a.MAC] == nil {
			macs = append(macs, a.MAC)
		}
		groups[a.MAC] = append(groups[a.MAC], a)
	}
	var out []ovn.Address
	for _, m := range macs {
		g := groups[m]
		if !portSecAmbiguous(g) {
			out = append(out, g...)
			continue
		}
		mac := model.MAC(m).String()
		var ips []netip.Addr
		bare, all := false, false
		for _, a := range g {
			v4, v6 := v4Of(a)
			if len(v4) == 0 && !v6 {
				bare = true
			}
			for _, p := range v4 {
				switch {
				case p.Bits() == 0:
					all = true
				case p.Bits() == 32 || p.Masked().Addr() != p.Addr():
					ips = append(ips, p.Addr())
				case p.Bits() >= 24:
					for a := p.Addr(); p.Contains(a); a = a.Next() {
						ips = append(ips, a)
					}
				default:
					return nil, false
				}
			}
		}
		if bare {
			return nil, false
		}
		if all {
			out = append(out, ovn.Address{MAC: m, Text: mac})
			continue
		}
		slices.SortFunc(ips, netip.Addr.Compare)
		ips = slices.Compact(ips)
		a := ovn.Address{MAC: m, Text: mac}
		for _, ip := range ips {
			a.IPs = append(a.IPs, netip.PrefixFrom(ip, 32))
			a.Text += " " + ip.String()
		}
		out = append(out, a)
	}
	return out, true
}

// resetNB empties the cluster's NB of everything Write writes: the root
// tables, whose rows own the rest (ports, ACLs, NAT, routes go with them).
func resetNB(c *ovnrun.Cluster) error {
	var args []string
	for _, t := range []string{"Logical_Switch", "Logical_Router", "Port_Group", "Address_Set", "Load_Balancer", "HA_Chassis_Group"} {
		args = append(args, "--", "--all", "destroy", t)
	}
	_, err := c.NBCtl(args[1:]...)
	return err
}

// logicalEngine is a trace engine over db alone: no hosts, no segments.
func logicalEngine(name string, db *ovn.DB) (*trace.Engine, error) {
	t := &model.Topology{Name: name, OVN: db}
	if err := t.Resolve(); err != nil {
		return nil, err
	}
	return trace.New(t), nil
}

// ovnJudge asks both oracles about cases in one logical network.
type ovnJudge struct {
	db    *ovn.DB
	e     *trace.Engine
	trace func(args ...string) (string, error) // ovn-trace --db=SB ...
	// psView is the port_security ovn-trace reads where the SB's was
	// rewritten for it (see rewritePortSec), by port.
	psView map[string][]ovn.Address
	// close lets ovn-northd run again if rewritePortSec paused it.
	close func() error
}

// newOVNJudge realises db in the cluster (whose NB must be empty and SB
// hold db's chassis) and readies both oracles.
func newOVNJudge(ctx context.Context, c *ovnrun.Cluster, name string, db *ovn.DB) (*ovnJudge, error) {
	if err := realiseOVN(ctx, c, db); err != nil {
		return nil, err
	}
	e, err := logicalEngine(name, db)
	if err != nil {
		return nil, err
	}
	view, err := rewritePortSec(c, db)
	if err != nil {
		return nil, err
	}
	j := &ovnJudge{db: db, e: e, trace: c.Trace, psView: view}
	if view != nil {
		j.close = func() error { return northdCtl(c, "resume") }
	} else {
		j.close = func() error { return nil }
	}
	return j, nil
}

// judge compares one case and, when both deliver it, its reply.
func (j *ovnJudge) judge(c ovnCase) ([]ovnOutcome, error) {
	o := ovnOutcome{Case: c.String()}
	traces, err := j.e.Trace(trace.Request{From: c.From, To: c.Dst.String(), Proto: c.Proto, DstPort: c.DPort})
	if errors.Is(err, trace.ErrInvalidTrace) {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	if err != nil {
		o.Skip, o.SkipKind = "hopscope cannot build the packet: "+err.Error(), "hopscope cannot build the packet"
		return []ovnOutcome{o}, nil
	}
	sim := simulateOVN(traces)
	flow := flowOf(c.From, traces[0].Packet)
	dp := j.db.Port(c.From).Switch.Name
	ot, err := j.traceOVN(dp, flow, nil, ctNew)
	if err != nil {
		return nil, err
	}
	o.fill(j, sim, ot)
	out := []ovnOutcome{o}
	if o.Differ == "" && o.Skip == "" && len(sim.outs) > 0 {
		r, err := j.reply(c, traces, ot)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// traceOVN asks ovn-trace about flow; where an ECMP select action picks
// one path, it asks again for every other (--select-id) and gathers all
// paths, as hopscope's trace forks.
func (j *ovnJudge) traceOVN(dp string, flow OVNFlow, ct []string, fill string) (*OVNTrace, error) {
	t, err := TraceOVN(j.trace, dp, flow, ct, fill)
	if err != nil || len(t.Selects) == 0 {
		return t, err
	}
	all := &OVNTrace{Flow: flow, CT: t.CT, NATZones: t.NATZones, Selects: t.Selects}
	for _, id := range t.Selects {
		p, err := TraceOVN(j.trace, dp, flow, ct, fill, "--select-id="+id)
		if err != nil {
			return nil, err
		}
		all.Outputs = append(all.Outputs, p.Outputs...)
		all.Generated = append(all.Generated, p.Generated...)
		all.ARPs = append(all.ARPs, p.ARPs...)
		all.ARPFor = append(all.ARPFor, p.ARPFor...)
		all.Rejects = append(all.Rejects, p.Rejects...)
		all.Echo = all.Echo || p.Echo
		all.Errors = append(all.Errors, p.Errors...)
		all.Unjudged = append(all.Unjudged, p.Unjudged...)
		all.PortSec = append(all.PortSec, p.PortSec...)
		all.Command += p.Command + "\n"
		all.Raw += fmt.Sprintf("--select-id=%s:\n%s\n", id, p.Raw)
	}
	all.Command = strings.TrimSuffix(all.Command, "\n")
	return all, nil
}

// reply compares the answer to a delivered case: hopscope's Reply, and
// ovn-trace with the conntrack zones the forward packet committed in
// reporting the answer as established (est,rpl) and all others as new.
func (j *ovnJudge) reply(c ovnCase, fwd []*trace.Trace, fot *OVNTrace) (ovnOutcome, error) {
	o := ovnOutcome{Case: "reply to " + c.String(), Reply: true}
	var fw *trace.Trace
	for _, t := range fwd {
		if t.Disposition.Success() {
			fw = t
			break
		}
	}
	if why := statefulNAT(fw); why != "" {
		o.Skip, o.SkipKind = why, "reply through a NAT only conntrack undoes"
		return o, nil
	}
	replies, err := j.e.Reply(fwd)
	if err != nil {
		o.Skip, o.SkipKind = "hopscope cannot build the reply: "+err.Error(), "hopscope cannot build the reply"
		return o, nil
	}
	port := fw.LogicalPort()
	committed := map[string]bool{}
	for _, out := range fot.Outputs {
		if out.Port == port {
			for _, z := range out.Commits {
				committed[z] = true
			}
			break
		}
	}
	flow := flowOf(port, replies[0].Packet)
	dp := j.db.Port(port).Switch.Name
	ot, err := j.traceOVN(dp, flow, nil, ctReply)
	if err != nil {
		return o, err
	}
	if why := j.unNATedZone(fw, ot); why != "" {
		o.Skip, o.SkipKind = why, "reply through a router NAT zone the request was not NATed in"
		return o, nil
	}
	if !lookupsIn(ot, committed) {
		// Some lookup runs in a zone the request did not commit in, where
		// the answer is new: give each lookup its own state. Which zones
		// they run in depends on the path, which depends on the states, so
		// go round until they agree. ovn-trace also spends a state,
		// unprinted, on a ct_dnat or ct_snat of an untracked packet; that
		// shows as a lookup reporting a state other than the one meant
		// for it, and the answer is then not comparable.
		var states []string
		lined := false
		for range 8 {
			want := make([]string, len(ot.CT))
			for i, ct := range ot.CT {
				want[i] = ctNew
				if committed[ct.Zone] {
					want[i] = ctReply
				}
			}
			if slices.Equal(want, states) {
				lined = true
				for i, ct := range ot.CT {
					lined = lined && ct.State == printedState[want[i]]
				}
				break
			}
			states = want
			if ot, err = j.traceOVN(dp, flow, states, ctReply); err != nil {
				return o, err
			}
		}
		if !lined {
			o.Skip, o.SkipKind = fmt.Sprintf("the answer's conntrack lookups need different states (%v), which cannot be lined up with ovn-trace's --ct: %v", committed, ot.CT),
				"reply needs conntrack states ovn-trace cannot be given"
			return o, nil
		}
	}
	if why := asymmetric(fwd[0].Packet, c.From, ot); why != "" {
		o.Skip, o.SkipKind = why, "reply from another address than the request went to"
		return o, nil
	}
	o.fill(j, simulateOVN(replies), ot)
	return o, nil
}

// asymmetric says why ot's answer cannot be trusted: it reaches the
// sender from another address or port than the request was sent to (a
// floating-IP hairpin without SNAT answers directly), so the sender's
// conntrack zone would not know it, whatever --ct claims.
func asymmetric(req trace.Packet, port string, ot *OVNTrace) string {
	for _, out := range ot.Outputs {
		if out.Port != port {
			continue
		}
		if out.Src != req.Dst || (req.HasPorts() && out.SrcPort != req.DstPort) {
			return fmt.Sprintf("the answer reaches %s from %s, not from %s where the request went: the sender's conntrack zone would not know it, whatever --ct says", port, out.Src, req.Dst)
		}
	}
	return ""
}

// unNATedZone says why ot's answer cannot be trusted: it ran ct_dnat or
// ct_snat in a router the request fw crossed without being NATed, so
// whether that router's conntrack zones know the connection (and whether
// its SNAT applies to the answer) depends on what northd commits there,
// and ovn-trace only reports the --ct state it was given.
func (j *ovnJudge) unNATedZone(fw *trace.Trace, ot *OVNTrace) string {
	natted := map[string]bool{}
	for _, h := range fw.Hops {
		for _, s := range h.Steps {
			if _, ok := s.Object.(*ovn.NAT); ok {
				natted[h.Node.Name] = true
			}
		}
	}
	for _, z := range ot.NATZones {
		rp := j.db.RouterPort(z)
		if rp == nil || rp.Router == nil || natted[rp.Router.Name] {
			continue
		}
		return fmt.Sprintf("the answer goes through router %s's NAT stages (ct_dnat/ct_snat), where the request was not NATed: ovn-trace cannot tell whether conntrack there knows the connection", rp.Router.Name)
	}
	return ""
}

// printedState is how ovn-trace prints each --ct state it is given.
var printedState = map[string]string{ctNew: "new|trk", ctReply: "est|rpl|trk"}

// lookupsIn reports whether every conntrack lookup of t ran in a zone of
// committed: then every one sees the answer as established.
func lookupsIn(t *OVNTrace, committed map[string]bool) bool {
	for _, ct := range t.CT {
		if !committed[ct.Zone] {
			return false
		}
	}
	return true
}

// statefulNAT says why the reply to fw cannot be compared: on its way it
// was SNATed or DNATed by a NAT rule or load balancer that only conntrack
// can undo; ovn-trace's ct_snat and ct_dnat without an argument assume no
// conntrack entry. A dnat_and_snat is undone by its other half, which
// needs no state.
func statefulNAT(fw *trace.Trace) string {
	for _, h := range fw.Hops {
		for _, s := range h.Steps {
			if n, ok := s.Object.(*ovn.NAT); ok && n.Type != ovn.DNATAndSNAT {
				return fmt.Sprintf("the request went through %s %s %s on %s: only conntrack undoes that for the reply, and ovn-trace keeps no conntrack table",
					n.Type, n.ExternalIP, n.LogicalIP, h.Node)
			}
			if d, ok := s.Detail.(*trace.OVNDetail); ok && strings.HasPrefix(d.Row, "Load_Balancer") {
				return fmt.Sprintf("the request went through load balancer %s on %s: ovn-trace keeps no conntrack table to undo it", d.Name, h.Node)
			}
		}
	}
	return ""
}

// flowOf is the microflow for a packet hopscope injects at port.
func flowOf(port string, p trace.Packet) OVNFlow {
	f := OVNFlow{InPort: port, Proto: p.Proto, TCPFlags: p.TCPFlags, OVNHeaders: headersOf(p)}
	return f
}

func headersOf(p trace.Packet) OVNHeaders {
	h := OVNHeaders{EthSrc: p.SrcMAC, EthDst: p.DstMAC, Src: p.Src, Dst: p.Dst, TTL: p.TTL}
	switch p.Proto {
	case trace.ProtoTCP, trace.ProtoUDP:
		h.SrcPort, h.DstPort = p.SrcPort, p.DstPort
	case trace.ProtoICMP:
		h.ICMPType = p.ICMPType
	}
	return h
}

// simOVN is hopscope's answer in the comparison's terms.
type simOVN struct {
	outs         []OVNOutput  // delivered to a VIF, or out of a localnet port
	arps         []netip.Addr // next hops it would ARP for (NEIGHBOR_UNREACHABLE)
	echo         bool         // a router answered the echo request
	rejected     bool         // an ACL rejected it
	stops        []string     // how the paths that got nowhere ended
	stages       []string     // and where: "DROPPED at lr_in_ip_input"
	skip         string       // UNSUPPORTED: the model cannot say
	chassisBound string       // a decision that depends on the chassis (see trace.OVNDetail)
}

var arpWhy = regexp.MustCompile(`known to the model has (\S+): OVN would send an ARP request`)

func simulateOVN(traces []*trace.Trace) simOVN {
	var s simOVN
	for _, t := range traces {
		for _, h := range t.Hops {
			for _, st := range h.Steps {
				if d, ok := st.Detail.(*trace.OVNDetail); ok && d.ChassisBound != "" {
					s.chassisBound = d.ChassisBound
				}
			}
		}
		switch t.Disposition {
		case trace.Unsupported:
			s.skip = "UNSUPPORTED: " + t.Why
		case trace.Delivered, trace.Exited:
			if t.LogicalPort() != "" {
				s.outs = append(s.outs, OVNOutput{Port: t.LogicalPort(), OVNHeaders: headersOf(t.Final)})
			} else if strings.Contains(t.Why, "answers the echo request") {
				s.echo = true
			} else {
				s.skip = fmt.Sprintf("%s at no logical port: %s", t.Disposition, t.Why)
			}
		case trace.NeighborUnreachable:
			if m := arpWhy.FindStringSubmatch(t.Why); m != nil {
				if a, err := netip.ParseAddr(m[1]); err == nil {
					s.arps = append(s.arps, a)
					continue
				}
			}
			s.skip = "NEIGHBOR_UNREACHABLE the comparison cannot read: " + t.Why
		default:
			if t.Disposition == trace.Denied && strings.Contains(t.Why, ": rejected") {
				s.rejected = true
			}
			s.stops = append(s.stops, t.Disposition.String()+": "+t.Why)
			at := t.Disposition.String()
			if h := t.Hops[len(t.Hops)-1]; len(h.Steps) > 0 {
				if d, ok := h.Steps[len(h.Steps)-1].Detail.(*trace.OVNDetail); ok {
					at += " at " + d.Stage
				}
			}
			s.stages = append(s.stages, at)
		}
	}
	return s
}

// stopKind says how hopscope's paths ended, without particulars.
func (s simOVN) stopKind() string {
	var parts []string
	if len(s.outs) > 0 {
		parts = append(parts, "output")
	}
	if s.echo {
		parts = append(parts, "a router answers the echo")
	}
	if len(s.arps) > 0 {
		parts = append(parts, "ARP")
	}
	parts = append(parts, s.stages...)
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), ", ")
}

func (s simOVN) String() string {
	var parts []string
	for _, o := range s.outs {
		parts = append(parts, "output to "+o.String())
	}
	for _, a := range s.arps {
		parts = append(parts, "ARP for next hop "+a.String())
	}
	if s.echo {
		parts = append(parts, "a router answers the echo")
	}
	if len(parts) == 0 {
		return "dropped (" + strings.Join(s.stops, "; ") + ")"
	}
	return strings.Join(parts, "; ")
}

func otAnswer(t *OVNTrace) string {
	var parts []string
	if t.Echo && !slices.ContainsFunc(t.Generated, func(o OVNOutput) bool { return o.Kind == "echo reply" }) {
		parts = append(parts, "a router answers the echo (the answer is dropped on its way back)")
	}
	for _, r := range t.Rejects {
		if !slices.ContainsFunc(t.Generated, func(o OVNOutput) bool { return o.Kind == r }) {
			parts = append(parts, r+" (the answer is dropped on its way back)")
		}
	}
	for _, a := range t.ARPFor {
		if !slices.ContainsFunc(t.ARPs, func(o OVNOutput) bool { return o.Target == a }) {
			parts = append(parts, "ARP request for "+a.String()+" (dropped)")
		}
	}
	for _, o := range t.Outputs {
		parts = append(parts, "output to "+o.String())
	}
	for _, o := range t.ARPs {
		parts = append(parts, o.String())
	}
	for _, o := range t.Generated {
		parts = append(parts, o.String())
	}
	if len(parts) == 0 {
		return "dropped"
	}
	return strings.Join(parts, "; ")
}

// fill judges one answer pair into o.
func (o *ovnOutcome) fill(j *ovnJudge, sim simOVN, ot *OVNTrace) {
	o.Sim, o.Trace = sim.String(), otAnswer(ot)
	if why := portSecSkip(j.db, j.psView, ot, sim); why != "" {
		o.Skip, o.SkipKind = why, "ovn-trace's port security check is not ovn-controller's"
		return
	}
	v := compareOVN(sim, ot)
	o.Differ, o.DifferKind, o.Skip, o.SkipKind = v.differ, v.differKind, v.skip, v.skipKind
	if o.Differ != "" {
		o.Detail = ot.Command + "\n" + ot.Raw
	}
}

// ovnJudgement is compareOVN's answer: what differs, or why the two
// cannot be compared, each with its kind (the reason without particulars).
type ovnJudgement struct {
	differ, differKind string
	skip, skipKind     string
}

// compareOVN says how hopscope's answer differs from ovn-trace's, or why
// the two cannot be compared.
func compareOVN(sim simOVN, ot *OVNTrace) ovnJudgement {
	switch {
	case sim.skip != "":
		return ovnJudgement{skip: "hopscope: " + sim.skip, skipKind: "hopscope UNSUPPORTED"}
	case sim.chassisBound != "":
		return ovnJudgement{skip: "the path depends on the chassis, which ovn-trace does not model (it takes every port as resident and runs one pipeline): " + sim.chassisBound,
			skipKind: "the path depends on the chassis, which ovn-trace does not model"}
	case len(ot.Errors) > 0:
		return ovnJudgement{skip: "ovn-trace: " + strings.Join(ot.Errors, "; "), skipKind: "ovn-trace cannot follow: " + errorKind(ot.Errors[0])}
	case len(ot.Unjudged) > 0:
		return ovnJudgement{skip: "ovn-trace changed fields the comparison does not judge: " + strings.Join(ot.Unjudged, "; "), skipKind: "unjudged fields changed"}
	}
	loop := slices.ContainsFunc(sim.stages, func(s string) bool { return strings.HasPrefix(s, trace.Loop.String()) })
	if loop && slices.Contains(ot.Rejects, "icmp4 type 11") && len(ot.Outputs) == 0 && len(sim.outs) == 0 {
		return ovnJudgement{skip: "a routing loop: ovn-trace follows it round until the TTL runs out (ICMP time exceeded), hopscope stops at the first repeat (LOOP)",
			skipKind: "a routing loop (LOOP against ICMP time exceeded)"}
	}
	if d := diffOutputs(sim.outs, ot.Outputs); d != "" {
		kind := "both output, to other ports or with other headers"
		switch {
		case len(sim.outs) == 0:
			kind = "ovn-trace outputs it, hopscope: " + sim.stopKind()
		case len(ot.Outputs) == 0:
			kind = "hopscope outputs it, ovn-trace does not"
		}
		return ovnJudgement{differ: d, differKind: kind}
	}
	// What the packet turned into, whether or not that got out (ovn-trace
	// cannot tell a generated answer's conntrack state on its way back).
	echo, reject, targets := ot.Echo, strings.Join(ot.Rejects, ", "), ot.ARPFor
	switch {
	case echo != sim.echo:
		return ovnJudgement{differ: fmt.Sprintf("a router answers the echo: ovn-trace %v, hopscope %v", echo, sim.echo),
			differKind: fmt.Sprintf("a router answers the echo: ovn-trace %v, hopscope %v (%s)", echo, sim.echo, sim.stopKind())}
	case (reject != "") != sim.rejected:
		d := fmt.Sprintf("rejected with an answer: ovn-trace %q, hopscope %v", reject, sim.rejected)
		return ovnJudgement{differ: d, differKind: fmt.Sprintf("ovn-trace answers with %q, hopscope: %s", reject, sim.stopKind())}
	}
	if !sameAddrs(targets, sim.arps) {
		return ovnJudgement{differ: fmt.Sprintf("next hops resolved by ARP: ovn-trace %v, hopscope %v", targets, sim.arps),
			differKind: "ARP for other next hops (hopscope: " + sim.stopKind() + ")"}
	}
	switch {
	case len(targets) > 0:
		return ovnJudgement{skip: fmt.Sprintf("no MAC binding for next hop %v: ovn-trace sends an ARP request, hopscope (logical only) knows no MAC", targets),
			skipKind: "ARP for a next hop with no MAC binding"}
	case echo:
		return ovnJudgement{skip: "a router answers the echo itself: ovn-trace shows the answer, hopscope ends at the router", skipKind: "a router answers the echo"}
	}
	return ovnJudgement{}
}

// errorKind is an ovn-trace error without its port names.
func errorKind(e string) string {
	if strings.HasPrefix(e, "stops at ct_snat;") {
		return "ct_snat; on a gateway router"
	}
	return e
}

// diffOutputs compares the packets output, as sets (a flood's order, or
// ECMP's paths, is neither's business).
func diffOutputs(sim, ot []OVNOutput) string {
	key := func(o OVNOutput) string {
		o.ICMPType = 0 // the echo itself is judged apart
		return o.Port + " [" + o.OVNHeaders.String() + "]"
	}
	var s, t []string
	for _, o := range sim {
		s = append(s, key(o))
	}
	for _, o := range ot {
		t = append(t, key(o))
	}
	slices.Sort(s)
	slices.Sort(t)
	if !slices.Equal(s, t) {
		return fmt.Sprintf("outputs: ovn-trace %v, hopscope %v", t, s)
	}
	return ""
}

func sameAddrs(a, b []netip.Addr) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, netip.Addr.Compare)
	slices.SortFunc(b, netip.Addr.Compare)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// ovnRun is one logical network's outcomes.
type ovnRun struct {
	Name     string
	Outcomes []ovnOutcome
	Config   string // how to rebuild it, for a disagreement's report
}

// ovnTally counts outcomes.
type ovnTally struct{ agreed, disagreed, skipped int }

func (t *ovnTally) add(o ovnOutcome) {
	switch {
	case o.Differ != "":
		t.disagreed++
	case o.Skip != "":
		t.skipped++
	default:
		t.agreed++
	}
}

func (t ovnTally) plus(u ovnTally) ovnTally {
	return ovnTally{t.agreed + u.agreed, t.disagreed + u.disagreed, t.skipped + u.skipped}
}

// tally counts a run's requests and replies apart.
func (r ovnRun) tally() (fwd, rep ovnTally) {
	for _, o := range r.Outcomes {
		if o.Reply {
			rep.add(o)
		} else {
			fwd.add(o)
		}
	}
	return
}

// writeOVNTable prints the agreement table (every run when there are few,
// else only those with disagreements), the totals, why cases could not be
// compared, and every disagreement with both answers.
func writeOVNTable(w io.Writer, runs []ovnRun) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "network\trequests: agreed\tdisagreed\tnot comparable\treplies: agreed\tdisagreed\tnot comparable")
	row := func(name string, f, r ovnTally) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", name, f.agreed, f.disagreed, f.skipped, r.agreed, r.disagreed, r.skipped)
	}
	var tf, tr ovnTally
	reasons := map[string]int{}
	for _, r := range runs {
		f, rp := r.tally()
		tf, tr = tf.plus(f), tr.plus(rp)
		if len(runs) <= 20 || f.disagreed+rp.disagreed > 0 {
			row(r.Name, f, rp)
		}
		for _, o := range r.Outcomes {
			if o.Differ == "" && o.Skip != "" {
				reasons[o.SkipKind]++
			}
		}
	}
	row(fmt.Sprintf("TOTAL (%d networks)", len(runs)), tf, tr)
	tw.Flush()
	if len(reasons) > 0 {
		fmt.Fprintln(w, "not comparable, by reason:")
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return reasons[keys[i]] > reasons[keys[j]] || reasons[keys[i]] == reasons[keys[j]] && keys[i] < keys[j]
		})
		for _, k := range keys {
			fmt.Fprintf(w, "  %5d  %s\n", reasons[k], k)
		}
	}
	// Disagreements, by kind: each kind's first few in full, then where
	// the others are.
	type ex struct {
		run string
		o   ovnOutcome
	}
	byKind := map[string][]ex{}
	var kinds []string
	for _, r := range runs {
		for _, o := range r.Outcomes {
			if o.Differ == "" {
				continue
			}
			if byKind[o.DifferKind] == nil {
				kinds = append(kinds, o.DifferKind)
			}
			byKind[o.DifferKind] = append(byKind[o.DifferKind], ex{r.Name, o})
		}
	}
	if len(kinds) > 0 {
		fmt.Fprintln(w, "disagreements, by kind:")
		for _, k := range kinds {
			fmt.Fprintf(w, "  %5d  %s\n", len(byKind[k]), k)
		}
	}
	for _, k := range kinds {
		list := byKind[k]
		fmt.Fprintf(w, "\n=== %d disagreements: %s\n", len(list), k)
		for i, e := range list {
			if i == ovnShown {
				var rest []string
				for _, e := range list[i:] {
					rest = append(rest, e.run+": "+e.o.Case)
				}
				fmt.Fprintf(w, "  ... and %d more: %s\n", len(rest), strings.Join(rest, "; "))
				break
			}
			o := e.o
			fmt.Fprintf(w, "DISAGREE %s: %s\n  %s\n  hopscope:  %s\n  ovn-trace: %s\n%s\n", e.run, o.Case, o.Differ, o.Sim, o.Trace, indent(o.Detail, "    "))
		}
	}
}

// ovnShown is how many disagreements of each kind are shown in full.
const ovnShown = 3

// shownRuns are the runs whose disagreements writeOVNTable shows in full.
func shownRuns(runs []ovnRun) map[string]bool {
	count := map[string]int{}
	out := map[string]bool{}
	for _, r := range runs {
		for _, o := range r.Outcomes {
			if o.Differ != "" {
				if count[o.DifferKind] < ovnShown {
					out[r.Name] = true
				}
				count[o.DifferKind]++
			}
		}
	}
	return out
}

func indent(s, by string) string {
	if s == "" {
		return ""
	}
	return by + strings.ReplaceAll(s, "\n", "\n"+by)
}

// portSecSkip says why ovn-trace's answer is not what OVN does for this
// packet. ovn-trace 23.03 runs port security itself (check_in_port_sec,
// check_out_port_sec), and unlike the flows ovn-controller installs for
// them (controller/lflow.c, build_in_port_sec_ip4_flows and
// build_out_port_sec_ip4_flows) it reads only the first port_security
// entry with the packet's MAC and compares that entry's addresses exactly,
// prefix or not: "MAC 0.0.0.0/0" admits only 0.0.0.0. On the way in the
// packet is known and both readings can be worked out; on the way out
// ovn-trace shows no headers for a packet it dropped, so a check on a port
// whose port_security the two read differently is trusted only where
// ovn-trace let the packet out, or where hopscope's packet settles it.
func portSecSkip(db *ovn.DB, view map[string][]ovn.Address, ot *OVNTrace, sim simOVN) string {
	differ := func(name string, egress bool, mac model.MAC, ip netip.Addr) string {
		p := db.Port(name)
		if p == nil || len(p.PortSecurity) == 0 {
			return ""
		}
		seen := p.PortSecurity
		if v, ok := view[name]; ok {
			seen = v
		}
		ctl, twin := controllerPortSec(p.PortSecurity, egress, mac, ip), traceTwinPortSec(seen, egress, mac, ip)
		if ctl == twin {
			return ""
		}
		dir, what := "check_in_port_sec", "eth.src "+mac.String()+" ip4.src "+ip.String()
		if egress {
			dir, what = "check_out_port_sec", "eth.dst "+mac.String()+" ip4.dst "+ip.String()
		}
		return fmt.Sprintf("ovn-trace's %s on port %s (port_security %q) says allowed=%v for %s, ovn-controller's flows allowed=%v",
			dir, name, addrTexts(p.PortSecurity), twin, what, ctl)
	}
	f := ot.Flow
	if why := differ(f.InPort, false, f.EthSrc, f.Src); why != "" {
		return why
	}
	for _, c := range ot.PortSec {
		p := db.Port(c.Port)
		if !c.Egress || p == nil || !portSecAmbiguous(p.PortSecurity) || view[c.Port] != nil {
			continue
		}
		if i := slices.IndexFunc(ot.Outputs, func(o OVNOutput) bool { return o.Port == c.Port }); i >= 0 {
			if why := differ(c.Port, true, ot.Outputs[i].EthDst, ot.Outputs[i].Dst); why != "" {
				return why
			}
			continue
		}
		i := slices.IndexFunc(sim.outs, func(o OVNOutput) bool { return o.Port == c.Port })
		if i < 0 {
			return fmt.Sprintf("ovn-trace checked port security on the way out to %s (port_security %q), which it reads unlike ovn-controller, and let nothing out there",
				c.Port, addrTexts(p.PortSecurity))
		}
		if why := differ(c.Port, true, sim.outs[i].EthDst, sim.outs[i].Dst); why != "" {
			return why
		}
	}
	return ""
}

// portSecAmbiguous reports whether ovn-trace and ovn-controller can read
// a port_security column differently for some IPv4 packet: it has a
// network prefix ("MAC 10.0.0.0/24", "MAC 0.0.0.0/0"), or a MAC twice.
func portSecAmbiguous(ps []ovn.Address) bool {
	macs := map[ovn.MAC]bool{}
	for _, a := range ps {
		if macs[a.MAC] {
			return true
		}
		macs[a.MAC] = true
		v4, _ := v4Of(a)
		for _, p := range v4 {
			if p.Bits() < 32 && p.Masked().Addr() == p.Addr() {
				return true
			}
		}
	}
	return false
}

func addrTexts(as []ovn.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Text
	}
	return out
}

// psAdmits is how ovn-controller matches one port_security address: a
// prefix whose host bits are zero admits its network, any other (a bare
// address, or "10.0.0.5/24") only the address itself.
func psAdmits(p netip.Prefix, ip netip.Addr) bool {
	if p.Bits() == p.Addr().BitLen() || p.Masked().Addr() != p.Addr() {
		return p.Addr() == ip
	}
	return p.Contains(ip)
}

func v4Of(a ovn.Address) (v4 []netip.Prefix, v6 bool) {
	for _, p := range a.IPs {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = true
		}
	}
	return v4, v6
}

var limitedBroadcast = netip.MustParseAddr("255.255.255.255")
var multicast4 = netip.MustParsePrefix("224.0.0.0/4")

// controllerPortSec is what ovn-controller 23.03's port security flows do
// with an IPv4 packet: ingress on its eth.src and ip4.src (any entry with
// the MAC may admit it), egress on eth.dst and ip4.dst (an entry with
// addresses admits its own at priority 95, else denies at 90, above an
// address-less entry's allow at 85).
func controllerPortSec(ps []ovn.Address, egress bool, mac model.MAC, ip netip.Addr) bool {
	withIPs, bare := false, false
	for _, a := range ps {
		if model.MAC(a.MAC) != mac {
			continue
		}
		v4, v6 := v4Of(a)
		if len(v4) == 0 && !v6 {
			bare = true
			continue
		}
		withIPs = true
		for _, p := range v4 {
			if psAdmits(p, ip) {
				return true
			}
			if egress && p.Bits() != 32 && p.Masked().Addr() != p.Addr() && ip == broadcastOf(p) {
				return true
			}
		}
		if egress && len(v4) > 0 && (ip == limitedBroadcast || multicast4.Contains(ip)) {
			return true
		}
	}
	if egress {
		return bare && !withIPs
	}
	return bare
}

func broadcastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// traceTwinPortSec is what ovn-trace 23.03 (utilities/ovn-trace.c,
// execute_check_in_port_sec and execute_check_out_port_sec) says: the
// first entry, in the southbound's sorted order, with the MAC decides,
// and its addresses are compared exactly.
func traceTwinPortSec(ps []ovn.Address, egress bool, mac model.MAC, ip netip.Addr) bool {
	sorted := slices.Clone(ps)
	slices.SortFunc(sorted, func(a, b ovn.Address) int { return strings.Compare(a.Text, b.Text) })
	for _, a := range sorted {
		if model.MAC(a.MAC) != mac {
			continue
		}
		v4, v6 := v4Of(a)
		if len(v4) == 0 && !v6 {
			return true
		}
		if egress && len(v4) == 0 {
			return false
		}
		for _, p := range v4 {
			if p.Addr() == ip {
				return true
			}
		}
		return egress && (ip == limitedBroadcast || multicast4.Contains(ip))
	}
	return false
}
