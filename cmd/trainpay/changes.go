package main

import (
	"log/slog"

	"github.com/trainpay/trainpay/app"
)

// watchChanges starts the database's change feed, which keeps the open
// screens showing what other desktops and processes change (ui.Deps.Changes),
// and returns it with the function that stops it (before the database
// closes). A feed that cannot start is logged and leaves the screens
// showing what they read when opened: nil.
func watchChanges(db *database, logger *slog.Logger) (app.Changes, func()) {
	feed, stop, err := db.watch()
	if err != nil {
		logger.Warn("other desktops' changes will show when a screen is opened again", "err", err)
		return nil, func() {}
	}
	return feed, func() {
		if err := stop(); err != nil {
			logger.Error("stopping the change feed", "err", err)
		}
	}
}
