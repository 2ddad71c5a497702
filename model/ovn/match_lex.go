package ovn

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of a match expression. The lexer
// follows OVN's (lib/lex.c): it also knows tokens that only OVN actions use
// (`=`, `;`, `<->`, ...) so that errors can name them.
type tokKind uint8

const (
	tkEnd       tokKind = iota // end of input
	tkError                    // a lexical error; text is the message
	tkID                       // a field, predicate or function name
	tkInt                      // an integer, IPv4, IPv6 or MAC, maybe masked
	tkString                   // a quoted string; text is its unescaped value
	tkAddrSet                  // $name; text is the name
	tkPortGroup                // @name; text is the name
	tkTemplate                 // ^name, a chassis template variable
	tkLParen
	tkRParen
	tkLCurly
	tkRCurly
	tkLSquare
	tkRSquare
	tkEq
	tkNe
	tkLt
	tkLe
	tkGt
	tkGe
	tkNot
	tkAnd
	tkOr
	tkEllipsis
	tkComma
	tkOther // = ; <-> -- - : (valid OVN tokens that no match uses)
)

// numFormat is how an integer constant was written; OVN uses it to decide
// what a mask means and which constants may stand for true and false.
type numFormat uint8

const (
	fmtDecimal numFormat = iota
	fmtHex
	fmtIPv4
	fmtIPv6
	fmtMAC
)

// token is one token; pos and end are byte offsets into the source.
type token struct {
	kind     tokKind
	pos, end int
	text     string
	val      u128
	mask     u128 // valid iff masked
	masked   bool
	format   numFormat
}

// lex splits src into tokens, ending with tkEnd or, at the first lexical
// error, tkError.
func lex(src string) []token {
	var toks []token
	for p := 0; ; {
		t := lexOne(src, p)
		toks = append(toks, t)
		if t.kind == tkEnd || t.kind == tkError {
			return toks
		}
		p = t.end
	}
}

func lexOne(s string, p int) token {
	p = skipSpace(s, p)
	if p < 0 {
		return token{kind: tkError, pos: -p - 1, end: len(s), text: "`/*' without matching `*/'"}
	}
	t := token{pos: p, end: p + 1}
	if p >= len(s) {
		t.kind, t.end = tkEnd, p
		return t
	}
	c := s[p]
	two := ""
	if p+1 < len(s) {
		two = s[p : p+2]
	}
	switch {
	case c == '(':
		t.kind = tkLParen
	case c == ')':
		t.kind = tkRParen
	case c == '{':
		t.kind = tkLCurly
	case c == '}':
		t.kind = tkRCurly
	case c == '[':
		t.kind = tkLSquare
	case c == ']':
		t.kind = tkRSquare
	case c == ',':
		t.kind = tkComma
	case two == "==":
		t.kind, t.end = tkEq, p+2
	case two == "!=":
		t.kind, t.end = tkNe, p+2
	case two == "<=":
		t.kind, t.end = tkLe, p+2
	case two == ">=":
		t.kind, t.end = tkGe, p+2
	case two == "&&":
		t.kind, t.end = tkAnd, p+2
	case two == "||":
		t.kind, t.end = tkOr, p+2
	case two == "..":
		t.kind, t.end = tkEllipsis, p+2
	case strings.HasPrefix(s[p:], "<->"):
		t.kind, t.end = tkOther, p+3
	case two == "--":
		t.kind, t.end = tkOther, p+2
	case c == '<':
		t.kind = tkLt
	case c == '>':
		t.kind = tkGt
	case c == '!':
		t.kind = tkNot
	case c == '=' || c == ';' || c == '-' || c == ':' && two != "::":
		t.kind = tkOther
	case c == '&':
		return lexErr(t, "`&' is only valid as part of `&&'")
	case c == '|':
		return lexErr(t, "`|' is only valid as part of `||'")
	case c == '.':
		return lexErr(t, "`.' is only valid as part of `..' or a number")
	case c == '/':
		return lexErr(t, "`/' is only valid as part of `//' or `/*'")
	case c == '"':
		return lexString(s, t)
	case c == '$' || c == '@' || c == '^':
		return lexSigil(s, t)
	case c == ':' || isDigit(c) || isHexLetter(c) && startsHexAddr(s[p:]):
		return lexInteger(s, t)
	case isIDStart(c):
		t.kind = tkID
		t.end = idEnd(s, p)
		t.text = s[p:t.end]
	default:
		r, size := utf8.DecodeRuneInString(s[p:])
		t.end = p + size
		return lexErr(t, fmt.Sprintf("invalid character %q", r))
	}
	return t
}

func lexErr(t token, msg string) token {
	t.kind, t.text = tkError, msg
	return t
}

