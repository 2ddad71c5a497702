package ui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/hopscope/hopscope/trace"
)

// outcome is what happened to the packet at one hop, in one word and a
// colour that reads on light and dark terminals.
type outcome struct {
	word  string
	color tcell.Color
}

var (
	forwarded   = outcome{"forwarded", tcell.ColorGreen}
	transformed = outcome{"transformed", tcell.ColorDarkCyan}
	denied      = outcome{"DENIED", tcell.ColorRed}
	dropped     = outcome{"dropped", tcell.ColorRed}
	unsupported = outcome{"UNSUPPORTED", tcell.ColorPurple}
)

// hopOutcome sums up hop i of t: the last hop says how the trace ended;
// any other was forwarded, or transformed when a step rewrote the packet
// (NAT, encapsulation).
func hopOutcome(t *trace.Trace, i int) outcome {
	if i == len(t.Hops)-1 {
		return dispositionOutcome(t.Disposition)
	}
	for _, st := range t.Hops[i].Steps {
		switch st.Action {
		case trace.Transformed, trace.Encapsulated, trace.Decapsulated:
			return transformed
		}
	}
	return forwarded
}

func dispositionOutcome(d trace.Disposition) outcome {
	switch d {
	case trace.Delivered, trace.Exited:
		return outcome{d.String(), tcell.ColorGreen}
	case trace.Denied:
		return denied
	case trace.Unsupported:
		return unsupported
	}
	return outcome{d.String(), dropped.color}
}

// stepColor colours a step's label by its action.
func stepColor(a trace.StepAction) string {
	switch a {
	case trace.DeniedAction, trace.DroppedAction, trace.NoRouteAction, trace.Failed:
		return "red"
	case trace.Transformed, trace.Encapsulated, trace.Decapsulated:
		return "darkcyan"
	case trace.UnsupportedAction:
		return "purple"
	case trace.DeliveredAction, trace.ExitedAction:
		return "green"
	}
	return ""
}
