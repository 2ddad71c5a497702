package ofproto

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model/openflow"
	"github.com/hopscope/hopscope/trace"
)

// bigTable writes tables×perTable flows: per table, exact nw_dst flows
// that resubmit to the next table (the last outputs), higher-priority
// tcp_dst flows and nw_src prefixes the benchmark packet misses, so the
// classifier has several subtables to search in every table.
func bigTable(tables, perTable int) string {
	var b strings.Builder
	for t := 0; t < tables; t++ {
		next := fmt.Sprintf("resubmit(,%d)", t+1)
		if t == tables-1 {
			next = "output:2"
		}
		for i := 0; i < perTable; i++ {
			switch {
			case i < perTable*7/10:
				fmt.Fprintf(&b, "table=%d,priority=100,ip,nw_dst=10.0.%d.%d actions=set_field:%d->reg1,%s\n", t, i>>8, i&255, i, next)
			case i < perTable*9/10:
				fmt.Fprintf(&b, "table=%d,priority=200,tcp,tp_dst=%d actions=drop\n", t, 1000+i)
			default:
				fmt.Fprintf(&b, "table=%d,priority=150,ip,nw_src=172.%d.%d.0/24 actions=drop\n", t, 16+i>>8, i&255)
			}
		}
	}
	return b.String()
}

// BenchmarkOfprotoTrace traces one packet through 20 tables of a bridge
// holding 100,000 flows: over a kept unixctl connection (with and without
// parsing the result) and by exec'ing ovs-appctl, as most tools do.
func BenchmarkOfprotoTrace(b *testing.B) {
	requireSwitch(b)
	s := startSwitch(b)
	if err := s.AddBridge("br0", "secure", basicPorts[:4]); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "flows.txt")
	if err := os.WriteFile(file, []byte(bigTable(20, 5000)), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := s.AddFlowsFile("br0", file); err != nil {
		b.Fatal(err)
	}
	const packet = "in_port=1,dl_src=00:00:00:00:00:01,dl_dst=00:00:00:00:00:02,dl_type=0x0800,nw_src=10.9.0.1,nw_dst=10.0.3.7,nw_proto=6,tcp_src=999,tcp_dst=80,nw_ttl=64"
	r, err := s.Trace("br0", packet)
	if err != nil {
		b.Fatal(err)
	}
	if len(r.Tables) != 20 || len(r.Outputs) != 1 || r.Outputs[0].Port != "p2" {
		b.Fatalf("the packet should cross 20 tables and leave by p2, not %d tables, %v:\n%s", len(r.Tables), r.Outputs, r.Raw)
	}
	// hopscope on the same flows and packet, in the same run.
	bridge, err := ModelBridge("br0", basicPorts[:4], bigTable(20, 5000))
	if err != nil {
		b.Fatal(err)
	}
	in, err := openflow.ParsePacket(packet)
	if err != nil {
		b.Fatal(err)
	}
	pipeline := trace.NewPipeline(bridge)
	b.Run("hopscope", func(b *testing.B) {
		for b.Loop() {
			outs, _, end, _ := pipeline.Run(in)
			if end != nil || len(outs) != 1 || outs[0].Port != "p2" {
				b.Fatalf("hopscope: %v %v", outs, end)
			}
		}
	})
	b.Run("unixctl", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Trace("br0", packet); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unixctl-no-parse", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ctl.call("ofproto/trace", "br0", packet); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("exec-ovs-appctl", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.trace("br0", packet, s.appctlExec); err != nil {
				b.Fatal(err)
			}
		}
	})
}
