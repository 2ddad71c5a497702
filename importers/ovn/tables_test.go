package ovn

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// TestDecodeTier reads ACL.tier as a schema newer than 23.03 has it (the
// live tests' server has no tier), and reads nothing from one without.
func TestDecodeTier(t *testing.T) {
	schema := func(columns string) ovsdb.DatabaseSchema {
		var s ovsdb.DatabaseSchema
		text := `{"name": "OVN_Northbound", "version": "7.3.0", "tables": {"ACL": {"columns": {` + columns + `}}}}`
		if err := json.Unmarshal([]byte(text), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	var rows []ovsdb.Row
	for _, r := range []string{
		`{"_uuid": ["uuid", "5e509227-b23a-464e-bb14-ddb2f9382349"], "priority": 1001, "tier": 2}`,
		`{"_uuid": ["uuid", "21fec106-f6d1-44a1-b087-e2930a351bef"], "priority": 1002, "tier": 0}`,
	} {
		var row ovsdb.Row
		if err := json.Unmarshal([]byte(r), &row); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	withTier := schema(`"priority": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 32767}}},
		"tier": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 3}}}`)
	got, err := decodeTier(withTier, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"5e509227-b23a-464e-bb14-ddb2f9382349": 2, "21fec106-f6d1-44a1-b087-e2930a351bef": 0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decodeTier (-want +got):\n%s", diff)
	}
	without := schema(`"priority": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 32767}}}`)
	if got, err := decodeTier(without, rows); err != nil || got != nil {
		t.Errorf("decodeTier without a tier column = %v, %v; want nothing", got, err)
	}
}
