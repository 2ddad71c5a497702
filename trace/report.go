package trace

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Report is one traced request with its paths and the reply's, as
// `trace -o json` writes it and the TUI saves it.
type Report struct {
	Request ReportRequest `json:"request"`
	Traces  []*Trace      `json:"traces"`
	Reply   []*Trace      `json:"reply,omitempty"`
}

// ReportRequest is the request as the JSON shows it.
type ReportRequest struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Proto   string `json:"proto"`
	SrcPort uint16 `json:"src_port,omitempty"`
	DstPort uint16 `json:"dst_port,omitempty"`
	Reply   bool   `json:"reply,omitempty"`
}

// NewReport is req's report; reply is nil when the reply was not traced.
func NewReport(req Request, fwd, reply []*Trace) Report {
	return Report{Request: ReportRequest{From: req.From, To: req.To, Proto: ProtoName(req.Proto),
		SrcPort: req.SrcPort, DstPort: req.DstPort, Reply: reply != nil}, Traces: fwd, Reply: reply}
}

// Paths are the forward paths, then the reply's: a capture's order.
func (r Report) Paths() []*Trace { return append(slices.Clip(r.Traces), r.Reply...) }

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText tells the forward paths, then the reply's.
func (r Report) WriteText(w io.Writer) error {
	if err := WriteText(w, r.Traces); err != nil {
		return err
	}
	if r.Reply == nil {
		return nil
	}
	if _, err := fmt.Fprintln(w, "════ reply ════"); err != nil {
		return err
	}
	return WriteText(w, r.Reply)
}

// StepLabel is the short name the text output gives a step kind ("iptables", "openflow").
func StepLabel(k StepKind) string { return stepLabels[k] }
