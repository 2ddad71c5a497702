package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hopscope/hopscope/importers"
	ovnimport "github.com/hopscope/hopscope/importers/ovn"
	"github.com/hopscope/hopscope/scenarios"
)

func importCmd() *cobra.Command {
	var live bool
	var out, ovsdb, hostname, ovnNB, ovnSB string
	cmd := &cobra.Command{
		Use:   "import --live [-o FILE]",
		Short: "Snapshot this machine (namespaces, iptables, OVS, OVN) as a scenario file",
		Long: `import --live reads this machine's root namespace and every ip netns namespace
(links, veth peers, bridges and FDB, addresses, routes of every table, ip rules,
neighbours, sysctls, iptables-save and ipset save) and Open vSwitch (bridges, ports,
interfaces) and, with --ovn-nb or $OVN_NB_DB, OVN's northbound (and southbound)
databases, and writes them in the scenario format, readable back with -f FILE.
It only reads; it never changes the host. Parts it cannot read are reported and skipped.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !live {
				return badInput(errors.New("give --live: import reads this machine's state"))
			}
			t, notes, err := importers.Live(cmd.Context(), importers.Options{OVSDB: ovsdb, HostName: hostname})
			for _, n := range notes {
				fmt.Fprintln(cmd.ErrOrStderr(), "hopscope: live import:", n)
			}
			if err != nil {
				return err
			}
			if nb, sb := ovnimport.Endpoints(ovnNB, ovnSB); nb != "" {
				if err := addOVN(cmd.Context(), t, nb, sb); err != nil {
					return err
				}
			}
			var b bytes.Buffer
			if err := scenarios.Write(&b, t); err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			// Written whole to a temporary file first: an existing snapshot is
			// never left half-overwritten.
			tmp := out + ".tmp"
			if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
				return err
			}
			if err := os.Rename(tmp, out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "hopscope: wrote %s (%d hosts, %d segments)\n", out, len(t.Hosts), len(t.Segments))
			return nil
		},
	}
	cmd.Flags().BoolVar(&live, "live", false, "snapshot this machine's live state")
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write (default: standard output)")
	cmd.Flags().StringVar(&ovsdb, "ovsdb", "", "the OVS database, unix:PATH or tcp:IP:PORT (default: the local socket, if any)")
	cmd.Flags().StringVar(&hostname, "hostname", "", "the host's name in the snapshot (default: this machine's hostname)")
	cmd.Flags().StringVar(&ovnNB, "ovn-nb", "", "an OVN northbound database to add, unix:PATH or tcp:IP:PORT (default $OVN_NB_DB; none: no OVN)")
	cmd.Flags().StringVar(&ovnSB, "ovn-sb", "", "its southbound database (default $OVN_SB_DB)")
	return cmd
}
