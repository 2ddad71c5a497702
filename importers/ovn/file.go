package ovn

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	libmodel "github.com/ovn-kubernetes/libovsdb/model"

	"github.com/hopscope/hopscope/model/ovn"
)

// ImportFiles reads OVN's databases from the files ovsdb-server keeps them
// in (on Debian /var/lib/ovn/ovnnb_db.db and ovnsb_db.db): the northbound
// at nbPath and, when sbPath is not "", the southbound. It builds what
// Import builds from the servers, but for each row's Source, which names
// the file; and it is faster, for no server has to answer a select of
// every row and no generic rows are made on the way.
//
// A file is read as ovsdb-server reads it at start: the schema, then each
// transaction replayed in order (the format is described in filelog.go).
// A standalone database is read; a clustered one is an error that says
// what to do instead. A file that ends inside a record, or whose record
// does not match its checksum, is an error naming the record: unlike
// ovsdb-server, which drops such a tail, the import does not guess at what
// the file was meant to hold.
//
// Reading a file while ovsdb-server appends to it is safe: a record being
// written reads as a truncated file, and the import can be repeated.
func ImportFiles(nbPath, sbPath string) (*ovn.DB, error) {
	nb, sb := "file:"+nbPath, ""
	if sbPath != "" {
		sb = "file:" + sbPath
	}
	return Import(context.Background(), nb, sb)
}

// filePath says whether at names a database file, "file:PATH" or the
// absolute path of an existing file, and returns its path.
func filePath(at string) (path string, isFile bool, err error) {
	if p, ok := strings.CutPrefix(at, "file:"); ok {
		if p == "" {
			return "", false, errors.New(`"file:" with no path: want file:PATH, a database file`)
		}
		return p, true, nil
	}
	if !filepath.IsAbs(at) {
		return "", false, nil
	}
	if fi, err := os.Stat(at); err == nil && fi.Mode().IsRegular() {
		return at, true, nil
	}
	return "", false, nil
}

// readFile replays the database file at path into the tables of cm's
// models.
func readFile(ctx context.Context, path string, cm libmodel.ClientDBModel) (*replayer, error) {
	r := newReplayer(cm)
	err := readLog(path, cm.Name(), scanBuffer, r.bind, func(s *scanner) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return r.record(s)
	})
	return r, err
}
