package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/trace"
	"github.com/hopscope/hopscope/trace/frame"
)

type traceFlags struct {
	src            source
	from, to       string
	proto          string
	sport, dport   uint16
	srcIP          string
	srcMAC, dstMAC string
	vlan           uint16
	reply          bool
	output         string
}

func traceCmd() *cobra.Command {
	f := &traceFlags{}
	cmd := &cobra.Command{
		Use:   "trace SOURCE --from EP --to DEST",
		Short: "Trace one packet and tell its story hop by hop",
		Long: `Trace one packet from an endpoint to a destination and print every hop.

EP and DEST are an endpoint name, host:netns:iface, host:netns, or an IP
address (the interface that owns it). An address no interface owns is
outside the topology: a trace to it exits through a segment's gateway, a
trace from it enters through the segment that leads to it.

-o pcap writes each hop's packet, as it arrived there, as an Ethernet frame
(tunnel packets with their VXLAN, Geneve or GRE headers) for tcpdump or
Wireshark: redirect it to a file.

Exit status: 0 delivered or exited, 1 not, 2 bad input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrace(cmd, f) },
	}
	f.src.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", "where the packet starts (required)")
	fl.StringVar(&f.to, "to", "", "where it is going (required)")
	fl.StringVar(&f.proto, "proto", "icmp", "icmp, tcp or udp")
	fl.Uint16Var(&f.sport, "sport", 0, "source port (tcp/udp; default 40000)")
	fl.Uint16Var(&f.dport, "dport", 0, "destination port (tcp/udp)")
	fl.StringVar(&f.srcIP, "src-ip", "", "source address instead of the one --from implies (spoofing what-ifs)")
	fl.StringVar(&f.srcMAC, "src-mac", "", "source MAC of the first frame")
	fl.StringVar(&f.dstMAC, "dst-mac", "", "destination MAC of the first frame")
	fl.Uint16Var(&f.vlan, "vlan", 0, "VLAN tag, for injecting at a bridge port")
	fl.BoolVar(&f.reply, "reply", false, "also trace the answer back through the forward connection")
	fl.StringVarP(&f.output, "output", "o", "text", "text, json or pcap (each hop's packet as a frame; replies after the forward traces)")
	return cmd
}

func (f *traceFlags) request() (trace.Request, error) {
	if f.from == "" || f.to == "" {
		return trace.Request{}, errors.New("--from and --to are both required")
	}
	proto, err := trace.ParseProto(f.proto)
	if err != nil {
		return trace.Request{}, fmt.Errorf("--proto: %w", err)
	}
	if (f.sport != 0 || f.dport != 0) && proto != trace.ProtoTCP && proto != trace.ProtoUDP {
		return trace.Request{}, fmt.Errorf("--sport/--dport need --proto tcp or udp (got %s)", f.proto)
	}
	if f.vlan > 4095 {
		return trace.Request{}, fmt.Errorf("--vlan %d: want a VLAN id 1-4095", f.vlan)
	}
	req := trace.Request{From: f.from, To: f.to, Proto: proto, SrcPort: f.sport, DstPort: f.dport, VLAN: f.vlan}
	if f.srcIP != "" {
		if req.SrcIP, err = netip.ParseAddr(f.srcIP); err != nil {
			return req, fmt.Errorf("--src-ip: %q is not an IP address", f.srcIP)
		}
	}
	for _, m := range []struct {
		flag, val string
		dst       *model.MAC
	}{{"--src-mac", f.srcMAC, &req.SrcMAC}, {"--dst-mac", f.dstMAC, &req.DstMAC}} {
		if m.val == "" {
			continue
		}
		if *m.dst, err = model.ParseMAC(m.val); err != nil {
			return req, fmt.Errorf("%s: %w", m.flag, err)
		}
	}
	return req, nil
}

func runTrace(cmd *cobra.Command, f *traceFlags) error {
	switch f.output {
	case "text", "json":
	case "pcap":
		if isTerminal(cmd.OutOrStdout()) {
			return badInput(errors.New("-o pcap writes binary: redirect it to a file (hopscope trace ... -o pcap > trace.pcap)"))
		}
	default:
		return badInput(fmt.Errorf("-o %q: want text, json or pcap", f.output))
	}
	req, err := f.request()
	if err != nil {
		return badInput(err)
	}
	sc, err := f.src.load(cmd.Context(), cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	e := trace.New(sc.Topology)
	fwd, err := e.Trace(req)
	if err != nil {
		return badInput(err)
	}
	judged := fwd
	var reply []*trace.Trace
	var replyErr error
	if f.reply {
		reply, replyErr = e.Reply(fwd)
		judged = reply
	}
	if err := writeTraces(cmd.OutOrStdout(), f, req, fwd, reply, replyErr); err != nil {
		return err
	}
	if replyErr != nil {
		return &exitError{code: 1, err: fmt.Errorf("--reply: %w", replyErr)}
	}
	for _, t := range judged {
		if t.Disposition.Success() {
			return nil
		}
	}
	return &exitError{code: 1}
}

// writeTraces prints the forward traces and, with --reply, the reply ones
// in the -o format.
func writeTraces(w io.Writer, f *traceFlags, req trace.Request, fwd, reply []*trace.Trace, replyErr error) error {
	if replyErr != nil {
		reply = nil
	}
	rep := trace.NewReport(req, fwd, reply)
	rep.Request.Reply = f.reply
	switch f.output {
	case "json":
		return rep.WriteJSON(w)
	case "pcap":
		return frame.WritePcap(w, rep.Paths())
	}
	return rep.WriteText(w)
}
