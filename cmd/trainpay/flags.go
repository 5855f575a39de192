package main

// One command-line discipline for every trainpay command (the app itself
// and each subcommand), in one place: run finds the command, and
// invocation.run reads its flags.
//
// The flags are parsed by github.com/spf13/pflag (the parser of cobra,
// kubectl and Hugo: well kept, and GNU-style as this command's help has
// always been written). The standard flag package stops at the first word
// that is not a flag, so `provision --features X --revoke false --db P`
// ended at "false" and ran on the default database; pflag reads flags
// anywhere among the words. What pflag leaves to us is done here, once:
//
//   - no command takes positional words: a word left over is refused;
//   - a switch (a bool flag) takes a value only as --revoke=false: a
//     separate true/false after it is refused with a message saying so,
//     rather than read as a stray word (or, as before, silently ignored);
//   - the database is --db (a file path, or a postgres:// URL of the
//     organisation database), else TRAINPAY_DB, else the default one; with
//     no user configuration folder there is no default and --db is
//     required (never a made-up path);
//   - a refusal prints the reason and the command's usage on stderr and
//     exits 2; --help prints the usage on stdout and exits 0.
//
// Long flags are written --name VALUE or --name=VALUE. The single-dash
// form the standard package also took (-db) is refused, as pflag reads -db
// as the short flags -d -b, which no command has.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
)

// command is one thing trainpay does.
type command struct {
	// name is the word that selects it; "" is the app itself.
	name string
	// usage is its part of the help text; {default-db} stands for the
	// default database.
	usage string
	// noDB: the command opens no database, so it has no --db.
	noDB bool
	// define declares the command's flags (all but --db) on fs and returns
	// what runs the command once they are parsed.
	define func(fs *pflag.FlagSet) func(c *invocation) int
}

// flagSet is a new flag set with the command's flags, --db included.
func (cmd command) flagSet() *pflag.FlagSet {
	fs, _, _ := cmd.newFlagSet()
	return fs
}

func (cmd command) newFlagSet() (*pflag.FlagSet, *string, func(*invocation) int) {
	name := "trainpay"
	if cmd.name != "" {
		name += " " + cmd.name
	}
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	// invocation.parse says what went wrong and prints the usage itself.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var db *string
	if !cmd.noDB {
		db = fs.String("db", "", "the site's database file, or the organisation database's postgres:// URL")
	}
	var runCmd func(*invocation) int
	if cmd.define != nil {
		runCmd = cmd.define(fs)
	}
	return fs, db, runCmd
}

// invocation is one run of the command line.
type invocation struct {
	stdout, stderr io.Writer
	// defaultDB is the default database's path, "" when the user has no
	// configuration folder.
	defaultDB string
	// name is the command's name as its messages start ("trainpay
	// provision").
	name string
	// db is the database the command works on, once parsed.
	db string
	// dbGiven says db came from --db or TRAINPAY_DB, not from the default.
	dbGiven bool
	// cmd is the command being run.
	cmd command
}

// fail prints why the command line is refused and the command's usage on
// stderr, and returns exit code 2.
func (c *invocation) fail(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "%s: %s\n\n", c.name, fmt.Sprintf(format, args...))
	c.printUsage(c.stderr, c.cmd)
	return 2
}

// printUsage prints a command's usage (the whole help for the app itself).
func (c *invocation) printUsage(w io.Writer, cmd command) {
	if cmd.name == "" || cmd.name == "help" {
		fmt.Fprint(w, helpText(c.defaultDB))
		return
	}
	fmt.Fprint(w, withDefaultDB("Usage:\n"+cmd.usage+"\nRun trainpay --help for every command.\n", c.defaultDB))
}

// run reads cmd's flags from args and runs it, or refuses args.
func (c *invocation) run(cmd command, args []string) int {
	fs, db, runCmd := cmd.newFlagSet()
	c.name, c.cmd = fs.Name(), cmd
	if err := switchWithSeparateValue(fs, args); err != nil {
		return c.fail("%v", err)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			c.printUsage(c.stdout, cmd)
			return 0
		}
		return c.fail("%v", err)
	}
	if fs.NArg() > 0 {
		return c.fail("unexpected argument %q", fs.Arg(0))
	}
	if db != nil {
		switch {
		case fs.Changed("db") && strings.TrimSpace(*db) == "":
			return c.fail("--db needs a file path or a postgres:// URL")
		case fs.Changed("db"):
			c.db = *db
			c.dbGiven = true
		case strings.TrimSpace(os.Getenv(envDB)) != "":
			c.db = strings.TrimSpace(os.Getenv(envDB))
			c.dbGiven = true
		case c.defaultDB == "":
			return c.fail("there is no user configuration folder to keep the database in: give --db PATH or set %s", envDB)
		default:
			c.db = c.defaultDB
		}
	}
	return runCmd(c)
}

// switchWithSeparateValue refuses `--revoke false`: pflag would read
// "false" as a stray word, and the standard package read it as the end of
// the flags.
func switchWithSeparateValue(fs *pflag.FlagSet, args []string) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "--") || strings.Contains(a, "=") {
			continue
		}
		f := fs.Lookup(a[2:])
		if f == nil {
			continue
		}
		if f.NoOptDefVal == "" {
			i++ // the flag's value, whatever it looks like
			continue
		}
		if i+1 < len(args) && isBoolWord(args[i+1]) {
			return fmt.Errorf("%s is a switch and takes no separate value (got %q): write %s, or %s=false",
				a, args[i+1], a, a)
		}
	}
	return nil
}

func isBoolWord(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "t", "f", "1", "0", "yes", "no", "y", "n", "on", "off":
		return true
	}
	return false
}

// commandWord finds the command's word: the first word that is not a flag
// or a flag's value, so that flags may come before it too. Whether a flag
// takes a value is read from the union of every command's flags (a flag
// two commands share is of one kind, which a test checks); an unknown flag
// is taken to have none, and the command refuses it anyway. It returns -1
// when there is no command word (the app itself).
func commandWord(args []string) int {
	union := pflag.NewFlagSet("trainpay", pflag.ContinueOnError)
	for _, cmd := range commands {
		union.AddFlagSet(cmd.flagSet())
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return -1
		case a == "-" || !strings.HasPrefix(a, "-"):
			return i
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			if f := union.Lookup(a[2:]); f != nil && f.NoOptDefVal == "" {
				i++
			}
		}
	}
	return -1
}

// withDefaultDB puts the default database's path into a usage text.
func withDefaultDB(text, defaultDB string) string {
	if defaultDB == "" {
		defaultDB = "none: no user config folder, give --db PATH"
	}
	return strings.ReplaceAll(text, "{default-db}", defaultDB)
}

// helpText is the whole help.
func helpText(defaultDB string) string {
	var b strings.Builder
	b.WriteString(helpIntro)
	for i, cmd := range commands {
		if i > 0 && commands[i-1].usage == cmd.usage {
			continue // the commands of one family (people …) share theirs
		}
		b.WriteString(cmd.usage)
	}
	b.WriteString(helpOutro)
	return withDefaultDB(b.String(), defaultDB)
}
