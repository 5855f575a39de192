package main

import (
	"log/slog"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
)

// watchChanges starts the database's change feed, which keeps the open
// screens showing what other desktops and processes change (ui.Deps.Changes),
// and returns it with the function that stops it (before the database
// closes). A feed that cannot start is logged and leaves the screens
// showing what they read when opened: nil.
func watchChanges(db *storage.DB, logger *slog.Logger) (app.Changes, func()) {
	feed, err := storage.WatchChanges(db, 0)
	if err != nil {
		logger.Warn("other desktops' changes will show when a screen is opened again", "err", err)
		return nil, func() {}
	}
	return feed, func() {
		if err := feed.Close(); err != nil {
			logger.Error("stopping the change feed", "err", err)
		}
	}
}
