package model

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
)

// NodeKind says what a graph node stands for.
type NodeKind int

const (
	// NodeInterface is a network device in a namespace (not a Linux bridge).
	NodeInterface NodeKind = iota
	// NodeLinuxBridge is a Linux bridge device; its ports hang off it.
	NodeLinuxBridge
	// NodeOVSPort is one port of an OVS bridge.
	NodeOVSPort
	// NodeOVSBridge is an OVS bridge; its ports hang off it.
	NodeOVSBridge
	// NodeSegment is an external L2 segment.
	NodeSegment
	// NodeEndpoint is a named endpoint.
	NodeEndpoint
)

var nodeKindNames = []string{"interface", "linux-bridge", "ovs-port", "ovs-bridge", "segment", "endpoint"}

func (k NodeKind) String() string { return enumName(nodeKindNames, int(k)) }

// MarshalText writes the kind's name.
func (k NodeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// EdgeKind says what joins two graph nodes.
type EdgeKind int

const (
	// EdgeWire is a veth pair, a tap and the NIC behind it, or a direct cable.
	EdgeWire EdgeKind = iota
	// EdgeBridgePort joins a Linux bridge port to its bridge.
	EdgeBridgePort
	// EdgeOVSPort joins an OVS port to its bridge.
	EdgeOVSPort
	// EdgeNetdev joins an OVS port to the netdev it is (system, internal).
	EdgeNetdev
	// EdgePatch joins the two ends of an OVS patch pair.
	EdgePatch
	// EdgeSegment attaches a NIC to an external segment.
	EdgeSegment
	// EdgeTunnel joins a tunnel port to the interface owning its remote_ip.
	EdgeTunnel
	// EdgeEndpoint joins an endpoint to its NIC, its namespace's devices, or its segment.
	EdgeEndpoint
)

var edgeKindNames = []string{"wire", "bridge-port", "ovs-port", "netdev", "patch", "segment", "tunnel", "endpoint"}

func (k EdgeKind) String() string { return enumName(edgeKindNames, int(k)) }

// MarshalText writes the kind's name.
func (k EdgeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// GraphNode is one node of the topology graph.
type GraphNode struct {
	ID     string // "if:host:ns:iface", "ovsport:host:bridge:port", "ovsbr:host:bridge", "seg:name", "ep:name"
	Kind   NodeKind
	Label  string // the device's own name
	Host   string // "" for segments and external endpoints
	NS     string // valid iff Kind is NodeInterface or NodeLinuxBridge, or an endpoint with a namespace
	Bridge string // valid iff Kind is NodeOVSPort or NodeOVSBridge
}

// GraphEdge is one link of the topology graph; From < To.
type GraphEdge struct {
	From, To string
	Kind     EdgeKind
}

// Graph is the topology as an undirected gonum graph: who is wired to whom,
// regardless of addresses, VLANs or flows. It answers "could these two ever
// talk at L1/L2" and draws the picture for `show -o dot`.
type Graph struct {
	topo  *Topology
	g     *simple.UndirectedGraph
	ids   []string         // sorted; gonum node id i is ids[i]
	index map[string]int64 // ID -> gonum node id
	nodes map[string]GraphNode
	edges map[[2]string]EdgeKind // key sorted
}

// Node IDs are built in one place so nodes, edges and Dot agree.
func graphIfaceID(i *Interface) string   { return "if:" + i.Ref() }
func graphPortID(p *OVSPort) string      { return "ovsport:" + p.Ref() }
func graphBridgeID(b *OVSBridge) string  { return "ovsbr:" + b.Ref() }
func graphSegmentID(s *Segment) string   { return "seg:" + s.Name }
func graphEndpointID(e *Endpoint) string { return "ep:" + e.Name }

// Graph builds the topology's graph. Call it after Resolve: the edges come
// from the resolved pointers (Peer, Master, Segment, OVSPort.Iface, ...).
func (t *Topology) Graph() *Graph {
	gr := &Graph{topo: t, nodes: map[string]GraphNode{}, edges: map[[2]string]EdgeKind{}}
	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			for _, i := range ns.Interfaces {
				k := NodeInterface
				if i.Kind == IfBridge {
					k = NodeLinuxBridge
				}
				gr.addNode(GraphNode{ID: graphIfaceID(i), Kind: k, Label: i.Name, Host: h.Name, NS: ns.Name})
			}
		}
		if h.OVS == nil {
			continue
		}
		for _, b := range h.OVS.Bridges {
			gr.addNode(GraphNode{ID: graphBridgeID(b), Kind: NodeOVSBridge, Label: b.Name, Host: h.Name, Bridge: b.Name})
			for _, p := range b.Ports {
				gr.addNode(GraphNode{ID: graphPortID(p), Kind: NodeOVSPort, Label: p.Name, Host: h.Name, Bridge: b.Name})
			}
		}
	}
	for _, s := range t.Segments {
		gr.addNode(GraphNode{ID: graphSegmentID(s), Kind: NodeSegment, Label: s.Name})
	}
	for _, e := range t.Endpoints {
		n := GraphNode{ID: graphEndpointID(e), Kind: NodeEndpoint, Label: e.Name}
		if e.NS != nil && e.NS.Host != nil {
			n.Host, n.NS = e.NS.Host.Name, e.NS.Name
		}
		gr.addNode(n)
	}

	for _, h := range t.Hosts {
		for _, ns := range h.Namespaces {
			for _, i := range ns.Interfaces {
				if i.Peer != nil {
					gr.addEdge(graphIfaceID(i), graphIfaceID(i.Peer), EdgeWire)
				}
				if i.Master != nil {
					gr.addEdge(graphIfaceID(i), graphIfaceID(i.Master), EdgeBridgePort)
				}
				if i.Segment != nil {
					gr.addEdge(graphIfaceID(i), graphSegmentID(i.Segment), EdgeSegment)
				}
			}
		}
		if h.OVS == nil {
			continue
		}
		for _, b := range h.OVS.Bridges {
			for _, p := range b.Ports {
				gr.addEdge(graphPortID(p), graphBridgeID(b), EdgeOVSPort)
				if p.Iface != nil {
					gr.addEdge(graphPortID(p), graphIfaceID(p.Iface), EdgeNetdev)
				}
				if p.Peer != nil && p.Peer.Bridge != nil {
					gr.addEdge(graphPortID(p), graphPortID(p.Peer), EdgePatch)
				}
				for _, ifc := range t.tunnelRemotes(p) {
					gr.addEdge(graphPortID(p), graphIfaceID(ifc), EdgeTunnel)
				}
			}
		}
	}
	for _, e := range t.Endpoints {
		switch {
		case e.Iface != nil:
			gr.addEdge(graphEndpointID(e), graphIfaceID(e.Iface), EdgeEndpoint)
		case e.NS != nil:
			// No NIC named: routing picks one, so any of them may carry it.
			for _, i := range e.NS.Interfaces {
				if i.Kind != IfLoopback {
					gr.addEdge(graphEndpointID(e), graphIfaceID(i), EdgeEndpoint)
				}
			}
		case e.Segment != nil:
			gr.addEdge(graphEndpointID(e), graphSegmentID(e.Segment), EdgeEndpoint)
		}
	}
	gr.build()
	return gr
}

