package web

import (
	"errors"

	"github.com/lre-project/lre/core/batches"
)

// badRows is the list of bad rows when err refuses a batch, else nil.
func badRows(err error) []batches.RowError {
	var re *batches.RowsError
	if errors.As(err, &re) {
		return re.Rows
	}
	return nil
}
