package main

import (
	"errors"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/ui"
)

func tuiCmd() *cobra.Command {
	var src source
	cmd := &cobra.Command{
		Use:   "tui SOURCE",
		Short: "Open the terminal UI on a scenario, snapshot or this machine's live state",
		Long: `Open the terminal UI: the topology, a packet to build, its journey hop by
hop, the rule or flow behind every step, the reply, and what-ifs.
Press ? inside for every key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := src.load(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return runTUI(sc, src.describe(), cmd.OutOrStdout())
		},
	}
	src.register(cmd)
	return cmd
}

// runTUI opens the UI; it needs a terminal to draw on.
func runTUI(sc *scenarios.Scenario, name string, stdout io.Writer) error {
	if !isTerminal(stdout) || !term.IsTerminal(int(os.Stdin.Fd())) {
		return badInput(errors.New("the terminal UI needs a terminal: use trace, check or show for output to a pipe or file"))
	}
	return ui.New(sc, name).Run()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// describe says what the source opened, for the UI's help.
func (s *source) describe() string {
	switch {
	case s.live:
		return "this machine's live state"
	case s.example != "":
		return "the example " + s.example
	}
	return "the scenario in " + strings.Join(s.files, ", ")
}
