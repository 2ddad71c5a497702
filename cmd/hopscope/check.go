package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hopscope/hopscope/scenarios"
	"github.com/hopscope/hopscope/scenarios/check"
)

func checkCmd() *cobra.Command {
	var src source
	var output string
	src.withChecks = true
	cmd := &cobra.Command{
		Use:   "check FILE... | --example NAME | --live FILE...",
		Short: "Run a scenario's checks (what-if reachability assertions)",
		Long: `Run every check of the scenario files (merged) and report pass or fail.
With --live the files hold only checks, and they run on this machine's live state.

Exit status: 0 all checks pass, 1 some fail, 2 bad input.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" && output != "junit" {
				return badInput(fmt.Errorf("-o %q: want text, json or junit", output))
			}
			src.files = append(src.files, args...)
			sc, err := src.load(cmd.Context(), cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if len(sc.Checks) == 0 {
				return badInput(fmt.Errorf("the scenario has no checks"))
			}
			results := check.Run(sc)
			w := cmd.OutOrStdout()
			switch output {
			case "json":
				err = writeCheckJSON(w, results)
			case "junit":
				err = writeJUnit(w, sc, results)
			default:
				err = writeCheckText(w, results)
			}
			if err != nil {
				return err
			}
			for _, r := range results {
				if r.Err != nil {
					return badInput(fmt.Errorf("check %q: %w", r.Check.Name, r.Err))
				}
			}
			for _, r := range results {
				if !r.Pass {
					return &exitError{code: 1}
				}
			}
			return nil
		},
	}
	src.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, json or junit")
	return cmd
}

func writeCheckText(w io.Writer, results []check.Result) error {
	var b strings.Builder
	pass := 0
	for _, r := range results {
		status := "FAIL"
		if r.Pass {
			status, pass = "PASS", pass+1
		}
		if r.Err != nil {
			status = "ERROR"
		}
		fmt.Fprintf(&b, "%-5s %s\n", status, r.Check.Name)
		if r.Err != nil {
			fmt.Fprintf(&b, "      %v\n", r.Err)
		}
		for _, f := range r.Failures {
			fmt.Fprintf(&b, "      %s\n", f)
		}
		if !r.Pass && r.Err == nil {
			fmt.Fprintf(&b, "      at %s; see: hopscope trace ... --from %s --to %s\n", r.Check.Source, r.Check.From, r.Check.To)
		}
	}
	fmt.Fprintf(&b, "\n%d passed, %d failed\n", pass, len(results)-pass)
	_, err := io.WriteString(w, b.String())
	return err
}

type checkJSON struct {
	Name        string   `json:"name"`
	Source      string   `json:"source"`
	Pass        bool     `json:"pass"`
	Error       string   `json:"error,omitempty"`
	Failures    []string `json:"failures,omitempty"`
	Disposition string   `json:"disposition,omitempty"`
	Why         string   `json:"why,omitempty"`
}

func writeCheckJSON(w io.Writer, results []check.Result) error {
	out := []checkJSON{}
	for _, r := range results {
		j := checkJSON{Name: r.Check.Name, Source: r.Check.Source.String(), Pass: r.Pass, Failures: r.Failures}
		if r.Err != nil {
			j.Error = r.Err.Error()
		}
		if len(r.Traces) > 0 {
			j.Disposition, j.Why = r.Traces[0].Disposition.String(), r.Traces[0].Why
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, sc *scenarios.Scenario, results []check.Result) error {
	s := junitSuite{Name: "hopscope " + sc.Topology.Name, Tests: len(results)}
	for _, r := range results {
		c := junitCase{Name: r.Check.Name, Classname: sc.Topology.Name}
		switch {
		case r.Err != nil:
			s.Errors++
			c.Error = &junitMessage{Message: r.Err.Error(), Text: r.Check.Source.String()}
		case !r.Pass:
			s.Failures++
			c.Failure = &junitMessage{Message: strings.Join(r.Failures, "; "), Text: r.Check.Source.String()}
		}
		s.Cases = append(s.Cases, c)
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
