// Command pesubsystem writes a copy of a Windows executable with another PE
// subsystem: `make package-windows` turns the GUI program TrainPay.exe into
// its console companion trainpay-cli.exe this way, so both are the same
// build (same metadata, icon and manifest) and differ only in the one field
// that tells Windows whether to give the process a console.
//
//	usage: pesubsystem -subsystem console|gui IN OUT
//
// Hand-written (like Microsoft's `editbin /subsystem`, which is not on Linux):
// binutils' objcopy can set the field too, but it rewrites every section of
// the file; this changes two bytes. The PE checksum is left as it is:
// Windows checks it only for drivers and DLLs loaded at boot, and in a Go
// program linked by MinGW it is stale anyway, as go build stamps the build
// ID into the file after the linker computed the sum.
package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
)

const (
	subsystemGUI     = 2 // IMAGE_SUBSYSTEM_WINDOWS_GUI
	subsystemConsole = 3 // IMAGE_SUBSYSTEM_WINDOWS_CUI

	// Offset inside the optional header; the same for PE32 and PE32+.
	subsystemOffset = 68
)

func main() {
	name := flag.String("subsystem", "console", "console or gui")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: pesubsystem -subsystem console|gui IN OUT")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	var want uint16
	switch *name {
	case "console":
		want = subsystemConsole
	case "gui":
		want = subsystemGUI
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err := convert(flag.Arg(0), flag.Arg(1), want); err != nil {
		fmt.Fprintln(os.Stderr, "pesubsystem:", err)
		os.Exit(1)
	}
}

func convert(in, out string, want uint16) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if err := setSubsystem(data, want); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, data, 0o755)
}

// setSubsystem changes the subsystem of the PE image in data in place. It
// finds the field by the header layout and checks it against what debug/pe
// reads, so a file it does not understand is refused, not damaged.
func setSubsystem(data []byte, want uint16) error {
	f, err := pe.NewFile(bytes.NewReader(data))
	if err != nil {
		return err
	}
	var have uint16
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		have = h.Subsystem
	case *pe.OptionalHeader32:
		have = h.Subsystem
	default:
		return errors.New("no optional header: not an executable")
	}
	if have != subsystemGUI && have != subsystemConsole {
		return fmt.Errorf("subsystem %d is neither GUI nor console", have)
	}
	peHeader := int(binary.LittleEndian.Uint32(data[0x3c:]))
	optional := peHeader + 4 + 20 // "PE\0\0", then the COFF file header
	if optional+subsystemOffset+2 > len(data) ||
		binary.LittleEndian.Uint16(data[optional+subsystemOffset:]) != have {
		return errors.New("the subsystem field is not where the PE format puts it")
	}
	binary.LittleEndian.PutUint16(data[optional+subsystemOffset:], want)
	return nil
}
