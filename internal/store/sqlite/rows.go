package sqlite

import (
	"math/bits"
	"strings"
)

// maxRowsPerInsert bounds the rows of one multiInsert statement: a power
// of two, so that the parameters of its rows stay well within SQLite's
// limit.
const maxRowsPerInsert = 64

// multiInsert adds many rows to a table with few statements: one
// statement costs about what a row does, so a write of many rows goes
// in statements of up to maxRowsPerInsert rows, in powers of two (few
// statements to prepare).
type multiInsert struct {
	sqls []string // the statements of 1, 2, 4 … rows
	cols int      // parameters a row
}

// newMultiInsert returns the inserts of "INSERT INTO table (columns)
// VALUES row", where row is the parenthesised values of one row.
func newMultiInsert(head, row string) multiInsert {
	m := multiInsert{cols: strings.Count(row, "?")}
	for n := 1; n <= maxRowsPerInsert; n *= 2 {
		m.sqls = append(m.sqls, head+" VALUES "+strings.Repeat(row+", ", n-1)+row)
	}
	return m
}

// exec inserts n rows in order, appending row i's values with values,
// and tells rowid the rowid each got: a table with an INTEGER PRIMARY KEY
// that SQLite assigns gives the rows of one statement consecutive ones
// (the writer is the only one writing), so the last tells them all.
func (m multiInsert) exec(tx *Tx, n int, values func(i int, args []any) []any, rowid func(i int, id int64)) error {
	args := make([]any, 0, min(n, maxRowsPerInsert)*m.cols)
	for done := 0; done < n; {
		k, stmt := chunk(n - done)
		args = args[:0]
		for i := done; i < done+k; i++ {
			args = values(i, args)
		}
		res, err := tx.Exec(m.sqls[stmt], args...)
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i := done; i < done+k; i++ {
			rowid(i, last-int64(done+k-1-i))
		}
		done += k
	}
	return nil
}

// chunk returns how many of n rows the next statement takes, the largest
// power of two within n and maxRowsPerInsert, and its log2: the index of
// that statement among those of 1, 2, 4 … rows.
func chunk(n int) (rows, log2 int) {
	rows = maxRowsPerInsert
	for rows > n {
		rows /= 2
	}
	return rows, bits.TrailingZeros(uint(rows))
}
