package ofproto

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Result is what `ofproto/trace` says about one packet.
type Result struct {
	// Drop is true when the datapath actions send the packet nowhere
	// ("Datapath actions: drop", or nothing but non-output actions); a
	// packet-in is an output.
	Drop bool
	// Outputs are the datapath's outputs in order, named by bridge port
	// (a tunnel output by its tunnel port, a packet-in as CONTROLLER).
	Outputs []Output
	// Input is the packet as OVS read it (the first "Flow:" line), Final
	// the flow at the end of translation (the last "Final flow:"; when
	// that says "unchanged", the "Flow:" of its pass). Keys are OVS field names as printed; a leading
	// protocol word is spelled out (tcp: dl_type=0x0800, nw_proto=6).
	Input, Final map[string]string
	// Tables are the OpenFlow-level steps in the order OVS printed them,
	// nested resubmits and other bridges (patch ports, the tunnel
	// underlay) included.
	Tables []TableStep
	// Datapath is the "Datapath actions:" text, a line per pass through
	// the pipeline (ofproto/trace follows recirculation, assuming
	// ct_state=trk|new); Other holds the datapath actions Outputs does not
	// model (recirc, ct, sample, meter, ...), verbatim, so a comparison can
	// refuse what it cannot judge.
	Datapath string
	Other    []string
	// Notes are lines of the trace outside the parts above, verbatim.
	Notes []string
	Raw   string
}

// Output is one copy of the packet leaving the datapath.
type Output struct {
	// Port is the bridge port (for a tunnel: the tunnel port), or
	// CONTROLLER for a packet-in.
	Port string
	// Set holds the header fields that, at this output, differ from the
	// input packet because of the datapath actions before it: dl_src,
	// dl_dst, nw_src, nw_dst, nw_ttl, tp_src, tp_dst, ... (the names of the
	// "Flow:" line), "vlan" and "vlan1" (the outer and inner VLAN ID, or
	// "none"), "vlan_pcp" (only when not 0), tun_id, tun_src, tun_dst, ...
	// for a tunnel. nil when nothing differs.
	Set map[string]string
	// Reason is why a CONTROLLER output happened: "action", "no_match",
	// "invalid_ttl" (dec_ttl reached 0), ...; "" for ports.
	Reason string
}

// TableStep is one table lookup as ofproto/trace prints it.
type TableStep struct {
	Bridge string
	Table  int
	// Flow is the matched flow as printed ("udp,in_port=1, priority 200,
	// cookie 0xabc"), or "No match.".
	Flow string
	// Actions are the lines under it, trimmed: the flow's actions and
	// OVS's remarks on them ("-> output to native tunnel", ">> skipping
	// output to input port").
	Actions []string
}

// Miss says the lookup matched no flow.
func (t TableStep) Miss() bool { return t.Flow == "No match." }

func (t TableStep) String() string {
	return fmt.Sprintf("%s %d. %s: %s", t.Bridge, t.Table, t.Flow, strings.Join(t.Actions, "; "))
}

// Trace runs `ofproto/trace BRIDGE FLOW` in the vswitchd; flow is in
// ofproto/trace syntax ("in_port=1,dl_type=0x0800,nw_src=10.0.0.1,...").
func (s *Switch) Trace(bridge, flow string) (*Result, error) {
	return s.trace(bridge, flow, s.appctl)
}

func (s *Switch) trace(bridge, flow string, call func(string, ...string) (string, error)) (*Result, error) {
	ports, err := s.dpPorts()
	if err != nil {
		return nil, err
	}
	text, err := call("ofproto/trace", bridge, flow)
	if err != nil {
		return nil, fmt.Errorf("ofproto/trace %s %s: %w", bridge, flow, err)
	}
	r, err := ParseTrace(text, ports)
	if err != nil {
		return nil, fmt.Errorf("ofproto/trace %s %s: %w", bridge, flow, err)
	}
	return r, nil
}

