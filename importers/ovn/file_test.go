package ovn

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hopscope/hopscope/model/ovn"
)

const fixture = "testdata/ovnnb.db"

// Rows of the fixture (see testdata/README.md).
const (
	uuidSW0 = "c55625ad-e884-49f1-a4d6-aeb147d1f8aa"
	uuidVM1 = "1a599a7e-a95f-4cf3-abf4-1e3ed67034e3"
	uuidVM2 = "fb75ed4f-2125-4543-bede-e38f8ca7d94b"
	uuidLRP = "19eea06a-50fb-4461-88a5-e4dbd8fa2278"
)

// TestImportFilesFixture reads a real file whose later transactions change
// and delete what earlier ones made: the model is the database's last
// state.
func TestImportFilesFixture(t *testing.T) {
	db, err := ImportFiles(fixture, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Switches) != 1 || len(db.Routers) != 1 {
		t.Fatalf("%d switches and %d routers, want 1 and 1 (sw-gone was deleted)", len(db.Switches), len(db.Routers))
	}
	sw := db.Switches[0]
	want := []*ovn.SwitchPort{
		{Row: ovn.Row{UUID: uuidVM1, ExternalIDs: map[string]string{"note": "tab\there, quote \" and é", "team": "web"}},
			Name: "vm1", Addresses: []ovn.Address{address("0a:00:00:00:00:01", "10.0.0.11/32")},
			PortSecurity: []ovn.Address{address("0a:00:00:00:00:01", "10.0.0.11/32")}, Enabled: true},
		{Row: ovn.Row{UUID: uuidVM2}, Name: "vm2", Addresses: []ovn.Address{address("0a:00:00:00:00:22", "10.0.0.22/32")}, Enabled: true},
	}
	if diff := cmp.Diff(want, sw.Ports, equateFile...); diff != "" {
		t.Errorf("sw0's ports (-want +got):\n%s", diff)
	}
	if got, want := sw.Ports[0].Source, fixture+" Logical_Switch_Port "+uuidVM1; got != want {
		t.Errorf("vm1's Source is %q, want %q", got, want)
	}
	if len(sw.LoadBalancers) != 1 || fmt.Sprint(sw.LoadBalancers[0].VIPs) != "[10.0.0.100:80=10.0.0.12:8080]" {
		t.Errorf("sw0's load balancers: %+v, want lb0 with one VIP, 10.0.0.100:80=10.0.0.12:8080", sw.LoadBalancers)
	}
	pg := db.PortGroups[0]
	if fmt.Sprint(pg.PortNames) != "[vm1]" || len(pg.ACLs) != 1 || pg.ACLs[0].Match != `outport == @pg_web && inport == "vm1" && tcp.dst == 80` {
		t.Errorf("pg_web: ports %v, ACLs %+v; want [vm1] and the web-in ACL", pg.PortNames, pg.ACLs)
	}
	lrp := db.Routers[0].Ports[0]
	if fmt.Sprint(lrp.Networks) != "[10.0.0.1/24]" || len(db.Routers[0].Routes) != 1 {
		t.Errorf("lr0: port networks %v, %d routes; want [10.0.0.1/24] and 1", lrp.Networks, len(db.Routers[0].Routes))
	}
}

// equateFile compares what a file import makes, but for Sources.
var equateFile = []cmp.Option{
	equateNetip,
	cmpopts.IgnoreFields(ovn.Row{}, "Source"),
	cmpopts.IgnoreUnexported(ovn.DB{}, ovn.ACL{}, ovn.Policy{}),
}

// TestReplayBuffers replays the fixture with scanner buffers from one byte
// up: every token that straddles a refill reads the same.
func TestReplayBuffers(t *testing.T) {
	want := replay(t, fixture, scanBuffer)
	for _, size := range []int{1, 2, 3, 5, 8, 13, 64, 1000} {
		got := replay(t, fixture, size)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("buffer of %d bytes (-%d bytes +%d bytes):\n%s", size, scanBuffer, size, diff)
		}
	}
}

