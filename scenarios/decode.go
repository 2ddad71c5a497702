package scenarios

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The strict decoder: yaml.v3 decodes into structs but ignores unknown keys
// and forgets positions, so scenarios are parsed into a yaml.Node and walked
// here into the raw structs of raw.go. Struct fields carry `yaml:"key"` tags
// with options:
//
//	required  the key must be present
//	named     a mapping of name -> item decoded into a slice; the item's
//	          `yaml:",name"` field gets the key, a `yaml:",value"` field (if
//	          any) gets the value instead of the whole item
//	",loc"    a loc field receives the node's file, path and position
//
// Every value node's position is recorded by field path in the file's
// marks, so building the model can point at any field it rejects.

// mark is a 1-based line and column.
type mark struct{ line, col int }

// fileInfo is one scenario file being loaded.
type fileInfo struct {
	name  string
	lines []string        // the file's lines, to find a text block line's column
	marks map[string]mark // field path -> position of its value
}

// loc is where a raw object sits: its file, field path and position.
type loc struct {
	file      *fileInfo
	path      string
	line, col int
}

// errorf makes an error at the raw object itself.
func (l loc) errorf(format string, args ...any) *Error {
	if l.file == nil {
		return &Error{Path: l.path, Msg: fmt.Sprintf(format, args...)}
	}
	return &Error{File: l.file.name, Line: l.line, Col: l.col, Path: l.path, Msg: fmt.Sprintf(format, args...)}
}

// at makes an error at the field sub of the raw object ("kind", "addresses[2]").
func (l loc) at(sub, format string, args ...any) *Error {
	p := joinPath(l.path, sub)
	e := l.errorf(format, args...)
	e.Path = p
	if l.file != nil {
		if m, ok := l.file.marks[p]; ok {
			e.Line, e.Col = m.line, m.col
		}
	}
	return e
}

// has reports whether the field sub was written in the file.
func (l loc) has(sub string) bool {
	if l.file == nil {
		return false
	}
	_, ok := l.file.marks[joinPath(l.path, sub)]
	return ok
}

func (l loc) String() string {
	if l.file == nil {
		return l.path
	}
	return fmt.Sprintf("%s:%d:%d", l.file.name, l.line, l.col)
}

func joinPath(path, sub string) string {
	switch {
	case sub == "":
		return path
	case path == "":
		return sub
	case strings.HasPrefix(sub, "["):
		return path + sub
	}
	return path + "." + sub
}

// text is a block of native command output (`routes: |`). Line is the file
// line of the block's first line, so errors inside it can be rebased.
type text struct {
	Val  string
	Line int
	Col  int // column of the value when it sits on the key's line; 0 for a block
	Set  bool
}

var (
	locType  = reflect.TypeOf(loc{})
	textType = reflect.TypeOf(text{})
)

// maxNodes bounds how many nodes a file may expand to through aliases
// (a "billion laughs" file must fail, not exhaust memory).
const maxNodes = 1 << 18

type decoder struct {
	file  *fileInfo
	errs  *errList
	nodes int
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	if len(d.errs.errs) > maxErrors {
		return // only maxErrors are shown; stop collecting the rest
	}
	d.errs.add(&Error{File: d.file.name, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// resolve follows aliases, charging each expansion to the node budget.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if n.Alias == nil || depth > 100 {
			d.fail(n, path, "bad alias")
			return nil
		}
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// decode fills v from n; path names the field in errors.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n, path); n == nil {
		return
	}
	if len(d.errs.errs) > maxErrors {
		return
	}
	if d.nodes++; d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.fail(n, path, "document too large: more than %d nodes after expanding aliases", maxNodes)
		}
		return
	}
	d.file.marks[path] = mark{n.Line, n.Column}
	if isNull(n) {
		return // an empty value is the same as an absent one
	}
	t := v.Type()
	switch {
	case t == textType:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a text block (key: |, then the command output indented below), got %s", kindName(n))
			return
		}
		t := text{Val: n.Value, Line: n.Line, Col: n.Column, Set: true}
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			t.Line, t.Col = n.Line+1, 0 // a block's content starts on the line after its indicator
		}
		v.Set(reflect.ValueOf(t))
		return
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		d.decode(n, v.Elem(), path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.fail(n, path, "want a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		d.decodeStringMap(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.fail(n, path, "want a string, got %s", kindName(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			d.fail(n, path, "want a number, got %s", kindName(n))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err != nil || i < -1<<31 || i > 1<<32 {
			d.fail(n, path, "number %s is out of range", n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.ToLower(n.Value))
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || err != nil {
			d.fail(n, path, "want true or false, got %s", kindName(n))
			return
		}
		v.SetBool(b)
	default:
		panic("scenarios: decoder cannot fill " + t.String()) // a raw.go mistake, not an input error
	}
}

