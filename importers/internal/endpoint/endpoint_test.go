package endpoint

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParse checks lists; a list of one is what Parse reads.
func TestParse(t *testing.T) {
	abs, err := filepath.Abs("db.sock")
	if err != nil {
		t.Fatal(err)
	}
	const want = `; want "unix:PATH" or "tcp:IP:PORT"`
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "unix:/run/ovs/db.sock", want: []string{"unix:/run/ovs/db.sock"}},
		{in: "unix:db.sock", want: []string{"unix:" + abs}},
		{in: "tcp:192.0.2.1:6640", want: []string{"tcp:192.0.2.1:6640"}},
		{in: "tcp:[2001:db8::1]:6640", want: []string{"tcp:[2001:db8::1]:6640"}},
		{in: "tcp:192.0.2.1:6641, tcp:192.0.2.2:6641", want: []string{"tcp:192.0.2.1:6641", "tcp:192.0.2.2:6641"}},
		{in: "unix:", err: `endpoint "unix:": no socket path` + want},
		{in: "tcp:192.0.2.1", err: `endpoint "tcp:192.0.2.1": address 192.0.2.1: missing port in address` + want},
		{in: "tcp::6640", err: `endpoint "tcp::6640": missing address or port` + want},
		{in: "ssl:192.0.2.1:6640", err: `endpoint "ssl:192.0.2.1:6640": unsupported scheme` + want},
		{in: "/run/ovs/db.sock", err: `endpoint "/run/ovs/db.sock": unsupported scheme` + want},
		{in: "", err: `no endpoint` + want},
		{in: "tcp:192.0.2.1:6641,ssl:192.0.2.2:6641", err: `endpoint "ssl:192.0.2.2:6641": unsupported scheme` + want},
		{in: "tcp:192.0.2.1:6641,", err: `endpoint "": unsupported scheme` + want},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseList(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseList(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseList(%q) (-want +got):\n%s", tt.in, diff)
			}
			if strings.Contains(tt.in, ",") || tt.in == "" {
				return
			}
			one, oneErr := Parse(tt.in)
			if (oneErr == nil) != (err == nil) || (err == nil && one != got[0]) || (err != nil && oneErr.Error() != err.Error()) {
				t.Errorf("Parse(%q) = %q, %v; ParseList says %q, %v", tt.in, one, oneErr, got, err)
			}
		})
	}
}

// FuzzParse checks that whatever Parse accepts is an absolute unix path or
// a tcp address, which libovsdb dials as written.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"unix:/a", "unix:a", "tcp:1.2.3.4:5", "tcp:[::1]:5", "ssl:x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "unix:/") && !strings.HasPrefix(got, "tcp:") {
			t.Errorf("Parse(%q) = %q: neither an absolute unix path nor tcp", s, got)
		}
	})
}
