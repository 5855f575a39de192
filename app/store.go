package app

// Store is everything one site's database keeps, as the services use it.
// Both backends implement all of it: the desktop's SQLite file (package
// storage) and the organisation's PostgreSQL database (package
// storage/postgres); the contract suites in storage/storetest hold them to
// the same behaviour.
type Store interface {
	SiteStore
	PaymentSettingsStore
	PaymentStore
	SessionStore
	RegistrationStore
	RegistrationExportStore
	BudgetStore
	PayPerUseStore
	PromoStore
	PromoSessions
	PaymentRequestStore
	PeopleStore
	InvoiceStore
}
