package ovn

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model/ovn"
	"github.com/hopscope/hopscope/oracle/ovnrun"
)

// clusterFiles are the database files of c (ovnrun keeps them in its Dir).
func clusterFiles(c *ovnrun.Cluster) (nb, sb string) {
	return filepath.Join(c.Dir, "nb.db"), filepath.Join(c.Dir, "sb.db")
}

// compareWithServer imports c from its files and from its servers: the
// models must be equal, but for each row's Source, which names the file.
func compareWithServer(t *testing.T, c *ovnrun.Cluster) *ovn.DB {
	t.Helper()
	want, err := Import(context.Background(), c.NB, c.SB)
	if err != nil {
		t.Fatal(err)
	}
	nbFile, sbFile := clusterFiles(c)
	got, err := ImportFiles(nbFile, sbFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, equateFile...); diff != "" {
		t.Errorf("ImportFiles differs from Import (-server +files):\n%s", diff)
	}
	for _, s := range got.Switches {
		for _, p := range s.Ports {
			if want := nbFile + " " + tSwitchPort + " " + p.UUID; p.Source != want {
				t.Fatalf("port %s: Source %q, want %q", p.Name, p.Source, want)
			}
		}
	}
	for _, ch := range got.Chassis {
		if !strings.HasPrefix(ch.Source, sbFile+" ") {
			t.Fatalf("chassis %s: Source %q, want it to name %s", ch.Name, ch.Source, sbFile)
		}
	}
	return got
}

// TestImportFiles reads the round trip's databases, with every table and
// column the importer reads, from their files; then changes and deletes
// rows, which the servers append to the files as diffs, and reads them
// again.
func TestImportFiles(t *testing.T) {
	c := roundTripCluster(t)
	db := compareWithServer(t, c)
	if len(db.Switches) != 3 || len(db.Chassis) != 1 || !db.HasSB {
		t.Errorf("read %d switches and %d chassis (HasSB %v), want 3 and 1 (true)", len(db.Switches), len(db.Chassis), db.HasSB)
	}
	for _, args := range [][]string{
		{"lsp-del", "vm2"},
		{"lsp-set-addresses", "vm1", "0a:00:00:00:00:11 10.0.0.111", "unknown"},
		{"lsp-set-port-security", "vm1"},
		{"set", "Logical_Switch_Port", "vm3", "external_ids:a=b", "options:requested-chassis=hv1"},
		{"remove", "Logical_Switch_Port", "vm5", "external_ids", `"neutron:device_owner"`},
		{"lsp-set-enabled", "vm5", "enabled"},
		{"acl-del", "pg_web", "to-lport", "1001", "outport == @pg_web && ip4"},
		{"lr-route-del", "lr0", "10.0.1.0/24"},
		{"lr-nat-del", "lr0", "snat", "10.0.0.0/24"},
		{"lr-policy-del", "lr0", "90"},
		{"lb-del", "lb0", "10.0.0.101"},
		{"--may-exist", "lb-add", "lb0", "10.0.0.100:80", "10.0.0.11:8080"},
		{"add", "Address_Set", "as_web", "addresses", "10.0.0.99"},
		{"remove", "Address_Set", "as_web", "addresses", "10.0.0.11"},
		{"set", "Logical_Switch", "sw0", "other_config:x=y"},
		{"ha-chassis-group-remove-chassis", "hagrp", "hv2"},
		{"ls-del", "public"},
		{"lrp-del", "lr0-lr1"},
	} {
		if _, err := c.NBCtl(args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	nb, _ := clusterFiles(c)
	if n := records(t, nb); n < len(liveNB) {
		t.Fatalf("%s has %d records: compacted, so the test reads no diffs", nb, n)
	}
	db = compareWithServer(t, c)
	if len(db.Switches) != 2 || port(db, "sw0", "vm2") != nil {
		t.Errorf("after the changes: %d switches, vm2 %v; want 2 switches and no vm2", len(db.Switches), port(db, "sw0", "vm2"))
	}
}

// records counts the records of a database file.
func records(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\nOVSDB JSON ")) + 1
}
