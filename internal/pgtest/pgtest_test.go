package pgtest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Each test gets its own empty database, usable at once, and gone after.
func TestEachTestGetsItsOwnDatabaseDroppedAfterwards(t *testing.T) {
	ctx := context.Background()
	var first string
	t.Run("first", func(t *testing.T) {
		first = pgtest.DB(t)
		conn, err := pgx.Connect(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `CREATE TABLE mine (n int)`); err != nil {
			t.Fatal(err)
		}
		if cost := pgtest.StartupCost(); cost > 0 {
			t.Logf("cluster start-up (initdb + pg_ctl start): %v", cost.Round(time.Millisecond))
		}
	})
	second := pgtest.DB(t)
	if second == first {
		t.Fatalf("two tests got the same database %s", first)
	}
	conn, err := pgx.Connect(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("a new database holds %d tables, want none", tables)
	}
	var left bool
	name := strings.TrimPrefix(mustPath(t, first), "/")
	if err := conn.QueryRow(ctx, `SELECT count(*) > 0 FROM pg_database WHERE datname = $1`, name).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left {
		t.Errorf("database %s outlived its test", name)
	}
}

func mustPath(t *testing.T, u string) string {
	t.Helper()
	c, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	return c.Database
}
