package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func hopscope(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = exitCode(run(context.Background(), args, &out, &errb), &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	ex := []string{"--example", "dvr-floating-ip"}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // must appear in stdout
		stderr string // must appear in stderr
	}{
		{"exits to the internet", append([]string{"trace", "--from", "test", "--to", "internet"}, ex...), 0, "=> EXITED", ""},
		{"delivered with its reply", append([]string{"trace", "--from", "internet", "--to", "192.168.10.106", "--proto", "tcp", "--dport", "22", "--reply"}, ex...), 0, "════ reply ════", ""},
		{"spoofed source is denied", append([]string{"trace", "--from", "test", "--to", "internet", "--src-ip", "172.12.10.99"}, ex...), 1, "=> DENIED", ""},
		{"unknown endpoint", append([]string{"trace", "--from", "nosuch", "--to", "internet"}, ex...), 2, "", `--from: "nosuch" is no endpoint`},
		{"missing --to", append([]string{"trace", "--from", "test"}, ex...), 2, "", "--from and --to are both required"},
		{"ports without tcp or udp", append([]string{"trace", "--from", "test", "--to", "internet", "--dport", "22"}, ex...), 2, "", "--sport/--dport need --proto tcp or udp"},
		{"bad protocol", append([]string{"trace", "--from", "test", "--to", "internet", "--proto", "sctpx"}, ex...), 2, "", `unknown protocol "sctpx"`},
		{"bad MAC", append([]string{"trace", "--from", "test", "--to", "internet", "--src-mac", "zz"}, ex...), 2, "", `--src-mac: bad MAC address "zz"`},
		{"VLAN out of range", append([]string{"trace", "--from", "cy2-compute02:br-int:qvo8aa5e3b4-6c", "--to", "172.12.10.1", "--vlan", "5000"}, ex...), 2, "", "--vlan 5000: want a VLAN id 1-4095"},
		{"VLAN without a bridge port", append([]string{"trace", "--from", "test", "--to", "internet", "--vlan", "5"}, ex...), 2, "", "--vlan: only a frame injected at an OVS bridge port"},
		{"injected at a bridge port", append([]string{"trace", "--from", "cy2-compute02:br-int:qvo8aa5e3b4-6c", "--to", "172.12.10.1", "--src-ip", "172.12.10.4", "--src-mac", "fa:16:3e:ae:b3:e7"}, ex...), 0, "=> DELIVERED", ""},
		{"bad output", append([]string{"trace", "--from", "test", "--to", "internet", "-o", "xml"}, ex...), 2, "", `-o "xml": want text, json or pcap`},
		{"unknown example", []string{"trace", "--example", "nope", "--from", "a", "--to", "b"}, 2, "", "nope"},
		{"no source", []string{"trace", "--from", "a", "--to", "b"}, 2, "", "no source: give -f FILE or --example NAME"},
		{"two sources", []string{"show", "--example", "dvr-floating-ip", "-f", "x.yaml"}, 2, "", "give one source"},
		{"live and a file at once", []string{"show", "--live", "--example", "dvr-floating-ip"}, 2, "", "give one source"},
		{"import needs --live", []string{"import"}, 2, "", "give --live"},
		{"missing file", []string{"show", "-f", "testdata/nope.yaml"}, 2, "", "testdata/nope.yaml"},
		{"unknown key names file, line and field", []string{"show", "-f", "testdata/bad-key.yaml"}, 2, "", "testdata/bad-key.yaml:4:5: segments.provider.gatway: unknown key; want one of prefixes, gateway, gateway-mac, upstream"},
		{"unknown flag", []string{"trace", "--frm", "x"}, 2, "", "unknown flag: --frm"},
		{"unknown command", []string{"tarce"}, 2, "", `unknown command "tarce"`},
		{"all checks pass", []string{"check", "--example", "allinone-qdhcp-qrouter"}, 0, "9 passed, 0 failed", ""},
		{"a check fails", []string{"check", "testdata/failing-check.yaml"}, 1, "1 passed, 1 failed", ""},
		{"check on bad input", []string{"check", "testdata/bad-key.yaml"}, 2, "", "gatway"},
		{"welcome shows the default example", nil, 0, "hopscope trace --example dvr-floating-ip --from test --to internet", ""},
		{"show text", append([]string{"show"}, ex...), 0, "qrouter-d3218b9c-73bb-4788-87e4-5828625fe586", ""},
		{"show dot", append([]string{"show", "-o", "dot"}, ex...), 0, `graph "dvr-floating-ip" {`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := hopscope(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			if !strings.Contains(out, tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out)
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errs)
			}
		})
	}
}

func TestTraceJSON(t *testing.T) {
	code, out, errs := hopscope("trace", "--example", "dvr-floating-ip", "--from", "test", "--to", "internet", "-o", "json", "--reply")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Request struct{ From, To, Proto string }
		Traces  []struct {
			Disposition string
			Final       struct{ Src, Dst string }
			Hops        []struct {
				Node  struct{ Kind, Name string }
				Steps []struct {
					Kind, Action, Why string
					Diff              []struct{ Field, Old, New string }
				}
			}
		}
		Reply []struct{ Disposition string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	tr := doc.Traces[0]
	if tr.Disposition != "EXITED" || tr.Final.Src != "192.168.10.106" || doc.Reply[0].Disposition != "DELIVERED" {
		t.Errorf("got %s from %s, reply %s", tr.Disposition, tr.Final.Src, doc.Reply[0].Disposition)
	}
	if k := tr.Hops[1].Node.Kind; k != "linux-bridge" {
		t.Errorf("hop 2 kind %q, want linux-bridge", k)
	}
	if !strings.Contains(out, `"field": "ip.src"`) || !strings.Contains(out, `"kind": "Netfilter"`) {
		t.Error("JSON lacks the SNAT diff or netfilter steps by name")
	}
}

func TestCheckJUnitAndJSON(t *testing.T) {
	code, out, _ := hopscope("check", "testdata/failing-check.yaml", "-o", "junit")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var s junitSuite
	if err := xml.Unmarshal([]byte(strings.TrimPrefix(out, xml.Header)), &s); err != nil {
		t.Fatal(err)
	}
	if s.Tests != 2 || s.Failures != 1 || s.Cases[1].Failure == nil {
		t.Errorf("junit: %+v", s)
	}
	code, out, _ = hopscope("check", "testdata/failing-check.yaml", "-o", "json")
	var js []checkJSON
	if err := json.Unmarshal([]byte(out), &js); err != nil || code != 1 || len(js) != 2 || js[1].Pass {
		t.Errorf("json check output (exit %d, err %v): %s", code, err, out)
	}
}

// TestReadmeScenario keeps the README's sample scenario loading and its checks passing.
func TestReadmeScenario(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	yamlText, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no ```yaml block")
	}
	path := filepath.Join(t.TempDir(), "readme.yaml")
	if err := os.WriteFile(path, []byte(yamlText), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := hopscope("check", path); code != 0 {
		t.Errorf("README scenario: exit %d\n%s%s", code, out, errs)
	}
}
