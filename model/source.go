package model

import "fmt"

// Source says where a piece of configuration came from, so a trace step can
// point back at the exact line, row or command that decided it.
type Source struct {
	File string // scenario file, or the command that printed it ("iptables-save")
	Line int    // 1-based; 0 when unknown
	What string // optional: an OVSDB table+uuid, a YAML field path, ...
}

func (s Source) String() string {
	switch {
	case s.File == "" && s.What == "":
		return ""
	case s.Line > 0 && s.What != "":
		return fmt.Sprintf("%s:%d (%s)", s.File, s.Line, s.What)
	case s.Line > 0:
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	case s.What != "" && s.File != "":
		return fmt.Sprintf("%s (%s)", s.File, s.What)
	case s.What != "":
		return s.What
	}
	return s.File
}
