package storage_test

import (
	"os"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The "To pay" queue's payment requests on the SQLite file.
func TestQueueStoreContract(t *testing.T) {
	storetest.RunQueueStore(t, func(t *testing.T) app.Store {
		db, _ := openTemp(t)
		return db
	})
}

// queueChildFile names the SQLite file in a queue child's environment.
const queueChildFile = "TRAINPAY_QUEUE_CHILD_FILE"

// Eight TrainPay processes on one SQLite file answer the same payment
// request and open another session's request at the same instant: one
// answer closes the request, seven are told it is no longer open, and the
// other session has one open request.
func TestOneAnswerPerRequestAcrossProcesses(t *testing.T) {
	if path := os.Getenv(queueChildFile); path != "" {
		db, err := storage.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		storetest.AnswerOnceWhenReleased(t, db)
		return
	}
	db, path := openTemp(t)
	storetest.RaceQueueAnswers(t, db, 8, "TestOneAnswerPerRequestAcrossProcesses", queueChildFile+"="+path)
}
