package horde

// Rows of the data sets given on the command line with --data NAME=FILE (CSV with a header
// row, or JSON lines). The engine loads each set once and shares it; a read copies one row.
//
// The mode says which row a read gets: Unique (each row to at most one read in the whole run:
// one account per VU), Sequential (round-robin over all reads), Random, and PerVU (the same
// row every time for a VU):
//
//	account, err := horde.UniqueRow("users") // --data users=users.csv (username,password)
//	if err != nil {
//		return err
//	}
//	username, _ := account.Get("username")

import (
	"encoding/json"
	"errors"
)

// Mode says which row of a data set a read gets. Each mode keeps its own position per set.
type Mode uint8

const (
	// Unique is the next row no read in this run has had: each row goes to at most one read.
	// When every row is handed out the read fails with ErrExhausted.
	Unique Mode = iota
	// Sequential is the next row round-robin across all reads of all VUs, wrapping at the end.
	Sequential
	// Random is a uniformly random row, from the VU's seeded generator (--seed repeats it).
	Random
	// PerVU is row (VU id - 1) modulo the set's length: the same row every time for a VU.
	PerVU
)

// ErrUnknownSet is the Kind of a DataError for a set not given with --data; test for it with
// errors.Is(err, horde.ErrUnknownSet).
var ErrUnknownSet = errors.New("unknown data set")

// ErrExhausted is the Kind of a DataError for a Unique read that found every row handed out;
// test for it with errors.Is(err, horde.ErrExhausted).
var ErrExhausted = errors.New("data set exhausted")

// DataError is why a read got no row: Kind is ErrUnknownSet or ErrExhausted (errors.Is sees
// it), Message is the engine's (it names the set, and the sets that were given or how many
// rows were handed out).
type DataError struct {
	Kind    error
	Message string
}

// Error is the engine's message.
func (e *DataError) Error() string { return e.Message }

// Unwrap gives Kind, for errors.Is.
func (e *DataError) Unwrap() error { return e.Kind }

// SetInfo is what a data set holds.
type SetInfo struct {
	// Rows is how many rows it has (at least 1).
	Rows uint64
	// Columns are a CSV set's column names, in header order; empty for JSON lines.
	Columns []string
}

// DescribeSet says how many rows the data set set has, and its CSV columns.
func DescribeSet(set string) (SetInfo, error) { return describe(set) }

// Row is one row of a data set.
type Row struct {
	index   uint64
	fields  []string
	columns []string
}

// Index is the row's position in its set, from 0 (a CSV header is not a row).
func (r *Row) Index() uint64 { return r.index }

// Get is the value in the CSV column named column; false for a column the header does not
// name (and for JSON lines, which have no columns: use Fields or JSON).
func (r *Row) Get(column string) (string, bool) {
	for i, c := range r.columns {
		if c == column && i < len(r.fields) {
			return r.fields[i], true
		}
	}
	return "", false
}

// Fields are the row's values in column order; for JSON lines, one field: the line's text.
func (r *Row) Fields() []string { return r.fields }

// JSON decodes the row into v (encoding/json): a JSON-lines row from its text, a CSV row as
// an object of its columns, every value a string.
func (r *Row) JSON(v any) error {
	if len(r.columns) == 0 {
		text := "null"
		if len(r.fields) > 0 {
			text = r.fields[0]
		}
		return json.Unmarshal([]byte(text), v)
	}
	object := make(map[string]string, len(r.columns))
	for i, c := range r.columns {
		if i < len(r.fields) {
			object[c] = r.fields[i]
		}
	}
	text, err := json.Marshal(object)
	if err != nil {
		return err
	}
	return json.Unmarshal(text, v)
}

// Column names per set, asked of the engine once per VU so that a read copies only its row.
var setColumns = map[string][]string{}

// ReadRow reads one row of the data set set, chosen by mode. UniqueRow, SequentialRow,
// RandomRow and PerVURow name the mode for you. The error is a *DataError.
func ReadRow(set string, mode Mode) (*Row, error) {
	columns, known := setColumns[set]
	if !known {
		info, err := describe(set)
		if err != nil {
			return nil, err
		}
		columns = info.Columns
		setColumns[set] = columns
	}
	index, fields, err := read(set, mode)
	if err != nil {
		return nil, err
	}
	return &Row{index: index, fields: fields, columns: columns}, nil
}

// UniqueRow is the next row of set no read in this run has had: read it once in OnStart and
// the VU holds a row (an account) no other VU holds. Fails with ErrExhausted when every row
// is taken (with --data-exhausted stop, the VU then stops instead of restarting).
func UniqueRow(set string) (*Row, error) { return ReadRow(set, Unique) }

// SequentialRow is the next row of set round-robin across all reads of all VUs.
func SequentialRow(set string) (*Row, error) { return ReadRow(set, Sequential) }

// RandomRow is a uniformly random row of set, from the VU's seeded generator.
func RandomRow(set string) (*Row, error) { return ReadRow(set, Random) }

// PerVURow is row (VU id - 1) modulo the length of set: the same row every time for a VU,
// also after it restarts.
func PerVURow(set string) (*Row, error) { return ReadRow(set, PerVU) }
