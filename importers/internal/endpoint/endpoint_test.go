package endpoint

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	abs, err := filepath.Abs("db.sock")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in, want, err string
	}{
		{name: "unix", in: "unix:/run/ovs/db.sock", want: "unix:/run/ovs/db.sock"},
		{name: "relative unix", in: "unix:db.sock", want: "unix:" + abs},
		{name: "tcp", in: "tcp:192.0.2.1:6640", want: "tcp:192.0.2.1:6640"},
		{name: "tcp6", in: "tcp:[2001:db8::1]:6640", want: "tcp:[2001:db8::1]:6640"},
		{name: "unix empty", in: "unix:", err: `endpoint "unix:": no socket path; want "unix:PATH" or "tcp:IP:PORT"`},
		{name: "tcp no port", in: "tcp:192.0.2.1", err: `endpoint "tcp:192.0.2.1": address 192.0.2.1: missing port in address; want "unix:PATH" or "tcp:IP:PORT"`},
		{name: "tcp no host", in: "tcp::6640", err: `endpoint "tcp::6640": missing address or port; want "unix:PATH" or "tcp:IP:PORT"`},
		{name: "ssl", in: "ssl:192.0.2.1:6640", err: `endpoint "ssl:192.0.2.1:6640": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT"`},
		{name: "bare path", in: "/run/ovs/db.sock", err: `endpoint "/run/ovs/db.sock": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Parse(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "unix:/run/ovn/ovnnb_db.sock", want: []string{"unix:/run/ovn/ovnnb_db.sock"}},
		{in: "tcp:192.0.2.1:6641, tcp:192.0.2.2:6641", want: []string{"tcp:192.0.2.1:6641", "tcp:192.0.2.2:6641"}},
		{in: "", err: `no endpoint; want "unix:PATH" or "tcp:IP:PORT"`},
		{in: "tcp:192.0.2.1:6641,ssl:192.0.2.2:6641", err: `endpoint "ssl:192.0.2.2:6641": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT"`},
		{in: "tcp:192.0.2.1:6641,", err: `endpoint "": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseList(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("ParseList(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseList(%q) (-want +got):\n%s", tt.in, diff)
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
