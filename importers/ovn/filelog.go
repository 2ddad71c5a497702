package ovn

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"

	"github.com/ovn-kubernetes/libovsdb/ovsdb"
)

// A standalone database file, as ovsdb-server writes it (ovsdb(5)), is a
// sequence of records, each a header line and a JSON body of the length
// the header gives, whose SHA-1 it also gives:
//
//	OVSDB JSON 14445 3828b0e1ab6c26c0b08dec37b380f52a9c7ddc55
//	{"name":"OVN_Northbound","version":"7.0.0","tables":{...}}     the schema
//	OVSDB JSON 433 fbc10426f15822d3886a074f8c64edc1dd473af4
//	{"Logical_Switch":{"4c20f000-...":{"name":"sw0",...}},"_is_diff":true,"_date":...}
//	...                                                             one transaction each
//
// A transaction maps table -> row uuid -> the row's changed columns, or
// null for a deleted row. A new row has its columns' values; a changed
// row's set and map columns hold, when "_is_diff" is true, what changed:
// each element toggles, and a map key with another value replaces it.
// Compaction rewrites the file as the schema and one transaction that
// inserts every row. A clustered database's records are "OVSDB CLUSTER"
// and hold Raft log entries; it is not read here.

const (
	magicStandalone = "JSON"
	magicClustered  = "CLUSTER"
)

// logReader reads the records of one database file.
type logReader struct {
	path    string
	br      *bufio.Reader
	off     int64 // the file offset of the next record's header
	record  int   // the number of the record being read, from 0
	bufSize int   // the scanner's buffer size
}

// readLog reads the file at path, which must hold database db: it checks
// the schema (record 0) with schema and replays every later record with
// replay.
func readLog(path, db string, bufSize int, schema func(*ovsdb.DatabaseSchema) error, replay func(*scanner) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readLogFrom(f, path, db, bufSize, schema, replay)
}

// readLogFrom is readLog of the file at path, opened as r.
func readLogFrom(r io.Reader, path, db string, bufSize int, schema func(*ovsdb.DatabaseSchema) error, replay func(*scanner) error) error {
	l := &logReader{path: path, br: bufio.NewReaderSize(r, 64<<10), record: -1, bufSize: bufSize}
	for {
		b, err := l.next()
		switch {
		case errors.Is(err, io.EOF):
			if l.record == 0 {
				return errors.New("the file is empty: want a database file (ovsdb-tool create makes one)")
			}
			return nil
		case err != nil:
			return err
		}
		if l.record == 0 {
			err = l.schema(b, db, schema)
		} else {
			err = l.replay(b, replay)
		}
		if err != nil {
			return err
		}
	}
}

// next reads the next record's header and returns its body; io.EOF when
// the file ends between records.
func (l *logReader) next() (*body, error) {
	l.record++
	line, err := l.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err == io.EOF:
		return nil, l.errorf("the file ends inside the header %q: it is truncated", line)
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, l.errorf("no header line: want %q (is this a database file?)", "OVSDB JSON <length> <sha1>")
	case err != nil:
		return nil, err
	}
	length, sum, err := l.header(line)
	if err != nil {
		return nil, err
	}
	at := l.off + int64(len(line))
	l.off = at + length
	return &body{r: l.br, left: length, length: length, at: at, sum: sum, h: sha1.New(), l: l}, nil
}

// header reads "OVSDB JSON <length> <sha1>\n".
func (l *logReader) header(line []byte) (int64, []byte, error) {
	f := bytes.Fields(line)
	bad := func() (int64, []byte, error) {
		return 0, nil, l.errorf("header %q: want %q", bytes.TrimSpace(line), "OVSDB JSON <length> <sha1>")
	}
	if len(f) < 2 || string(f[0]) != "OVSDB" {
		if l.record == 0 {
			return 0, nil, fmt.Errorf("not a database file: it starts %q, want %q", clip(line), "OVSDB JSON <length> <sha1>")
		}
		return bad()
	}
	if string(f[1]) == magicClustered {
		return 0, nil, fmt.Errorf("a clustered database (its records are %q, a Raft log), which is not read from a file: "+
			"read it from its servers (unix:/var/run/ovn/ovnnb_db.sock, or the cluster's tcp: endpoints), "+
			"or make a standalone copy to read with ovsdb-tool cluster-to-standalone COPY %s", "OVSDB CLUSTER", l.path)
	}
	if len(f) != 4 || string(f[1]) != magicStandalone {
		return bad()
	}
	length, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil || length <= 0 {
		return bad()
	}
	sum, err := hex.DecodeString(string(f[3]))
	if err != nil || len(sum) != sha1.Size {
		return bad()
	}
	return length, sum, nil
}

func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// errorf is an error in the current record, naming it and where its
// header starts. (The caller names the file.)
func (l *logReader) errorf(format string, args ...any) error {
	return fmt.Errorf("record %d (byte %d): %s", l.record, l.off, fmt.Sprintf(format, args...))
}

// schema reads record 0, checks it is db's schema, and passes it on.
func (l *logReader) schema(b *body, db string, use func(*ovsdb.DatabaseSchema) error) error {
	data, err := io.ReadAll(b)
	if err == nil {
		err = b.check()
	}
	if err != nil {
		return err
	}
	var s ovsdb.DatabaseSchema
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("record 0, the schema: %w", err)
	}
	if s.Name != db {
		return fmt.Errorf("the file holds database %s, want %s", s.Name, db)
	}
	return use(&s)
}

// replay reads one transaction record with replay. When the JSON does not
// read, the record's checksum is checked first: a damaged record says so
// rather than where its JSON broke.
func (l *logReader) replay(b *body, replay func(*scanner) error) error {
	s := newScanner(b, b.at, min(l.bufSize, int(b.length)))
	err := replay(s)
	if err == nil {
		err = s.rest()
	}
	if _, derr := io.Copy(io.Discard, b); derr != nil {
		return derr
	}
	if cerr := b.check(); cerr != nil {
		return cerr
	}
	if err != nil {
		return fmt.Errorf("record %d (byte %d): %w", l.record, b.at, err)
	}
	return nil
}

// body reads exactly one record's JSON and hashes it.
type body struct {
	r      io.Reader
	left   int64
	length int64
	at     int64 // the file offset of its first byte
	sum    []byte
	h      hash.Hash
	l      *logReader
}

func (b *body) Read(p []byte) (int, error) {
	if b.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	b.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if b.left > 0 {
			return n, fmt.Errorf("record %d (byte %d): the file ends %d bytes into the record's %d: it is truncated",
				b.l.record, b.at, b.length-b.left, b.length)
		}
		err = nil
	}
	return n, err
}

// check compares the hash of what was read with the header's.
func (b *body) check() error {
	if b.left > 0 {
		return fmt.Errorf("record %d (byte %d): %d bytes of the record were not read", b.l.record, b.at, b.left)
	}
	if got := b.h.Sum(nil); !bytes.Equal(got, b.sum) {
		return fmt.Errorf("record %d (byte %d): the record's %d bytes have SHA-1 %x, its header says %x: the file is damaged",
			b.l.record, b.at, b.length, got, b.sum)
	}
	return nil
}
