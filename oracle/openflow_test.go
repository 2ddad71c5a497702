package oracle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/model/openflow"
	"github.com/hopscope/hopscope/oracle/ofproto"
	"github.com/hopscope/hopscope/trace"
)

// TestOpenFlowAgreement loads randomised flow tables into a real
// ovs-vswitchd, asks ofproto/trace where each packet goes, and asks
// hopscope's interpreter the same: the output ports (in order), a drop,
// and the headers at each output must agree. HOPSCOPE_OF_CASES sets how
// many tables (default 300).
func TestOpenFlowAgreement(t *testing.T) {
	if why := ofproto.Missing(); why != "" {
		t.Skip("the OpenFlow oracle runs a real ovs-vswitchd: " + why)
	}
	n := 300
	if s := os.Getenv("HOPSCOPE_OF_CASES"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("HOPSCOPE_OF_CASES=%q: want a number", s)
		}
		n = v
	}
	sw, err := ofproto.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer sw.Close()

	// Every case's ports are p1..pN with ofports 1..N (N <= 8), and no
	// case floods: one bridge with p1..p8 serves them all.
	const br = "br0"
	var all []ofproto.Port
	for i := 1; i <= 8; i++ {
		all = append(all, ofproto.Port{Name: fmt.Sprintf("p%d", i), OFPort: i})
	}
	if err := sw.AddBridge(br, "secure", all); err != nil {
		t.Fatal(err)
	}
	var agreed, disagreed, skipped int
	for _, c := range ofproto.RandomCases(1, n) {
		if err := sw.ReplaceFlows(br, c.Flows); err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		want, err := sw.Trace(br, c.Packet)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		// hopscope reads what the switch holds, as a live import does:
		// OpenFlow 1.5 turns some actions into others (mod_vlan_vid on a
		// possibly tagged frame becomes push_vlan and set_field).
		held, err := sw.DumpFlows(br)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, skip, err := simulateBridge(br, c.Ports, held, c.Packet)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if skip == "" && len(want.Other) > 0 {
			skip = "ofproto/trace used datapath actions the comparison does not judge: " + strings.Join(want.Other, " ")
		}
		if skip != "" {
			skipped++
			continue
		}
		if d := compareOutputs(want, got, false); d != "" {
			disagreed++
			t.Errorf("%s: %s\nflows:\n%s\nofproto/trace:\n%s", c, d, c.Flows, want.Raw)
			continue
		}
		agreed++
	}
	t.Logf("OpenFlow agreement with ofproto/trace: %d cases, %d agreed, %d disagreed, %d not comparable", n, agreed, disagreed, skipped)
}

// bridgeOut is one output as the comparison sees it.
type bridgeOut struct {
	port string
	set  map[string]string
}

// simulateBridge runs hopscope's interpreter on one bridge and packet.
func simulateBridge(name string, ports []ofproto.Port, flows, packet string) ([]bridgeOut, string, error) {
	b, err := ofproto.ModelBridge(name, ports, flows)
	if err != nil {
		return nil, "", err
	}
	in, err := openflow.ParsePacket(packet)
	if errors.Is(err, openflow.ErrUnmodelled) {
		return nil, err.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	outs, _, end, _ := trace.NewPipeline(b).Run(in)
	if end != nil && end.Action == trace.UnsupportedAction {
		return nil, end.Why, nil
	}
	var got []bridgeOut
	for _, o := range outs {
		got = append(got, bridgeOut{port: o.Port, set: changed(in, o.State)})
	}
	return got, "", nil
}

// changed lists the header fields that differ between two states, named
// and printed as ofproto/trace's Output.Set names them.
func changed(a, b openflow.State) map[string]string {
	out := map[string]string{}
	for _, f := range []openflow.Field{openflow.DlSrc, openflow.DlDst, openflow.NwSrc, openflow.NwDst,
		openflow.NwTTL, openflow.TpSrc, openflow.TpDst} {
		if x, y := a.Get(f), b.Get(f); x != y {
			out[f.String()] = openflow.FormatValue(f, y)
		}
	}
	if x, y := a.Get(openflow.VlanTCI), b.Get(openflow.VlanTCI); x&0x1fff != y&0x1fff {
		out["vlan"] = "none"
		if y&0x1000 != 0 {
			out["vlan"] = strconv.FormatUint(y&0xfff, 10)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// compareOutputs says how hopscope's outputs differ from ofproto/trace's;
// anyOrder compares them as sets (a flood's order is the switch's own).
func compareOutputs(want *ofproto.Result, got []bridgeOut, anyOrder bool) string {
	var w, g []string
	for _, o := range want.Outputs {
		if o.Port == "CONTROLLER" && o.Reason == "invalid_ttl" {
			continue // dec_ttl at TTL 1: hopscope ends the path there, with no output
		}
		w = append(w, outText(o.Port, only(o.Set, want.Input)))
	}
	for _, o := range got {
		if o.port == "CONTROLLER" {
			continue
		}
		g = append(g, outText(o.port, o.set))
	}
	if anyOrder {
		slices.Sort(w)
		slices.Sort(g)
	}
	if !slices.Equal(w, g) {
		return fmt.Sprintf("outputs differ:\n  ofproto/trace: %v\n  hopscope:      %v", w, g)
	}
	return ""
}

// only keeps the fields the comparison judges, with a masked datapath set
// (set(eth(dst=V/M))) applied to the input value.
func only(set, input map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range set {
		switch k {
		case "dl_src", "dl_dst", "nw_src", "nw_dst", "nw_ttl", "tp_src", "tp_dst", "vlan", "tun_id":
			if val, mask, ok := strings.Cut(v, "/"); ok {
				v = applyMask(input[k], val, mask)
			}
			if v != input[k] {
				out[k] = v
			}
		}
	}
	return out
}

// applyMask sets the bits of old that mask selects to val's, for MACs and
// dotted quads (bytes separated by ':' or '.').
func applyMask(old, val, mask string) string {
	sep, base := ":", 16
	if strings.Contains(val, ".") {
		sep, base = ".", 10
	}
	o, v, m := strings.Split(old, sep), strings.Split(val, sep), strings.Split(mask, sep)
	if len(o) != len(v) || len(v) != len(m) {
		return val + "/" + mask
	}
	for i := range o {
		ob, _ := strconv.ParseUint(o[i], base, 8)
		vb, _ := strconv.ParseUint(v[i], base, 8)
		mb, _ := strconv.ParseUint(m[i], base, 8)
		b := ob&^mb | vb&mb
		if base == 16 {
			o[i] = fmt.Sprintf("%02x", b)
		} else {
			o[i] = strconv.FormatUint(b, 10)
		}
	}
	return strings.Join(o, sep)
}

func outText(port string, set map[string]string) string {
	var kv []string
	for k, v := range set {
		kv = append(kv, k+"="+v)
	}
	slices.Sort(kv)
	return port + "{" + strings.Join(kv, ",") + "}"
}
