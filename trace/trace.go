package trace

import (
	"errors"
	"fmt"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/ovn"
)

// Trace is one path a packet takes; a flood or ECMP gives several.
type Trace struct {
	Packet      Packet      `json:"packet"`
	Hops        []Hop       `json:"hops"`
	Disposition Disposition `json:"disposition"`
	Why         string      `json:"why"` // the sentence that ended the trace
	Final       Packet      `json:"final"`
	Branch      []string    `json:"branch,omitempty"` // the choices (flood port, ECMP next hop) that made this path

	conns  []conn           // connections this path created, for --reply
	lconns []lconn          // connections OVN committed on this path
	endNS  *model.Namespace // where a delivered path ended
	endSeg *model.Segment   // where an exited path ended
	endLSP *ovn.SwitchPort  // the logical port a path ended at, when no host model continues it
}

// End is where a successful path ended: the namespace that received the
// packet, or the segment it left the topology through.
func (t *Trace) End() (*model.Namespace, *model.Segment) { return t.endNS, t.endSeg }

// Hop is one device the packet crossed.
type Hop struct {
	Node NodeRef `json:"node"`
	// Packet is the packet as it arrived at this device (for the first
	// hop: as it was built), encapsulation included.
	Packet Packet `json:"packet"`
	Steps  []Step `json:"steps"`
}

// NodeRef names a device: a namespace, a bridge, a segment.
type NodeRef struct {
	Kind NodeKind `json:"kind"`
	Host string   `json:"host,omitempty"`
	Name string   `json:"name"`
	Role string   `json:"role,omitempty"` // "vm", "container", "netns", ... for readers
}

func (n NodeRef) String() string {
	if n.Host == "" {
		return n.Name
	}
	return n.Host + ":" + n.Name
}

// Step is one decision inside a hop.
type Step struct {
	Kind   StepKind    `json:"kind"`
	Action StepAction  `json:"action"`
	Why    string      `json:"why"`
	Source *SourceRef  `json:"source,omitempty"`
	Detail StepDetail  `json:"detail,omitempty"`
	Diff   []FieldDiff `json:"diff,omitempty"`
	// Object is the configuration object that decided the step, when it
	// is one a what-if can switch off (see Toggle): a *netfilter.Rule,
	// *openflow.Flow, *model.Route, *model.Interface or *model.OVSPort.
	// nil otherwise, and never a typed nil.
	Object any `json:"-"`
}

// SourceRef is the configuration that decided a step: its text and where it came from.
type SourceRef struct {
	Text     string `json:"text"`
	Location string `json:"location,omitempty"`
}

// FieldDiff is one header or metadata field a step changed.
type FieldDiff struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Validate checks the hop structure every trace must have: each hop has
// steps; every hop but the first starts with EnterPort; every hop but the
// last ends with ExitPort.
func (t *Trace) Validate() error {
	if len(t.Hops) == 0 {
		return errors.New("trace has no hops")
	}
	for i, h := range t.Hops {
		if len(h.Steps) == 0 {
			return fmt.Errorf("hop %d (%s) has no steps", i, h.Node)
		}
		if i > 0 && h.Steps[0].Kind != EnterPort {
			return fmt.Errorf("hop %d (%s) starts with %s, not EnterPort", i, h.Node, h.Steps[0].Kind)
		}
		if i < len(t.Hops)-1 && h.Steps[len(h.Steps)-1].Kind != ExitPort {
			return fmt.Errorf("hop %d (%s) ends with %s, not ExitPort", i, h.Node, h.Steps[len(h.Steps)-1].Kind)
		}
	}
	return nil
}

func (t *Trace) clone() *Trace {
	c := *t
	c.Hops = make([]Hop, len(t.Hops))
	for i, h := range t.Hops {
		c.Hops[i] = Hop{Node: h.Node, Packet: h.Packet, Steps: append([]Step(nil), h.Steps...)}
	}
	c.Branch = append([]string(nil), t.Branch...)
	c.conns = append([]conn(nil), t.conns...)
	c.lconns = append([]lconn(nil), t.lconns...)
	return &c
}

func (t *Trace) lastHop() *Hop { return &t.Hops[len(t.Hops)-1] }

func (t *Trace) add(s Step) { h := t.lastHop(); h.Steps = append(h.Steps, s) }

// LogicalPort is the OVN logical port a path ended at when no host model
// took it further: a VIF it was output to, or the localnet port it left
// by. "" otherwise.
func (t *Trace) LogicalPort() string {
	if t.endLSP == nil {
		return ""
	}
	return t.endLSP.Name
}
