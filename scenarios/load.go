package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hopscope/hopscope/model"
)

// Scenario is a loaded, resolved topology with the checks to run on it.
type Scenario struct {
	Topology *model.Topology
	Checks   []Check
	Files    []string // the files it was loaded from, in order
}

// LoadFile reads one scenario file.
func LoadFile(path string) (*Scenario, error) { return LoadFiles(path) }

// LoadFiles reads several files into one scenario: their hosts, segments,
// endpoints and checks are merged, and a name defined twice is an error
// naming both places.
func LoadFiles(paths ...string) (*Scenario, error) {
	var srcs []namedData
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, namedData{p, data})
	}
	return load(srcs)
}

// Load reads a scenario from data; name is the file name errors show.
func Load(name string, data []byte) (*Scenario, error) {
	return load([]namedData{{name, data}})
}

type namedData struct {
	name string
	data []byte
}

func load(srcs []namedData) (*Scenario, error) {
	if len(srcs) == 0 {
		return nil, errors.New("no scenario files given")
	}
	var (
		errs errList
		raws []*rawScenario
		sc   = &Scenario{}
	)
	for _, s := range srcs {
		sc.Files = append(sc.Files, s.name)
		if r := decodeFile(s.name, s.data, &errs); r != nil {
			raws = append(raws, r)
		}
	}
	if !errs.empty() {
		return nil, errs.err() // building from a half-read file only adds echoes
	}
	b := &builder{}
	sc.Topology, sc.Checks = b.build(raws)
	if !b.errs.empty() {
		return nil, b.errs.err()
	}
	if err := sc.Topology.Resolve(); err != nil {
		return nil, err
	}
	return sc, nil
}

// decodeFile parses one file's YAML and decodes it strictly into raw form.
func decodeFile(name string, data []byte, errs *errList) *rawScenario {
	f := &fileInfo{name: name, lines: strings.Split(string(data), "\n"), marks: map[string]mark{}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			errs.add(&Error{File: name, Msg: "empty scenario: want a mapping with hosts, segments, endpoints and checks"})
		} else {
			errs.add(yamlError(name, err))
		}
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		if err != nil {
			errs.add(yamlError(name, err))
		} else {
			errs.add(&Error{File: name, Line: extra.Line, Col: extra.Column, Msg: "a second YAML document: want one scenario per file"})
		}
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			errs.add(&Error{File: name, Msg: "empty scenario: want a mapping with hosts, segments, endpoints and checks"})
			return nil
		}
		root = root.Content[0]
	}
	if isNull(root) {
		errs.add(&Error{File: name, Line: root.Line, Col: root.Column, Msg: "empty scenario: want a mapping with hosts, segments, endpoints and checks"})
		return nil
	}
	n := len(errs.errs)
	d := &decoder{file: f, errs: errs}
	r := &rawScenario{}
	d.decode(root, reflect.ValueOf(r).Elem(), "")
	if len(errs.errs) > n {
		return nil
	}
	return r
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns "yaml: line 3: msg" into "file:3: msg".
func yamlError(name string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Msg: "YAML syntax error: " + m[2]}
	}
	return &Error{File: name, Msg: "YAML syntax error: " + strings.TrimPrefix(msg, "yaml: ")}
}

// String summarises the scenario for logs.
func (s *Scenario) String() string {
	t := s.Topology
	return fmt.Sprintf("%s: %d hosts, %d segments, %d endpoints, %d checks", t.Name, len(t.Hosts), len(t.Segments), len(t.Endpoints), len(s.Checks))
}
