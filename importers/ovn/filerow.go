package ovn

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"reflect"

	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// A file's rows are decoded straight into the models of tables.go, column
// by column as the `ovsdb` tags name them: no generic row in between, and
// columns and tables the importer does not read are skipped unread.

// fileTable replays one table of a database file into rows of a model type.
type fileTable struct {
	name     string
	typ      reflect.Type           // the model, a struct
	uuid     []int                  // its _uuid field
	columns  map[string]*fileColumn // the columns read, by name; set by bind
	optional map[string]bool        // columns a schema may lack (ACL.tier)
	index    map[string]int         // a row's place in rows, by uuid
	rows     []reflect.Value        // *model, in the order the file made them; nil once deleted
}

// fileColumn is one column the importer reads.
type fileColumn struct {
	name  string
	field []int
	// composite is a set or map that may hold more than one value: in a
	// diff record, its changes are diffs rather than the new value.
	composite bool
}

// valueKind is the Go type a column decodes into (libovsdb's mapping).
type valueKind int

const (
	kindString    valueKind = iota // string: a string or uuid
	kindOptString                  // *string: an optional string or uuid
	kindStrings                    // []string: a set of strings or uuids
	kindStringMap                  // map[string]string
	kindInt                        // int
	kindOptInt                     // *int
	kindBool                       // bool
	kindOptBool                    // *bool
)

var kindTypes = map[reflect.Type]valueKind{
	reflect.TypeFor[string](): kindString, reflect.TypeFor[*string](): kindOptString,
	reflect.TypeFor[[]string](): kindStrings, reflect.TypeFor[map[string]string](): kindStringMap,
	reflect.TypeFor[int](): kindInt, reflect.TypeFor[*int](): kindOptInt,
	reflect.TypeFor[bool](): kindBool, reflect.TypeFor[*bool](): kindOptBool,
}

// newFileTable is table name, read into rows of typ; optional names the
// columns a schema may lack.
func newFileTable(name string, typ reflect.Type, optional ...string) *fileTable {
	t := &fileTable{name: name, typ: typ, index: map[string]int{}, optional: map[string]bool{}}
	for _, c := range optional {
		t.optional[c] = true
	}
	return t
}

// bind finds the model's columns in the file's schema and checks that
// each holds what its field takes, as libovsdb checks a server's schema
// on connect.
func (t *fileTable) bind(schema *ovsdb.DatabaseSchema) error {
	ts, ok := schema.Tables[t.name]
	if !ok {
		return fmt.Errorf("the schema (%s %s) has no table %s", schema.Name, schema.Version, t.name)
	}
	t.columns = map[string]*fileColumn{}
	for _, f := range reflect.VisibleFields(t.typ) {
		name := f.Tag.Get("ovsdb")
		switch {
		case name == "" || f.Anonymous:
			continue
		case name == "_uuid":
			t.uuid = f.Index
			continue
		}
		cs, ok := ts.Columns[name]
		if !ok {
			if t.optional[name] {
				continue
			}
			return fmt.Errorf("the schema (%s %s) has no column %s in table %s", schema.Name, schema.Version, name, t.name)
		}
		kind, ok := kindTypes[f.Type]
		if !ok {
			panic(fmt.Sprintf("%s.%s: no decoder for %s", t.typ, f.Name, f.Type))
		}
		composite, err := checkColumn(kind, cs)
		if err != nil {
			return fmt.Errorf("table %s column %s: %w", t.name, name, err)
		}
		t.columns[name] = &fileColumn{name: name, field: f.Index, composite: composite}
	}
	if t.uuid == nil {
		panic(fmt.Sprintf("%s has no _uuid field", t.typ))
	}
	return nil
}

// checkColumn says whether the column's type is what kind decodes, and
// whether it is composite.
func checkColumn(kind valueKind, cs *ovsdb.ColumnSchema) (composite bool, err error) {
	var keyType, valueType string
	lo, hi := 1, 1
	if cs.TypeObj != nil {
		if cs.TypeObj.Key != nil {
			keyType = cs.TypeObj.Key.Type
		}
		if cs.TypeObj.Value != nil {
			valueType = cs.TypeObj.Value.Type
		}
		lo, hi = cs.TypeObj.Min(), cs.TypeObj.Max()
	} else {
		keyType = cs.Type
	}
	composite = hi == ovsdb.Unlimited || hi > 1
	str := keyType == ovsdb.TypeString || keyType == ovsdb.TypeUUID
	var ok bool
	switch kind {
	case kindString:
		ok = str && valueType == "" && lo == 1 && hi == 1
	case kindOptString:
		ok = str && valueType == "" && lo == 0 && hi == 1
	case kindStrings:
		ok = str && valueType == "" && composite
	case kindStringMap:
		ok = keyType == ovsdb.TypeString && valueType == ovsdb.TypeString
	case kindInt:
		ok = keyType == ovsdb.TypeInteger && valueType == "" && lo == 1 && hi == 1
	case kindOptInt:
		ok = keyType == ovsdb.TypeInteger && valueType == "" && lo == 0 && hi == 1
	case kindBool:
		ok = keyType == ovsdb.TypeBoolean && valueType == "" && lo == 1 && hi == 1
	case kindOptBool:
		ok = keyType == ovsdb.TypeBoolean && valueType == "" && lo == 0 && hi == 1
	}
	if !ok {
		return false, fmt.Errorf("the schema's type (key %s, value %s, min %d, max %d) is not the %s the importer reads",
			keyType, cmp.Or(valueType, "none"), lo, hi, kind)
	}
	return composite, nil
}