// dpPorts reads the datapath port map once per set of bridges.
func (s *Switch) dpPorts() (*dpPorts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dp != nil {
		return s.dp, nil
	}
	text, err := s.appctl("dpif/show")
	if err != nil {
		return nil, err
	}
	s.dp = parseDPIFShow(text)
	return s.dp, nil
}

// PortNamer names a datapath port. A tunnel type has one datapath port
// for all its tunnel ports; tunDst (the outer destination, "" if unknown)
// picks among them.
type PortNamer interface {
	PortName(dp int, tunDst string) string
}

// dpPorts is the datapath port map `dpif/show` prints.
type dpPorts struct{ byDP map[int][]dpPort }

type dpPort struct{ name, remote string }

// PortName names dp, or calls it "dp:N" when dpif/show did not list it.
func (m *dpPorts) PortName(dp int, tunDst string) string {
	ps := m.byDP[dp]
	if len(ps) == 1 {
		return ps[0].name
	}
	for _, p := range ps {
		if p.remote == tunDst {
			return p.name
		}
	}
	for _, p := range ps {
		if p.remote == "flow" {
			return p.name
		}
	}
	return fmt.Sprintf("dp:%d", dp)
}

// dpifLine is one port of `dpif/show`: "    p1 1/3: (tap)",
// "    t1 3/2: (vxlan: key=flow, remote_ip=192.0.2.9)".
var dpifLine = regexp.MustCompile(`^\s+(\S+) \S+/(\d+)(?::\s*\((.*)\))?`)

var remoteIP = regexp.MustCompile(`remote_ip=([^,)\s]+)`)

func parseDPIFShow(text string) *dpPorts {
	m := &dpPorts{byDP: map[int][]dpPort{}}
	for _, line := range strings.Split(text, "\n") {
		g := dpifLine.FindStringSubmatch(line)
		if g == nil {
			continue
		}
		dp, _ := strconv.Atoi(g[2])
		p := dpPort{name: g[1]}
		if r := remoteIP.FindStringSubmatch(g[3]); r != nil {
			p.remote = r[1]
		}
		m.byDP[dp] = append(m.byDP[dp], p)
	}
	return m
}

// stepLine is a table lookup: " 0. udp,in_port=1, priority 200".
var stepLine = regexp.MustCompile(`^(\s*)(\d+)\. (.*)$`)

