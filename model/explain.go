package model

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Explanation is a teaching note a scenario attaches to hops.
type Explanation struct {
	Node   string // a glob (path.Match syntax) on the hop's device: its name ("qrouter-*") or "host:name" ("compute0:br-tun"); "" matches every device
	Step   string // a step kind the hop must contain ("Neighbor", "OVSFlow", "Encap", ...); "" matches any
	Text   string // one to four sentences, plain text
	Source Source // where it was written (file:line), as other model objects have
}

// StepKinds are the names of the trace package's step kinds, which an
// Explanation's Step names. model cannot import trace, so the list is kept
// here; a test in scenarios/check keeps the two equal.
var StepKinds = []string{"EnterPort", "ExitPort", "Netfilter", "Conntrack", "Route", "Neighbor",
	"BridgeFDB", "OVSFlow", "OVNStage", "Transform", "Encap", "Decap", "Deliver"}

func (e Explanation) String() string {
	sel := e.Node
	if sel == "" {
		sel = "*"
	}
	if e.Step != "" {
		sel += " [" + e.Step + "]"
	}
	return sel + ": " + e.Text
}

// Matches reports whether e applies to a hop through device node on host
// whose steps have the given kinds. A segment hop has no host: only its
// name is matched.
func (e Explanation) Matches(host, node string, stepKinds []string) bool {
	if e.Step != "" && !slices.Contains(stepKinds, e.Step) {
		return false
	}
	return e.Node == "" || glob(e.Node, node) || host != "" && glob(e.Node, host+":"+node)
}

// glob is path.Match with a bad pattern matching nothing; Validate is where
// a bad pattern is reported.
func glob(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return ok && err == nil
}

// Explain returns the explanations that match a hop, in file order.
func (t *Topology) Explain(host, node string, stepKinds []string) []Explanation {
	var out []Explanation
	for _, e := range t.Explanations {
		if e.Matches(host, node, stepKinds) {
			out = append(out, e)
		}
	}
	return out
}

// ExplanationError is what makes an Explanation unusable, and in which field.
type ExplanationError struct {
	Field string // "node", "step" or "text"; "" for the explanation as a whole
	Msg   string
}

func (e *ExplanationError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Validate reports the first problem of e as an *ExplanationError: a bad
// glob would match nothing, and no selector at all would put the note next
// to every hop.
func (e Explanation) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ExplanationError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case e.Node == "" && e.Step == "":
		return bad("", "want node, step or both: with neither, the note would show at every hop")
	case strings.TrimSpace(e.Text) == "":
		return bad("text", "empty: want one to four plain sentences")
	}
	if e.Node != "" {
		if _, err := path.Match(e.Node, ""); err != nil {
			return bad("node", "bad glob %q: %v; want a pattern like qrouter-* or compute0:br-*", e.Node, err)
		}
	}
	if e.Step != "" && !slices.Contains(StepKinds, e.Step) {
		return bad("step", "unknown step kind %q: want one of %s", e.Step, strings.Join(StepKinds, ", "))
	}
	return nil
}
