package scenarios

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem in a scenario file, positioned so an editor can jump
// to it: "dvr.yaml:42:9: hosts.compute02.namespaces.root.interfaces[3].kind: msg".
type Error struct {
	File      string
	Line, Col int    // 1-based; 0 when unknown
	Path      string // field path, e.g. segments.provider.gateway
	Msg       string // what is wrong and what was expected
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Col > 0 {
			fmt.Fprintf(&b, ":%d", e.Col)
		}
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// maxErrors bounds what one load reports: past that, the rest are usually
// echoes of the first mistakes.
const maxErrors = 20

// errList collects load errors in the order they were found.
type errList struct{ errs []error }

func (l *errList) add(err error) {
	if err != nil {
		l.errs = append(l.errs, err)
	}
}

func (l *errList) empty() bool { return len(l.errs) == 0 }

// err joins the collected errors, one per line.
func (l *errList) err() error {
	if len(l.errs) > maxErrors {
		more := len(l.errs) - maxErrors
		return errors.Join(append(l.errs[:maxErrors:maxErrors], fmt.Errorf("... and %d more errors", more))...)
	}
	return errors.Join(l.errs...)
}