// ParseTrace reads `ofproto/trace` output. ports names the datapath ports
// of "Datapath actions:".
func ParseTrace(text string, ports PortNamer) (*Result, error) {
	r := &Result{Raw: text}
	// stack holds the open steps, innermost last; last is the one that
	// took the latest action line.
	var stack []openStep
	last := -1
	bridge := ""
	var passes []string          // "Datapath actions:" of each pass
	var passIn map[string]string // the "Flow:" of the current pass
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		switch {
		case trimmed == "" || strings.Trim(trimmed, "-") == "" || strings.Trim(trimmed, "=") == "":
		case strings.HasPrefix(line, "Flow: "):
			// A later "Flow:" starts the pass after a recirculation.
			passIn = ParseFields(strings.TrimPrefix(line, "Flow: "))
			if r.Input == nil {
				r.Input = passIn
			}
			stack, last, bridge = nil, -1, ""
		case strings.HasPrefix(trimmed, `bridge("`) && strings.HasSuffix(trimmed, `")`):
			bridge = strings.TrimSuffix(strings.TrimPrefix(trimmed, `bridge("`), `")`)
		case strings.HasPrefix(line, "Final flow: "):
			if rest := strings.TrimPrefix(line, "Final flow: "); rest != "unchanged" {
				r.Final = ParseFields(rest)
			} else {
				r.Final = passIn
			}
		case strings.HasPrefix(line, "Megaflow: "):
		case strings.HasPrefix(line, "Datapath actions: "):
			passes = append(passes, strings.TrimPrefix(line, "Datapath actions: "))
		case bridge != "" && stepLine.MatchString(line): // "%2d. ": table 10 and up start the line
			g := stepLine.FindStringSubmatch(line)
			table, _ := strconv.Atoi(g[2])
			r.Tables = append(r.Tables, TableStep{Bridge: bridge, Table: table, Flow: g[3]})
			stack = append(stack, openStep{len(r.Tables) - 1, len(g[1]), -1})
		case indent > 0 && len(stack) > 0:
			k := actionOwner(stack, last, indent)
			if stack[k].indent == -1 {
				stack[k].indent = indent
			}
			if stack[k].indent == indent {
				stack = stack[:k+1]
			}
			last = k
			st := &r.Tables[stack[k].step]
			st.Actions = append(st.Actions, trimmed)
			bridge = st.Bridge
		default:
			r.Notes = append(r.Notes, line)
		}
	}
	if r.Input == nil {
		return nil, fmt.Errorf("no \"Flow:\" line in the trace: %q", firstLine(text))
	}
	if len(passes) == 0 {
		return nil, fmt.Errorf("no \"Datapath actions:\" line in the trace: %q", firstLine(text))
	}
	if r.Final == nil {
		r.Final = r.Input
	}
	r.Datapath = strings.Join(passes, "\n")
	// A recirculated packet re-enters as the actions before left it, so
	// one state runs through all passes.
	d := newDatapathState(r.Input, ports)
	for _, p := range passes {
		if err := d.run(p); err != nil {
			return nil, fmt.Errorf("datapath actions %q: %w", p, err)
		}
	}
	r.Outputs, r.Other = d.outputs, d.other
	r.Drop = len(r.Outputs) == 0
	return r, nil
}

// openStep is a table step whose action lines may continue: its index in
// Tables and the indentation of its header and of its actions (-1: none
// yet).
type openStep struct{ step, header, indent int }

// actionOwner picks the open step an action line at indent belongs to:
// a step with no actions yet claims a line indented past its header; else
// the innermost step whose actions sit at that indentation (its parent
// resuming after a resubmit returns); else a remark indented under the
// step that took the latest line ("-> ...", ">> ...").
func actionOwner(stack []openStep, last, indent int) int {
	top := stack[len(stack)-1]
	if top.indent == -1 && indent > top.header {
		return len(stack) - 1
	}
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].indent == indent {
			return k
		}
	}
	if last >= 0 && last < len(stack) && stack[last].indent < indent {
		return last
	}
	return len(stack) - 1
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// protocolWords are the shorthands OVS prints in place of dl_type (and
// nw_proto) at the start of a flow.
var protocolWords = map[string][2]string{
	"ip": {"0x0800", ""}, "ipv6": {"0x86dd", ""}, "arp": {"0x0806", ""}, "rarp": {"0x8035", ""},
	"mpls": {"0x8847", ""}, "mplsm": {"0x8848", ""},
	"icmp": {"0x0800", "1"}, "igmp": {"0x0800", "2"}, "tcp": {"0x0800", "6"}, "udp": {"0x0800", "17"},
	"sctp": {"0x0800", "132"}, "icmp6": {"0x86dd", "58"}, "tcp6": {"0x86dd", "6"},
	"udp6": {"0x86dd", "17"}, "sctp6": {"0x86dd", "132"},
}

// ParseFields reads a flow as ofproto/trace prints it
// ("tcp,in_port=1,vlan_tci=0x0000,dl_src=...") into field -> value. A
// protocol word becomes dl_type (and nw_proto); any other bare word maps
// to "".
func ParseFields(s string) map[string]string {
	m := map[string]string{}
	for _, f := range splitTop(s) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			if p, known := protocolWords[f]; known {
				m["dl_type"] = p[0]
				if p[1] != "" {
					m["nw_proto"] = p[1]
				}
				continue
			}
		}
		m[k] = v
	}
	return m
}

// splitTop splits s at the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
