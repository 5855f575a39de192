package storage

import (
	"database/sql"

	"github.com/mattn/go-sqlite3"
)

// driverName is mattn/go-sqlite3 with TrainPay's SQL functions on every
// connection:
//
//	fold(text): Unicode lower case. SQLite's lower() and LIKE fold ASCII
//	only, so "ŁUKASZ" would not find "Łukasz"; searches over columns that
//	have no stored folded copy (such as session.topic_fold) compare
//	fold(column) LIKE a folded pattern.
const driverName = "sqlite3-trainpay"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.RegisterFunc("fold", foldTopic, true)
		},
	})
}