// tunnelRemotes finds the interfaces that own a tunnel port's remote_ip: the
// far end of the underlay. A "flow" remote (set per packet) joins nothing.
func (t *Topology) tunnelRemotes(p *OVSPort) []*Interface {
	if p.Type != OVSVXLAN && p.Type != OVSGeneve && p.Type != OVSGRE || t.idx == nil {
		return nil
	}
	a, err := netip.ParseAddr(p.Options["remote_ip"])
	if err != nil {
		return nil
	}
	return t.AddrOwners(a)
}

func (gr *Graph) addNode(n GraphNode) { gr.nodes[n.ID] = n }

// addEdge records a link once, whichever end names it; links to nodes the
// graph does not hold (an unresolved pointer) and self-loops are dropped.
func (gr *Graph) addEdge(a, b string, k EdgeKind) {
	if a == b {
		return
	}
	if _, ok := gr.nodes[a]; !ok {
		return
	}
	if _, ok := gr.nodes[b]; !ok {
		return
	}
	if b < a {
		a, b = b, a
	}
	if _, ok := gr.edges[[2]string{a, b}]; !ok {
		gr.edges[[2]string{a, b}] = k
	}
}

// build numbers the nodes in ID order, so gonum's answers are deterministic.
func (gr *Graph) build() {
	gr.g = simple.NewUndirectedGraph()
	gr.index = make(map[string]int64, len(gr.nodes))
	for id := range gr.nodes {
		gr.ids = append(gr.ids, id)
	}
	slices.Sort(gr.ids)
	for n, id := range gr.ids {
		gr.index[id] = int64(n)
		gr.g.AddNode(simple.Node(n))
	}
	for e := range gr.edges {
		gr.g.SetEdge(simple.Edge{F: simple.Node(gr.index[e[0]]), T: simple.Node(gr.index[e[1]])})
	}
}

