package ofproto

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRandomCasesDeterministic(t *testing.T) {
	a, b := RandomCases(7, 20), RandomCases(7, 20)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Fatalf("same seed, different cases:\n%s", diff)
	}
	if diff := cmp.Diff(a[5], RandomCases(a[5].Seed, 1)[0]); diff != "" {
		t.Errorf("a case's Seed does not reproduce it:\n%s", diff)
	}
	if a[0].Flows == RandomCases(8, 1)[0].Flows {
		t.Error("seeds 7 and 8 made the same flows")
	}
}

// TestRandomCasesShape checks the promises of RandomCases' doc on many
// cases: port and table counts, flow counts, forward-only resubmits, no
// NORMAL or ct_state.
func TestRandomCasesShape(t *testing.T) {
	for _, c := range RandomCases(100, 200) {
		if n := len(c.Ports); n < 4 || n > 8 {
			t.Errorf("%v: %d ports", c, n)
		}
		perTable := map[int]int{}
		for _, line := range strings.Split(strings.TrimSpace(c.Flows), "\n") {
			var table int
			if _, err := fmt.Sscanf(line, "table=%d,", &table); err != nil {
				t.Fatalf("%v: %q: %v", c, line, err)
			}
			if !strings.Contains(line, "priority=0 ") {
				perTable[table]++
			}
			for _, bad := range []string{"NORMAL", "ct_state", "ct("} {
				if strings.Contains(line, bad) {
					t.Errorf("%v: %q uses %s", c, line, bad)
				}
			}
			for _, kw := range []string{"resubmit(,", "goto_table:"} {
				for rest := line; strings.Contains(rest, kw); {
					rest = rest[strings.Index(rest, kw)+len(kw):]
					var to int
					fmt.Sscanf(rest, "%d", &to)
					if to <= table {
						t.Errorf("%v: %q goes back to table %d", c, line, to)
					}
				}
			}
		}
		if n := len(perTable); n < 2 || n > 6 {
			t.Errorf("%v: %d tables", c, n)
		}
		for table, n := range perTable {
			if n < 5 || n > 40 {
				t.Errorf("%v: table %d has %d flows besides the catch-all", c, table, n)
			}
		}
	}
}