// replay reads the northbound file at path with a scanner buffer of size.
func replay(t *testing.T, path string, size int) nbTables {
	t.Helper()
	cm, err := nbModel()
	if err != nil {
		t.Fatal(err)
	}
	r := newReplayer(cm)
	if err := readLog(path, nbDatabase, size, r.bind, r.record); err != nil {
		t.Fatal(err)
	}
	nt, err := decodeNB(&decoder{file: r})
	if err != nil {
		t.Fatal(err)
	}
	return nt
}

// TestReplayDiffs appends transactions to the fixture: a record's
// "_is_diff" says whether a changed set or map is a diff or the new value,
// wherever it stands in the record; a new row takes its values as they are.
func TestReplayDiffs(t *testing.T) {
	tests := []struct {
		name    string
		records []string
		check   func(*ovn.DB) string
	}{
		{"diff after the tables",
			[]string{`{"Logical_Switch_Port":{"` + uuidVM1 + `":{"external_ids":["map",[["team","web"],["x","1"],["note","n"]]],"addresses":"0a:00:00:00:00:01 10.0.0.11"}},"_is_diff":true}`},
			func(db *ovn.DB) string {
				p := db.Switches[0].Ports[0]
				return fmt.Sprint(p.ExternalIDs, len(p.Addresses))
			}},
		{"no diff: new values",
			[]string{`{"Logical_Switch_Port":{"` + uuidVM1 + `":{"external_ids":["map",[["x","1"]]],"addresses":["set",["0a:00:00:00:00:09 10.0.0.9","unknown"]]}}}`},
			func(db *ovn.DB) string {
				p := db.Switches[0].Ports[0]
				return fmt.Sprint(p.ExternalIDs, addressTexts(p.Addresses))
			}},
		{"a new row in a diff record takes its values",
			[]string{`{"_is_diff":true,"Logical_Switch_Port":{"00000000-0000-4000-8000-000000000001":{"name":"vm9","addresses":["set",["unknown","router"]]}},` +
				`"Logical_Switch":{"` + uuidSW0 + `":{"ports":["uuid","00000000-0000-4000-8000-000000000001"]}}}`},
			func(db *ovn.DB) string {
				var out []string
				for _, p := range db.Switches[0].Ports {
					out = append(out, p.Name+fmt.Sprint(addressTexts(p.Addresses)))
				}
				return strings.Join(out, " ")
			}},
		{"optional scalars",
			[]string{`{"_is_diff":true,"Logical_Switch_Port":{"` + uuidVM2 + `":{"enabled":false,"type":"localport"}}}`,
				`{"_is_diff":true,"Logical_Switch_Port":{"` + uuidVM2 + `":{"enabled":["set",[true]]}}}`},
			func(db *ovn.DB) string {
				p := db.Switches[0].Ports[1]
				return fmt.Sprint(p.Enabled, " ", p.Type)
			}},
	}
	wants := []string{
		"map[note:n x:1] 0",
		"map[x:1] [0a:00:00:00:00:09 10.0.0.9 unknown]",
		"vm1[0a:00:00:00:00:01 10.0.0.11] vm2[0a:00:00:00:00:22 10.0.0.22] vm9[router unknown]",
		"true localport",
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fixtureWith(t, tt.records...)
			db, err := ImportFiles(path, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(db); got != wants[i] {
				t.Errorf("got %s, want %s", got, wants[i])
			}
		})
	}
}

