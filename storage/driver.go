package storage

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
)

// driverName is mattn/go-sqlite3 with TrainPay's SQL functions on every
// connection:
//
//	fold(text): the search form of a text (fold.go: lower case, no
//	accents, Ł as L). The search tables' triggers (00014) index it, so
//	every connection that writes a session or a registration needs it.
//
//	budget_period(starts_at, time_zone, period, fiscal_year_start): the
//	budget period a session belongs to (budget_limit.go). The budget
//	limit's trigger (00015) calls it, so every connection that writes a
//	payment needs it.
const driverName = "sqlite3-trainpay"

// DriverName is the database/sql driver with TrainPay's SQL functions, for
// tools and tests that open the file themselves: one that writes sessions
// or registrations, or runs the migrations, needs fold(); one that writes
// payments needs budget_period().
const DriverName = driverName

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			if err := c.RegisterFunc("fold", fold, true); err != nil {
				return err
			}
			return c.RegisterFunc("budget_period", budgetPeriod, false)
		},
	})
}