// skipSpace skips white space and comments. It returns -(start+1) for an
// unterminated /* comment starting at start.
func skipSpace(s string, p int) int {
	for p < len(s) {
		switch {
		case strings.IndexByte(" \t\n\r\v\f", s[p]) >= 0:
			p++
		case strings.HasPrefix(s[p:], "//"):
			for p < len(s) && s[p] != '\n' {
				p++
			}
		case strings.HasPrefix(s[p:], "/*"):
			// Like OVN, a /* comment may not span lines.
			end := strings.Index(s[p+2:], "*/")
			if nl := strings.IndexByte(s[p+2:], '\n'); end < 0 || nl >= 0 && nl < end {
				return -p - 1
			}
			p += 2 + end + 2
		default:
			return p
		}
	}
	return p
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isHexLetter(c byte) bool { return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isAlnum(c byte) bool     { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isIDStart(c byte) bool   { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isIDByte(c byte) bool    { return isIDStart(c) || isDigit(c) || c == '.' }

func idEnd(s string, p int) int {
	for p < len(s) && isIDByte(s[p]) {
		p++
	}
	return p
}

// startsHexAddr tells a MAC or IPv6 address from an identifier: addresses
// starting with a letter are hex digits followed by a colon, identifiers
// never are.
func startsHexAddr(s string) bool {
	i := 0
	for i < len(s) && (isDigit(s[i]) || isHexLetter(s[i])) {
		i++
	}
	return i < len(s) && s[i] == ':'
}

func lexSigil(s string, t token) token {
	p := t.pos + 1
	if p >= len(s) || !isIDStart(s[p]) {
		return lexErr(t, fmt.Sprintf("`%c' must be followed by a name", s[t.pos]))
	}
	t.end = idEnd(s, p)
	t.text = s[p:t.end]
	switch s[t.pos] {
	case '$':
		t.kind = tkAddrSet
	case '@':
		t.kind = tkPortGroup
	default:
		t.kind = tkTemplate
	}
	return t
}

// lexString reads a quoted string, which has JSON's syntax.
func lexString(s string, t token) token {
	p := t.pos + 1
	for ; p < len(s) && s[p] != '"'; p++ {
		if s[p] == '\\' {
			p++
		}
	}
	if p >= len(s) {
		t.end = len(s)
		return lexErr(t, "input ends inside quoted string")
	}
	t.end = p + 1
	if err := json.Unmarshal([]byte(s[t.pos:t.end]), &t.text); err != nil {
		return lexErr(t, "invalid quoted string (strings use JSON syntax)")
	}
	t.kind = tkString
	return t
}

// lexInteger reads a number, address or masked one (value/mask).
func lexInteger(s string, t token) token {
	t, ok := lexNumber(s, t)
	if !ok || t.end >= len(s) || s[t.end] != '/' {
		return t
	}
	m, ok := lexNumber(s, token{pos: t.end + 1})
	if !ok {
		t.kind, t.text, t.end = tkError, m.text, m.end
		return t
	}
	t.end, t.masked = m.end, true
	switch {
	case t.format == m.format:
		t.mask = m.val
	case t.format == fmtIPv4 && m.format == fmtDecimal && m.val.lo <= 32 && m.val.hi == 0:
		t.mask = ones(32).andNot(ones(32 - int(m.val.lo)))
	case t.format == fmtIPv6 && m.format == fmtDecimal && m.val.lo <= 128 && m.val.hi == 0:
		t.mask = ones(128).andNot(ones(128 - int(m.val.lo)))
	case t.format == fmtDecimal && m.format == fmtHex && t.val.isZero():
		t.format, t.mask = fmtHex, m.val
	default:
		return lexErr(t, "value and mask have incompatible formats")
	}
	t.val = t.val.and(t.mask)
	return t
}

// lexNumber reads one unmasked number starting at t.pos. Like OVN it takes
// letters, digits, colons (until a dot) and dots (but not `..`), then
// decides what that is.
func lexNumber(s string, t token) (token, bool) {
	p, sawDot := t.pos, false
	for p < len(s) && (isAlnum(s[p]) || s[p] == ':' && !sawDot || s[p] == '.' && !strings.HasPrefix(s[p:], "..")) {
		sawDot = sawDot || s[p] == '.'
		p++
	}
	t.end, t.kind = p, tkInt
	w := s[t.pos:p]
	switch {
	case w == "":
		return lexErr(t, "integer constant expected"), false
	case len(w) == 17 && isMAC(w):
		t.format = fmtMAC
		for i := 0; i < 17; i += 3 {
			t.val.lo = t.val.lo<<8 | uint64(hexVal(w[i]))<<4 | uint64(hexVal(w[i+1]))
		}
	case allDigits(w):
		if w[0] == '0' && len(w) > 1 {
			return lexErr(t, "decimal constants must not have leading zeros"), false
		}
		n, err := strconv.ParseUint(w, 10, 64)
		if err != nil {
			return lexErr(t, "decimal constants must be less than 2**64"), false
		}
		t.format, t.val = fmtDecimal, u64(n)
	case len(w) >= 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X'):
		return lexHex(w, t)
	default:
		a, err := netip.ParseAddr(w)
		switch {
		case err != nil || a.Zone() != "":
			return lexErr(t, "invalid numeric constant"), false
		case a.Is4():
			t.format, t.val = fmtIPv4, ip4Value(a)
		default:
			t.format, t.val = fmtIPv6, ip6Value(a)
		}
	}
	return t, true
}

func lexHex(w string, t token) (token, bool) {
	digits := strings.TrimLeft(w[2:], "0")
	if len(w) == 2 {
		return lexErr(t, fmt.Sprintf("hex digits expected following %s", w)), false
	}
	if len(digits) > 32 {
		return lexErr(t, "hexadecimal constant requires more than 128 bits"), false
	}
	for i := 2; i < len(w); i++ {
		if hexVal(w[i]) < 0 {
			return lexErr(t, "invalid syntax in hexadecimal constant"), false
		}
	}
	for i := 0; i < len(digits); i++ {
		t.val = t.val.shl(4).or(u64(uint64(hexVal(digits[i]))))
	}
	t.format = fmtHex
	return t, true
}

func allDigits(w string) bool {
	for i := 0; i < len(w); i++ {
		if !isDigit(w[i]) {
			return false
		}
	}
	return true
}

func isMAC(w string) bool {
	for i := 0; i < 17; i++ {
		if i%3 == 2 {
			if w[i] != ':' {
				return false
			}
		} else if hexVal(w[i]) < 0 {
			return false
		}
	}
	return true
}

func hexVal(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
