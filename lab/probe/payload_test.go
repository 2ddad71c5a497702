package probe

import (
	"strings"
	"testing"
)

func TestParsePayload(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
		ok      bool
	}{
		{"plain token", "hsprobe:c17", "c17", true},
		{"all allowed characters", "hsprobe:aZ09._-", "aZ09._-", true},
		{"longest token", "hsprobe:" + strings.Repeat("x", 64), strings.Repeat("x", 64), true},
		{"token too long", "hsprobe:" + strings.Repeat("x", 65), "", false},
		{"empty token", "hsprobe:", "", false},
		{"no magic", "c17", "", false},
		{"wrong magic", "hsprobe;c17", "", false},
		{"magic in the middle", "xhsprobe:c17", "", false},
		{"trailing newline", "hsprobe:c17\n", "", false},
		{"trailing NUL", "hsprobe:c17\x00", "", false},
		{"space in token", "hsprobe:c 17", "", false},
		{"colon in token", "hsprobe:c:17", "", false},
		{"non-ASCII", "hsprobe:cé", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parsePayload([]byte(tt.payload))
			if got != tt.want || ok != tt.ok {
				t.Errorf("parsePayload(%q) = %q, %v; want %q, %v", tt.payload, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestEncodePayload(t *testing.T) {
	b, err := encodePayload("c17")
	if err != nil || string(b) != "hsprobe:c17" {
		t.Errorf("encodePayload(c17) = %q, %v", b, err)
	}
	_, err = encodePayload("c 17")
	want := `token "c 17": want 1 to 64 characters from [A-Za-z0-9._-]`
	if err == nil || err.Error() != want {
		t.Errorf("encodePayload(\"c 17\") error = %v; want %s", err, want)
	}
}

func FuzzParsePayload(f *testing.F) {
	f.Add([]byte("hsprobe:c17"))
	f.Add([]byte("hsprobe:"))
	f.Add([]byte("junk"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, ok := parsePayload(b)
		if !ok {
			return
		}
		again, err := encodePayload(tok)
		if err != nil || string(again) != string(b) {
			t.Fatalf("parsePayload(%q) = %q but encodes to %q, %v", b, tok, again, err)
		}
	})
}
