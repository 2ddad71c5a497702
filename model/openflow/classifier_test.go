package openflow

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// flows parses lines into indexed Flows.
func flows(t testing.TB, lines ...string) *Flows {
	t.Helper()
	fs, err := Parse(strings.Join(lines, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	return NewFlows(fs)
}

// lineOf names a result's flow by its line, 0 for none.
func lineOf(f *Flow) int {
	if f == nil {
		return 0
	}
	return f.Line
}

func linesOf(fs []*Flow) []int {
	var out []int
	for _, f := range fs {
		out = append(out, f.Line)
	}
	return out
}

// got summarises a Result by flow lines.
type got struct {
	Flow, Unknown int
	Tie           bool
	Clauses       []int
}

func summary(r Result) got {
	return got{lineOf(r.Flow), lineOf(r.Unknown), r.Tie, linesOf(r.Clauses)}
}

func TestLookup(t *testing.T) {
	fl := flows(t,
		"table=0,priority=0 actions=drop",                                   // 1
		"table=0,priority=10,in_port=1 actions=resubmit(,1)",                // 2
		"table=0,priority=20,in_port=1,dl_vlan=5 actions=resubmit(,2)",      // 3
		"table=0,priority=20,ip,nw_dst=10.0.0.0/8 actions=resubmit(,3)",     // 4: ties with 3
		"table=0,priority=30,ip,nw_dst=10.0.0.2,nw_frag=later actions=drop", // 5: unknown term
		"table=0,priority=5,ip,nw_dst=10.0.0.2,nw_frag=no actions=drop",     // 6: unknown, lower
		"table=1,priority=100,tcp,tp_dst=22 actions=output:2",               // 7
		"table=1,priority=100,tcp,tp_dst=22 actions=output:3",               // 8: same match and priority
		"table=2,priority=1,reg0=0x1/0x1 actions=output:4",                  // 9
	)
	tests := []struct {
		name  string
		table uint8
		edit  func(s *State)
		want  got
	}{
		{"highest priority across subtables, tie reported, unknown above", 0, nil, got{Flow: 3, Unknown: 5, Tie: true}},
		{"no tie off the VLAN", 0, func(s *State) { s.VlanTCI = 0x1006 }, got{Flow: 4, Unknown: 5}},
		{"unknown flow needs its known terms", 0, func(s *State) { s.NwDst = 0x0a000003 }, got{Flow: 3, Tie: true}},
		{"lower priority", 0, func(s *State) { s.NwDst = 0x0b000001; s.VlanTCI = 0 }, got{Flow: 2}},
		{"table-miss flow", 0, func(s *State) { s.InPort = 7; s.DlType = 0x86dd }, got{Flow: 1}},
		{"identical flows tie, first wins", 1, nil, got{Flow: 7, Tie: true}},
		{"miss", 1, func(s *State) { s.TpDst = 80 }, got{}},
		{"register bit", 2, func(s *State) { s.Regs[0] = 3 }, got{Flow: 9}},
		{"register bit miss", 2, nil, got{}},
		{"no such table", 9, nil, got{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pkt()
			if tt.edit != nil {
				tt.edit(s)
			}
			if diff := cmp.Diff(tt.want, summary(fl.Lookup(tt.table, s))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupUnknownOnly(t *testing.T) {
	fl := flows(t, "table=0,priority=10,ip,nw_frag=later actions=drop")
	if diff := cmp.Diff(got{Unknown: 1}, summary(fl.Lookup(0, pkt()))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestConjunction(t *testing.T) {
	fl := flows(t,
		// Two clauses, priority 70.
		"table=0,priority=70,ip,nw_src=10.0.0.0/24 actions=conjunction(18,1/2)", // 1
		"table=0,priority=70,tcp,tp_dst=22 actions=conjunction(18,2/2)",         // 2
		"table=0,priority=70,conj_id=18,ip actions=output:1",                    // 3
		"table=0,priority=1,ip actions=drop",                                    // 4
		// Three clauses, with alternatives for clause 2, priority 2002.
		"table=1,priority=2002,ip,reg14=0x1 actions=conjunction(100,1/3)",             // 5
		"table=1,priority=2002,tcp,tp_dst=80 actions=conjunction(100,2/3)",            // 6
		"table=1,priority=2002,tcp,tp_dst=443 actions=conjunction(100,2/3)",           // 7
		"table=1,priority=2002,ip,nw_src=192.168.0.0/16 actions=conjunction(100,3/3)", // 8
		"table=1,priority=2001,ip,nw_src=172.16.0.0/12 actions=conjunction(100,3/3)",  // 9: another priority
		"table=1,priority=2002,conj_id=100,ip actions=output:2",                       // 10
		"table=1,priority=0 actions=drop",                                             // 11
		// A hard flow with the same match as a clause hides behind it, even
		// from the conj_id lookup: OVS picks the conj_id flow below it.
		"table=2,priority=50,ip actions=conjunction(1,1/2),conjunction(2,1/2)", // 12
		"table=2,priority=50,tcp actions=conjunction(2,2/2)",                   // 13
		"table=2,priority=40,conj_id=2 actions=output:3",                       // 14
		"table=2,priority=45,ip actions=output:4",                              // 15
		"table=2,priority=30,udp actions=conjunction(3,1/2)",                   // 16
		// A hard flow with another match beats a lower conj_id flow.
		"table=3,priority=50,ip actions=conjunction(2,1/2)",  // 17
		"table=3,priority=50,tcp actions=conjunction(2,2/2)", // 18
		"table=3,priority=40,conj_id=2 actions=output:3",     // 19
		"table=3,priority=45,tcp,tp_dst=22 actions=output:4", // 20
		// An incomplete conjunction gives way to the flow below its clause.
		"table=4,priority=50,ip actions=conjunction(7,1/2)", // 21
		"table=4,priority=45,ip actions=output:2",           // 22
		"table=4,priority=10,tcp actions=output:3",          // 23
	)
	tests := []struct {
		name  string
		table uint8
		edit  func(s *State)
		want  got
	}{
		{"two clauses", 0, nil, got{Flow: 3, Clauses: []int{1, 2}}},
		{"second clause missing", 0, func(s *State) { s.TpDst = 80 }, got{Flow: 4}},
		{"first clause missing", 0, func(s *State) { s.NwSrc = 0x0a000101 }, got{Flow: 4}},
		{"three clauses", 1, func(s *State) { s.Regs[14] = 1; s.TpDst = 443; s.NwSrc = 0xc0a80001 }, got{Flow: 10, Clauses: []int{5, 7, 8}}},
		{"clause at another priority does not count", 1, func(s *State) { s.Regs[14] = 1; s.TpDst = 443; s.NwSrc = 0xac100001 }, got{Flow: 11}},
		{"third clause missing", 1, func(s *State) { s.Regs[14] = 1; s.TpDst = 80 }, got{Flow: 11}},
		{"hard flow hidden behind a clause", 2, nil, got{Flow: 14, Clauses: []int{12, 13}}},
		{"clause gives way to its hidden flow", 2, func(s *State) { s.NwProto = 17 }, got{Flow: 15}},
		{"no flow", 2, func(s *State) { s.DlType = 0x86dd }, got{}},
		{"hard flow above the conj_id flow", 3, nil, got{Flow: 20}},
		{"incomplete conjunction", 4, nil, got{Flow: 22}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pkt()
			if tt.edit != nil {
				tt.edit(s)
			}
			before := *s
			if diff := cmp.Diff(tt.want, summary(fl.Lookup(tt.table, s))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if *s != before {
				t.Errorf("Lookup changed the state: conj_id %d", s.ConjID)
			}
		})
	}
}

func TestConjunctionWins(t *testing.T) {
	// The conjunction is above the hard match, and its conj_id flow is too.
	fl := flows(t,
		"table=0,priority=100,ip actions=conjunction(5,1/2)",
		"table=0,priority=100,tcp actions=conjunction(5,2/2)",
		"table=0,priority=90,tcp actions=drop",
		"table=0,priority=95,conj_id=5 actions=output:1",
	)
	if diff := cmp.Diff(got{Flow: 4, Clauses: []int{1, 2}}, summary(fl.Lookup(0, pkt()))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLearnAddLookup(t *testing.T) {
	fl := flows(t,
		"table=10,priority=1 actions="+neutronLearn+",output:1",
		"table=20,priority=0 actions=resubmit(,22)",
	)
	learnFlow := fl.All()[0]
	s := &State{InPort: 2, VlanTCI: 0x1001, DlSrc: 0xfa163e776655, DlDst: 0xffffffffffff, TunID: 0x64}
	r := fl.Lookup(10, s)
	if r.Flow != learnFlow {
		t.Fatalf("table 10: %v", r.Flow)
	}
	learned := r.Flow.Actions[0].Learn.Apply(s)
	want := "table=20, priority=1, cookie=0x9a2b3c4d5e6f7081, vlan_tci=0x0001/0x0fff,dl_dst=fa:16:3e:77:66:55 actions=load:0->NXM_OF_VLAN_TCI[],load:0x64->NXM_NX_TUN_ID[],output:2"
	if got := learned.String(); got != want {
		t.Fatalf("learned\n%s\nwant\n%s", got, want)
	}
	again, err := ParseFlow(learned.String())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(learned, again, sameFlow); diff != "" {
		t.Errorf("learned flow round trip (-learned +reparsed):\n%s", diff)
	}
	fl.Add(learned)
	// The reply: from a VM on VLAN 1 to the MAC just learned.
	reply := &State{InPort: 1, VlanTCI: 0x1001, DlSrc: 0xfa163e000001, DlDst: 0xfa163e776655}
	if r := fl.Lookup(20, reply); r.Flow != learned {
		t.Fatalf("table 20 after learning: %v", r.Flow)
	}
	// Learning again from another tunnel port replaces the flow.
	s.InPort = 3
	relearned := learnFlow.Actions[0].Learn.Apply(s)
	fl.Add(relearned)
	if n := len(fl.All()); n != 3 {
		t.Errorf("%d flows after relearning, want 3", n)
	}
	r = fl.Lookup(20, reply)
	if r.Flow != relearned || r.Tie || r.Flow.Actions[2].Port != 3 {
		t.Errorf("after relearning: %v (tie %v)", r.Flow, r.Tie)
	}
	other := &State{InPort: 1, VlanTCI: 0x1002, DlDst: 0xfa163e776655}
	if r := fl.Lookup(20, other); lineOf(r.Flow) != 2 {
		t.Errorf("VLAN 2 should miss the learned flow: %v", r.Flow)
	}
}

func TestLearnRegisterViews(t *testing.T) {
	f, err := ParseFlow("actions=learn(table=5,NXM_NX_XXREG0[64..127]=NXM_NX_XXREG1[64..127],OXM_OF_PKT_REG1[0..7]=0x7)")
	if err != nil {
		t.Fatal(err)
	}
	s := &State{}
	s.Regs[4], s.Regs[5] = 0xaaaa, 0xbbbb
	learned := f.Actions[0].Learn.Apply(s)
	want := []Match{exact(Reg1, 0xbbbb), exact(Reg0, 0xaaaa), masked(Reg3, 7, 0xff)}
	if diff := cmp.Diff(want, learned.Match); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestResolvePorts(t *testing.T) {
	fl := flows(t,
		`table=0,priority=1,in_port="patch-int" actions=resubmit(,2)`,
		`table=0,priority=1,in_port="vxlan-0a000002" actions=resubmit:"patch-int",output:"vxlan-0a000003"`,
		`table=0,priority=1,in_port=nosuch actions=drop`,
	)
	s := &State{InPort: 1}
	if r := fl.Lookup(0, s); r.Flow != nil || lineOf(r.Unknown) != 1 {
		t.Errorf("unresolved names might match: %+v", summary(r))
	}
	err := fl.ResolvePorts(map[string]uint32{"patch-int": 1, "vxlan-0a000002": 2, "vxlan-0a000003": 3})
	want := `line 3, column 28: unknown port "nosuch": want one of the bridge's ports (patch-int, vxlan-0a000002, vxlan-0a000003)`
	if err == nil || err.Error() != want {
		t.Errorf("ResolvePorts error %v, want %s", err, want)
	}
	// The flow with the unknown name might still match.
	if diff := cmp.Diff(got{Flow: 1, Unknown: 3}, summary(fl.Lookup(0, s))); diff != "" {
		t.Errorf("after resolving (-want +got):\n%s", diff)
	}
	s.InPort = 2
	r := fl.Lookup(0, s)
	if lineOf(r.Flow) != 2 || r.Flow.Actions[0].Port != 1 || r.Flow.Actions[1].Port != 3 {
		t.Errorf("after resolving: %+v %v", summary(r), r.Flow)
	}
}

// TestLookupAgainstScan compares Lookup with a scan of every flow on random
// flows (no conjunctions) and packets, with and without switched-off flows.
func TestLookupAgainstScan(t *testing.T) {
	t.Run("all on", func(t *testing.T) { lookupAgainstScan(t, 0) })
	t.Run("every third off", func(t *testing.T) { lookupAgainstScan(t, 3) })
}

// lookupAgainstScan disables every offEvery-th flow (none for 0).
func lookupAgainstScan(t *testing.T, offEvery int) {
	rng := rand.New(rand.NewPCG(1, 2))
	terms := []func() string{
		func() string { return fmt.Sprintf("in_port=%d", 1+rng.IntN(4)) },
		func() string { return fmt.Sprintf("dl_vlan=%d", 1+rng.IntN(3)) },
		func() string { return fmt.Sprintf("reg0=%#x/%#x", rng.IntN(4), 1+rng.IntN(3)) },
		func() string { return fmt.Sprintf("metadata=%#x", rng.IntN(3)) },
		func() string { return fmt.Sprintf("ip,nw_dst=10.0.%d.0/%d", rng.IntN(2), 23+rng.IntN(3)) },
		func() string { return fmt.Sprintf("tcp,tp_dst=%d", 21+rng.IntN(3)) },
		func() string { return "ct_state=+trk-new" },
	}
	var lines []string
	for range 400 {
		var m []string
		for _, term := range terms {
			if rng.IntN(3) == 0 {
				m = append(m, term())
			}
		}
		match := strings.Join(m, ",")
		if strings.Contains(match, "ip,") && strings.Contains(match, "tcp,") {
			match = strings.Replace(match, "ip,", "", 1)
		}
		if match != "" {
			match = "," + match
		}
		lines = append(lines, fmt.Sprintf("table=%d,priority=%d%s actions=drop", rng.IntN(2), rng.IntN(20), match))
	}
	fl := flows(t, lines...)
	for i, f := range fl.All() {
		f.Disabled = offEvery > 0 && i%offEvery == 0
	}
	for i := range 2000 {
		s := &State{
			InPort: uint32(1 + rng.IntN(4)), VlanTCI: uint16(0x1000 | (1 + rng.IntN(3))), DlType: ethIP,
			NwDst: uint32(0x0a000000 | rng.IntN(512)), NwProto: 6, TpDst: uint16(21 + rng.IntN(3)),
			Metadata: uint64(rng.IntN(3)), CtState: uint32(rng.IntN(64)),
		}
		s.Regs[0] = uint32(rng.IntN(4))
		table := uint8(rng.IntN(2))
		var best []*Flow
		for _, f := range fl.All() {
			if ok, _ := f.Matches(s); !ok || f.Table != table || f.Disabled {
				continue
			}
			if len(best) > 0 && f.Priority > best[0].Priority {
				best = best[:0]
			}
			if len(best) == 0 || f.Priority == best[0].Priority {
				best = append(best, f)
			}
		}
		r := fl.Lookup(table, s)
		want := got{}
		if len(best) > 0 {
			want = got{Flow: best[0].Line, Tie: len(best) > 1}
		}
		if diff := cmp.Diff(want, summary(r)); diff != "" {
			t.Fatalf("packet %d %+v table %d (-scan +Lookup):\n%s", i, *s, table, diff)
		}
	}
}

func TestResultString(t *testing.T) {
	fl := flows(t,
		"table=0,priority=70,ip actions=conjunction(1,1/2)",
		"table=0,priority=70,tcp actions=conjunction(1,2/2)",
		"table=0,priority=70,conj_id=1 actions=output:1",
		"table=0,priority=80,ip,nw_frag=later actions=drop",
	)
	want := "line 3: table=0, priority=70, conj_id=1 actions=output:1; clause line 1; clause line 2; " +
		"might match instead: line 4: table=0, priority=80, ip,nw_frag=later actions=drop"
	if got := fl.Lookup(0, pkt()).String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := (Result{}).String(); got != "no match" {
		t.Errorf("got %q", got)
	}
}