func addressTexts(as []ovn.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// TestImportFilesErrors: what is not a standalone database of the right
// kind, is damaged or cut short, or holds what the model cannot, is an
// error naming the file and, where it can, the record, table, row and
// column.
func TestImportFilesErrors(t *testing.T) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	last := bytes.LastIndex(data, []byte("OVSDB JSON ")) // the header of record 23, "OVSDB JSON 180 ..."
	tests := []struct {
		name string
		path func(t *testing.T) string
		want string // a regexp; FILE stands for the path
	}{
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nb.db") },
			`^ovn northbound file:FILE: open FILE: no such file or directory$`},
		{"empty", func(t *testing.T) string { return writeFile(t, nil) },
			`^ovn northbound file:FILE: the file is empty: want a database file \(ovsdb-tool create makes one\)$`},
		{"not a database", func(t *testing.T) string { return writeFile(t, []byte("hello\n")) },
			`^ovn northbound file:FILE: not a database file: it starts "hello\\n", want "OVSDB JSON <length> <sha1>"$`},
		{"clustered", func(t *testing.T) string { return "testdata/ovnnb-clustered.db" },
			`^ovn northbound file:FILE: a clustered database \(its records are "OVSDB CLUSTER", a Raft log\), which is not read from a file: ` +
				`read it from its servers \(unix:/var/run/ovn/ovnnb_db.sock, or the cluster's tcp: endpoints\), ` +
				`or make a standalone copy to read with ovsdb-tool cluster-to-standalone COPY FILE$`},
		{"truncated in a record", func(t *testing.T) string { return writeFile(t, data[:len(data)-20]) },
			`^ovn northbound file:FILE: record 23 \(byte 22977\): the file ends 160 bytes into the record's 180: it is truncated$`},
		{"truncated in a header", func(t *testing.T) string { return writeFile(t, data[:last+30]) },
			`^ovn northbound file:FILE: record 23 \(byte 22921\): the file ends inside the header "OVSDB JSON 180 cb1330ac2c81bb5": it is truncated$`},
		{"damaged", func(t *testing.T) string {
			return writeFile(t, bytes.Replace(data, []byte(`"sw-gone"`), []byte(`"sw-g0ne"`), 1))
		},
			`^ovn northbound file:FILE: record 22 \(byte 22727\): the record's 194 bytes have SHA-1 [0-9a-f]{40}, its header says 5e145856f2f326be5b986a26c1ff17f1ded81836: the file is damaged$`},
		{"bad header", func(t *testing.T) string {
			bad := append(append(data[:last:last], "OVSDB JSON x"...), data[last+len("OVSDB JSON 1"):]...)
			return writeFile(t, bad)
		}, `^ovn northbound file:FILE: record 23 \(byte 22921\): header "OVSDB JSON x80 cb1330ac2c81bb556799c3062b4f74018ed8e029": want "OVSDB JSON <length> <sha1>"$`},
		{"southbound", func(t *testing.T) string {
			return withSchema(t, func(s map[string]any) { s["name"] = "OVN_Southbound" })
		}, `^ovn northbound file:FILE: the file holds database OVN_Southbound, want OVN_Northbound$`},
		{"schema lacks a column", func(t *testing.T) string {
			return withSchema(t, func(s map[string]any) { delete(columns(s, "Logical_Switch_Port"), "port_security") })
		}, `^ovn northbound file:FILE: the schema \(OVN_Northbound 7.0.0\) has no column port_security in table Logical_Switch_Port$`},
		{"schema types a column otherwise", func(t *testing.T) string {
			return withSchema(t, func(s map[string]any) { columns(s, "ACL")["priority"] = map[string]any{"type": "string"} })
		}, `^ovn northbound file:FILE: table ACL column priority: the schema's type \(key string, value none, min 1, max 1\) is not the integer the importer reads$`},
		{"deletes a missing row", func(t *testing.T) string {
			return fixtureWith(t, `{"Logical_Switch":{"00000000-0000-4000-8000-000000000009":null}}`)
		}, `^ovn northbound file:FILE: record 24 \(byte 23212\): Logical_Switch 00000000-0000-4000-8000-000000000009: the transaction deletes a row that does not exist$`},
		{"a value of the wrong type", func(t *testing.T) string {
			return fixtureWith(t, `{"Logical_Switch":{"`+uuidSW0+`":{"name":5}}}`)
		}, `^ovn northbound file:FILE: record 24 \(byte 23212\): Logical_Switch ` + uuidSW0 + `: column name: byte 23278: want a string, found '5'$`},
		{"too many values", func(t *testing.T) string {
			return fixtureWith(t, `{"Logical_Router_Port":{"`+uuidLRP+`":{"peer":["set",["a","b"]]}}}`)
		}, `^ovn northbound file:FILE: record 24 \(byte 23212\): Logical_Router_Port ` + uuidLRP + `: column peer: byte 23300: want at most one value, found a set of 2$`},
		{"more after the record's value", func(t *testing.T) string {
			return fixtureWith(t, `{"_date":1} {}`)
		}, `^ovn northbound file:FILE: record 24 \(byte 23212\): byte 23224: want the end of the record after its JSON value, found '{'$`},
		{"what the model cannot hold", func(t *testing.T) string {
			return fixtureWith(t, `{"_is_diff":true,"Logical_Switch_Port":{"`+uuidVM2+`":{"addresses":"garbage"}}}`)
		}, `^ovn northbound file:FILE: Logical_Switch_Port "vm2" \(` + uuidVM2 + `\) column addresses: "garbage": "garbage" is not a MAC address; want .*$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			_, err := ImportFiles(path, "")
			want := regexp.MustCompile(strings.ReplaceAll(tt.want, "FILE", regexp.QuoteMeta(path)))
			if err == nil || !want.MatchString(err.Error()) {
				t.Errorf("ImportFiles: error\n  %v\nwant one matching\n  %s", err, want)
			}
		})
	}
}

// TestImportEndpointForms: Import takes file:PATH and an absolute path of
// an existing file; anything else that is not a server is an error that
// names all three forms.
func TestImportEndpointForms(t *testing.T) {
	abs, err := filepath.Abs(fixture)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, nb := range []string{"file:" + fixture, abs} {
		if db, err := Import(ctx, nb, ""); err != nil || len(db.Switches) != 1 {
			t.Errorf("Import(%q): %v", nb, err)
		}
	}
	for _, tt := range []struct{ nb, want string }{
		{"file:", `ovn northbound file:: "file:" with no path: want file:PATH, a database file`},
		{fixture, `ovn northbound ` + fixture + `: endpoint "` + fixture + `": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT", or file:PATH for a database file`},
		{"/nonexistent/nb.db", `ovn northbound /nonexistent/nb.db: endpoint "/nonexistent/nb.db": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT", or file:PATH for a database file`},
		{"ssl:127.0.0.1:6641", `ovn northbound ssl:127.0.0.1:6641: endpoint "ssl:127.0.0.1:6641": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT", or file:PATH for a database file`},
		{"", `ovn northbound : no endpoint; want "unix:PATH" or "tcp:IP:PORT", or file:PATH for a database file`},
	} {
		if _, err := Import(ctx, tt.nb, ""); err == nil || err.Error() != tt.want {
			t.Errorf("Import(%q): error\n  %v\nwant\n  %s", tt.nb, err, tt.want)
		}
	}
}

