package wirefault

import "testing"

func TestQueueHandsEachOperationsFaultsOutInOrderThenNone(t *testing.T) {
	var q Queue[int]
	if f := q.Next("create"); f != 0 {
		t.Fatalf("empty queue: %d", f)
	}
	q.Push("create", 1, 2)
	q.Push("get", 3)
	q.Push("create", 4)
	for _, want := range []int{1, 2, 4, 0} {
		if f := q.Next("create"); f != want {
			t.Fatalf("create: %d, want %d", f, want)
		}
	}
	if f := q.Next("get"); f != 3 {
		t.Fatalf("get: %d, want 3", f)
	}
	if f := q.Next("get"); f != 0 {
		t.Fatalf("get after its fault: %d, want none", f)
	}
}
