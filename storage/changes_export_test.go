package storage

import (
	"context"

	"github.com/trainpay/trainpay/app"
)

// CheckChanges runs one of the feed's checks, for the benchmark (whose
// feed's ticker never fires).
func CheckChanges(f *ChangeFeed) (app.ChangeSet, error) { return f.check(context.Background()) }
