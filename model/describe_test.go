package model

import (
	"errors"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	var b strings.Builder
	if err := testTopology(t).Describe(&b); err != nil {
		t.Fatal(err)
	}
	goldenCompare(t, "describe.txt", b.String())
}

// Kernel-default rules are noise; anything else is printed in full.
func TestDescribeRules(t *testing.T) {
	topo := testTopology(t)
	var b strings.Builder
	if err := topo.Describe(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "\n    rules\n"); n != 1 {
		t.Errorf("want rules printed for the root namespace only, got %d rules sections:\n%s", n, out)
	}
	if !strings.Contains(out, "      100: from 10.0.1.0/24 lookup 10\n") {
		t.Errorf("custom rule missing:\n%s", out)
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n--; f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestDescribeWriteError(t *testing.T) {
	err := testTopology(t).Describe(&failWriter{n: 3})
	if err == nil || err.Error() != "disk full" {
		t.Errorf("Describe on a failing writer: err = %v, want disk full", err)
	}
}
