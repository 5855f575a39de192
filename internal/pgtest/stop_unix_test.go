//go:build unix

package pgtest_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/internal/pgtest"
)

// Stop cuts every connection and refuses new ones; Start brings the server
// back with what was committed before.
func TestStopRefusesConnectionsAndStartBringsTheDataBack(t *testing.T) {
	ctx := context.Background()
	u := pgtest.DB(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)`); err != nil {
		t.Fatal(err)
	}
	pgtest.Stop(t)
	if _, err := conn.Exec(ctx, `SELECT 1`); err == nil {
		t.Error("a connection made before Stop still answers")
	}
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if c, err := pgx.Connect(short, u); err == nil {
		c.Close(ctx)
		t.Fatal("connected to a stopped server")
	}
	pgtest.Start(t)
	again, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("after Start: %v", err)
	}
	defer again.Close(ctx)
	var n int
	if err := again.QueryRow(ctx, `SELECT n FROM kept`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("after Start: %d, %v", n, err)
	}
}

// PasswordDB's role logs in over TCP with its password and with no other.
func TestPasswordDatabaseAsksForThePassword(t *testing.T) {
	ctx := context.Background()
	u, role, password := pgtest.PasswordDB(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	var owner string
	err = conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`).Scan(&owner)
	conn.Close(ctx)
	if err != nil || owner != role {
		t.Fatalf("owner %q, %v; want %q", owner, err, role)
	}
	wrong, _ := url.Parse(u)
	wrong.User = url.UserPassword(role, password+"x")
	if c, err := pgx.Connect(ctx, wrong.String()); err == nil {
		c.Close(ctx)
		t.Fatal("a wrong password was let in")
	}
	none, _ := url.Parse(u)
	none.User = url.User(role)
	if c, err := pgx.Connect(ctx, none.String()); err == nil {
		c.Close(ctx)
		t.Fatal("no password was let in")
	}
}
