package ovsdb

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hopscope/hopscope/model"
)

// TestFixture decodes a real dump (see testdata/README.md) through the
// same decode and build as Import.
func TestFixture(t *testing.T) {
	dbm := readSchema(t, "testdata/vswitch.ovsschema")
	rows := readDump(t, "testdata/dump.json")
	for _, table := range []string{tableRoot, tableBridge, tablePort, tableInterface} {
		if _, ok := rows[table]; !ok {
			t.Fatalf("testdata/dump.json has no %s table", table)
		}
	}
	tbl, err := decode(dbm, rows)
	if err != nil {
		t.Fatal(err)
	}
	got, err := build(tbl)
	if err != nil {
		t.Fatal(err)
	}
	checkScenario(t, got)

	// Sources name the very rows of the dump.
	ids := map[string]bool{}
	for _, b := range tbl.Bridges {
		ids["Bridge "+b.UUID] = true
	}
	for _, p := range tbl.Ports {
		ids["Port "+p.UUID] = true
	}
	for _, b := range got.Bridges {
		if !ids[b.Source.What] {
			t.Errorf("bridge %s: Source %q is no row of the dump", b.Name, b.Source.What)
		}
		for _, p := range b.Ports {
			if !ids[p.Source.What] {
				t.Errorf("port %s: Source %q is no row of the dump", p.Name, p.Source.What)
			}
		}
	}
}

// db is a small hand-made database: one root row listing the given bridges.
type db struct{ tables }

func newDB() *db { return &db{tables{Root: []OpenvSwitch{{UUID: "root"}}}} }

// bridge adds a bridge listed by the root row, with ports by uuid.
func (d *db) bridge(uuid, name string, ports ...string) *db {
	d.Root[0].Bridges = append(d.Root[0].Bridges, uuid)
	d.Bridges = append(d.Bridges, Bridge{UUID: uuid, Name: name, Ports: ports})
	return d
}

// port adds a port whose interfaces are given by uuid.
func (d *db) port(p Port) *db { d.Ports = append(d.Ports, p); return d }

func (d *db) iface(i Interface) *db { d.Interfaces = append(d.Interfaces, i); return d }

// single adds a port "p<name>" with one interface "i<name>" of the given type.
func (d *db) single(name, typ string, opts map[string]string) *db {
	return d.port(Port{UUID: "p" + name, Name: name, Interfaces: []string{"i" + name}}).
		iface(Interface{UUID: "i" + name, Name: name, Type: typ, Options: opts})
}

func ptr[T any](v T) *T { return &v }

