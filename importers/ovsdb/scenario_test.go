package ovsdb

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/hopscope/hopscope/model"
)

// scenario is the configuration both the live test and testdata/dump.json
// are made from: each line is one `ovs-vsctl --no-wait` call.
var scenario = [][]string{
	{"init"},
	{"add-br", "br-int", "--", "set", "Bridge", "br-int", "fail_mode=secure"},
	{"add-br", "br-ex", "--", "set", "Bridge", "br-ex", "datapath_type=netdev"},
	// Access port; port and interface both set iface-id, the interface wins.
	{"add-port", "br-int", "vm1", "tag=1",
		"--", "set", "Port", "vm1", "external_ids:owner=nova", "external_ids:iface-id=port-side",
		"--", "set", "Interface", "vm1", "external_ids:iface-id=vm1-uuid"},
	{"add-port", "br-int", "trunk0", "trunks=20,10", "vlan_mode=trunk"},
	{"add-port", "br-int", "patch-int-ex", "--", "set", "Interface", "patch-int-ex", "type=patch", "options:peer=patch-ex-int"},
	{"add-port", "br-ex", "patch-ex-int", "--", "set", "Interface", "patch-ex-int", "type=patch", "options:peer=patch-int-ex"},
	{"add-port", "br-int", "vxlan0", "--", "set", "Interface", "vxlan0", "type=vxlan", "options:remote_ip=192.0.2.2", "options:key=100"},
	{"add-port", "br-int", "gnv0", "--", "set", "Interface", "gnv0", "type=geneve", "options:remote_ip=192.0.2.4"},
	{"add-port", "br-int", "int0", "tag=2", "--", "set", "Interface", "int0", "type=internal"},
	{"add-port", "br-ex", "dpdk0", "--", "set", "Interface", "dpdk0", "type=dpdk", "options:dpdk-devargs=0000:01:00.0"},
	{"add-port", "br-ex", "stt0", "--", "set", "Interface", "stt0", "type=stt", "options:remote_ip=192.0.2.3"},
	{"add-bond", "br-ex", "bond0", "eth1", "eth2", "--", "set", "Port", "bond0", "bond_mode=active-backup"},
	// ofport is ovs-vswitchd's to write, and the test runs none: set by
	// hand, a number on one port and -1 (failed to attach) on another.
	{"set", "Interface", "vm1", "ofport=7"},
	{"set", "Interface", "dpdk0", "ofport=-1"},
}

// wantScenario is the model scenario must import as, Source aside.
func wantScenario() *model.OVS {
	return &model.OVS{Bridges: []*model.OVSBridge{
		{Name: "br-ex", DatapathType: "netdev", Ports: []*model.OVSPort{
			{Name: "bond0", Type: model.OVSOther, RawType: "bond", Options: map[string]string{BondInterfacesOption: "eth1,eth2"}},
			{Name: "br-ex", Type: model.OVSInternalPort},
			{Name: "dpdk0", Type: model.OVSOther, RawType: "dpdk", Options: map[string]string{"dpdk-devargs": "0000:01:00.0"}},
			{Name: "patch-ex-int", Type: model.OVSPatch, PeerName: "patch-int-ex", Options: map[string]string{"peer": "patch-int-ex"}},
			{Name: "stt0", Type: model.OVSOther, RawType: "stt", Options: map[string]string{"remote_ip": "192.0.2.3"}},
		}},
		{Name: "br-int", FailMode: "secure", Ports: []*model.OVSPort{
			{Name: "br-int", Type: model.OVSInternalPort},
			{Name: "gnv0", Type: model.OVSGeneve, Options: map[string]string{"remote_ip": "192.0.2.4"}},
			{Name: "int0", Type: model.OVSInternalPort, Tag: 2},
			{Name: "patch-int-ex", Type: model.OVSPatch, PeerName: "patch-ex-int", Options: map[string]string{"peer": "patch-ex-int"}},
			{Name: "trunk0", Trunks: []uint16{10, 20}, VLANMode: "trunk"},
			{Name: "vm1", Tag: 1, OFPort: 7, ExternalIDs: map[string]string{"iface-id": "vm1-uuid", "owner": "nova"}},
			{Name: "vxlan0", Type: model.OVSVXLAN, Options: map[string]string{"key": "100", "remote_ip": "192.0.2.2"}},
		}},
	}}
}

var ignoreSource = cmp.Options{
	cmpopts.IgnoreUnexported(model.OVSBridge{}),
	cmpopts.IgnoreFields(model.OVSBridge{}, "Source"),
	cmpopts.IgnoreFields(model.OVSPort{}, "Source"),
}

var sourceWhat = regexp.MustCompile(`^(Bridge|Port) [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkScenario compares an imported model with wantScenario and checks
// that every Source names an OVSDB row.
func checkScenario(t *testing.T, got *model.OVS) {
	t.Helper()
	if diff := cmp.Diff(wantScenario(), got, ignoreSource); diff != "" {
		t.Errorf("model mismatch (-want +got):\n%s", diff)
	}
	if got == nil {
		return
	}
	for _, b := range got.Bridges {
		srcs := []model.Source{b.Source}
		for _, p := range b.Ports {
			srcs = append(srcs, p.Source)
		}
		for _, s := range srcs {
			if s.File != "ovsdb" || !sourceWhat.MatchString(s.What) {
				t.Errorf("bridge %s: Source %+v, want File ovsdb and What \"<Table> <uuid>\"", b.Name, s)
			}
		}
	}
}

// readDump reads `ovsdb-client dump --format=json` output, one JSON object
// per table: {"caption":"Port table","headings":["_uuid",...],"data":[[...],...]}.
// Cells are in RFC 7047 notation, so each row goes through ovsdb.Row's own
// decoder, as a select result does.
func readDump(t *testing.T, path string) map[string][]ovsdb.Row {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]ovsdb.Row{}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var tbl struct {
			Caption  string
			Headings []string
			Data     [][]json.RawMessage
		}
		if err := dec.Decode(&tbl); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		name, ok := strings.CutSuffix(tbl.Caption, " table")
		if !ok {
			t.Fatalf("%s: caption %q, want \"<name> table\"", path, tbl.Caption)
		}
		out[name] = []ovsdb.Row{} // present, even if empty
		for i, cells := range tbl.Data {
			if len(cells) != len(tbl.Headings) {
				t.Fatalf("%s: %s row %d has %d cells for %d headings", path, name, i, len(cells), len(tbl.Headings))
			}
			obj := map[string]json.RawMessage{}
			for j, h := range tbl.Headings {
				obj[h] = cells[j]
			}
			raw, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			var row ovsdb.Row
			if err := json.Unmarshal(raw, &row); err != nil {
				t.Fatalf("%s: %s row %d: %v", path, name, i, err)
			}
			out[name] = append(out[name], row)
		}
	}
	return out
}

// readSchema reads `ovsdb-client get-schema` output and checks the models against it.
func readSchema(t *testing.T, path string) libmodel.DatabaseModel {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var schema ovsdb.DatabaseSchema
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	cm, err := clientModel()
	if err != nil {
		t.Fatal(err)
	}
	dbm, errs := libmodel.NewDatabaseModel(schema, cm)
	if len(errs) > 0 {
		t.Fatalf("%s: models do not fit the schema: %v", path, errors.Join(errs...))
	}
	return dbm
}