// mappingPairs checks n is a mapping with unique scalar keys and calls fn
// for each key/value pair.
func (d *decoder) mappingPairs(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping (key: value), got %s", kindName(n))
		return
	}
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := d.resolve(n.Content[i], path), n.Content[i+1]
		if k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode || isNull(k) {
			d.fail(k, path, "want a plain key, got %s", kindName(k))
			continue
		}
		kp := joinPath(path, k.Value)
		if k.Value == "<<" {
			d.fail(k, kp, "merge keys (<<) are not supported: write the keys out")
			continue
		}
		if prev := seen[k.Value]; prev != nil {
			d.fail(k, kp, "duplicate key: already given at line %d", prev.Line)
			continue
		}
		seen[k.Value] = k
		fn(k, v)
	}
}

func (d *decoder) decodeStringMap(n *yaml.Node, v reflect.Value, path string) {
	m := reflect.MakeMap(v.Type())
	d.mappingPairs(n, path, func(k, val *yaml.Node) {
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(val, e, joinPath(path, k.Value))
		m.SetMapIndex(reflect.ValueOf(k.Value), e)
	})
	v.Set(m)
}

// field is one tagged struct field.
type field struct {
	index    int
	key      string
	required bool
	named    bool
}

func structFields(t reflect.Type) (fields map[string]field, keys []string, locIdx, nameIdx, valueIdx int) {
	fields = map[string]field{}
	locIdx, nameIdx, valueIdx = -1, -1, -1
	for i := 0; i < t.NumField(); i++ {
		tag, ok := t.Field(i).Tag.Lookup("yaml")
		if !ok {
			continue
		}
		key, opts, _ := strings.Cut(tag, ",")
		switch {
		case key == "" && opts == "loc":
			locIdx = i
		case key == "" && opts == "name":
			nameIdx = i
		case key == "" && opts == "value":
			valueIdx = i
		default:
			fields[key] = field{index: i, key: key, required: strings.Contains(opts, "required"), named: strings.Contains(opts, "named")}
			keys = append(keys, key)
		}
	}
	return fields, keys, locIdx, nameIdx, valueIdx
}

func (d *decoder) setLoc(v reflect.Value, locIdx int, path string, n *yaml.Node) {
	if locIdx >= 0 {
		v.Field(locIdx).Set(reflect.ValueOf(loc{file: d.file, path: path, line: n.Line, col: n.Column}))
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields, keys, locIdx, _, _ := structFields(v.Type())
	d.setLoc(v, locIdx, path, n)
	seen := map[string]bool{}
	d.mappingPairs(n, path, func(k, val *yaml.Node) {
		f, ok := fields[k.Value]
		kp := joinPath(path, k.Value)
		if !ok {
			d.fail(k, kp, "unknown key; want one of %s", strings.Join(keys, ", "))
			return
		}
		seen[k.Value] = true
		if f.named {
			d.decodeNamed(val, v.Field(f.index), kp)
			return
		}
		d.decode(val, v.Field(f.index), kp)
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, k := range keys {
		if f := fields[k]; f.required && !seen[k] {
			d.fail(n, path, "missing required key %q", k)
		}
	}
}

// decodeNamed reads a mapping of name -> item into a slice of *item,
// keeping the file's order.
func (d *decoder) decodeNamed(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n, path); n == nil {
		return
	}
	d.file.marks[path] = mark{n.Line, n.Column}
	if isNull(n) {
		return
	}
	elemType := v.Type().Elem().Elem() // []*T -> T
	_, _, locIdx, nameIdx, valueIdx := structFields(elemType)
	d.mappingPairs(n, path, func(k, val *yaml.Node) {
		kp := joinPath(path, k.Value)
		item := reflect.New(elemType)
		e := item.Elem()
		if valueIdx >= 0 {
			d.decode(val, e.Field(valueIdx), kp)
		} else {
			d.decode(val, e, kp)
		}
		d.setLoc(e, locIdx, kp, k) // the item is where its name is
		e.Field(nameIdx).SetString(k.Value)
		v.Set(reflect.Append(v, item))
	})
}
