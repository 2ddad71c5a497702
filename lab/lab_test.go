package lab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/scenarios"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if why := Missing(true); why != "" {
		t.Skip(why)
	}
}

// labTraces lists what a lab leaves on the machine: its namespaces, its
// daemons and its run directory.
func labTraces(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	ents, _ := os.ReadDir("/var/run/netns")
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix+"-") {
			out = append(out, "netns "+e.Name())
		}
	}
	ps, _ := exec.Command("pgrep", "-af", "/run/hopscope/"+prefix+"/").Output()
	for _, l := range strings.Split(strings.TrimSpace(string(ps)), "\n") {
		if l != "" {
			out = append(out, "process "+l)
		}
	}
	if _, err := os.Stat("/run/hopscope/" + prefix); err == nil {
		out = append(out, "dir /run/hopscope/"+prefix)
	}
	return out
}

func TestUpDownLeavesNothing(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			if sc.Topology.OVN != nil {
				t.Skip(ErrOVN)
			}
			prefix := fmt.Sprintf("hslt%d", os.Getpid()%100000)
			p, err := NewPlan(sc.Topology, Options{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			if err := Up(ctx, p); err != nil {
				Down(ctx, prefix)
				t.Fatal(err)
			}
			if len(labTraces(t, prefix)) == 0 {
				t.Fatal("lab up left no namespaces")
			}
			if err := Up(ctx, p); err == nil || !strings.Contains(err.Error(), "already up") {
				t.Errorf("a second up: %v, want an error saying it is already up", err)
			}
			if err := Down(ctx, prefix); err != nil {
				t.Fatal(err)
			}
			if left := labTraces(t, prefix); len(left) > 0 {
				t.Errorf("lab down left %v", left)
			}
		})
	}
}

func TestDownAfterPartialUp(t *testing.T) {
	requireRoot(t)
	ctx := context.Background()
	sc, err := scenarios.LoadExample("containers-double-nat")
	if err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("hslp%d", os.Getpid()%100000)
	p, err := NewPlan(sc.Topology, Options{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	// Break the plan half-way: the routes of the last namespace fail.
	last := p.Spaces[len(p.Spaces)-1]
	last.Routes = append(last.Routes, "route replace 10.99.0.0/16 via 10.98.0.1 dev nosuchdev")
	err = Up(ctx, p)
	if err == nil || !strings.Contains(err.Error(), "in "+last.Name) {
		Down(ctx, prefix)
		t.Fatalf("up: %v, want an error naming %s", err, last.Name)
	}
	if err := Down(ctx, prefix); err != nil {
		t.Fatal(err)
	}
	if left := labTraces(t, prefix); len(left) > 0 {
		t.Errorf("lab down after a partial up left %v", left)
	}
}
