package trace_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

// The performance targets' OVN network: 25,000 VIFs on 250 networks, 100
// routers with NAT, 10,000 ACLs.
const benchSwitches, benchPorts, benchACLs, benchRouters = 250, 100, 10000, 100

// maxIndexRuns bounds the Index sub-benchmark: at half a second a run,
// the trace benchmarks' -benchtime 2000x would take a quarter of an hour.
const maxIndexRuns = 20

// BenchmarkOVNTrace traces scenarios.OVNChecks' packets through the
// generated network (target: <= 0.1 ms per trace once loaded). "all"
// traces every one per iteration and reports ns/trace; each also runs
// alone. "Index" is the load cost without I/O: (*ovn.DB).Index, which
// compiles every match and builds the lookups; it skips itself when a
// -benchtime count asks for more than maxIndexRuns runs.
func BenchmarkOVNTrace(b *testing.B) {
	db := scenarios.GenerateOVN(benchSwitches, benchPorts, benchACLs, benchRouters)
	topo := &model.Topology{Name: "generated-ovn", OVN: db}
	begin := time.Now()
	if err := topo.Resolve(); err != nil {
		b.Fatal(err)
	}
	firstIndex := time.Since(begin)
	b.Logf("the first Index of the generated NB took %v", firstIndex)
	e := trace.New(topo)
	checks := scenarios.OVNChecks(benchSwitches, benchPorts, benchRouters)
	reqs := make([]trace.Request, len(checks))
	for i, c := range checks {
		if res := check.One(e, c); res.Err != nil || !res.Pass {
			var t strings.Builder
			trace.WriteText(&t, res.Traces)
			b.Fatalf("%s: %v %v\n%s", c.Name, res.Err, res.Failures, t.String())
		}
		var err error
		if reqs[i], err = check.Request(c); err != nil {
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, reqs []trace.Request) {
		b.ReportAllocs()
		for b.Loop() {
			for _, req := range reqs {
				if _, err := e.Trace(req); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/trace")
	}
	b.Run("all", func(b *testing.B) { run(b, reqs) })
	for i, c := range checks {
		b.Run(strings.ReplaceAll(c.Name, " ", "-"), func(b *testing.B) { run(b, reqs[i:i+1]) })
	}
	b.Run("Index", func(b *testing.B) {
		if b.N > maxIndexRuns {
			b.Skipf("%d runs of Index would take about %v: it runs with -benchtime up to %dx, or a duration (the first Index above took %v)",
				b.N, time.Duration(b.N)*firstIndex, maxIndexRuns, firstIndex)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := db.Index(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
