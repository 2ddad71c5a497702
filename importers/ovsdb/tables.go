package ovsdb

import (
	"fmt"

	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// The libovsdb models below are hand-written and minimal: each names only
// the columns the importer reads, and libovsdb checks on connect that they
// are a subset of the server's schema. Column types follow libovsdb's
// mapping: an optional column (min 0, max 1) is a pointer, a set a slice,
// a map a map, a uuid reference a string.

// OpenvSwitch is the root row of the Open_vSwitch table.
type OpenvSwitch struct {
	UUID    string   `ovsdb:"_uuid"`
	Bridges []string `ovsdb:"bridges"`
}

// Bridge is a row of the Bridge table.
type Bridge struct {
	UUID         string            `ovsdb:"_uuid"`
	Name         string            `ovsdb:"name"`
	Ports        []string          `ovsdb:"ports"`
	FailMode     *string           `ovsdb:"fail_mode"`
	DatapathType string            `ovsdb:"datapath_type"`
	ExternalIDs  map[string]string `ovsdb:"external_ids"`
}

// Port is a row of the Port table.
type Port struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Interfaces  []string          `ovsdb:"interfaces"`
	Tag         *int              `ovsdb:"tag"`
	Trunks      []int             `ovsdb:"trunks"`
	VLANMode    *string           `ovsdb:"vlan_mode"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// Interface is a row of the Interface table.
type Interface struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Type        string            `ovsdb:"type"`
	Options     map[string]string `ovsdb:"options"`
	OFPort      *int              `ovsdb:"ofport"`
	MACInUse    *string           `ovsdb:"mac_in_use"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

const (
	database       = "Open_vSwitch"
	tableRoot      = "Open_vSwitch"
	tableBridge    = "Bridge"
	tablePort      = "Port"
	tableInterface = "Interface"
)

// clientModel names the tables read and the struct each row decodes into.
func clientModel() (libmodel.ClientDBModel, error) {
	return libmodel.NewClientDBModel(database, map[string]libmodel.Model{
		tableRoot:      &OpenvSwitch{},
		tableBridge:    &Bridge{},
		tablePort:      &Port{},
		tableInterface: &Interface{},
	})
}

// tables is one consistent read of the four tables.
type tables struct {
	Root       []OpenvSwitch
	Bridges    []Bridge
	Ports      []Port
	Interfaces []Interface
}

// decode turns raw rows, keyed by table name, into the models above. The
// live import and the fixture test both come through here, so the fixture
// checks the same struct tags and type mapping the server read uses.
func decode(dbm libmodel.DatabaseModel, rows map[string][]ovsdb.Row) (tables, error) {
	var t tables
	var err error
	if t.Root, err = decodeTable[OpenvSwitch](dbm, tableRoot, rows[tableRoot]); err != nil {
		return t, err
	}
	if t.Bridges, err = decodeTable[Bridge](dbm, tableBridge, rows[tableBridge]); err != nil {
		return t, err
	}
	if t.Ports, err = decodeTable[Port](dbm, tablePort, rows[tablePort]); err != nil {
		return t, err
	}
	t.Interfaces, err = decodeTable[Interface](dbm, tableInterface, rows[tableInterface])
	return t, err
}

func decodeTable[T any](dbm libmodel.DatabaseModel, table string, rows []ovsdb.Row) ([]T, error) {
	out := make([]T, 0, len(rows))
	for i := range rows {
		uuid, ok := rows[i]["_uuid"].(ovsdb.UUID)
		if !ok {
			return nil, fmt.Errorf("%s row %d: no _uuid column (got %v)", table, i, rows[i]["_uuid"])
		}
		m, err := libmodel.CreateModel(dbm, table, &rows[i], uuid.GoUUID)
		if err != nil {
			return nil, fmt.Errorf("%s row %s: %w", table, uuid.GoUUID, err)
		}
		row, ok := m.(*T)
		if !ok {
			return nil, fmt.Errorf("%s row %s: decoded as %T, want %T", table, uuid.GoUUID, m, row)
		}
		out = append(out, *row)
	}
	return out, nil
}
