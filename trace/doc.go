// Package trace steps one synthetic packet through a model.Topology and
// records every decision as Trace -> Hop -> Step.
package trace
