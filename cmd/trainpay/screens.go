package main

// trainpay screens: the real app over a copy of a demo database, in a given
// language and window size, showing one screen or dialog by name, for
// `make screenshots`. It is a command of trainpay itself, not a program of
// its own, because the services are wired here (newServices) and a second
// program would need a copy of that wiring; the screens are opened by the
// ui package's ShowScreen, which reaches each one as a person does.
//
// Nothing it does touches the user's files: the database is a copy in a
// temporary folder (or demo data made there), and Fyne's preferences and
// the credentials' fallback file go to that folder too.

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"github.com/spf13/pflag"

	"github.com/trainpay/trainpay/assets"
	"github.com/trainpay/trainpay/internal/demodata"
	"github.com/trainpay/trainpay/ui"
)

const screensUsage = `  trainpay screens --screen NAME [--lang en|pl] [--size WxH] [--db DEMO]
                                  (for screenshots) open the app over a copy of the
                                  demo database DEMO (without --db, new demo data),
                                  in a temporary folder, showing one screen or
                                  dialog; its window's title becomes
                                  "TrainPay screen ready: NAME" once it is shown;
                                  --list prints the names, --sizes the minimum and
                                  the default window size
`

// screenReadyTitle is the title of the window showing the screen, once it
// is shown: the screenshot waits for it.
const screenReadyTitle = "TrainPay screen ready: "

func defineScreens(fs *pflag.FlagSet) func(*invocation) int {
	name := fs.String("screen", "", "the screen or dialog to show (--list names them)")
	language := fs.String("lang", "en", "the UI's language: en or pl")
	size := fs.String("size", "1024x700", "the window's size, WIDTHxHEIGHT")
	list := fs.Bool("list", false, "print the screens' names and exit")
	sizes := fs.Bool("sizes", false, "print the minimum and the default window size and exit")
	timeout := fs.Duration("timeout", 90*time.Second, "exit after this long (the screenshot ends it sooner)")
	return func(c *invocation) int {
		if *sizes {
			for _, s := range []struct {
				name string
				size fyne.Size
			}{{"minimum", ui.MinWindowSize}, {"default", ui.DefaultWindowSize}} {
				fmt.Fprintf(c.stdout, "%s %dx%d\n", s.name, int(s.size.Width), int(s.size.Height))
			}
			return 0
		}
		if *list {
			fmt.Fprintln(c.stdout, strings.Join(ui.ScreenNames(), "\n"))
			return 0
		}
		if *language != "en" && *language != "pl" {
			return c.fail("--lang is en or pl")
		}
		w, h, ok := parseSize(*size)
		if !ok {
			return c.fail("--size is WIDTHxHEIGHT, e.g. 800x600")
		}
		if *name == "" {
			return c.fail("name the screen with --screen (--list names them)")
		}
		src := ""
		if c.dbGiven {
			src = c.db
		}
		return runScreens(c.stderr, src, *name, *language, fyne.NewSize(w, h), *timeout)
	}
}

// parseSize reads "800x600".
func parseSize(s string) (float32, float32, bool) {
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil || w < 100 || h < 100 {
		return 0, 0, false
	}
	return float32(w), float32(h), true
}

func runScreens(stderr io.Writer, src, name, language string, size fyne.Size, timeout time.Duration) int {
	log.SetOutput(stderr)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if isOrgURL(src) {
		fmt.Fprintln(stderr, "trainpay screens: --db is a demo database file")
		return 2
	}
	dir, err := os.MkdirTemp("", "trainpay-screens-")
	if err != nil {
		fmt.Fprintf(stderr, "trainpay screens: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// Fyne keeps its preferences under the user's configuration folder:
	// this run's go to the temporary folder.
	os.Setenv("HOME", dir)
	for env, sub := range map[string]string{"XDG_CONFIG_HOME": "config", "XDG_CACHE_HOME": "cache"} {
		os.Setenv(env, filepath.Join(dir, sub))
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			fmt.Fprintf(stderr, "trainpay screens: %v\n", err)
			return 1
		}
	}
	path := filepath.Join(dir, "trainpay.db")
	if src != "" {
		err = demodata.CopyTo(src, path)
	} else {
		_, err = demodata.GenerateFile(context.Background(), path,
			demodata.Options{Sessions: 400, Registrations: 4000, Codes: 60, Departments: 8, Seed: 1})
	}
	if err != nil {
		fmt.Fprintf(stderr, "trainpay screens: the demo database: %v\n", err)
		return 1
	}
	db, err := openDatabase(context.Background(), path)
	if err != nil {
		fmt.Fprintf(stderr, "trainpay screens: %v\n", err)
		return 1
	}
	defer db.close()
	a := fyneapp.NewWithID(AppID + ".screens")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	settings := ui.NewSettings(a.Preferences())
	settings.SetLanguageOverride(language)
	settings.SetWindowSize(size)
	settings.SetLastSection(ui.SectionOverview)
	svc := newServices(db, logger)
	defer svc.registry.Close()
	defer svc.stopChanges()
	w := ui.NewMainWindow(a, svc.deps)
	var code atomic.Int32
	go func() {
		shown, err := w.ShowScreen(name, ui.ScreenOptions{Passphrase: demodata.Passphrase})
		if err != nil {
			fmt.Fprintf(stderr, "trainpay screens: %s: %v\n", name, err)
			code.Store(1)
			fyne.Do(a.Quit)
			return
		}
		// Data read off the UI thread lands within moments; then the title
		// says the screen is ready.
		time.Sleep(700 * time.Millisecond)
		fyne.Do(func() { shown.SetTitle(screenReadyTitle + name) })
	}()
	go func() {
		time.Sleep(timeout)
		fyne.Do(a.Quit)
	}()
	w.Window().ShowAndRun()
	return int(code.Load())
}
