// Package app is TrainPay's domain: the site and its e-commerce settings, the
// rules that govern them, the services the UI calls, the contracts that
// storage and payment gateways implement, and the one error type that carries
// a code and a translatable message from the domain to a person.
//
// The package imports neither Fyne nor SQL: storage/ implements the Store
// interfaces declared here and ui/ only calls services.
package app
