package ovn

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScannerStrings(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`""`, ""},
		{`"inport == \"vm1\""`, `inport == "vm1"`},
		{`"tab\there\nand \\ \/"`, "tab\there\nand \\ /"},
		{`"\u00e9 and é"`, "é and é"},
		{`"\ud83d\ude00"`, "😀"},
		{`"lone \ud83d surrogate"`, "lone \uFFFD surrogate"},
		{`"\ud83d\u0041"`, "\uFFFDA"},
	}
	for _, tt := range tests {
		for _, size := range []int{1, 3, 64} {
			s := newScanner(strings.NewReader(tt.in), 0, size)
			got, err := s.str()
			if err != nil || got != tt.want {
				t.Errorf("str(%s) with a %d-byte buffer = %q, %v; want %q", tt.in, size, got, err, tt.want)
			}
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		in   string
		read func(*scanner) error
		want string
	}{
		{`"abc`, func(s *scanner) error { _, err := s.str(); return err }, "byte 4: the record ends where the end of a string should be"},
		{`"a\x"`, func(s *scanner) error { _, err := s.str(); return err }, `byte 1: bad escape in string "a\\x"`},
		{`  5`, func(s *scanner) error { _, err := s.str(); return err }, "byte 2: want a string, found '5'"},
		{`1.5`, func(s *scanner) error { _, err := s.integer(); return err }, `byte 3: want an integer, found "1.5"`},
		{`nope`, func(s *scanner) error { _, err := s.boolean(); return err }, `byte 4: want true or false, found "nope"`},
		{`[1, 2`, (*scanner).skip, "byte 5: the record ends where a value should be"},
		{`]`, (*scanner).skip, "byte 0: want a value, found ']'"},
		{`{"a" 1}`, func(s *scanner) error {
			if err := s.expect('{', "'{'"); err != nil {
				return err
			}
			_, _, err := s.key(0)
			return err
		}, "byte 5: want ':', found '1'"},
		{`[1 2]`, func(s *scanner) error {
			if err := s.expect('[', "'['"); err != nil {
				return err
			}
			if _, err := s.elem(0); err != nil {
				return err
			}
			if _, err := s.integer(); err != nil {
				return err
			}
			_, err := s.elem(1)
			return err
		}, "byte 3: want ',' or ']', found '2'"},
	}
	for _, tt := range tests {
		s := newScanner(strings.NewReader(tt.in), 100, 2)
		s.off = 0
		if err := tt.read(s); err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %s", tt.in, err, tt.want)
		}
	}
}

// FuzzScanner checks the scanner against encoding/json: it skips every
// valid value whole, with any buffer size, and reads strings as
// encoding/json does.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\"y",{"b":null}],"c":true}`, `"\u00e9\ud83d\ude00"`, `[]`, `"a\\"`, `-0.5`, `{"k":"v"}  `} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, size uint8) {
		buf := int(size%16) + 1
		if json.Valid([]byte(in)) {
			s := newScanner(strings.NewReader(in), 0, buf)
			if err := s.skip(); err != nil {
				t.Fatalf("skip(%s): %v", in, err)
			}
			if err := s.rest(); err != nil {
				t.Fatalf("skip(%s) left: %v", in, err)
			}
		} else {
			s := newScanner(strings.NewReader(in), 0, buf)
			_ = s.skip() // must not panic
		}
		var want string
		if json.Unmarshal([]byte(in), &want) == nil && utf8.ValidString(in) {
			s := newScanner(strings.NewReader(in), 0, buf)
			got, err := s.str()
			if err != nil || got != want {
				t.Fatalf("str(%s) = %q, %v; encoding/json reads %q", in, got, err, want)
			}
		}
	})
}
