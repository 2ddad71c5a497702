package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func showCmd() *cobra.Command {
	var src source
	var output string
	cmd := &cobra.Command{
		Use:   "show SOURCE",
		Short: "Show the topology: hosts, namespaces, interfaces, routes, bridges, endpoints",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" && output != "dot" {
				return badInput(fmt.Errorf("-o %q: want text, json or dot", output))
			}
			sc, err := src.load(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			switch output {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(sc.Topology.View())
			case "dot":
				_, err = io.WriteString(w, sc.Topology.Graph().Dot())
				return err
			}
			return sc.Topology.Describe(w)
		},
	}
	src.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, json or dot")
	return cmd
}
