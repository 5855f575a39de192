// Package uitest is what the tests of the screens share (packages ui,
// ui/checkout and ui/widgets; it imports none but widgets): reading what a
// window draws, a keyboard that sends keys the way Fyne's desktop driver
// does, a Test-mode site whose payments go through the gateway registry to
// the offline sandbox, typing into the card dialog as a person does, and a
// buyer's browser on the sandbox's approval page.
package uitest