// writeFile puts data in a file of the test's and returns its path.
func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nb.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// record is a database file record of body, header and all.
func record(body []byte) []byte {
	body = append(bytes.TrimRight(body, "\n"), '\n')
	return append(fmt.Appendf(nil, "OVSDB JSON %d %x\n", len(body), sha1.Sum(body)), body...)
}

// fixtureWith is the fixture with records appended.
func fixtureWith(t *testing.T, bodies ...string) string {
	t.Helper()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		data = append(data, record([]byte(b))...)
	}
	return writeFile(t, data)
}

// withSchema is the fixture with its schema (record 0) changed by change.
func withSchema(t *testing.T, change func(map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	header, rest, _ := bytes.Cut(data, []byte("\n"))
	var n int
	if _, err := fmt.Sscanf(string(header), "OVSDB JSON %d", &n); err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(rest[:n], &schema); err != nil {
		t.Fatal(err)
	}
	change(schema)
	body, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, append(record(body), rest[n:]...))
}

func columns(schema map[string]any, table string) map[string]any {
	return schema["tables"].(map[string]any)[table].(map[string]any)["columns"].(map[string]any)
}

// FuzzReadLog feeds the file reader damaged, cut and rewritten variants of
// the fixture: it must return an error or rows, never panic or hang.
func FuzzReadLog(f *testing.F) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(append(data[:len(data):len(data)], record([]byte(`{"_is_diff":true,"Logical_Switch_Port":{"`+uuidVM1+`":{"external_ids":["map",[["a","b"]]],"enabled":["set",[]]}}}`))...))
	f.Add(append(data[:len(data):len(data)], record([]byte(`{"Logical_Switch":{"`+uuidSW0+`":null}}`))...))
	cm, err := nbModel()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newReplayer(cm)
		if err := readLogFrom(bytes.NewReader(data), "nb.db", nbDatabase, 7, r.bind, r.record); err != nil {
			return
		}
		if _, err := decodeNB(&decoder{file: r}); err != nil {
			t.Fatalf("a file that replays does not decode: %v", err)
		}
	})
}
