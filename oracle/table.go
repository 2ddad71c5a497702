package oracle

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// LabRun is one lab's outcomes: a scenario, possibly mutated.
type LabRun struct {
	Scenario string
	Mutation string // "" for the scenario as written
	Outcomes []Outcome
}

// Tally counts one run's outcomes.
func (r LabRun) Tally() (cases, compared, agreed int) {
	for _, o := range r.Outcomes {
		cases++
		if o.Sim.Skip != "" || o.Kernel.Skip != "" {
			continue
		}
		compared++
		if o.Differ == "" {
			agreed++
		}
	}
	return
}

// WriteTable prints the agreement table: per run the cases, how many both
// oracles could judge, how many agreed, then every disagreement with both
// verdicts.
func WriteTable(w io.Writer, runs []LabRun) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tmutation\tcases\tcompared\tagreed\tdisagreed\tnot comparable")
	var tc, tcmp, ta int
	for _, r := range runs {
		c, cmp, a := r.Tally()
		tc, tcmp, ta = tc+c, tcmp+cmp, ta+a
		m := r.Mutation
		if m == "" {
			m = "(as written)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", r.Scenario, m, c, cmp, a, cmp-a, c-cmp)
	}
	fmt.Fprintf(tw, "TOTAL\t%d runs\t%d\t%d\t%d\t%d\t%d\n", len(runs), tc, tcmp, ta, tcmp-ta, tc-tcmp)
	tw.Flush()
	for _, r := range runs {
		for _, o := range r.Outcomes {
			if o.Differ != "" {
				fmt.Fprintf(w, "\nDISAGREE %s [%s] %s: %s differs\n  simulator: %s\n  kernel:    %s\n", r.Scenario, r.Mutation, o.Case, o.Differ, o.Sim, o.Kernel)
			}
		}
	}
}
