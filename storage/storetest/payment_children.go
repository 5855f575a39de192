package storetest

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// ChildsSession is the session a racing child (started by RacePayers or
// RacePayersRefusedWith) pays: the one at its index (ChildIndexEnv) among
// the comma-separated ids in the environment variable env.
func ChildsSession(t *testing.T, env string) int64 {
	t.Helper()
	i, err := strconv.Atoi(os.Getenv(ChildIndexEnv))
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Split(os.Getenv(env), ",")
	if i < 0 || i >= len(ids) {
		t.Fatalf("child %d of %d sessions", i, len(ids))
	}
	id, err := strconv.ParseInt(ids[i], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
