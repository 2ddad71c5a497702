package ovn

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/scenarios"
)

// BenchmarkImportFiles reads a large deployment, Neutron's layout with
// 25,601 switch ports and 10,000 ACLs (scenarios.GenerateOVN(250, 100,
// 10000, 100)), written into a private OVN once:
//
//   - nb-file: ImportFiles of the northbound file;
//   - nb+sb-file: the same with the southbound file northd made, which
//     holds 150,000 logical flows the import skips;
//   - nb-socket: Import from the northbound server, for comparison;
//   - nb-libovsdb-decode: of that, only the step from the rows the server
//     sent to the models (libovsdb's CreateModel), which the file import
//     replaces with decoding the file's JSON into the models directly.
//
// MB/s is of the northbound file (of both files for nb+sb-file). Setting
// up takes a few minutes: northd needs them to catch up, and the numbers
// mean little while it runs.
func BenchmarkImportFiles(b *testing.B) {
	c := ovnrun.Start(b)
	ctx := context.Background()
	if err := Write(ctx, c.NB, scenarios.GenerateOVN(250, 100, 10000, 100)); err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Minute)
	for err := c.Sync(); err != nil; err = c.Sync() {
		if time.Now().After(deadline) {
			b.Fatalf("northd did not catch up: %v", err)
		}
	}
	nb, sb := clusterFiles(c)
	size := func(path string) int64 {
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		return fi.Size()
	}
	b.Logf("%s: %.1f MB, %s: %.1f MB", nb, float64(size(nb))/1e6, sb, float64(size(sb))/1e6)
	run := func(name string, bytes int64, f func() error) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(bytes)
			b.ReportAllocs()
			for b.Loop() {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("nb-file", size(nb), func() error { _, err := ImportFiles(nb, ""); return err })
	run("nb+sb-file", size(nb)+size(sb), func() error { _, err := ImportFiles(nb, sb); return err })
	run("nb-socket", size(nb), func() error { _, err := Import(ctx, c.NB, ""); return err })
	cm, err := nbModel()
	if err != nil {
		b.Fatal(err)
	}
	dbm, rows, err := selectAll(ctx, c.NB, cm, nbTableOrder)
	if err != nil {
		b.Fatal(err)
	}
	run("nb-libovsdb-decode", size(nb), func() error { _, err := decodeNB(&decoder{dbm: dbm, rows: rows}); return err })
}
