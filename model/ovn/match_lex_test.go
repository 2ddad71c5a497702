package ovn

import (
	"fmt"
	"strings"
	"testing"
)

func TestMatchLexer(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // kinds and values, or the error
	}{
		{"ip4.src==10.0.0.0/8", "id(ip4.src) == int(a000000/ff000000)"},
		{"a/*b*/c // d", "id(a) id(c)"},
		{"fe80::1 fa:16:3e:00:00:01 face", "int(0xfe800000000000000000000000000001) int(fa163e000001) id(face)"},
		{"0x0/0x1 0/0xff 192.168.0.2/30", "int(0/1) int(0/ff) int(c0a80000/fffffffc)"},
		{"1.2.3.4:5", "int(1020304) other int(5)"},
		{`"a\u0020b" $as @pg ^t`, `str(a b) $as @pg ^t`},
		{"0..15", "int(0) .. int(f)"},
		{"18446744073709551616", "error(decimal constants must be less than 2**64)"},
		{"0x1ffffffffffffffffffffffffffffffff", "error(hexadecimal constant requires more than 128 bits)"},
		{"1/", "error(integer constant expected)"},
	} {
		if got := describeTokens(lex(tt.in)); got != tt.want {
			t.Errorf("lex(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func describeTokens(toks []token) string {
	var out []string
	for _, t := range toks {
		switch t.kind {
		case tkEnd:
		case tkError:
			out = append(out, "error("+t.text+")")
		case tkID:
			out = append(out, "id("+t.text+")")
		case tkString:
			out = append(out, "str("+t.text+")")
		case tkAddrSet, tkPortGroup, tkTemplate:
			out = append(out, map[tokKind]string{tkAddrSet: "$", tkPortGroup: "@", tkTemplate: "^"}[t.kind]+t.text)
		case tkInt:
			v := fmt.Sprintf("%x", t.val.lo)
			if t.val.hi != 0 {
				v = fmt.Sprintf("0x%x%016x", t.val.hi, t.val.lo)
			}
			if t.masked {
				v += fmt.Sprintf("/%x", t.mask.lo)
			}
			out = append(out, "int("+v+")")
		case tkEq:
			out = append(out, "==")
		case tkEllipsis:
			out = append(out, "..")
		case tkOther:
			out = append(out, "other")
		default:
			out = append(out, fmt.Sprint(t.kind))
		}
	}
	return strings.Join(out, " ")
}
