package ovn

import (
	"context"
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
	if diff := cmp.Diff(want, got, equateModel...); diff != "" {
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

// TestImportFiles reads the round trip's database, with every table and
// column the importer reads, from its files.
func TestImportFiles(t *testing.T) {
	c := roundTripCluster(t)
	db := compareWithServer(t, c)
	if len(db.Switches) != 3 || len(db.Chassis) != 1 || !db.HasSB {
		t.Errorf("read %d switches and %d chassis (HasSB %v), want 3 and 1 (true)", len(db.Switches), len(db.Chassis), db.HasSB)
	}
}
