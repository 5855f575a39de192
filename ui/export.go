package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/ui/widgets"
)

// ExportService is what the UI needs of app.RegistrationExporter: the
// accounting export streamed into w.
type ExportService interface {
	Export(ctx context.Context, f app.RegistrationExportFilter, w io.Writer, progress app.ExportProgress) (int, error)
}

// exportJob runs one export into the file a save dialog opened, off the UI
// thread, with a dialog over win that shows the rows written and a Cancel
// button. The export streams into the file; when it fails or is cancelled
// the unfinished file is deleted, so that no file that looks complete but
// is not is left behind.
type exportJob struct {
	win      fyne.Window
	deps     Deps
	cancel   context.CancelFunc
	bar      *widget.ProgressBar
	rows     *widget.Label
	stop     *widgets.Button
	dlg      *widgets.Dialog
	finished bool
}

// startExport exports f into wc and calls done on the UI thread with the
// rows written and the export's error (context.Canceled when the person
// cancelled), once wc is closed and, after a failure, deleted.
func startExport(win fyne.Window, deps Deps, f app.RegistrationExportFilter, wc fyne.URIWriteCloser,
	done func(n int, err error),
) *exportJob {
	ctx, cancel := context.WithCancel(context.Background())
	j := &exportJob{win: win, deps: deps, cancel: cancel, bar: widget.NewProgressBar(), rows: widget.NewLabel(T("export.counting"))}
	j.stop = widgets.NewButton(T("export.cancel"), j.Cancel)
	j.dlg = widgets.NewCustomWithoutButtons(T("export.progress_title"),
		container.NewVBox(j.bar, j.rows, container.NewCenter(j.stop)), win)
	j.dlg.SetCancel(j.stop) // Escape cancels the export, as the button does
	j.dlg.Show()
	deps.run(func() {
		n, err := deps.Export.Export(ctx, f, wc, func(written, total int) {
			fyne.Do(func() { j.progress(written, total) })
		})
		if cerr := wc.Close(); err == nil && cerr != nil {
			err = app.Internal(cerr, "save the CSV export")
		}
		if err != nil {
			if derr := storage.Delete(wc.URI()); derr != nil {
				fyne.LogError("deleting an unfinished export", derr)
			}
		}
		cancel()
		fyne.Do(func() {
			j.finished = true
			j.dlg.Hide()
			done(n, err)
		})
	})
	return j
}

// Cancel stops the export (its query is interrupted).
func (j *exportJob) Cancel() {
	j.stop.Disable()
	j.rows.SetText(T("export.cancelling"))
	j.cancel()
}

func (j *exportJob) progress(written, total int) {
	if j.finished || j.stop.Disabled() {
		return
	}
	if total > 0 {
		j.bar.SetValue(float64(written) / float64(total))
	}
	j.rows.SetText(T("export.rows", map[string]any{"Written": written, "Total": total}))
}

// exportResult is the sentence and its importance for an export's end.
func exportResult(n int, path string, err error) (string, widget.Importance) {
	switch {
	case errors.Is(err, context.Canceled):
		return T("export.cancelled"), widget.WarningImportance
	case err != nil:
		return ErrorText(err) + " " + T("export.deleted"), widget.DangerImportance
	}
	return T("export.done", map[string]any{"Rows": n, "Path": path}), widget.SuccessImportance
}

// exportSession is the registrations window's Export button: a save
// dialog, then the session's registrations streamed into the file.
func exportSession(win fyne.Window, deps Deps, sessionID int64, show func(string, widget.Importance)) {
	if deps.Export == nil {
		show(T("export.unavailable"), widget.DangerImportance)
		return
	}
	saveFile(win, T("regs.export_file", map[string]any{"ID": sessionID})+".csv", []fileKind{kindCSV},
		func(wc fyne.URIWriteCloser, err error) {
			if err != nil {
				show(ErrorText(app.Internal(err, "choose where to save the CSV export")), widget.DangerImportance)
				return
			}
			if wc == nil {
				return // cancelled
			}
			startExport(win, deps, app.RegistrationExportFilter{SessionID: sessionID}, wc, func(n int, err error) {
				show(exportResult(n, localPath(wc.URI()), err))
			})
		})
}