func (k valueKind) String() string {
	return [...]string{"string", "optional string", "set of strings", "string map", "integer", "optional integer",
		"boolean", "optional boolean"}[k]
}

// replayer applies a file's transactions to its tables.
type replayer struct {
	tables map[string]*fileTable
	s      *scanner // the record being read

	// strs keeps one copy of the strings read recently: a thousand
	// ports' external_ids share their keys, and most values of type,
	// action or device_owner are one of a few.
	strs strCache
	// set and pairs are scratch for a set's and a map's elements, which
	// are then copied out at their size.
	set   []string
	pairs [][2]string
}

// aclRow is what a file's ACL rows read into: the model and, where the
// schema has it, the tier (see the note on the models).
type aclRow struct {
	ACL
	Tier int `ovsdb:"tier"`
}

// newReplayer makes a table for each of cm's models.
func newReplayer(cm libmodel.ClientDBModel) *replayer {
	r := &replayer{tables: map[string]*fileTable{}, strs: strCache{seed: maphash.MakeSeed()}}
	for name, typ := range cm.Types() {
		t := newFileTable(name, typ.Elem())
		if name == tACL {
			t = newFileTable(name, reflect.TypeFor[aclRow](), "tier")
		}
		r.tables[name] = t
	}
	return r
}

// aclTiers is ACL.tier by ACL uuid; nil when the schema has no tier.
func (r *replayer) aclTiers() map[string]int {
	t := r.tables[tACL]
	if t == nil || t.columns["tier"] == nil {
		return nil
	}
	tiers := make(map[string]int, len(t.index))
	for _, row := range t.rows {
		if row.IsValid() {
			a := row.Interface().(*aclRow)
			tiers[a.UUID] = a.Tier
		}
	}
	return tiers
}

// bind binds every table to the file's schema.
func (r *replayer) bind(schema *ovsdb.DatabaseSchema) error {
	for _, t := range r.tables {
		if err := t.bind(schema); err != nil {
			return err
		}
	}
	return nil
}

// pending is a change to a composite column of a row that existed before
// the record: a diff or the new value, which the record says only once
// its "_is_diff" member has been read, perhaps after the tables.
type pending struct {
	field reflect.Value
	value reflect.Value
}

// record applies one transaction record.
func (r *replayer) record(s *scanner) error {
	r.s = s
	if err := s.expect('{', "a transaction object"); err != nil {
		return err
	}
	var later []pending
	isDiff := false
	for n := 0; ; n++ {
		key, more, err := s.key(n)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		t := r.tables[string(key)]
		switch {
		case t != nil:
			err = r.table(t, &later)
		case string(key) == "_is_diff":
			isDiff, err = s.boolean()
		default: // _date, _comment, tables not read
			err = s.skip()
		}
		if err != nil {
			return err
		}
	}
	for _, p := range later {
		if isDiff {
			applyDiff(p.field, p.value)
		} else {
			p.field.Set(p.value)
		}
	}
	return nil
}

// table applies one table's rows of a transaction.
func (r *replayer) table(t *fileTable, later *[]pending) error {
	s := r.s
	if err := s.expect('{', "an object of rows"); err != nil {
		return fmt.Errorf("table %s: %w", t.name, err)
	}
	for n := 0; ; n++ {
		key, more, err := s.key(n)
		if err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
		if !more {
			return nil
		}
		// Before the next read, which moves key's bytes.
		i, exists := t.index[string(key)]
		var uuid string
		if exists {
			uuid = t.rows[i].Elem().FieldByIndex(t.uuid).String()
		} else {
			uuid = string(key)
		}
		if s.peek() == 'n' { // null: the row is deleted
			if !exists {
				return fmt.Errorf("%s %s: the transaction deletes a row that does not exist", t.name, uuid)
			}
			if lit, err := s.literal(); err != nil || string(lit) != "null" {
				if err == nil {
					err = s.fail("want a row object or null, found %q", lit)
				}
				return fmt.Errorf("%s %s: %w", t.name, uuid, err)
			}
			delete(t.index, uuid)
			t.rows[i] = reflect.Value{}
			continue
		}
		if !exists {
			row := reflect.New(t.typ)
			row.Elem().FieldByIndex(t.uuid).SetString(uuid)
			i = len(t.rows)
			t.index[uuid] = i
			t.rows = append(t.rows, row)
		}
		if err := r.columns(t, t.rows[i].Elem(), exists, later); err != nil {
			return fmt.Errorf("%s %s: %w", t.name, uuid, err)
		}
	}
}

