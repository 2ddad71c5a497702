package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hopscope/hopscope/trace"
	"github.com/hopscope/hopscope/trace/frame"
)

// save writes the journey (every forward path and the reply's) to file,
// in the format its extension names.
func (a *App) save(file string) {
	n, err := a.export(file)
	if err != nil {
		a.say("not saved: %v", err)
		return
	}
	a.say("saved %d path(s) to %s", n, file)
}

func (a *App) export(file string) (int, error) {
	var write func(io.Writer) error
	rep := trace.NewReport(a.s.req, a.s.fwd, a.s.reply)
	switch strings.ToLower(filepath.Ext(file)) {
	case ".json":
		write = rep.WriteJSON
	case ".txt", ".text":
		write = rep.WriteText
	case ".pcap":
		write = func(w io.Writer) error { return frame.WritePcap(w, rep.Paths()) }
	default:
		return 0, fmt.Errorf("end the name with .json, .txt or .pcap (not %q)", filepath.Ext(file))
	}
	// Write beside the target and rename, so a failed save never leaves
	// half a file where a good one was.
	tmp, err := os.CreateTemp(filepath.Dir(file), ".hopscope-save-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return 0, err
	}
	return len(a.s.fwd) + len(a.s.reply), nil
}

// protoText is "tcp/22", "udp/53" or "icmp".
func protoText(proto uint8, port uint16) string {
	if port == 0 {
		return trace.ProtoName(proto)
	}
	return fmt.Sprintf("%s/%d", trace.ProtoName(proto), port)
}
