package netfilter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse: Parse never panics, and what it accepts prints back to text
// that parses to the same ruleset; evaluating it never panics either.
func FuzzParse(f *testing.F) {
	for _, name := range fixtures {
		f.Add(readFixture(f, name))
	}
	f.Add(GenerateNeutronHost(1))
	f.Add("*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A X -s ! 1.2.3.4 -m limit --limit 3 ! -p tcp -j Y\n-A INPUT -g X\nCOMMIT\n")
	f.Add("*mangle\n:PREROUTING ACCEPT [0:0]\n[1:2] -A PREROUTING -m comment --comment \"a \\\"b\\\" 'c'\" -j MARK --set-mark 1/0xff\nCOMMIT\n")
	f.Fuzz(func(t *testing.T, text string) {
		rs, err := Parse(text)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("error %T, want *ParseError", err)
			}
			return
		}
		printed := rs.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("printed text does not parse: %v\n%s", err, printed)
		}
		if diff := cmp.Diff(rs, again, sameRuleset); diff != "" {
			t.Fatalf("round trip (-parsed +reparsed):\n%s\nprinted:\n%s", diff, printed)
		}
		for _, tn := range rs.TableOrder {
			tb := rs.Tables[tn]
			for _, cn := range tb.ChainOrder {
				p := pkt("tcp", "10.0.0.1:1", "10.0.0.2:22")
				tb.Evaluate(cn, p)
			}
		}
	})
}