// columns reads a row's object of columns. A new row takes each value; a
// changed one takes its scalars and leaves its composite columns to the
// record's end.
func (r *replayer) columns(t *fileTable, row reflect.Value, exists bool, later *[]pending) error {
	s := r.s
	if err := s.expect('{', "a row object or null"); err != nil {
		return err
	}
	for n := 0; ; n++ {
		key, more, err := s.key(n)
		if err != nil || !more {
			return err
		}
		c := t.columns[string(key)]
		if c == nil {
			if err := s.skip(); err != nil {
				return err
			}
			continue
		}
		field := row.FieldByIndex(c.field)
		if exists && c.composite {
			v := reflect.New(field.Type()).Elem()
			*later = append(*later, pending{field, v})
			field = v
		}
		if err := r.value(field.Addr().Interface()); err != nil {
			return fmt.Errorf("column %s: %w", c.name, err)
		}
	}
}

// strCache is a direct-mapped cache of strings by their bytes: a string
// read again while its slot still holds it is not copied again. Unlike an
// intern map it never grows, and a string seen once costs a hash.
type strCache struct {
	seed  maphash.Seed
	slots [4096]string
}

// str is b as a string.
func (c *strCache) str(b []byte) string {
	slot := &c.slots[maphash.Bytes(c.seed, b)%uint64(len(c.slots))]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// cacheMax is the longest string the cache is asked for; longer ones
// (match expressions, lists of addresses) are rarely read twice.
const cacheMax = 64

// str reads a string.
func (r *replayer) str() (string, error) {
	b, err := r.s.stringBytes()
	if err != nil || len(b) > cacheMax {
		return string(b), err
	}
	return r.strs.str(b), nil
}

// value reads one column value into dst, a pointer to a field. A set of
// one is written as its element alone, an empty optional value as
// ["set", []], a uuid as ["uuid", "..."].
func (r *replayer) value(dst any) error {
	s := r.s
	var err error
	switch p := dst.(type) {
	case *string:
		*p, err = r.atom()
	case **string:
		var set []string
		if set, err = r.stringSet(); err == nil {
			*p, err = atMostOne(s, set)
		}
	case *[]string:
		*p, err = r.stringSet()
	case *map[string]string:
		*p, err = r.stringMap()
	case *int:
		*p, err = integer(s)
	case **int:
		err = r.optionalScalar(func() error {
			v, err := integer(s)
			*p = &v
			return err
		})
	case *bool:
		*p, err = s.boolean()
	case **bool:
		err = r.optionalScalar(func() error {
			v, err := s.boolean()
			*p = &v
			return err
		})
	default:
		panic(fmt.Sprintf("no decoder for %T", dst))
	}
	return err
}

func integer(s *scanner) (int, error) {
	n, err := s.integer()
	return int(n), err
}

func atMostOne(s *scanner, set []string) (*string, error) {
	switch len(set) {
	case 0:
		return nil, nil
	case 1:
		return &set[0], nil
	}
	return nil, s.fail("want at most one value, found a set of %d", len(set))
}

// tagged reads the start of a tagged array: ["uuid", "U"] whole, returning
// "uuid" and U; or the tag of ["set", ...] or ["map", ...] and the ',' after
// it, leaving the scanner at the tag's value.
func (r *replayer) tagged() (tag, uuid string, err error) {
	s := r.s
	if err := s.expect('[', "an array"); err != nil {
		return "", "", err
	}
	b, err := s.stringBytes()
	if err != nil {
		return "", "", err
	}
	switch string(b) {
	case "uuid":
		tag = "uuid"
	case "set":
		tag = "set"
	case "map":
		tag = "map"
	default:
		return "", "", s.fail(`want ["set", ...], ["map", ...] or ["uuid", ...], found [%q, ...]`, b)
	}
	if err := s.expect(',', "','"); err != nil || tag != "uuid" {
		return tag, "", err
	}
	if uuid, err = r.str(); err == nil {
		err = s.expect(']', "']'")
	}
	return tag, uuid, err
}

// atom reads a string, or a uuid.
func (r *replayer) atom() (string, error) {
	if r.s.peek() != '[' {
		return r.str()
	}
	tag, uuid, err := r.tagged()
	if err == nil && tag != "uuid" {
		err = r.s.fail(`want a string or ["uuid", "..."], found a %s`, tag)
	}
	return uuid, err
}

// stringSet reads a set of strings or uuids.
func (r *replayer) stringSet() ([]string, error) {
	s := r.s
	if s.peek() != '[' {
		v, err := r.str()
		return []string{v}, err
	}
	tag, uuid, err := r.tagged()
	switch {
	case err != nil:
		return nil, err
	case tag == "uuid":
		return []string{uuid}, nil
	case tag != "set":
		return nil, s.fail(`want a string or ["set", [...]], found a %s`, tag)
	}
	r.set = r.set[:0]
	err = s.array("a set's elements", func() error {
		v, err := r.atom()
		r.set = append(r.set, v)
		return err
	})
	if err == nil {
		err = s.expect(']', "']'")
	}
	if err != nil || len(r.set) == 0 {
		return nil, err
	}
	return append([]string(nil), r.set...), nil
}

// optionalScalar reads an optional integer or boolean with one: the value
// alone, or ["set", []] or ["set", [value]].
func (r *replayer) optionalScalar(one func() error) error {
	s := r.s
	if s.peek() != '[' {
		return one()
	}
	tag, _, err := r.tagged()
	if err == nil && tag != "set" {
		err = s.fail(`want a value or ["set", [...]], found a %s`, tag)
	}
	n := 0
	if err == nil {
		err = s.array("a set's elements", func() error {
			if n++; n > 1 {
				return s.fail("want at most one value in this column's set")
			}
			return one()
		})
	}
	if err != nil {
		return err
	}
	return s.expect(']', "']'")
}

// stringMap reads ["map", [[key, value], ...]].
func (r *replayer) stringMap() (map[string]string, error) {
	s := r.s
	tag, _, err := r.tagged()
	if err == nil && tag != "map" {
		err = s.fail(`want ["map", [...]], found a %s`, tag)
	}
	r.pairs = r.pairs[:0]
	if err == nil {
		err = s.array("a map's pairs", func() error {
			kv, err := r.pair()
			r.pairs = append(r.pairs, kv)
			return err
		})
	}
	if err == nil {
		err = s.expect(']', "']'")
	}
	if err != nil || len(r.pairs) == 0 {
		return nil, err
	}
	m := make(map[string]string, len(r.pairs))
	for _, kv := range r.pairs {
		m[kv[0]] = kv[1]
	}
	return m, nil
}

// pair reads [key, value] of a map.
func (r *replayer) pair() (kv [2]string, err error) {
	s := r.s
	if err = s.expect('[', "a [key, value] pair"); err == nil {
		var k []byte
		if k, err = s.stringBytes(); err == nil {
			kv[0] = r.strs.str(k)
		}
	}
	if err == nil {
		err = s.expect(',', "','")
	}
	if err == nil {
		kv[1], err = r.str()
	}
	if err == nil {
		err = s.expect(']', "']'")
	}
	return kv, err
}

// applyDiff applies a diff to a set or map field (ovsdb_datum_apply_diff):
// an element of a set toggles; a map key whose value is the same is
// removed, one with another value replaced, a new one added.
func applyDiff(field, diff reflect.Value) {
	switch p := field.Addr().Interface().(type) {
	case *[]string:
		*p = toggle(*p, diff.Interface().([]string))
	case *map[string]string:
		for k, v := range diff.Interface().(map[string]string) {
			switch old, ok := (*p)[k]; {
			case ok && old == v:
				delete(*p, k)
			case *p == nil:
				*p = map[string]string{k: v}
			default:
				(*p)[k] = v
			}
		}
	default:
		field.Set(diff) // a scalar's diff is its new value
	}
}

// toggle removes from set the elements of diff it has and adds the others.
func toggle(set, diff []string) []string {
	in := make(map[string]bool, len(diff))
	for _, d := range diff {
		in[d] = !in[d] // an element twice in a diff cancels out
	}
	out := set[:0:0]
	for _, e := range set {
		if in[e] {
			delete(in, e)
			continue
		}
		out = append(out, e)
	}
	for _, d := range diff {
		if in[d] {
			out = append(out, d)
			delete(in, d)
		}
	}
	return out
}

// rowsOf is the table's rows, in the order the file made them. A table
// whose rows read more columns than T has embeds T first (aclRow).
func rowsOf[T any](t *fileTable) []T {
	out := make([]T, 0, len(t.index))
	embedded := t.typ != reflect.TypeFor[T]()
	for _, row := range t.rows {
		if !row.IsValid() {
			continue
		}
		if embedded {
			row = row.Elem().Field(0).Addr()
		}
		out = append(out, *row.Interface().(*T))
	}
	return out
}
