package netfilter

import (
	"errors"
	"strings"
)

// token is one shell-like word of a rule line. quoted records that the word
// had quotes, so a quoted "!" or "-x" is a value, never negation or an option.
type token struct {
	s      string
	quoted bool
}

func (t token) bang() bool     { return !t.quoted && t.s == "!" }
func (t token) isOption() bool { return !t.quoted && len(t.s) > 1 && t.s[0] == '-' }

var errUnterminated = errors.New("unterminated quote")

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// tokenize splits line into words as iptables-restore does: whitespace
// separates, "..." groups with \ escaping the next byte, '...' groups
// literally. Words are appended to buf.
func tokenize(line string, buf []token) ([]token, error) {
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i >= len(line) {
			return buf, nil
		}
		j := i
		for j < len(line) && !isSpace(line[j]) && line[j] != '"' && line[j] != '\'' {
			j++
		}
		if j == len(line) || isSpace(line[j]) { // the common case: no quotes, no copy
			buf = append(buf, token{s: line[i:j]})
			i = j
			continue
		}
		var b strings.Builder
		b.WriteString(line[i:j])
		i = j
		for i < len(line) && !isSpace(line[i]) {
			switch c := line[i]; c {
			case '"':
				for i++; ; i++ {
					if i >= len(line) {
						return buf, errUnterminated
					}
					c := line[i]
					if c == '"' {
						i++
						break
					}
					if c == '\\' && i+1 < len(line) {
						i++
						c = line[i]
					}
					b.WriteByte(c)
				}
			case '\'':
				k := strings.IndexByte(line[i+1:], '\'')
				if k < 0 {
					return buf, errUnterminated
				}
				b.WriteString(line[i+1 : i+1+k])
				i += k + 2
			default:
				b.WriteByte(c)
				i++
			}
		}
		buf = append(buf, token{s: b.String(), quoted: true})
	}
}

// quoteStrict quotes like iptables-save's xtables_save_string: anything
// beyond [A-Za-z0-9_-] gets double quotes, with ", \ and ' escaped.
func quoteStrict(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return quoteForce(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// quoteMin quotes only what tokenize would otherwise split or misread.
// Bytes outside printable ASCII are quoted too, so that trimming a line
// (which knows Unicode spaces) cannot eat the end of a value.
func quoteMin(s string) string {
	if s == "" || s == "!" {
		return quoteForce(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' {
			return quoteForce(s)
		}
	}
	return s
}

func quoteForce(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c == '\'' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}
