package oracle

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/hopscope/hopscope/lab"
	"github.com/hopscope/hopscope/scenarios"
)

// requireLab skips unless this machine can build labs.
func requireLab(t *testing.T) {
	t.Helper()
	if why := lab.Missing(true); why != "" {
		t.Skip("the kernel oracle builds labs: " + why)
	}
}

// mutantsPerExample is how many mutated copies of each example the suite
// builds; HOPSCOPE_MUTANTS overrides it.
func mutantsPerExample(t *testing.T) int {
	n := 9
	if s := os.Getenv("HOPSCOPE_MUTANTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("HOPSCOPE_MUTANTS=%q: want a number", s)
		}
		n = v
	}
	return n
}

// TestKernelAgreement builds every example and mutations of it as real
// namespaces, probes them, and fails on any case where the simulator and
// the kernel disagree. It prints the agreement table; set
// HOPSCOPE_AGREEMENT=FILE to keep it.
func TestKernelAgreement(t *testing.T) {
	requireLab(t)
	ctx := context.Background()
	var runs []LabRun
	prefix := fmt.Sprintf("hsor%d", os.Getpid()%100000)
	for _, name := range scenarios.Examples() {
		for m := 0; m <= mutantsPerExample(t); m++ {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Topology.OVN != nil {
				break // lab.ErrOVN: the OVN differential covers it
			}
			what := ""
			if m > 0 {
				kind := MutationKinds[(m-1)%len(MutationKinds)]
				h := fnv.New64a()
				fmt.Fprint(h, name, m)
				var ok bool
				what, ok, err = Mutate(sc.Topology, kind, rand.New(rand.NewPCG(h.Sum64(), 1)))
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					continue // nothing of that kind in this example
				}
			}
			out, _, err := Run(ctx, sc, prefix)
			if err != nil {
				t.Fatalf("%s [%s]: %v", name, what, err)
			}
			runs = append(runs, LabRun{Scenario: name, Mutation: what, Outcomes: out})
		}
	}
	var b bytes.Buffer
	WriteTable(&b, runs)
	t.Log("\n" + b.String())
	if f := os.Getenv("HOPSCOPE_AGREEMENT"); f != "" {
		if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
	compared := 0
	for _, r := range runs {
		_, c, a := r.Tally()
		compared += c
		if c != a {
			t.Errorf("%s [%s]: %d of %d cases disagree (see the table)", r.Scenario, r.Mutation, c-a, c)
		}
	}
	if compared < 300 {
		t.Errorf("only %d cases compared: the suite promises at least 300", compared)
	}
}
