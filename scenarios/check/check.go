// Package check runs a scenario's what-if checks through the trace engine
// and says, per check, whether the traced outcome meets its expectations.
package check

import (
	"fmt"
	"strings"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/netfilter"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// Result is the outcome of one check.
type Result struct {
	Check    scenarios.Check
	Pass     bool
	Failures []string       // each unmet expectation, one sentence each
	Traces   []*trace.Trace // the traces judged (the reply's, for a reply check)
	Forward  []*trace.Trace // the forward traces, for a reply check
	Err      error          // the check could not run (bad endpoint, say)
}

// Run runs every check of s, in order.
func Run(s *scenarios.Scenario) []Result {
	e := trace.New(s.Topology)
	out := make([]Result, 0, len(s.Checks))
	for _, c := range s.Checks {
		out = append(out, One(e, c))
	}
	return out
}

// One runs a single check on engine e. Rules the check disables are
// switched off only while it runs.
func One(e *trace.Engine, c scenarios.Check) Result {
	res := Result{Check: c}
	restore, err := disable(e.Topo, c.Disable)
	defer restore()
	if err != nil {
		res.Err = err
		return res
	}
	req, err := Request(c)
	if err != nil {
		res.Err = err
		return res
	}
	traces, err := e.Trace(req)
	if err != nil {
		res.Err = err
		return res
	}
	if c.Reply {
		res.Forward = traces
		if traces, err = e.Reply(traces); err != nil {
			res.Failures = []string{"reply: " + err.Error()}
			return res
		}
	}
	res.Traces = traces
	// A flood or ECMP gives several paths: the check passes if one meets
	// every expectation; otherwise the first path's failures are reported.
	for i, t := range traces {
		f := judge(c.Expect, t)
		if len(f) == 0 {
			res.Pass, res.Failures = true, nil
			return res
		}
		if i == 0 {
			res.Failures = f
		}
	}
	if len(traces) == 0 {
		res.Failures = []string{"the trace produced no path"}
	}
	return res
}

// Request turns a check into a trace request.
func Request(c scenarios.Check) (trace.Request, error) {
	proto, err := trace.ParseProto(c.Proto)
	if err != nil {
		return trace.Request{}, err
	}
	return trace.Request{From: c.From, To: c.To, Proto: proto,
		SrcPort: uint16(c.SPort), DstPort: uint16(c.DPort), SrcIP: c.SrcIP}, nil
}

func judge(x scenarios.Expect, t *trace.Trace) []string {
	var f []string
	if x.Disposition != "" && t.Disposition.String() != x.Disposition {
		f = append(f, fmt.Sprintf("disposition is %s, expected %s (%s)", t.Disposition, x.Disposition, t.Why))
	}
	if x.Src.IsValid() && t.Final.Src != x.Src {
		f = append(f, fmt.Sprintf("final source is %s, expected %s", t.Final.Src, x.Src))
	}
	if x.Dst.IsValid() && t.Final.Dst != x.Dst {
		f = append(f, fmt.Sprintf("final destination is %s, expected %s", t.Final.Dst, x.Dst))
	}
	if len(x.Via) > 0 {
		if missing := viaMissing(x.Via, t); missing != "" {
			f = append(f, fmt.Sprintf("the path does not pass %s where expected (in order: %s)", missing, strings.Join(x.Via, ", ")))
		}
	}
	if x.DecidedBy != "" && !decidedBy(t, x.DecidedBy) {
		f = append(f, fmt.Sprintf("the deciding step does not mention %q (it was: %s)", x.DecidedBy, t.Why))
	}
	return f
}

// viaMissing returns the first name of via that does not appear, in order,
// among the hops' device names and the ports they entered and left by.
func viaMissing(via []string, t *trace.Trace) string {
	var names []string
	for _, h := range t.Hops {
		names = append(names, h.Node.Name, h.Node.String())
		for _, s := range h.Steps {
			if d, ok := s.Detail.(*trace.PortDetail); ok {
				names = append(names, d.Port)
			}
		}
	}
	i := 0
	for _, v := range via {
		for i < len(names) && names[i] != v {
			i++
		}
		if i == len(names) {
			return v
		}
	}
	return ""
}

// decidedBy looks for text in the steps that decided the outcome: the
// final step and the one before it in the last hop.
func decidedBy(t *trace.Trace, text string) bool {
	steps := t.Hops[len(t.Hops)-1].Steps
	for i := len(steps) - 1; i >= 0 && i >= len(steps)-2; i-- {
		s := steps[i]
		if strings.Contains(s.Why, text) {
			return true
		}
		if s.Source != nil && (strings.Contains(s.Source.Text, text) || strings.Contains(s.Source.Location, text)) {
			return true
		}
		if d, ok := s.Detail.(*trace.NetfilterDetail); ok && d.Chain == text {
			return true
		}
	}
	return false
}

// disable switches off the rules a check names and returns the function
// that switches them back on.
func disable(t *model.Topology, refs []scenarios.RuleRef) (func(), error) {
	var off []*netfilter.Rule
	restore := func() {
		for _, r := range off {
			r.Disabled = false
		}
	}
	for _, ref := range refs {
		rl, err := FindRule(t, ref.NS, ref.Table, ref.Rule)
		if err != nil {
			return restore, fmt.Errorf("%s: disable: %w", ref.Source, err)
		}
		if !rl.Disabled {
			rl.Disabled = true
			off = append(off, rl)
		}
	}
	return restore, nil
}

// FindRule finds an iptables rule by namespace ("host:ns"), table and its exact -A text.
func FindRule(t *model.Topology, nsRef, table, text string) (*netfilter.Rule, error) {
	host, nsName, ok := strings.Cut(nsRef, ":")
	if !ok {
		return nil, fmt.Errorf("namespace %q: want host:ns", nsRef)
	}
	h := t.Host(host)
	if h == nil {
		return nil, fmt.Errorf("no host %q", host)
	}
	ns := h.Namespace(nsName)
	if ns == nil {
		return nil, fmt.Errorf("host %s has no namespace %q", host, nsName)
	}
	if ns.Netfilter == nil {
		return nil, fmt.Errorf("%s has no iptables rules", nsRef)
	}
	rl := ns.Netfilter.FindRule(table, text)
	if rl == nil {
		return nil, fmt.Errorf("%s table %s has no rule %q", nsRef, table, text)
	}
	return rl, nil
}
