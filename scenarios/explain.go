package scenarios

import (
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hopscope/hopscope/model"
)

// The explain: key, read and written: teaching notes that a viewer shows
// next to the hops they match (model.Explanation), e.g.
//
//	explain:
//	  - node: fip-*
//	    step: Neighbor
//	    text: fg- answers ARP for the floating IP by proxy ARP.

// explanations adds r's notes to the topology in file order, so merged
// files concatenate theirs.
func (b *builder) explanations(r *rawScenario) {
	for i, re := range r.Explain {
		if re == nil {
			b.add(r.Loc.at(fmt.Sprintf("explain[%d]", i), "empty explanation: want node, step or both, and text"))
			continue
		}
		// Folded text (`text: >`) ends in a newline a viewer would show.
		e := model.Explanation{Node: re.Node, Step: re.Step, Text: strings.TrimSpace(re.Text), Source: source(re.Loc)}
		if err := e.Validate(); err != nil {
			field, msg := "", err.Error()
			if xe := (*model.ExplanationError)(nil); errors.As(err, &xe) {
				field, msg = xe.Field, xe.Msg // point at the field itself
			}
			b.add(re.Loc.at(field, "%s", msg))
			continue
		}
		b.topo.Explanations = append(b.topo.Explanations, e)
	}
}

// explain writes the notes as a list of mappings; one Load would refuse is
// an error here rather than a file that does not load.
func (w *writer) explain(es []model.Explanation) *yaml.Node {
	s := blockSeq()
	for i, e := range es {
		what := fmt.Sprintf("explain[%d]", i)
		if err := e.Validate(); err != nil {
			w.fail(what, "%v", err)
			continue
		}
		if e.Text != strings.TrimSpace(e.Text) {
			w.fail(what, "text %q starts or ends with space, which Load trims", e.Text)
			continue
		}
		m := blockMap()
		putStr(m, "node", e.Node)
		putStr(m, "step", e.Step)
		text := str(e.Text)
		if text.Style == 0 {
			text.Style = yaml.FoldedStyle // as the examples write it: no quotes to escape
		}
		put(m, "text", text)
		s.Content = append(s.Content, m)
	}
	return s
}
