package ovn

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/scenarios"
)

// BenchmarkImportFiles reads a large northbound database, Neutron's layout
// with 25,601 switch ports and 10,000 ACLs (scenarios.GenerateOVN), from
// its file and, to compare, from its server.
func BenchmarkImportFiles(b *testing.B) {
	c := ovnrun.Start(b)
	ctx := context.Background()
	begin := time.Now()
	if err := Write(ctx, c.NB, scenarios.GenerateOVN(250, 100, 10000, 100)); err != nil {
		b.Fatal(err)
	}
	b.Logf("Write took %v", time.Since(begin))
	nb, _ := clusterFiles(c)
	fi, err := os.Stat(nb)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %.1f MB", nb, float64(fi.Size())/1e6)
	b.Run("file", func(b *testing.B) {
		b.SetBytes(fi.Size())
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ImportFiles(nb, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("socket", func(b *testing.B) {
		b.SetBytes(fi.Size())
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Import(ctx, c.NB, ""); err != nil {
				b.Fatal(err)
			}
		}
	})
}
