package openflow

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sameFlow compares flows as the printer promises: all but Line and Text.
var sameFlow = cmp.Options{
	cmpopts.IgnoreFields(Flow{}, "Line", "Text"),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmpopts.EquateEmpty(),
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestParseFixtures parses every real dump in testdata: no errors, every
// flow prints back to text that parses to an equal flow, and no match term
// is lost (each is either evaluated or kept in Unknown).
func TestParseFixtures(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			text := readFixture(t, name)
			flows, err := Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			if len(flows) == 0 {
				t.Fatal("no flows")
			}
			for _, f := range flows {
				again, err := ParseFlow(f.String())
				if err != nil {
					t.Fatalf("line %d: printed %q does not parse: %v", f.Line, f.String(), err)
				}
				if diff := cmp.Diff(f, again, sameFlow); diff != "" {
					t.Errorf("line %d: round trip of %q (-parsed +reparsed):\n%s", f.Line, f.Text, diff)
				}
				checkNoTermLost(t, f)
			}
		})
	}
}

// checkNoTermLost: every term before actions= in the flow's text is a flow
// property, a shorthand, a field the model evaluates, or kept in Unknown.
func checkNoTermLost(t *testing.T, f *Flow) {
	t.Helper()
	p := &flowParser{line: f.Text, n: f.Line}
	head, _, err := p.splitHead()
	if err != nil {
		t.Fatalf("line %d: %v", f.Line, err)
	}
	for _, tok := range head {
		key, _, _ := strings.Cut(tok.s, "=")
		if _, ok := shorthands[key]; ok || ignoredKeys[key] || statKeys[key] ||
			key == "cookie" || key == "table" || key == "priority" {
			continue
		}
		if fd, ok := LookupField(key); ok && !(fd >= XXReg0 && fd <= XXReg3) {
			continue
		}
		if !slices.Contains(f.Unknown, tok.s) {
			t.Errorf("line %d: term %q is neither evaluated nor in Unknown %q", f.Line, tok.s, f.Unknown)
		}
	}
}

// ipv4 is a test helper: a dotted quad as State holds it.
func ipv4(s string) uint32 {
	v, ok := parseIPv4(s)
	if !ok {
		panic("bad IPv4 " + s)
	}
	return v
}
