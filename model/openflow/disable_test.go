package openflow

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLookupDisabled switches flows off by line and checks that Lookup
// treats them as deleted: the flow below takes over, a conjunction loses a
// clause or its conj_id flow, and switching back on restores the result.
func TestLookupDisabled(t *testing.T) {
	fl := flows(t,
		"table=0,priority=10,ip actions=output:1",            // 1
		"table=0,priority=10,ip actions=output:2",            // 2: ties with 1
		"table=0,priority=5,ip actions=output:3",             // 3: same match, below
		"table=0,priority=1 actions=drop",                    // 4
		"table=1,priority=50,ip actions=conjunction(1,1/2)",  // 5
		"table=1,priority=50,tcp actions=conjunction(1,2/2)", // 6
		"table=1,priority=50,conj_id=1 actions=output:1",     // 7
		"table=1,priority=40,conj_id=1 actions=output:2",     // 8
		"table=1,priority=45,ip actions=output:3",            // 9: hidden behind clause 5
		"table=1,priority=30,tcp actions=output:4",           // 10: hidden behind clause 6
	)
	tests := []struct {
		name  string
		table uint8
		off   []int // lines switched off
		want  got
	}{
		{"all on: tie", 0, nil, got{Flow: 1, Tie: true}},
		{"head off: its duplicate alone", 0, []int{1}, got{Flow: 2}},
		{"duplicate off: no tie", 0, []int{2}, got{Flow: 1}},
		{"both off: the flow below in the group", 0, []int{1, 2}, got{Flow: 3}},
		{"whole group off: another subtable", 0, []int{1, 2, 3}, got{Flow: 4}},
		{"everything off: a miss", 0, []int{1, 2, 3, 4}, got{}},
		{"conjunction", 1, nil, got{Flow: 7, Clauses: []int{5, 6}}},
		{"conj_id flow off: the lower one", 1, []int{7}, got{Flow: 8, Clauses: []int{5, 6}}},
		{"clause off: the flow it hid", 1, []int{5}, got{Flow: 9}},
		{"other clause off: the flow clause 5 hid beats the one it hid", 1, []int{6}, got{Flow: 9}},
		{"both conj_id flows off: the clause gives way", 1, []int{7, 8}, got{Flow: 9}},
	}
	byLine := map[int]*Flow{}
	for _, f := range fl.All() {
		byLine[f.Line] = f
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range tt.off {
				byLine[l].Disabled = true
			}
			res := summary(fl.Lookup(tt.table, pkt()))
			for _, l := range tt.off {
				byLine[l].Disabled = false
			}
			if diff := cmp.Diff(tt.want, res); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
