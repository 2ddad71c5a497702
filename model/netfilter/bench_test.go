package netfilter

import (
	"sort"
	"testing"
	"time"
)

// benchPorts gives GenerateNeutronHost about 100k rules (29 per port).
const benchPorts = 3500

func countRules(rs *Ruleset) int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	return n
}

func BenchmarkParse100k(b *testing.B) {
	text := GenerateNeutronHost(benchPorts)
	b.SetBytes(int64(len(text)))
	var rs *Ruleset
	for b.Loop() {
		var err error
		if rs, err = Parse(text); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(countRules(rs)), "rules")
}

func BenchmarkEvaluate100k(b *testing.B) {
	rs, err := Parse(GenerateNeutronHost(benchPorts))
	if err != nil {
		b.Fatal(err)
	}
	filter := rs.Table("filter")
	base := *benchPacket(benchPorts - 1)
	var times []time.Duration
	for b.Loop() {
		p := base
		start := time.Now()
		if out := filter.Evaluate("FORWARD", &p); out.Verdict != VerdictAccept {
			b.Fatalf("got %s", out)
		}
		times = append(times, time.Since(start))
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "median-ns")
	b.ReportMetric(float64(countRules(rs)), "rules")
}
