package check_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
	"github.com/hopscope/hopscope/trace"
)

var update = flag.Bool("update", false, "rewrite the golden trace files")

// TestExamples runs every embedded example's checks: all must pass, and
// each check's traces (text and JSON) must match the golden files.
func TestExamples(t *testing.T) {
	for _, name := range scenarios.Examples() {
		t.Run(name, func(t *testing.T) {
			sc, err := scenarios.LoadExample(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Checks) == 0 {
				t.Fatal("an example without checks teaches nothing verifiable")
			}
			for i, r := range check.Run(sc) {
				if r.Err != nil || !r.Pass {
					t.Errorf("check %q: err=%v failures=%v", r.Check.Name, r.Err, r.Failures)
				}
				base := filepath.Join("testdata", "golden", name, fmt.Sprintf("%02d-%s", i+1, slug(r.Check.Name)))
				golden(t, base+".txt", text(r))
				golden(t, base+".json", jsonOf(t, r))
			}
		})
	}
}

func text(r check.Result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "check: %s\n\n", r.Check.Name)
	if r.Forward != nil {
		trace.WriteText(&b, r.Forward)
		b.WriteString("════ reply ════\n")
	}
	trace.WriteText(&b, r.Traces)
	return b.Bytes()
}

func jsonOf(t *testing.T, r check.Result) []byte {
	out, err := json.MarshalIndent(map[string]any{"traces": r.Traces, "forward": r.Forward}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	s = strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 60 {
		s = strings.TrimRight(s[:60], "-")
	}
	return s
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scenarios/check -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; rerun with -update and review the diff.\n--- got:\n%s", path, got)
	}
}

func TestFailingCheckSaysWhy(t *testing.T) {
	sc, err := scenarios.LoadExample(scenarios.DefaultExample)
	if err != nil {
		t.Fatal(err)
	}
	c := sc.Checks[0]
	c.Expect.Disposition = "DENIED"
	c.Expect.Via = []string{"provider", "br-int"} // wrong order on purpose
	r := check.One(trace.New(sc.Topology), c)
	if r.Pass {
		t.Fatal("a wrong expectation passed")
	}
	want := []string{
		"disposition is EXITED, expected DENIED (handed to gateway 192.168.0.1 of segment provider: the packet leaves the topology)",
		"the path does not pass br-int where expected (in order: provider, br-int)",
	}
	if strings.Join(r.Failures, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(r.Failures, "\n"), strings.Join(want, "\n"))
	}
}

func TestDisableIsUndone(t *testing.T) {
	sc, err := scenarios.LoadExample(scenarios.DefaultExample)
	if err != nil {
		t.Fatal(err)
	}
	var withDisable scenarios.Check
	for _, c := range sc.Checks {
		if len(c.Disable) > 0 {
			withDisable = c
		}
	}
	e := trace.New(sc.Topology)
	if r := check.One(e, withDisable); !r.Pass {
		t.Fatalf("disable check failed: %v", r.Failures)
	}
	withDisable.Disable, withDisable.Expect.Disposition, withDisable.Expect.DecidedBy = nil, "DELIVERED", ""
	if r := check.One(e, withDisable); !r.Pass {
		t.Fatalf("the rule stayed disabled after its check: %v", r.Failures)
	}
}
