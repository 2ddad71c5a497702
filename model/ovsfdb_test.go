package model

import (
	"strings"
	"testing"
)

// fdbShow is `ovs-appctl fdb/show br-int` as the DVR write-up captured it
// (seeds/004), with its elided "..." line.
const fdbShow = `port  VLAN  MAC                Age
    1     2  a0:c5:89:0e:a6:c8  297
    1     2  52:54:00:0d:10:e8  264
...
    4     1  fa:16:3e:78:d6:60    0
LOCAL    0  de:93:5f:73:01:40    3
`

func TestParseOVSFDB(t *testing.T) {
	got, err := ParseOVSFDB(fdbShow)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, e := range got {
		rows = append(rows, e.String())
	}
	want := "a0:c5:89:0e:a6:c8 vlan 2 port 1 age 297|52:54:00:0d:10:e8 vlan 2 port 1 age 264|" +
		"fa:16:3e:78:d6:60 vlan 1 port 4 age 0|de:93:5f:73:01:40 vlan 0 port LOCAL age 3"
	if s := strings.Join(rows, "|"); s != want {
		t.Errorf("rows\n got %s\nwant %s", s, want)
	}
	if got[2].Source.Line != 5 {
		t.Errorf("row 3 is on line %d of the text, want 5", got[2].Source.Line)
	}
	again, err := ParseOVSFDB(FormatOVSFDB(got))
	if err != nil || len(again) != len(got) || again[3].OFPort != 0 || again[2].MAC != got[2].MAC {
		t.Errorf("FormatOVSFDB does not read back: %v %v", again, err)
	}
}

func TestParseOVSFDBErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"    1     2  fa:16:3e:78:d6:60", "line 1: \"1     2  fa:16:3e:78:d6:60\": want `PORT VLAN MAC AGE` as fdb/show prints it"},
		{"  br0     2  fa:16:3e:78:d6:60  0", `line 1: port "br0": want an OpenFlow port number or LOCAL`},
		{"    1  5000  fa:16:3e:78:d6:60  0", `line 1: VLAN "5000": want 0-4095`},
		{"    1     2  fa:16:3e:78:d6:60  old", `line 1: age "old": want seconds`},
	} {
		if _, err := ParseOVSFDB(c.text); err == nil || err.Error() != c.want {
			t.Errorf("ParseOVSFDB(%q) error %v, want %s", c.text, err, c.want)
		}
	}
}
