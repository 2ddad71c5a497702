package main

import (
	"context"
	"fmt"

	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/scenarios"
)

// ovnOnly is a source made of OVN's databases alone: a trace runs through
// the logical network and its chassis, without host models.
func ovnOnly(ctx context.Context, nb, sb string) (*scenarios.Scenario, error) {
	t := &model.Topology{Name: "ovn", Description: "OVN northbound " + nb}
	if err := addOVN(ctx, t, nb, sb); err != nil {
		return nil, err
	}
	return &scenarios.Scenario{Topology: t}, nil
}

// addOVN reads the OVN databases into t, which must not have an OVN view already.
func addOVN(ctx context.Context, t *model.Topology, nb, sb string) error {
	if t.OVN != nil {
		return badInput(fmt.Errorf("--ovn-nb: %s already has an ovn: section", t.Name))
	}
	db, err := ovnimport.Import(ctx, nb, sb)
	if err != nil {
		return fmt.Errorf("--ovn-nb: %w", err)
	}
	t.OVN = db
	if err := t.Resolve(); err != nil {
		return fmt.Errorf("--ovn-nb: %w", err)
	}
	return nil
}
