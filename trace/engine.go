package trace

import (
	"fmt"
	"hash/fnv"
	"net/netip"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
)

// MaxHops bounds every trace; reaching it ends the trace as a LOOP.
const MaxHops = 64

// Engine traces packets through one topology. It caches what it learns of
// the L2 domains (which MACs live behind which port), so build one per
// topology and reuse it.
type Engine struct {
	Topo  *model.Topology
	reach map[l2Key][]terminal
	texts flowTexts
}

// New makes an engine for a resolved topology.
func New(t *model.Topology) *Engine {
	return &Engine{Topo: t, reach: map[l2Key][]terminal{}, texts: flowTexts{}}
}

// Reset forgets cached L2 knowledge and flow texts; call it after changing
// the topology.
func (e *Engine) Reset() { e.reach, e.texts = map[l2Key][]terminal{}, flowTexts{} }

// mac is an interface's MAC, or a stable made-up one when the model has none,
// so that FDB decisions stay possible.
func (e *Engine) mac(i *model.Interface) model.MAC {
	if !i.MAC.IsZero() {
		return i.MAC
	}
	return fakeMAC(i.Ref())
}

func (e *Engine) gatewayMAC(s *model.Segment) model.MAC {
	if !s.GatewayMAC.IsZero() {
		return s.GatewayMAC
	}
	return fakeMAC("gateway:" + s.Name)
}

func (e *Engine) externalMAC(ep *model.Endpoint) model.MAC { return fakeMAC("external:" + ep.Name) }

// fakeMAC derives a locally administered unicast MAC from a name.
func fakeMAC(name string) model.MAC {
	h := fnv.New32a()
	h.Write([]byte(name))
	s := h.Sum32()
	return model.MAC{0x02, 0x00, byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)}
}

// run is one Trace call: the finished traces and, for a reply, the
// connections of the forward trace.
type run struct {
	e       *Engine
	done    []*Trace
	reply   bool
	fwConns []conn
	fwL     []lconn                              // OVN's connections of the forward trace
	learnt  map[*model.OVSBridge]*openflow.Flows // flows learn actions added during this run
}

// cur is one path being walked.
type cur struct {
	tr   *Trace
	seen map[hopKey]bool
	// nsConn is the connection the packet belongs to in the namespace being
	// crossed right now (forward: the one it created; reply: the one it matched).
	nsConn *conn
}

func (c *cur) fork(label string) *cur {
	n := &cur{tr: c.tr.clone(), seen: make(map[hopKey]bool, len(c.seen))}
	for k := range c.seen {
		n.seen[k] = true
	}
	if c.nsConn != nil {
		cc := *c.nsConn
		n.nsConn = &cc
	}
	n.tr.Branch = append(n.tr.Branch, label)
	return n
}

// hopKey is what makes a packet at a node the same again: a loop.
type hopKey struct {
	kind       NodeKind
	host, name string
	src, dst   netip.Addr
	dstMAC     model.MAC
	vlan       uint16
	mark       uint32
	loopback   bool
}

// enter starts a hop; it ends the trace as a LOOP when the packet was here
// before in the same state, or the hop limit is reached.
func (r *run) enter(c *cur, node NodeRef, p Packet) bool {
	key := hopKey{node.Kind, node.Host, node.Name, p.Src, p.Dst, p.DstMAC, p.VLAN, p.Mark, p.loopback}
	// A loop ends the path on the hop that sent the packet back, so every
	// hop keeps its EnterPort/ExitPort shape.
	if c.seen[key] {
		r.finish(c, Loop, Step{Kind: Deliver, Action: DroppedAction,
			Why: "the packet would enter " + node.String() + " again unchanged: a forwarding loop"}, p)
		return false
	}
	if len(c.tr.Hops) >= MaxHops {
		r.finish(c, Loop, Step{Kind: Deliver, Action: DroppedAction,
			Why: fmt.Sprintf("hop limit %d reached: a forwarding loop", MaxHops)}, p)
		return false
	}
	c.seen[key] = true
	c.tr.Hops = append(c.tr.Hops, Hop{Node: node, Packet: p})
	return true
}

// finish ends a path with a final step and disposition.
func (r *run) finish(c *cur, d Disposition, last Step, p Packet) {
	if len(c.tr.Hops) == 0 {
		c.tr.Hops = append(c.tr.Hops, Hop{Node: NodeRef{Name: "?"}})
	}
	c.tr.add(last)
	c.tr.Disposition = d
	c.tr.Why = last.Why
	c.tr.Final = p
	r.done = append(r.done, c.tr)
}

func nsNode(ns *model.Namespace) NodeRef {
	role := ns.Kind.String()
	if ns.Kind == model.NSGuest {
		if ep := ns.Host.Topo.Endpoint(ns.Name); ep != nil {
			role = ep.Kind.String()
		}
	}
	return NodeRef{Kind: NodeNamespace, Host: ns.Host.Name, Name: ns.Name, Role: role}
}

func srcRef(text string, s model.Source) *SourceRef {
	return &SourceRef{Text: text, Location: s.String()}
}

// object is p as a Step.Object: nil, not a typed nil, when p is nil.
func object[T any](p *T) any {
	if p == nil {
		return nil
	}
	return p
}