// exportWindow is the site-wide accounting export: registrations and their
// payments across all sessions for a period of days in the site's time
// zone.
type exportWindow struct {
	win    fyne.Window
	deps   Deps
	loc    *time.Location
	from   *widgets.DateEntry
	to     *widgets.DateEntry
	export *widgets.Button
	status *widget.Label
	job    *exportJob
	// afterExport, when set (by tests), is called on the UI thread once an
	// export has ended and the window shows how.
	afterExport func()
}

// ShowExportWindow opens the site-wide accounting export in a window of
// its own (File → Export… calls it) and returns the window. Closing the
// window cancels an export under way.
func ShowExportWindow(a fyne.App, deps Deps) fyne.Window {
	w := newExportWindow(a, deps)
	w.win.Show()
	return w.win
}

// ShowExportWindow opens the site-wide accounting export beside the main
// window.
func (m *MainWindow) ShowExportWindow() { ShowExportWindow(m.app, m.deps) }

func newExportWindow(a fyne.App, deps Deps) *exportWindow {
	w := &exportWindow{win: a.NewWindow(T("export.title")), deps: deps, loc: time.UTC}
	w.from, w.to = widgets.NewDateEntry(), widgets.NewDateEntry()
	now := time.Now()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 0, -1)
	first = first.AddDate(0, -1, 0)
	w.from.SetDate(&first)
	w.to.SetDate(&last)
	w.export = widgets.NewButton(T("export.button"), w.onExport)
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(T("export.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(T("export.from"), w.from), widget.NewFormItem(T("export.to"), w.to))
	w.win.SetContent(container.NewPadded(container.NewVBox(intro, form, container.NewHBox(w.export), w.status)))
	w.win.Resize(fyne.NewSize(520, 320))
	w.win.SetOnClosed(func() {
		if w.job != nil {
			w.job.cancel()
		}
	})
	if deps.Export == nil {
		w.export.Disable()
		w.show(T("export.unavailable"), widget.DangerImportance)
	}
	if deps.Site != nil {
		deps.run(func() {
			site, err := deps.Site.Site(context.Background())
			if err != nil {
				return
			}
			fyne.Do(func() { w.loc = siteLocation(site) })
		})
	}
	return w
}

func (w *exportWindow) show(msg string, imp widget.Importance) {
	w.status.Importance = imp
	w.status.SetText(msg)
}

// filter is the period the dates say: from the start of the first day to
// the end of the last one, in the site's time zone; an empty date leaves
// that side open.
func (w *exportWindow) filter() (app.RegistrationExportFilter, bool) {
	var f app.RegistrationExportFilter
	day := func(d *time.Time) time.Time { return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, w.loc) }
	if w.from.Date != nil {
		f.From = day(w.from.Date)
	}
	if w.to.Date != nil {
		f.To = day(w.to.Date).AddDate(0, 0, 1)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, false
	}
	return f, true
}

func (w *exportWindow) fileName() string {
	d := func(e *widgets.DateEntry) string {
		if e.Date == nil {
			return "-"
		}
		return e.Date.Format("2006-01-02")
	}
	if w.from.Date == nil && w.to.Date == nil {
		return T("export.file_all") + ".csv"
	}
	return fmt.Sprintf("%s-%s-%s.csv", T("export.file"), d(w.from), d(w.to))
}

func (w *exportWindow) onExport() {
	f, ok := w.filter()
	if !ok {
		w.show(T("export.bad_period"), widget.DangerImportance)
		return
	}
	saveFile(w.win, w.fileName(), []fileKind{kindCSV}, func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			w.show(ErrorText(app.Internal(err, "choose where to save the CSV export")), widget.DangerImportance)
			return
		}
		if wc != nil {
			w.exportTo(f, wc)
		}
	})
}

// exportTo streams the export of f into wc, the file the save dialog
// opened.
func (w *exportWindow) exportTo(f app.RegistrationExportFilter, wc fyne.URIWriteCloser) {
	w.export.Disable()
	w.show("", widget.MediumImportance)
	w.job = startExport(w.win, w.deps, f, wc, func(n int, err error) {
		w.job = nil
		w.export.Enable()
		w.show(exportResult(n, localPath(wc.URI()), err))
		if w.afterExport != nil {
			w.afterExport()
		}
	})
}