// Node finds a node by ID.
func (gr *Graph) Node(id string) (GraphNode, bool) {
	n, ok := gr.nodes[id]
	return n, ok
}

// Nodes lists every node, sorted by ID.
func (gr *Graph) Nodes() []GraphNode {
	out := make([]GraphNode, 0, len(gr.ids))
	for _, id := range gr.ids {
		out = append(out, gr.nodes[id])
	}
	return out
}

// Links lists every edge with its kind, sorted by (From, To).
func (gr *Graph) Links() []GraphEdge {
	out := make([]GraphEdge, 0, len(gr.edges))
	for e, k := range gr.edges {
		out = append(out, GraphEdge{From: e[0], To: e[1], Kind: k})
	}
	slices.SortFunc(out, func(a, b GraphEdge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	return out
}

// Edges lists every edge as a pair of node IDs (smaller first), sorted.
func (gr *Graph) Edges() [][2]string {
	links := gr.Links()
	out := make([][2]string, len(links))
	for k, l := range links {
		out[k] = [2]string{l.From, l.To}
	}
	return out
}

// Connected reports whether a path of links joins the two nodes. An
// unknown ID is connected to nothing.
func (gr *Graph) Connected(aID, bID string) bool {
	a, okA := gr.index[aID]
	b, okB := gr.index[bID]
	if !okA || !okB {
		return false
	}
	return topo.PathExistsIn(gr.g, simple.Node(a), simple.Node(b))
}

// Components lists the connected components: node IDs sorted within each,
// components sorted by their first ID.
func (gr *Graph) Components() [][]string {
	var out [][]string
	for _, c := range topo.ConnectedComponents(gr.g) {
		ids := make([]string, len(c))
		for k, n := range c {
			ids[k] = gr.ids[n.ID()]
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	slices.SortFunc(out, func(a, b []string) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// edgeStyle is how Dot draws each kind of link: cables solid, patch pairs
// dashed, attachment to the outside world bold, bookkeeping links grey.
var edgeStyle = map[EdgeKind]string{
	EdgeWire:       "style=solid",
	EdgeBridgePort: "style=solid, color=gray40",
	EdgeOVSPort:    "style=solid, color=gray40",
	EdgeNetdev:     "style=dotted",
	EdgePatch:      "style=dashed",
	EdgeSegment:    "style=bold",
	EdgeTunnel:     "style=dashed, color=blue",
	EdgeEndpoint:   "style=dotted, color=gray40",
}

// Dot draws the graph in Graphviz DOT: a cluster per host, nested clusters
// per namespace and per OVS bridge, segments and external endpoints outside
// every host. Output depends only on the topology, so it can be diffed.
func (gr *Graph) Dot() string {
	var b strings.Builder
	name := "topology"
	if gr.topo.Name != "" {
		name = gr.topo.Name
	}
	fmt.Fprintf(&b, "graph %s {\n", dotQuote(name))
	b.WriteString("\tnode [fontname=\"Helvetica\", fontsize=10];\n")
	for _, h := range gr.topo.Hosts {
		fmt.Fprintf(&b, "\tsubgraph %s {\n\t\tlabel=%s;\n", dotQuote("cluster_"+h.Name), dotQuote(h.Name))
		for _, ns := range h.Namespaces {
			gr.dotNamespace(&b, ns)
		}
		if h.OVS != nil {
			for _, br := range h.OVS.Bridges {
				gr.dotOVSBridge(&b, br)
			}
		}
		b.WriteString("\t}\n")
	}
	for _, s := range gr.topo.Segments {
		lines := []string{s.Name}
		for _, p := range s.Prefixes {
			lines = append(lines, p.String())
		}
		if s.Gateway.IsValid() {
			lines = append(lines, "gw "+s.Gateway.String())
		}
		dotNode(&b, "\t", graphSegmentID(s), lines, "shape=hexagon")
	}
	for _, e := range gr.topo.Endpoints {
		if e.NS == nil {
			dotNode(&b, "\t", graphEndpointID(e), dotEndpointLines(e), "shape=house")
		}
	}
	for _, l := range gr.Links() {
		fmt.Fprintf(&b, "\t%s -- %s [%s];\n", dotQuote(l.From), dotQuote(l.To), edgeStyle[l.Kind])
	}
	b.WriteString("}\n")
	return b.String()
}

func (gr *Graph) dotNamespace(b *strings.Builder, ns *Namespace) {
	eps := slices.DeleteFunc(slices.Clone(gr.topo.Endpoints), func(e *Endpoint) bool { return e.NS != ns })
	if len(ns.Interfaces) == 0 && len(eps) == 0 {
		return // an empty cluster draws nothing and only adds noise
	}
	label := ns.Name
	if ns.Kind != NSRoot {
		label += " (" + ns.Kind.String() + ")"
	}
	fmt.Fprintf(b, "\t\tsubgraph %s {\n\t\t\tlabel=%s;\n", dotQuote("cluster_"+ns.Ref()), dotQuote(label))
	for _, i := range ns.Interfaces {
		lines := []string{i.Name + " (" + i.Kind.String() + ")"}
		for _, a := range i.Addrs {
			lines = append(lines, a.String())
		}
		if i.Down {
			lines = append(lines, "down")
		}
		attrs := ""
		if i.Kind == IfBridge {
			attrs = "shape=box"
		}
		dotNode(b, "\t\t\t", graphIfaceID(i), lines, attrs)
	}
	for _, e := range eps {
		dotNode(b, "\t\t\t", graphEndpointID(e), dotEndpointLines(e), "shape=house")
	}
	b.WriteString("\t\t}\n")
}

func (gr *Graph) dotOVSBridge(b *strings.Builder, br *OVSBridge) {
	fmt.Fprintf(b, "\t\tsubgraph %s {\n\t\t\tlabel=%s;\n", dotQuote("cluster_"+graphBridgeID(br)), dotQuote("ovs "+br.Name))
	dotNode(b, "\t\t\t", graphBridgeID(br), []string{br.Name}, "shape=box, style=bold")
	for _, p := range br.Ports {
		detail := p.Type.String()
		if p.OFPort != 0 { // 0 is no OpenFlow port: not known yet
			detail += fmt.Sprintf(" ofport %d", p.OFPort)
		}
		if p.Tag != 0 {
			detail += fmt.Sprintf(" tag %d", p.Tag)
		}
		dotNode(b, "\t\t\t", graphPortID(p), []string{p.Name, detail}, "shape=box, style=rounded")
	}
	b.WriteString("\t\t}\n")
}

func dotEndpointLines(e *Endpoint) []string {
	lines := []string{e.Name + " (" + e.Kind.String() + ")"}
	if e.Addr.IsValid() {
		lines = append(lines, e.Addr.String())
	}
	return lines
}

func dotNode(b *strings.Builder, indent, id string, lines []string, attrs string) {
	if attrs != "" {
		attrs = ", " + attrs
	}
	fmt.Fprintf(b, "%s%s [label=%s%s];\n", indent, dotQuote(id), dotQuote(strings.Join(lines, "\n")), attrs)
}

// dotQuote makes s one DOT double-quoted string; a newline becomes DOT's
// centred line break.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
