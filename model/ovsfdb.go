package model

import (
	"fmt"
	"strconv"
	"strings"
)

// OVSFDBEntry is one MAC an OVS bridge learned, as `ovs-appctl fdb/show`
// prints it. NORMAL forwards by it before falling back to where the model
// places the MAC.
type OVSFDBEntry struct {
	Port   string // the port's name (resolved from its ofport), or LOCAL
	OFPort int    // 0 for LOCAL
	VLAN   uint16
	MAC    MAC
	Age    int // seconds
	Source Source
}

func (e OVSFDBEntry) String() string {
	port := e.Port
	if port == "" {
		port = strconv.Itoa(e.OFPort)
	}
	return fmt.Sprintf("%s vlan %d port %s age %d", e.MAC, e.VLAN, port, e.Age)
}

// ParseOVSFDB reads `ovs-appctl fdb/show BRIDGE` output:
//
//	port  VLAN  MAC                Age
//	   4     1  fa:16:3e:78:d6:60    0
//	LOCAL    0  de:93:5f:73:01:40    3
//
// Lines of "..." (an elided listing) are skipped.
func ParseOVSFDB(text string) ([]OVSFDBEntry, error) {
	var out []OVSFDBEntry
	for n, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || strings.Trim(line, ". \t") == "" || (f[0] == "port" && len(f) >= 3 && f[1] == "VLAN") {
			continue
		}
		bad := func(format string, args ...any) error {
			return &TextError{Line: n + 1, Msg: fmt.Sprintf(format, args...)}
		}
		if len(f) != 4 {
			return nil, bad("%q: want `PORT VLAN MAC AGE` as fdb/show prints it", strings.TrimSpace(line))
		}
		e := OVSFDBEntry{Source: Source{What: "fdb/show", Line: n + 1}}
		if f[0] == "LOCAL" {
			e.Port = "LOCAL"
		} else if v, err := strconv.Atoi(f[0]); err != nil || v <= 0 {
			return nil, bad("port %q: want an OpenFlow port number or LOCAL", f[0])
		} else {
			e.OFPort = v
		}
		v, err := strconv.ParseUint(f[1], 10, 12)
		if err != nil {
			return nil, bad("VLAN %q: want 0-4095", f[1])
		}
		e.VLAN = uint16(v)
		if e.MAC, err = ParseMAC(f[2]); err != nil {
			return nil, bad("%v", err)
		}
		if e.Age, err = strconv.Atoi(f[3]); err != nil {
			return nil, bad("age %q: want seconds", f[3])
		}
		out = append(out, e)
	}
	return out, nil
}

// FormatOVSFDB prints entries as fdb/show does.
func FormatOVSFDB(entries []OVSFDBEntry) string {
	var b strings.Builder
	b.WriteString(" port  VLAN  MAC                Age\n")
	for _, e := range entries {
		port := "LOCAL"
		if e.OFPort > 0 {
			port = strconv.Itoa(e.OFPort)
		}
		fmt.Fprintf(&b, "%5s  %4d  %s  %3d\n", port, e.VLAN, e.MAC, e.Age)
	}
	return b.String()
}
