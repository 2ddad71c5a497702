// Package ovn reads OVN's northbound (and optionally southbound) database,
// from its server or from the file the server keeps it in, into the
// model's *ovn.DB, and writes such a model into a northbound database so a
// real OVN can be set up from it.
package ovn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ovn-kubernetes/libovsdb/client"
	libmodel "github.com/ovn-kubernetes/libovsdb/model"
	"github.com/ovn-kubernetes/libovsdb/ovsdb"

	"github.com/hopscope/hopscope/importers/internal/endpoint"
	"github.com/hopscope/hopscope/model/ovn"
)

// defaultTimeout bounds a call whose context has no deadline, so a server
// that accepts the connection but never answers cannot hang it.
const defaultTimeout = 30 * time.Second

// Import reads the northbound database at nb and, when sb is not "", the
// southbound at sb. Each is a server, "unix:PATH", "tcp:IP:PORT" or a
// comma-separated list of them (a clustered database; any member will
// do), or a database file (see ImportFiles): "file:PATH", or the absolute
// path of an existing file. Missing/unreachable endpoints are errors
// naming the endpoint.
//
// A server is read with one transaction of select operations: one
// consistent snapshot, and no monitor. The result has the forward fields
// filled (a switch's ports and ACLs, a router's ports, routes, policies and
// NAT, a port group's port names and ACLs, load balancer pointers) and the
// back-pointers left to (*ovn.DB).Index. Configuration the model cannot
// hold is an error naming its table, row and column.
func Import(ctx context.Context, nb, sb string) (*ovn.DB, error) {
	ctx, cancel := withTimeout(ctx)
	defer cancel()
	d, source, err := read(ctx, nb, nbModel, nbTableOrder)
	if err != nil {
		return nil, fmt.Errorf("ovn northbound %s: %w", nb, err)
	}
	nt, err := decodeNB(d)
	if err != nil {
		return nil, fmt.Errorf("ovn northbound %s: %w", nb, err)
	}
	b, err := buildNB(nt, source)
	if err != nil {
		return nil, fmt.Errorf("ovn northbound %s: %w", nb, err)
	}
	if sb != "" {
		d, source, err := read(ctx, sb, sbModel, sbTableOrder)
		if err != nil {
			return nil, fmt.Errorf("ovn southbound %s: %w", sb, err)
		}
		st, err := decodeSB(d)
		if err != nil {
			return nil, fmt.Errorf("ovn southbound %s: %w", sb, err)
		}
		if err := b.applySB(st, source); err != nil {
			return nil, fmt.Errorf("ovn southbound %s: %w", sb, err)
		}
	}
	b.sort()
	return b.db, nil
}

// read reads the tables of model's database from at, a server or a file;
// source is what the rows' Sources start with: the database's name, or
// the file's path.
func read(ctx context.Context, at string, model func() (libmodel.ClientDBModel, error), tables []string) (d *decoder, source string, err error) {
	cm, err := model()
	if err != nil {
		return nil, "", err
	}
	path, isFile, err := filePath(at)
	switch {
	case err != nil:
		return nil, "", err
	case isFile:
		r, err := readFile(ctx, path, cm)
		return &decoder{file: r}, path, err
	}
	if _, err := endpoint.ParseList(at); err != nil {
		return nil, "", fmt.Errorf("%w, or file:PATH for a database file", err)
	}
	dbm, rows, err := selectAll(ctx, at, cm, tables)
	return &decoder{dbm: dbm, rows: rows}, cm.Name(), err
}

// Endpoints picks the endpoints: the flags if given, else $OVN_NB_DB /
// $OVN_SB_DB (as ovn-nbctl and ovn-sbctl do), else "". An nb of "" means
// there is no OVN to read, and Import is not called.
func Endpoints(nbFlag, sbFlag string) (nb, sb string) {
	nb, sb = nbFlag, sbFlag
	if nb == "" {
		nb = os.Getenv("OVN_NB_DB")
	}
	if sb == "" {
		sb = os.Getenv("OVN_SB_DB")
	}
	return nb, sb
}

func withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, defaultTimeout)
}

// connect opens a client for the database cm names at endpoints. Connect
// also checks that the models are a subset of the server's schema.
func connect(ctx context.Context, endpoints string, cm libmodel.ClientDBModel) (client.Client, error) {
	addrs, err := endpoint.ParseList(endpoints)
	if err != nil {
		return nil, err
	}
	opts := make([]client.Option, len(addrs))
	for i, a := range addrs {
		opts[i] = client.WithEndpoint(a)
	}
	c, err := client.NewOVSDBClient(cm, opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// selectAll selects every row of tables in one transaction. A List from
// the libovsdb cache would need a monitor and would see the tables at
// slightly different moments; a select does not.
func selectAll(ctx context.Context, endpoints string, cm libmodel.ClientDBModel, tables []string) (libmodel.DatabaseModel, map[string][]ovsdb.Row, error) {
	c, err := connect(ctx, endpoints, cm)
	if err != nil {
		return libmodel.DatabaseModel{}, nil, err
	}
	defer c.Close()
	ops := make([]ovsdb.Operation, len(tables))
	for i, n := range tables {
		ops[i] = ovsdb.Operation{Op: ovsdb.OperationSelect, Table: n}
	}
	res, err := c.Transact(ctx, ops...)
	if err == nil {
		err = resultError(res, ops)
	}
	if err != nil {
		return libmodel.DatabaseModel{}, nil, fmt.Errorf("select: %w", err)
	}
	rows := make(map[string][]ovsdb.Row, len(tables))
	for i, n := range tables {
		rows[n] = res[i].Rows
	}
	dbm, errs := libmodel.NewDatabaseModel(c.Schema(), cm)
	if len(errs) > 0 {
		return libmodel.DatabaseModel{}, nil, fmt.Errorf("schema: %w", errors.Join(errs...))
	}
	return dbm, rows, nil
}

// resultError says which operations of a transaction failed and how, in
// the server's words.
func resultError(res []ovsdb.OperationResult, ops []ovsdb.Operation) error {
	if len(res) < len(ops) {
		return fmt.Errorf("%d operations sent, %d results came back", len(ops), len(res))
	}
	var errs []error
	for i, r := range res {
		if r.Error == "" {
			continue
		}
		what := "commit"
		if i < len(ops) {
			what = fmt.Sprintf("operation %d (%s %s)", i, ops[i].Op, ops[i].Table)
		}
		errs = append(errs, fmt.Errorf("%s: %s: %s", what, r.Error, r.Details))
	}
	return errors.Join(errs...)
}
