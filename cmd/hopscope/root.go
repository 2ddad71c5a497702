package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hopscope/hopscope/importers"
	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/scenarios"
)

// run is the whole program: it parses args, runs one subcommand and
// returns an error whose exitError code is the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := &cobra.Command{
		Use:   "hopscope",
		Short: "Trace a packet hop by hop through Linux, OVS and OVN networks",
		Long: `hopscope steps a synthetic packet through namespaces, iptables, routing and
ip rules, ARP, Linux bridges and Open vSwitch, and explains every hop.

With no subcommand it opens the terminal UI on the default example
(` + scenarios.DefaultExample + `); when not on a terminal it describes that example and
the traces you can try on it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !isTerminal(cmd.OutOrStdout()) {
				return welcome(cmd.OutOrStdout())
			}
			sc, err := scenarios.LoadExample(scenarios.DefaultExample)
			if err != nil {
				return err
			}
			return runTUI(sc, "the example "+scenarios.DefaultExample, cmd.OutOrStdout())
		},
	}
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return badInput(err) })
	root.AddCommand(traceCmd(), checkCmd(), showCmd(), tuiCmd(), importCmd(), labCmd())
	err := root.ExecuteContext(ctx)
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		// cobra's own errors (unknown command, missing argument) are bad input.
		return badInput(err)
	}
	return err
}

// source is the SOURCE of the command-line contract: -f FILE (repeatable),
// --example NAME or --live.
type source struct {
	files   []string
	example string
	live    bool
	ovsdb   string
	ovnNB   string // an OVN northbound database to read (with --live: default $OVN_NB_DB)
	ovnSB   string // and its southbound
	// withChecks: with --live, the files hold checks to run on the live
	// state (hopscope check --live FILE).
	withChecks bool
}

func (s *source) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&s.files, "file", "f", nil, "scenario or snapshot YAML (repeat to merge hosts)")
	cmd.Flags().StringVar(&s.example, "example", "", "an embedded example: "+strings.Join(scenarios.Examples(), ", "))
	cmd.Flags().BoolVar(&s.live, "live", false, "this machine's live state: every `ip netns` namespace, iptables, Open vSwitch (read-only)")
	cmd.Flags().StringVar(&s.ovsdb, "ovsdb", "", "with --live: the OVS database, unix:PATH or tcp:IP:PORT (default: the local socket, if any)")
	cmd.Flags().StringVar(&s.ovnNB, "ovn-nb", "", "an OVN northbound database, unix:PATH, tcp:IP:PORT or its file (file:PATH or /abs/path.db, read directly and fast): alone, a source of its own; with --live or -f, added to it (with --live, default $OVN_NB_DB)")
	cmd.Flags().StringVar(&s.ovnSB, "ovn-sb", "", "with --ovn-nb: its southbound database, for chassis, bindings and tunnel keys (with --live, default $OVN_SB_DB)")
}

// load loads the source and adds the OVN databases the flags or, with
// --live, the environment name.
func (s *source) load(ctx context.Context, warn io.Writer) (*scenarios.Scenario, error) {
	nb, sb := s.ovnNB, s.ovnSB
	if s.live {
		nb, sb = ovnimport.Endpoints(nb, sb)
	}
	if sb != "" && nb == "" {
		return nil, badInput(errors.New("--ovn-sb needs --ovn-nb"))
	}
	if nb != "" && s.example == "" && len(s.files) == 0 && !s.live {
		return ovnOnly(ctx, nb, sb)
	}
	sc, err := s.loadBase(ctx, warn)
	if err != nil || nb == "" {
		return sc, err
	}
	if err := addOVN(ctx, sc.Topology, nb, sb); err != nil {
		return nil, err
	}
	return sc, nil
}

// loadBase loads -f, --example or --live; a live import reports what it
// had to skip on warn.
func (s *source) loadBase(ctx context.Context, warn io.Writer) (*scenarios.Scenario, error) {
	n := 0
	if len(s.files) > 0 && !(s.live && s.withChecks) {
		n++
	}
	if s.example != "" {
		n++
	}
	if s.live {
		n++
	}
	switch {
	case n > 1:
		return nil, badInput(errors.New("give one source: -f FILE (repeatable), --example NAME or --live"))
	case s.live:
		t, notes, err := importers.Live(ctx, importers.Options{OVSDB: s.ovsdb})
		for _, n := range notes {
			fmt.Fprintln(warn, "hopscope: live import:", n)
		}
		if err != nil {
			return nil, fmt.Errorf("--live: %w", err)
		}
		sc := &scenarios.Scenario{Topology: t}
		if len(s.files) > 0 {
			if sc.Checks, err = scenarios.LoadChecks(t, s.files...); err != nil {
				return nil, badInput(err)
			}
			sc.Files = s.files
		}
		return sc, nil
	case s.example != "":
		sc, err := scenarios.LoadExample(s.example)
		if err != nil {
			return nil, badInput(err)
		}
		return sc, nil
	case len(s.files) > 0:
		sc, err := scenarios.LoadFiles(s.files...)
		if err != nil {
			return nil, badInput(err)
		}
		return sc, nil
	}
	return nil, badInput(fmt.Errorf("no source: give -f FILE or --example NAME (examples: %s)", strings.Join(scenarios.Examples(), ", ")))
}

// loadWithArg also takes the scenario file as a positional argument.
func (s *source) loadWithArg(cmd *cobra.Command, args []string) (*scenarios.Scenario, error) {
	s.files = append(s.files, args...)
	return s.load(cmd.Context(), cmd.ErrOrStderr())
}

func welcome(w io.Writer) error {
	sc, err := scenarios.LoadExample(scenarios.DefaultExample)
	if err != nil {
		return err
	}
	if err := sc.Topology.Describe(w); err != nil {
		return err
	}
	fmt.Fprintf(w, `
Try a trace on this example:
  hopscope trace --example %[1]s --from test --to internet
  hopscope trace --example %[1]s --from internet --to 192.168.10.106 --proto tcp --dport 22 --reply
  hopscope check --example %[1]s
Other examples: %[2]s
`, scenarios.DefaultExample, strings.Join(scenarios.Examples(), ", "))
	return nil
}
