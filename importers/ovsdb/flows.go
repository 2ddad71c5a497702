package ovsdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hopscope/hopscope/importers/internal/command"
	"github.com/hopscope/hopscope/model"
	"github.com/hopscope/hopscope/model/openflow"
)

// defaultRunDir is where a packaged ovs-vswitchd keeps its sockets.
const defaultRunDir = "/var/run/openvswitch"

// RunDir is the run directory of the vswitchd a database endpoint belongs
// to: the socket's own directory when it holds the bridges' .mgmt sockets
// (a private vswitchd started with OVS_RUNDIR, as `lab up` does), else the
// packaged default. A tcp: database has no local run directory.
func RunDir(endpoint string) string {
	if endpoint == "" {
		return defaultRunDir
	}
	if path, ok := strings.CutPrefix(endpoint, "unix:"); ok {
		return filepath.Dir(path)
	}
	return ""
}

// ReadFlows fills in each bridge's OpenFlow tables (`ovs-ofctl -O
// OpenFlow15 dump-flows`) and learned FDB (`ovs-appctl fdb/show`) from the
// vswitchd in dir. A bridge it cannot read is a note, not an error: the
// bridge then traces as NORMAL, and the note says so.
func ReadFlows(ctx context.Context, ovs *model.OVS, dir string) []string {
	var notes []string
	if dir == "" {
		return []string{"OVS flows and FDB were not read: the database is remote, and ovs-ofctl needs the vswitchd's local sockets"}
	}
	ctl := vswitchdCtl(dir)
	for _, b := range ovs.Bridges {
		mgmt := filepath.Join(dir, b.Name+".mgmt")
		if _, err := os.Stat(mgmt); err != nil {
			notes = append(notes, fmt.Sprintf("bridge %s: no %s, so its flows were not read: it is traced as NORMAL", b.Name, mgmt))
			continue
		}
		text, err := command.Output(ctx, "", "ovs-ofctl", "-O", "OpenFlow15", "dump-flows", "unix:"+mgmt)
		if err != nil {
			notes = append(notes, fmt.Sprintf("bridge %s: dump-flows: %v: it is traced as NORMAL", b.Name, err))
			continue
		}
		flows, err := openflow.Parse(text)
		if err != nil {
			notes = append(notes, fmt.Sprintf("bridge %s: its flows do not parse (%v): it is traced as NORMAL", b.Name, err))
			continue
		}
		b.FlowText, b.Flows = text, openflow.NewFlows(flows)
		b.FlowSource = model.Source{File: "ovs-ofctl dump-flows " + b.Name, Line: 1}
		if ctl == "" {
			continue
		}
		fdb, err := command.Output(ctx, "", "ovs-appctl", "-t", ctl, "fdb/show", b.Name)
		if err == nil {
			var entries []model.OVSFDBEntry
			if entries, err = model.ParseOVSFDB(fdb); err == nil {
				for k := range entries {
					entries[k].Source.File = "ovs-appctl fdb/show " + b.Name
				}
				b.FDB = entries
			}
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("bridge %s: fdb/show: %v", b.Name, err))
		}
	}
	return notes
}

// vswitchdCtl finds the vswitchd's unixctl socket in dir: the one `lab up`
// names, or the packaged ovs-vswitchd.PID.ctl.
func vswitchdCtl(dir string) string {
	if p := filepath.Join(dir, "ovs-vswitchd.ctl"); exists(p) {
		return p
	}
	pid, err := os.ReadFile(filepath.Join(dir, "ovs-vswitchd.pid"))
	if err != nil {
		return ""
	}
	if p := filepath.Join(dir, "ovs-vswitchd."+strings.TrimSpace(string(pid))+".ctl"); exists(p) {
		return p
	}
	return ""
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return !errors.Is(err, fs.ErrNotExist)
}
