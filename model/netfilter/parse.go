package netfilter

import (
	"fmt"
	"strings"
)

// ParseError is broken input: Line is 1-based, Msg says what was expected.
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// builtinChains are each table's builtin chains, in iptables-save order.
var builtinChains = map[string][]string{
	"raw":      {"PREROUTING", "OUTPUT"},
	"mangle":   {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"},
	"nat":      {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"},
	"filter":   {"INPUT", "FORWARD", "OUTPUT"},
	"security": {"INPUT", "FORWARD", "OUTPUT"},
}

func isBuiltin(table, chain string) bool {
	for _, c := range builtinChains[table] {
		if c == chain {
			return true
		}
	}
	return false
}

// Parse reads iptables-save output (IPv4, with or without -c counters).
// Constructs the model does not know become Unsupported matches or targets;
// only broken input is an error, a *ParseError.
func Parse(text string) (*Ruleset, error) {
	p := &parser{rs: &Ruleset{Tables: map[string]*Table{}}}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		p.line++
		if err := p.parseLine(strings.TrimSpace(line)); err != nil {
			return nil, err
		}
	}
	if p.table != nil {
		return nil, p.errf("table %s: missing COMMIT", p.table.Name)
	}
	return p.rs, nil
}

type parser struct {
	rs    *Ruleset
	table *Table // the open table; nil outside *table ... COMMIT
	line  int
	toks  []token // reused across lines
}

func (p *parser) errf(format string, args ...any) error {
	return &ParseError{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) parseLine(line string) error {
	switch {
	case line == "" || line[0] == '#':
		return nil
	case line[0] == '*':
		return p.openTable(strings.TrimSpace(line[1:]))
	case line[0] == ':':
		return p.declareChain(line[1:])
	case line == "COMMIT":
		if p.table == nil {
			return p.errf("COMMIT outside a table")
		}
		for _, c := range p.table.Chains {
			c.index = buildIndex(c)
		}
		p.table = nil
		return nil
	case line[0] == '[':
		end := strings.IndexByte(line, ']')
		if end < 0 {
			return p.errf("counters %q: expected [packets:bytes] before -A", line)
		}
		return p.parseRule(strings.TrimSpace(line[end+1:]))
	case isCommand(line, "-A") || isCommand(line, "--append"):
		return p.parseRule(line)
	}
	return p.errf("unexpected %q: expected *table, :chain, -A, COMMIT or a # comment", firstField(line))
}

// isCommand reports whether line's first word is cmd.
func isCommand(line, cmd string) bool {
	return strings.HasPrefix(line, cmd) && (len(line) == len(cmd) || isSpace(line[len(cmd)]))
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

func (p *parser) openTable(name string) error {
	if p.table != nil {
		return p.errf("table %s: missing COMMIT before *%s", p.table.Name, name)
	}
	if builtinChains[name] == nil {
		return p.errf("unknown table %q: expected raw, mangle, nat, filter or security", name)
	}
	if p.rs.Tables[name] != nil {
		return p.errf("table %s appears twice", name)
	}
	p.table = &Table{Name: name, Chains: map[string]*Chain{}}
	p.rs.Tables[name] = p.table
	p.rs.TableOrder = append(p.rs.TableOrder, name)
	return nil
}

// declareChain reads ":NAME POLICY [packets:bytes]"; user chains have policy "-".
func (p *parser) declareChain(decl string) error {
	if p.table == nil {
		return p.errf("chain declaration outside a table")
	}
	f := strings.Fields(decl)
	if len(f) < 2 || len(f) > 3 {
		return p.errf("chain declaration %q: expected :NAME POLICY [packets:bytes]", ":"+decl)
	}
	name, policy := f[0], f[1]
	if strings.ContainsAny(name, `"'\`) || name[0] == '-' || name[0] == '!' {
		return p.errf("bad chain name %q", name)
	}
	if p.table.Chains[name] != nil {
		return p.errf("chain %s declared twice", name)
	}
	c := &Chain{Name: name, Builtin: isBuiltin(p.table.Name, name)}
	switch {
	case c.Builtin && policy == "ACCEPT":
		c.Policy = VerdictAccept
	case c.Builtin && policy == "DROP":
		c.Policy = VerdictDrop
	case c.Builtin:
		return p.errf("builtin chain %s: policy %q, expected ACCEPT or DROP", name, policy)
	case policy != "-":
		return p.errf("chain %s is not a builtin chain of table %s: expected policy \"-\"", name, p.table.Name)
	}
	p.table.Chains[name] = c
	p.table.ChainOrder = append(p.table.ChainOrder, name)
	return nil
}

func (p *parser) parseRule(text string) error {
	if p.table == nil {
		return p.errf("rule outside a table: expected a *table line first")
	}
	toks, err := tokenize(text, p.toks[:0])
	p.toks = toks
	if err != nil {
		return p.errf("%v", err)
	}
	if len(toks) == 0 || (toks[0].s != "-A" && toks[0].s != "--append") {
		return p.errf("unexpected %q: expected -A", text)
	}
	if len(toks) < 2 {
		return p.errf("-A: missing value")
	}
	c := p.table.Chains[toks[1].s]
	if c == nil {
		return p.errf("chain %s not declared in table %s", toks[1].s, p.table.Name)
	}
	r := &Rule{Chain: c.Name, Num: len(c.Rules) + 1, Line: p.line, Text: text, table: p.table}
	rp := ruleParser{parser: p, toks: toks, i: 2, rule: r}
	if err := rp.parse(); err != nil {
		return err
	}
	c.Rules = append(c.Rules, r)
	return nil
}
