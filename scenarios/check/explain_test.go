package check_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// model keeps its own copy of the step kind names (it cannot import
// trace); they must be the trace package's, in its order.
func TestStepKindsAreTraces(t *testing.T) {
	var names []string
	for k := trace.StepKind(0); !strings.HasPrefix(k.String(), "unknown("); k++ {
		names = append(names, k.String())
	}
	if !slices.Equal(model.StepKinds, names) {
		t.Errorf("model.StepKinds = %q\ntrace's step kinds = %q", model.StepKinds, names)
	}
}

// TestExampleExplanations checks that every explanation of every example
// matches a hop of one of its checks' traces (forward or reply): one that
// matches nothing has a wrong glob or step and would never be shown.
func TestExampleExplanations(t *testing.T) {
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			topo := sc.Topology
			if len(topo.Explanations) == 0 {
				t.Fatal("an example without explanations teaches less than it could")
			}
			shown := map[model.Source]bool{}
			for _, r := range check.Run(sc) {
				for _, tr := range slices.Concat(r.Forward, r.Traces) {
					for _, h := range tr.Hops {
						for _, e := range topo.Explain(h.Node.Host, h.Node.Name, stepKinds(h)) {
							shown[e.Source] = true
						}
					}
				}
			}
			for _, e := range topo.Explanations {
				if !shown[e.Source] {
					t.Errorf("%s: %q matches no hop of any check's trace", e.Source, e)
				}
			}
		})
	}
}

func stepKinds(h trace.Hop) []string {
	var out []string
	for _, s := range h.Steps {
		out = append(out, s.Kind.String())
	}
	return out
}