func TestBuild(t *testing.T) {
	port := func(name string, typ model.OVSPortType, raw string) *model.OVSPort {
		return &model.OVSPort{Name: name, Type: typ, RawType: raw}
	}
	tests := []struct {
		name string
		db   *db
		want []*model.OVSPort // ports of the one bridge "br"
	}{
		{
			name: "types known and unknown",
			db: newDB().bridge("b", "br", "psys", "pint", "pgre", "pstt", "pother", "perspan").
				single("sys", "", nil).single("int", "internal", nil).single("gre", "gre", nil).
				single("stt", "stt", nil).single("other", "other", nil).single("erspan", "erspan", nil),
			want: []*model.OVSPort{
				port("erspan", model.OVSOther, "erspan"),
				port("gre", model.OVSGRE, ""),
				port("int", model.OVSInternalPort, ""),
				port("other", model.OVSOther, "other"),
				port("stt", model.OVSOther, "stt"),
				port("sys", model.OVSSystem, ""),
			},
		},
		{
			name: "ofport unset, failed, set",
			db: newDB().bridge("b", "br", "pa", "pb", "pc").
				port(Port{UUID: "pa", Name: "a", Interfaces: []string{"ia"}}).iface(Interface{UUID: "ia", Name: "a"}).
				port(Port{UUID: "pb", Name: "b", Interfaces: []string{"ib"}}).iface(Interface{UUID: "ib", Name: "b", OFPort: ptr(-1)}).
				port(Port{UUID: "pc", Name: "c", Interfaces: []string{"ic"}}).iface(Interface{UUID: "ic", Name: "c", OFPort: ptr(5)}),
			want: []*model.OVSPort{{Name: "a"}, {Name: "b"}, {Name: "c", OFPort: 5}},
		},
		{
			name: "external_ids merged, interface wins; VLANs",
			db: newDB().bridge("b", "br", "pvm").
				port(Port{UUID: "pvm", Name: "vm", Interfaces: []string{"ivm"}, Tag: ptr(0), Trunks: []int{30, 4095, 0},
					VLANMode: ptr("native-untagged"), ExternalIDs: map[string]string{"a": "port", "b": "port"}}).
				iface(Interface{UUID: "ivm", Name: "vm", ExternalIDs: map[string]string{"b": "iface", "c": "iface"}}),
			want: []*model.OVSPort{{Name: "vm", Trunks: []uint16{0, 30, 4095}, VLANMode: "native-untagged",
				ExternalIDs: map[string]string{"a": "port", "b": "iface", "c": "iface"}}},
		},
		{
			name: "bond keeps the port's external_ids only",
			db: newDB().bridge("b", "br", "pbond").
				port(Port{UUID: "pbond", Name: "bond", Interfaces: []string{"iz", "ia"}, Tag: ptr(3), ExternalIDs: map[string]string{"k": "v"}}).
				iface(Interface{UUID: "iz", Name: "z", OFPort: ptr(2), ExternalIDs: map[string]string{"x": "y"}}).
				iface(Interface{UUID: "ia", Name: "a", OFPort: ptr(1), Options: map[string]string{"o": "p"}}),
			want: []*model.OVSPort{{Name: "bond", Type: model.OVSOther, RawType: "bond", Tag: 3,
				Options: map[string]string{BondInterfacesOption: "a,z"}, ExternalIDs: map[string]string{"k": "v"}}},
		},
		{
			name: "patch without peer keeps an empty PeerName for Resolve to report",
			db:   newDB().bridge("b", "br", "pp").single("p", "patch", map[string]string{}),
			want: []*model.OVSPort{port("p", model.OVSPatch, "")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(tt.db.tables)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Bridges) != 1 {
				t.Fatalf("got %d bridges, want 1", len(got.Bridges))
			}
			if diff := cmp.Diff(tt.want, got.Bridges[0].Ports, ignoreSource); diff != "" {
				t.Errorf("ports (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildBridges(t *testing.T) {
	d := newDB().bridge("b2", "zeta").bridge("b1", "alpha")
	d.Root[0].Bridges = append(d.Root[0].Bridges, "b2")                   // listed twice, imported once
	d.Bridges = append(d.Bridges, Bridge{UUID: "orphan", Name: "orphan"}) // no root row lists it
	d.Bridges[0].FailMode = ptr("standalone")
	got, err := build(d.tables)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range got.Bridges {
		names = append(names, b.Name)
	}
	if want := []string{"alpha", "zeta"}; !slices.Equal(names, want) {
		t.Errorf("bridges %v, want %v", names, want)
	}
	if z := got.Bridge("zeta"); z.FailMode != "standalone" || z.Source != (model.Source{File: "ovsdb", What: "Bridge b2"}) {
		t.Errorf("zeta = %+v", z)
	}

	empty, err := build(tables{})
	if err != nil || empty == nil || len(empty.Bridges) != 0 {
		t.Errorf("build of an empty database = %v, %v; want an OVS with no bridges", empty, err)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name string
		db   *db
		want string
	}{
		{"bridge missing", &db{tables{Root: []OpenvSwitch{{UUID: "root", Bridges: []string{"gone"}}}}},
			"Open_vSwitch root: bridge gone is not in the Bridge table"},
		{"port missing", newDB().bridge("b", "br", "gone"),
			"Bridge b (br): port gone is not in the Port table"},
		{"interface missing", newDB().bridge("b", "br", "p").port(Port{UUID: "p", Name: "eth0", Interfaces: []string{"gone"}}),
			"Port p (eth0): interface gone is not in the Interface table"},
		{"no interfaces", newDB().bridge("b", "br", "p").port(Port{UUID: "p", Name: "eth0"}),
			"Port p (eth0): no interfaces (the schema requires at least one)"},
		{"tag out of range", newDB().bridge("b", "br", "p").port(Port{UUID: "p", Name: "eth0", Tag: ptr(4096)}),
			"Port p (eth0): tag: VLAN 4096 out of range 0-4095"},
		{"trunk out of range", newDB().bridge("b", "br", "p").port(Port{UUID: "p", Name: "eth0", Trunks: []int{5, -1}}),
			"Port p (eth0): trunks: VLAN -1 out of range 0-4095"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := build(tt.db.tables)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("build = %v, %v; want error %q", got, err, tt.want)
			}
		})
	}
}

// TestImportEndpoint: a bad endpoint is an error before any connection,
// named as the ovsdb endpoint.
func TestImportEndpoint(t *testing.T) {
	_, err := Import(context.Background(), "ssl:192.0.2.1:6640")
	want := `ovsdb endpoint "ssl:192.0.2.1:6640": unsupported scheme; want "unix:PATH" or "tcp:IP:PORT"`
	if err == nil || err.Error() != want {
		t.Errorf("Import: error %v, want %s", err, want)
	}
}
