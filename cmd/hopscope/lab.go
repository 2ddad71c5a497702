package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hopscope/hopscope/lab"
)

func labCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab up|down SOURCE",
		Short: "Realise a scenario on this machine as real namespaces, veths, bridges, iptables and OVS (needs root)",
		Long: `lab up builds a scenario's Linux and OVS parts on this machine: one network namespace
per host namespace, VM, container, segment and external endpoint (all named PREFIX-...),
veths for every wire, Linux bridges, addresses, routes, ip rules, neighbour entries,
sysctls and iptables, and a private ovs-vswitchd (userspace datapath) per host with OVS.
Traffic sent inside it is handled by the real kernel. lab down removes exactly what up made.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(labUpCmd(), labDownCmd())
	return cmd
}

func labUpCmd() *cobra.Command {
	var src source
	var prefix string
	cmd := &cobra.Command{
		Use:   "up SOURCE",
		Short: "Build the scenario's namespaces, devices, routes and iptables",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := src.loadWithArg(cmd, args)
			if err != nil {
				return err
			}
			p, err := lab.NewPlan(sc.Topology, lab.Options{Prefix: prefix})
			if err != nil {
				return err
			}
			err = lab.Up(cmd.Context(), p)
			report(cmd.OutOrStdout(), p, err == nil)
			if err != nil {
				return fmt.Errorf("%w\n(partly built: `hopscope lab down --prefix %s` removes it)", err, p.Prefix)
			}
			return nil
		},
	}
	src.register(cmd)
	cmd.Flags().StringVar(&prefix, "prefix", "", "lab name prefixing every namespace (default: derived from the scenario name)")
	return cmd
}

func report(w io.Writer, p *lab.Plan, ok bool) {
	if !ok {
		return
	}
	fmt.Fprintf(w, "lab %s is up: scenario %s\n", p.Prefix, p.Scenario)
	for _, n := range p.Netns {
		what := n.Host + ":" + n.NS
		switch n.Role {
		case "ovs":
			what = n.Host + " (ovs-vswitchd, userspace datapath)"
		case "segment":
			what = "segment " + n.NS + " and its gateway"
		case "external":
			what = "external endpoint " + n.NS
		}
		fmt.Fprintf(w, "  %-40s %s\n", n.Name, what)
	}
	if len(p.Substitutions) > 0 {
		fmt.Fprintln(w, "Realised differently from the model:")
		for _, s := range p.Substitutions {
			fmt.Fprintln(w, "  -", s)
		}
	}
	fmt.Fprintf(w, "Run commands inside with: ip netns exec %s-HOST-NS COMMAND\n", p.Prefix)
}

func labDownCmd() *cobra.Command {
	var src source
	var prefix string
	cmd := &cobra.Command{
		Use:   "down SOURCE | --prefix NAME",
		Short: "Remove everything lab up made",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if prefix == "" {
				sc, err := src.loadWithArg(cmd, args)
				if err != nil {
					return err
				}
				prefix = lab.Prefix(sc.Topology.Name)
			} else if len(args) > 0 || len(src.files) > 0 || src.example != "" {
				return badInput(errors.New("give the scenario or --prefix, not both"))
			}
			if err := lab.Down(cmd.Context(), prefix); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "lab %s is down\n", prefix)
			return nil
		},
	}
	src.register(cmd)
	cmd.Flags().StringVar(&prefix, "prefix", "", "the lab's name, as lab up printed it")
	return cmd
}
