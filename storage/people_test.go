package storage_test

import (
	"context"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The people contract, shared with the organisation database
// (storage/postgres), on the SQLite file.
func TestPeopleStoreContract(t *testing.T) {
	storetest.RunPeopleStore(t, func(t *testing.T) app.PeopleStore {
		db, _ := openTemp(t)
		return db
	})
}

// The file's one person is the desktop's user: every role, and the owner
// of every department's budget, the ones created after it was first asked
// too; and nothing to manage.
func TestPeopleOnTheFileMeHoldsEveryRoleAndOwnsEveryDepartment(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var ids []int64
	for _, name := range []string{"Sales", "Legal"} {
		d := &app.Department{Name: name, CostCentre: "CC-" + name, OwnerName: "Owner", OwnerEmail: "owner@example.org"}
		if err := db.CreateDepartment(ctx, d, nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	me, err := db.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range app.AllRoles {
		if !me.Has(r) {
			t.Errorf("Me = %+v lacks %s", me, r)
		}
	}
	for _, id := range ids {
		if !me.Owns(id) {
			t.Errorf("Me = %+v does not own department %d", me, id)
		}
	}
	people, err := db.People(ctx)
	if err != nil || len(people) != 1 || people[0].Login != me.Login {
		t.Errorf("People = %+v, %v; want the one desktop user", people, err)
	}
	if _, ok := any(db).(app.PeopleAdminStore); ok {
		t.Errorf("the file offers people management; it has one person")
	}
}
