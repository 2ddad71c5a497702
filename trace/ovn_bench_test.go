package trace_test

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
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
// generated network (target: median <= 0.1 ms per trace once loaded).
// "all" traces every one per iteration; each also runs alone. Besides
// ns/op they report per trace the mean and median wall time and the
// process's CPU time (GC included), which a busy machine disturbs less.
// "Index" is the load cost without I/O: (*ovn.DB).Index, which compiles
// every match and builds the lookups; it is left out when a -benchtime
// count asks for more than maxIndexRuns runs.
func BenchmarkOVNTrace(b *testing.B) {
	db := scenarios.GenerateOVN(benchSwitches, benchPorts, benchACLs, benchRouters)
	topo := &model.Topology{Name: "generated-ovn", OVN: db}
	begin := time.Now()
	if err := topo.Resolve(); err != nil {
		b.Fatal(err)
	}
	firstIndex := time.Since(begin)
	note := fmt.Sprintf("the generated NB's first Index took %v", firstIndex)
	n := fixedCount()
	if n > maxIndexRuns {
		note += fmt.Sprintf("; the Index sub-benchmark is left out: %d runs of it would take about %v (it runs with -benchtime up to %dx, or a duration)",
			n, time.Duration(n)*firstIndex, maxIndexRuns)
	}
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
		var laps []time.Duration
		cpu := cpuTime()
		for b.Loop() {
			begin := time.Now()
			for _, req := range reqs {
				if _, err := e.Trace(req); err != nil {
					b.Fatal(err)
				}
			}
			laps = append(laps, time.Since(begin))
		}
		n := float64(b.N * len(reqs))
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/trace")
		b.ReportMetric(float64(median(laps))/float64(len(reqs)), "median-ns/trace")
		b.ReportMetric(float64(cpuTime()-cpu)/n, "cpu-ns/trace")
	}
	runtime.GC() // Index's garbage, so that its collection is not timed
	b.Run("all", func(b *testing.B) {
		run(b, reqs)
		b.Log(note)
	})
	for i, c := range checks {
		b.Run(strings.ReplaceAll(c.Name, " ", "-"), func(b *testing.B) { run(b, reqs[i:i+1]) })
	}
	if n > maxIndexRuns {
		return
	}
	b.Run("Index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := db.Index(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fixedCount is the N of -benchtime Nx, or 0 for a duration.
func fixedCount() int {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(f.Value.String(), "x"))
	if err != nil || !strings.HasSuffix(f.Value.String(), "x") {
		return 0
	}
	return n
}

// median is the middle of ds (which it sorts).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
