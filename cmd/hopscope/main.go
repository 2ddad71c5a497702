// Command hopscope traces packets through Linux, OVS and OVN network
// topologies, from scenario files or live state.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(exitCode(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr), os.Stderr))
}

// exitError carries a process exit code: 1 "the answer is no" (a trace
// not delivered, a check failed), 2 bad input.
type exitError struct {
	code int
	err  error // nil: the output already said everything
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// badInput marks an error as the user's input being wrong (exit 2).
func badInput(err error) error { return &exitError{code: 2, err: err} }

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "hopscope:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "hopscope:", err)
	return 2
}
