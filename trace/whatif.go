package trace

import (
	"errors"
	"fmt"
	"slices"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/model/openflow"
	"github.com/hopscope/hopscope/model/ovn"
)

// A what-if switches one configuration object off in the in-memory model
// (never on a live system) and traces again. Each kind has its own switch,
// which the stage that reads the object honours:
//
//	*netfilter.Rule  Disabled  Evaluate skips it
//	*openflow.Flow   Disabled  Lookup skips it; the flow below it applies
//	*model.Route     Disabled  the FIB lookup skips it
//	*model.Interface Down      link down: nothing enters or leaves
//	*model.OVSPort   Down      admin down: nothing enters or leaves
//	*ovn.ACL, *ovn.NAT, *ovn.Route, *ovn.Policy  Disabled  the pipeline skips it
//	*ovn.SwitchPort  Disabled  like enabled=false: OVN drops what it sends

// Toggle switches the configuration object o off, or back on when it is
// off, and says what it did ("switched off iptables rule ... in host:ns
// table filter"). o is a Step.Object or a RuleHit.Object. The engine's
// caches are reset.
func (e *Engine) Toggle(o any) (string, error) {
	sw, err := offSwitch(o)
	if err != nil {
		return "", err
	}
	if f, ok := o.(*openflow.Flow); ok && !e.ownsFlow(f) {
		return "", fmt.Errorf("what-if: %s is not in any bridge's flow table (a learn action adds it during the trace): switch off the flow with the learn action", Describe(f))
	}
	*sw = !*sw
	// The L2 walk's answers depend on flows, ports and links; flow texts
	// do not, but a clean slate costs little. Nothing else is cached: the
	// netfilter and OpenFlow indexes check the switch per candidate.
	e.Reset()
	what := Describe(o)
	if rt, ok := o.(*model.Route); ok {
		what = describeRouteIn(rt, e.routeNS(rt))
	}
	if *sw {
		return "switched off " + what, nil
	}
	return "switched back on " + what, nil
}

// offSwitch is the field that switches o off: Disabled or Down.
func offSwitch(o any) (*bool, error) {
	var sw *bool
	switch o := o.(type) {
	case *netfilter.Rule:
		if o != nil {
			sw = &o.Disabled
		}
	case *openflow.Flow:
		if o != nil {
			sw = &o.Disabled
		}
	case *model.Route:
		if o != nil {
			sw = &o.Disabled
		}
	case *model.Interface:
		if o != nil {
			sw = &o.Down
		}
	case *model.OVSPort:
		if o != nil {
			sw = &o.Down
		}
	case *ovn.ACL:
		if o != nil {
			sw = &o.Disabled
		}
	case *ovn.NAT:
		if o != nil {
			sw = &o.Disabled
		}
	case *ovn.Route:
		if o != nil {
			sw = &o.Disabled
		}
	case *ovn.Policy:
		if o != nil {
			sw = &o.Disabled
		}
	case *ovn.SwitchPort:
		if o != nil {
			sw = &o.Disabled
		}
	case nil:
	default:
		return nil, fmt.Errorf("what-if: cannot switch off a %T: want an iptables rule, OpenFlow flow, route, interface, OVS port or OVN ACL, NAT, route, policy or port", o)
	}
	if sw == nil {
		return nil, errors.New("what-if: nothing to switch off")
	}
	return sw, nil
}

// routeNS finds the namespace whose tables hold rt; nil when none does.
func (e *Engine) routeNS(rt *model.Route) *model.Namespace {
	for _, h := range e.Topo.Hosts {
		for _, ns := range h.Namespaces {
			if slices.Contains(ns.Routes, rt) {
				return ns
			}
		}
	}
	return nil
}

// ownsFlow reports whether f is in the flow table of one of the
// topology's bridges, as opposed to one a learn action added in a run.
func (e *Engine) ownsFlow(f *openflow.Flow) bool {
	for _, h := range e.Topo.Hosts {
		if h.OVS == nil {
			continue
		}
		for _, b := range h.OVS.Bridges {
			if b.Flows != nil && (f.Bridge == "" || f.Bridge == b.Ref()) && slices.Contains(b.Flows.All(), f) {
				return true
			}
		}
	}
	return false
}

// IsOff reports whether o is switched off: a disabled rule, flow or
// route, or a down interface or OVS port. Anything else is not.
func IsOff(o any) bool {
	sw, err := offSwitch(o)
	return err == nil && *sw
}

// Describe names o in one line for a user: "iptables rule -A ... in
// host:ns table filter", "flow in host:br-int table 60 priority 3: <match>
// actions=<actions>", "route default via 10.0.0.1 dev eth0 in host:ns table
// main", "interface host:ns:eth0", "OVS port host:br-int:qvo1234".
func Describe(o any) string {
	switch o := o.(type) {
	case *netfilter.Rule:
		if o != nil {
			return describeRule(o)
		}
	case *openflow.Flow:
		if o != nil {
			return describeFlow(o)
		}
	case *model.Route:
		if o != nil {
			return describeRouteIn(o, nexthopNS(o))
		}
	case *model.Interface:
		if o != nil {
			return "interface " + o.Ref()
		}
	case *model.OVSPort:
		if o != nil {
			return "OVS port " + o.Ref()
		}
	case *ovn.ACL:
		if o != nil {
			return fmt.Sprintf("OVN ACL %s %d %s %s on %s", o.Direction, o.Priority, o.Match, o.Action, o.Owner)
		}
	case *ovn.NAT:
		if o != nil {
			return "OVN NAT " + ovnNATText(o)
		}
	case *ovn.Route:
		if o != nil {
			return "OVN static route " + routeText(o)
		}
	case *ovn.Policy:
		if o != nil {
			return fmt.Sprintf("OVN router policy %d %s %s", o.Priority, o.Match, o.Action)
		}
	case *ovn.SwitchPort:
		if o != nil {
			return "OVN logical port " + o.Name
		}
	}
	return fmt.Sprintf("%T", o)
}

func describeRule(r *netfilter.Rule) string {
	s := "iptables rule " + r.String()
	t := r.Table()
	switch {
	case t == nil:
	case t.Owner != "":
		s += " in " + t.Owner + " table " + t.Name
	default:
		s += " in table " + t.Name
	}
	return s
}

func describeFlow(f *openflow.Flow) string {
	where := "flow"
	if f.Bridge != "" {
		where += " in " + f.Bridge
	}
	txt := flowText(f)
	return fmt.Sprintf("%s table %d priority %d: %s actions=%s", where, f.Table, f.Priority, txt[0], txt[1])
}

// describeRouteIn names a route with its namespace, when known, and its
// table (Route.String leaves out table main).
func describeRouteIn(r *model.Route, ns *model.Namespace) string {
	s := "route " + r.String()
	if ns != nil {
		s += " in " + ns.Ref()
	}
	if r.Table == model.TableMain {
		s += " table main"
	}
	return s
}

// nexthopNS is the namespace of a route's resolved device: a route does
// not point at its namespace, and one without a device (blackhole) names
// none.
func nexthopNS(r *model.Route) *model.Namespace {
	for _, nh := range r.Nexthops {
		if nh.Iface != nil && nh.Iface.NS != nil {
			return nh.Iface.NS
		}
	}
	return nil
}
