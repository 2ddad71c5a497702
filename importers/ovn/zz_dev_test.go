package ovn

import (
	"context"
	"os"
	"testing"

	"github.com/hopscope/hopscope/oracle/ovnrun"
	"github.com/hopscope/hopscope/scenarios"
)

func TestDevMakeBig(t *testing.T) {
	if os.Getenv("DEVBIG") == "" {
		t.Skip()
	}
	c := ovnrun.Start(t)
	if err := Write(context.Background(), c.NB, scenarios.GenerateOVN(250, 100, 10000, 100)); err != nil {
		t.Fatal(err)
	}
	if err := c.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"nb.db", "sb.db"} {
		b, _ := os.ReadFile(c.Dir + "/" + f)
		os.WriteFile("/tmp/big-"+f, b, 0o644)
	}
}

func BenchmarkDevFile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ImportFiles("/tmp/big-nb.db", os.Getenv("DEVSB")); err != nil {
			b.Fatal(err)
		}
	}
}
