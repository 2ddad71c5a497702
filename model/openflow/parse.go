package openflow

import (
	"errors"
	"fmt"
	"strings"
)

// ParseError is broken input. Line and Col are 1-based (Col counts bytes);
// Msg names the offending text and says what was expected.
type ParseError struct {
	Line, Col int
	Msg       string
}

// Error is "line L, column C: MSG".
func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// Parse reads whole `ovs-ofctl dump-flows` output: with or without
// --no-stats, with --names, from -O OpenFlow10/13/15, with its reply header
// lines, blank lines and # comments. Stats, timeouts and flags are read and
// ignored. Match fields and actions the model does not know are not errors
// (they land in Flow.Unknown and Unsupported actions); broken syntax is, one
// *ParseError per bad line, joined with errors.Join. On error no flows are
// returned.
func Parse(text string) ([]*Flow, error) {
	var flows []*Flow
	var errs []error
	for n := 1; text != ""; n++ {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if skipLine(line) {
			continue
		}
		f, err := parseFlow(line, n)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		flows = append(flows, f)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return flows, nil
}

// ParseFlow reads one flow line (as Line 1); an error is a *ParseError.
func ParseFlow(line string) (*Flow, error) {
	f, err := parseFlow(line, 1)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// skipLine reports lines that hold no flow: blank lines, # comments and the
// reply headers "NXST_FLOW reply (xid=0x4):", "OFPST_FLOW reply (OF1.3) ...".
func skipLine(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || t[0] == '#' ||
		(strings.HasPrefix(t, "NXST_") || strings.HasPrefix(t, "OFPST_")) && strings.Contains(t, " reply")
}

// token is a piece of a line and its 0-based byte offset.
type token struct {
	s   string
	off int
}

// flowParser holds one line while it is parsed.
type flowParser struct {
	line  string
	n     int
	flow  *Flow
	terms []token // match terms, in order
}

func (p *flowParser) errAt(off int, format string, args ...any) *ParseError {
	return &ParseError{Line: p.n, Col: off + 1, Msg: fmt.Sprintf(format, args...)}
}

// statKeys are the per-flow statistics dump-flows prints; Flow.Text leaves them out.
var statKeys = map[string]bool{
	"duration": true, "n_packets": true, "n_bytes": true, "idle_age": true, "hard_age": true,
}

// ignoredKeys are flow properties that do not change what the flow matches or does.
var ignoredKeys = map[string]bool{
	"idle_timeout": true, "hard_timeout": true, "importance": true,
	"out_port": true, "out_group": true, "send_flow_rem": true,
	"check_overlap": true, "reset_counts": true, "no_packet_counts": true,
	"no_byte_counts": true,
}

func parseFlow(line string, n int) (*Flow, *ParseError) {
	p := &flowParser{line: line, n: n, flow: &Flow{Priority: DefaultPriority, Line: n}}
	head, actOff, err := p.splitHead()
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	text.Grow(len(line))
	p.terms = make([]token, 0, len(head))
	for i, t := range head {
		key, val, _ := strings.Cut(t.s, "=")
		if statKeys[key] {
			continue
		}
		end := actOff - len("actions=")
		if i+1 < len(head) {
			end = head[i+1].off
		}
		text.WriteString(line[t.off:end])
		if err := p.headToken(t, key, val); err != nil {
			return nil, err
		}
	}
	text.WriteString(line[actOff-len("actions="):])
	p.flow.Text = strings.TrimSpace(text.String())
	if err := p.buildMatch(); err != nil {
		return nil, err
	}
	acts, err := p.parseActions(line[actOff:], actOff)
	if err != nil {
		return nil, err
	}
	p.flow.Actions = acts
	return p.flow, p.checkActions(actOff)
}

// headToken handles one term before actions=: a flow property or a match term.
func (p *flowParser) headToken(t token, key, val string) *ParseError {
	f := p.flow
	switch {
	case key == "cookie":
		v, ok := parseUint(val)
		if !ok {
			return p.errAt(t.off, "%s: want a cookie like 0x1f", t.s)
		}
		f.Cookie = v
	case key == "table":
		v, ok := parseDec(val)
		if !ok || v > 254 {
			return p.errAt(t.off, "%s: want a table number 0-254", t.s)
		}
		f.Table = uint8(v)
	case key == "priority":
		v, ok := parseDec(val)
		if !ok || v > 65535 {
			return p.errAt(t.off, "%s: want a priority 0-65535", t.s)
		}
		f.Priority = uint16(v)
	case ignoredKeys[key]:
	default:
		p.terms = append(p.terms, t)
	}
	return nil
}

// splitHead splits the line before "actions=" into terms separated by commas
// or blanks, keeping quoted strings and parentheses whole, and returns the
// offset where the actions start.
func (p *flowParser) splitHead() ([]token, int, *ParseError) {
	line := p.line
	toks := make([]token, 0, 16)
	i := 0
	for {
		for i < len(line) && isSep(line[i]) {
			i++
		}
		if i >= len(line) {
			return nil, 0, p.errAt(len(line), "want actions=... after the match")
		}
		if strings.HasPrefix(line[i:], "actions=") {
			return toks, i + len("actions="), nil
		}
		end, err := p.scanTerm(i)
		if err != nil {
			return nil, 0, err
		}
		toks = append(toks, token{line[i:end], i})
		i = end
	}
}

func isSep(c byte) bool { return c == ',' || c == ' ' || c == '\t' }

// scanTerm returns the end of the term starting at i: the next separator
// outside quotes and parentheses.
func (p *flowParser) scanTerm(i int) (int, *ParseError) {
	line, start, depth := p.line, i, 0
	for ; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			j, ok := skipQuoted(line, i)
			if !ok {
				return 0, p.errAt(i, "unterminated quoted string")
			}
			i = j
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return 0, p.errAt(i, "unbalanced ')'")
			}
			depth--
		case depth == 0 && isSep(c):
			return i, nil
		}
	}
	if depth > 0 {
		return 0, p.errAt(start, "unbalanced '(' in %s", line[start:])
	}
	return i, nil
}

// skipQuoted returns the offset of the quote closing the string opened at i.
func skipQuoted(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j, true
		}
	}
	return 0, false
}

// splitList splits s (found at offset off of the line) at the commas outside
// quotes, parentheses and brackets, trimming blanks around each piece.
func (p *flowParser) splitList(s string, off int) ([]token, *ParseError) {
	var out []token
	start, depth := 0, 0
	emit := func(end int) *ParseError {
		piece := s[start:end]
		lead := len(piece) - len(strings.TrimLeft(piece, " \t"))
		piece = strings.TrimSpace(piece)
		if piece == "" {
			return p.errAt(off+start, "empty item in a comma-separated list")
		}
		out = append(out, token{piece, off + start + lead})
		return nil
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			j, ok := skipQuoted(s, i)
			if !ok {
				return nil, p.errAt(off+i, "unterminated quoted string")
			}
			i = j
		case '(', '[':
			depth++
		case ')', ']':
			if depth == 0 {
				return nil, p.errAt(off+i, "unbalanced '%c'", s[i])
			}
			depth--
		case ',':
			if depth == 0 {
				if err := emit(i); err != nil {
					return nil, err
				}
				start = i + 1
			}
		}
	}
	if depth > 0 {
		return nil, p.errAt(off+start, "unbalanced parentheses or brackets in %s", strings.TrimSpace(s[start:]))
	}
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if err := emit(len(s)); err != nil {
		return nil, err
	}
	return out, nil
}
