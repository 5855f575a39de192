package postgres_test

import (
	"os"
	"testing"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/storetest"
)

// The "To pay" queue's payment requests on the organisation database.
func TestQueueStoreContract(t *testing.T) {
	storetest.RunQueueStore(t, func(t *testing.T) app.Store { return openTemp(t) })
}

// queueChildDB names the organisation database in a queue child's
// environment.
const queueChildDB = "TRAINPAY_PG_QUEUE_CHILD_DB"

// Eight TrainPay processes on one organisation database answer the same
// payment request and open another session's request at the same instant:
// one answer closes the request, seven are told it is no longer open, and
// the other session has one open request.
func TestOneAnswerPerRequestAcrossProcesses(t *testing.T) {
	if url := os.Getenv(queueChildDB); url != "" {
		storetest.AnswerOnceWhenReleased(t, openAt(t, url))
		return
	}
	db, url := openTempURL(t)
	storetest.RaceQueueAnswers(t, db, 8, "TestOneAnswerPerRequestAcrossProcesses", queueChildDB+"="+url)
}
