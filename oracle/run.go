package oracle

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/trace"
)

// Outcome is one case judged by both oracles.
type Outcome struct {
	Case   Case
	Sim    Verdict
	Kernel Verdict
	Differ string // "" when they agree; the first field that differs
}

// Run realises sc in a lab named prefix, asks both oracles about its cases
// and takes the lab down again.
func Run(ctx context.Context, sc *scenarios.Scenario, prefix string) ([]Outcome, *lab.Plan, error) {
	cases := Cases(sc)
	var extra []netip.Addr
	for _, c := range cases {
		extra = append(extra, c.Dst)
	}
	p, err := lab.NewPlan(sc.Topology, lab.Options{Prefix: prefix, Extra: extra})
	if err != nil {
		return nil, nil, err
	}
	e := trace.New(sc.Topology)
	sims := make([]Verdict, len(cases))
	for i, c := range cases {
		sims[i] = Simulate(e, p, c)
	}
	if err := lab.Up(ctx, p); err != nil {
		return nil, p, errorsJoin(err, lab.Down(ctx, p.Prefix))
	}
	kern, err := Probe(p, cases, Ports(cases, sims), 3*time.Second)
	if derr := lab.Down(ctx, p.Prefix); err == nil && derr != nil {
		err = derr
	}
	if err != nil {
		return nil, p, err
	}
	out := make([]Outcome, len(cases))
	for i, c := range cases {
		o := Outcome{Case: c, Sim: sims[i], Kernel: kern[i]}
		if o.Sim.Skip == "" && o.Kernel.Skip == "" {
			o.Differ = Agree(o.Sim, o.Kernel)
		}
		out[i] = o
	}
	return out, p, nil
}

func errorsJoin(err, down error) error {
	if down != nil {
		return fmt.Errorf("%w (and taking the lab down: %v)", err, down)
	}
	return err
}
