// Command trainpay is the TrainPay desktop application: it opens the site's
// database, builds the services and shows the main window. Subcommands
// (`trainpay --help`) serve the account manager and scripts.
package main

import (
	"os"
	_ "time/tzdata" // the site's time zone must resolve on Windows too

	_ "github.com/trainpay/trainpay/internal/clocale" // before Fyne reads the locale
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
