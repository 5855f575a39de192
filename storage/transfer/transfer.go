// Package transfer moves a site up from one desktop's SQLite file
// (package storage) to the organisation's PostgreSQL database (package
// storage/postgres): `trainpay migrate` and `trainpay demo-data --db
// postgres://…`.
//
// Copy copies every table the two schemas share, all or nothing:
//
//   - The source is opened read-only (source.go) and read on one snapshot;
//     it must be a TrainPay file of exactly this build's schema version, so
//     that its tables and columns are the PostgreSQL twins' (a file of an
//     older version is brought up to date by opening it with this TrainPay
//     first).
//   - The target is opened with postgres.Open (which migrates an empty
//     database) and must hold no data: not a row in any TrainPay table
//     beyond what the migrations themselves write.
//   - Everything happens in one PostgreSQL transaction that first locks
//     every TrainPay table (ACCESS EXCLUSIVE: no desktop reads or writes a
//     half-copied site), sets aside the indexes that back no constraint,
//     copies the tables in foreign-key order through COPY (pgx CopyFrom),
//     converting each value by its PostgreSQL column's type as
//     information_schema names it, builds the indexes again, moves every
//     identity sequence past the highest id copied, then counts the rows
//     and sums every money column (*_minor) on both sides. Any difference,
//     error or cancellation rolls it all back.
//
// The tables' user triggers are disabled inside that transaction while the
// rows are copied, as pg_restore --disable-triggers does for a data-only
// restore, and enabled again before it commits (ALTER TABLE is
// transactional and the tables are locked, so no other session ever sees
// them off). They guard changes to a live journal one row at a time, and
// the payment journal's take a transaction-long advisory lock per sale:
// a million sales in one transaction would exhaust PostgreSQL's lock table.
// The rows being copied were written under the same rules by the SQLite
// twins of those triggers; every constraint, unique index and foreign key
// stays enforced during the copy.
package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/trainpay/trainpay/app"
	"github.com/trainpay/trainpay/storage/postgres"
)

// Options tunes Copy.
type Options struct {
	// Progress receives a line per table as its rows are copied (table,
	// rows done / total); nil is quiet.
	Progress io.Writer
}

// MoneySum is one money column's sum on both sides, in minor units.
type MoneySum struct {
	Column         string
	Source, Target int64
}

// TableReport is what Copy found in one table on both sides.
type TableReport struct {
	Table                  string
	SourceRows, TargetRows int64
	Money                  []MoneySum
}

// Same reports whether both sides hold the same count and sums.
func (t TableReport) Same() bool {
	if t.SourceRows != t.TargetRows {
		return false
	}
	for _, m := range t.Money {
		if m.Source != m.Target {
			return false
		}
	}
	return true
}

// Report is what Copy copied.
type Report struct {
	Version int64         // the schema version of both sides
	Tables  []TableReport // in the order they were copied
	Elapsed time.Duration
}

// Rows is the number of rows copied.
func (r Report) Rows() int64 {
	var n int64
	for _, t := range r.Tables {
		n += t.TargetRows
	}
	return n
}

// Print writes the verification table: per table, the rows and the sum of
// each money column on both sides.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "%-22s %12s %12s  %s\n", "table", "rows (file)", "rows (org)", "money columns: file = org")
	for _, t := range r.Tables {
		var sums []string
		for _, m := range t.Money {
			mark := "="
			if m.Source != m.Target {
				mark = "≠"
			}
			sums = append(sums, fmt.Sprintf("%s %d %s %d", m.Column, m.Source, mark, m.Target))
		}
		mark := ""
		if !t.Same() {
			mark = "  DIFFERS"
		}
		fmt.Fprintf(w, "%-22s %12d %12d  %s%s\n", t.Table, t.SourceRows, t.TargetRows, strings.Join(sums, ", "), mark)
	}
}

// asMigrated is the condition a row of table meets when it is as the
// PostgreSQL migrations write it (budget_settings' default row, say): every
// column outside the primary key holds its default. A target whose tables
// hold only such rows is empty; the copy replaces them with the file's. A
// table with a column that has no default (or only a generated one, such
// as an id sequence's or the time) has no such rows: any row is data.
// (trainpay_meta, the database's mark, is not a table of the site's and is
// never copied.)
func asMigrated(cols []targetColumn) string {
	var conds []string
	for _, c := range cols {
		if c.inKey {
			continue
		}
		if c.def == "" || strings.Contains(c.def, "nextval(") || strings.Contains(c.def, "now()") ||
			strings.Contains(c.def, "CURRENT_") {
			return "false"
		}
		conds = append(conds, pgx.Identifier{c.name}.Sanitize()+" IS NOT DISTINCT FROM ("+c.def+")")
	}
	if len(conds) == 0 {
		return "false" // a table of keys only (a link table): a row is data
	}
	return strings.Join(conds, " AND ")
}

// notCopied are PostgreSQL tables that are not the site's data: the
// migrations' bookkeeping and each database's own change counters
// (migration 00016), which start afresh in the organisation database.
var notCopied = []string{"goose_db_version", postgres.MetaTable, "change_counter"}

// Copy copies the TrainPay database file at from into the empty
// organisation database at toURL, and verifies the copy.
//
// Refusals, each before anything is written into the target's tables:
// a file that is missing (ENOTFOUND "error.migrate.no_source") or not
// TrainPay's (EINVALID "error.migrate.source_not_trainpay"); a file of
// another schema version than this build's (ECONFLICT
// "error.migrate.version"); a target that holds data (ECONFLICT
// "error.migrate.target_not_empty"); and postgres.Open's own (a bad
// address, an unreachable server, a database that is not TrainPay's). A
// verification that finds a difference is EINTERNAL
// "error.migrate.mismatch", and nothing is committed.
func Copy(ctx context.Context, from, toURL string, o Options) (Report, error) {
	start := time.Now()
	src, err := openSource(ctx, from)
	if err != nil {
		return Report{}, err
	}
	defer src.close()
	if src.version != postgres.SchemaVersion() {
		return Report{}, app.Errorf(app.ECONFLICT, "error.migrate.version",
			"%s is at schema %d, this TrainPay's organisation database at %d: a file of an older TrainPay is brought up to date by opening it with this one, a newer one needs a newer TrainPay",
			from, src.version, postgres.SchemaVersion()).
			With(map[string]any{"Path": from, "Version": src.version, "Supported": postgres.SchemaVersion()})
	}
	dst, err := postgres.Open(ctx, toURL)
	if err != nil {
		return Report{}, err
	}
	defer dst.Close()
	if v, err := dst.Version(ctx); err != nil {
		return Report{}, err
	} else if v != src.version {
		return Report{}, app.Errorf(app.ECONFLICT, "error.migrate.version",
			"%s is at schema %d, the organisation database at %d", from, src.version, v).
			With(map[string]any{"Path": from, "Version": src.version, "Supported": v})
	}

	c := &copier{src: src, o: o}
	tx, err := dst.Pool().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return Report{}, app.Internal(err, "begin the copy")
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	c.tx = tx
	rep, err := c.run(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return Report{}, ctx.Err()
		}
		return rep, err
	}
	if err := tx.Commit(ctx); err != nil {
		if ctx.Err() != nil {
			return Report{}, ctx.Err()
		}
		return Report{}, app.Internal(err, "commit the copy")
	}
	rep.Version = src.version
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// copier is one run of Copy.
type copier struct {
	src *source
	tx  pgx.Tx
	o   Options
}

// targetColumn is one column of a target table.
type targetColumn struct {
	name, dataType string
	sequence       string // its identity (or serial) sequence, "" if none
	def            string // its default expression, "" if none
	inKey          bool   // part of the primary key
}

func (c *copier) run(ctx context.Context) (Report, error) {
	targets, err := c.targetTables(ctx)
	if err != nil {
		return Report{}, err
	}
	sourceTables, err := c.src.tables(ctx)
	if err != nil {
		return Report{}, err
	}
	// The same version should mean the same tables; say so plainly if not.
	for table, cols := range targets {
		have := sourceTables[table]
		for _, col := range cols {
			if !slices.Contains(have, col.name) {
				return Report{}, schemaDiffers(fmt.Sprintf("the file has no column %s.%s", table, col.name))
			}
		}
	}
	for table := range sourceTables {
		if _, ok := targets[table]; !ok {
			return Report{}, schemaDiffers(fmt.Sprintf("the organisation database has no table %s", table))
		}
	}
	order, err := c.foreignKeyOrder(ctx, targets)
	if err != nil {
		return Report{}, err
	}
	quoted := make([]string, len(order))
	for i, t := range order {
		quoted[i] = pgx.Identifier{t}.Sanitize()
	}
	if _, err := c.tx.Exec(ctx, `LOCK TABLE `+strings.Join(quoted, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return Report{}, app.Internal(err, "lock the organisation database's tables")
	}
	if err := c.refuseData(ctx, order, targets); err != nil {
		return Report{}, err
	}
	for _, t := range quoted {
		if _, err := c.tx.Exec(ctx, `ALTER TABLE `+t+` DISABLE TRIGGER USER`); err != nil {
			return Report{}, app.Internal(err, "pause the triggers of "+t+" for the copy")
		}
	}
	for _, table := range order {
		if where := asMigrated(targets[table]); where != "false" {
			if _, err := c.tx.Exec(ctx, `DELETE FROM `+pgx.Identifier{table}.Sanitize()+` WHERE `+where); err != nil {
				return Report{}, app.Internal(err, "clear the migrations' rows of "+table)
			}
		}
	}

	indexes, err := c.dropIndexes(ctx, order)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	for _, table := range order {
		tr, err := c.copyTable(ctx, table, targets[table])
		if err != nil {
			return Report{}, err
		}
		rep.Tables = append(rep.Tables, tr)
	}
	if err := c.createIndexes(ctx, indexes); err != nil {
		return Report{}, err
	}
	for _, t := range quoted {
		if _, err := c.tx.Exec(ctx, `ALTER TABLE `+t+` ENABLE TRIGGER USER`); err != nil {
			return Report{}, app.Internal(err, "resume the triggers of "+t)
		}
	}
	if err := c.resetSequences(ctx, order, targets); err != nil {
		return Report{}, err
	}
	for i, table := range order {
		if err := c.verify(ctx, table, targets[table], &rep.Tables[i]); err != nil {
			return Report{}, err
		}
	}
	for _, t := range rep.Tables {
		if !t.Same() {
			var b strings.Builder
			rep.Print(&b)
			return rep, app.Errorf(app.EINTERNAL, "error.migrate.mismatch",
				"the copy differs from the file in table %s: nothing was written\n%s", t.Table, b.String()).
				With(map[string]any{"Table": t.Table})
		}
	}
	return rep, nil
}

func schemaDiffers(what string) error {
	return app.Errorf(app.ECONFLICT, "error.migrate.schema",
		"the file's tables are not the organisation database's, although both are at the same schema version: %s", what).
		With(map[string]any{"What": what})
}

// targetTables reads the target's tables, columns, types and sequences
// from information_schema.
func (c *copier) targetTables(ctx context.Context) (map[string][]targetColumn, error) {
	rows, err := c.tx.Query(ctx, `
		SELECT c.table_name, c.column_name, c.data_type,
		       coalesce(pg_get_serial_sequence(quote_ident(c.table_name), c.column_name), ''),
		       coalesce(c.column_default, ''),
		       EXISTS (SELECT 1 FROM information_schema.table_constraints k
		               JOIN information_schema.key_column_usage u USING (constraint_schema, constraint_name)
		               WHERE k.constraint_type = 'PRIMARY KEY' AND k.table_schema = c.table_schema
		                 AND k.table_name = c.table_name AND u.column_name = c.column_name)
		FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		  AND c.table_name <> ALL ($1)
		ORDER BY c.table_name, c.ordinal_position`, notCopied)
	if err != nil {
		return nil, app.Internal(err, "read the organisation database's columns")
	}
	out := map[string][]targetColumn{}
	var table string
	var col targetColumn
	_, err = pgx.ForEachRow(rows, []any{&table, &col.name, &col.dataType, &col.sequence, &col.def, &col.inKey}, func() error {
		out[table] = append(out[table], col)
		return nil
	})
	if err != nil {
		return nil, app.Internal(err, "read the organisation database's columns")
	}
	return out, nil
}

// foreignKeyOrder sorts the tables so that every table comes after those
// its foreign keys refer to (a table's references to itself aside: COPY
// checks foreign keys at the end of the statement), ties by name.
func (c *copier) foreignKeyOrder(ctx context.Context, tables map[string][]targetColumn) ([]string, error) {
	rows, err := c.tx.Query(ctx, `
		SELECT a.relname, b.relname FROM pg_constraint k
		JOIN pg_class a ON a.oid = k.conrelid
		JOIN pg_class b ON b.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = a.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, app.Internal(err, "read the organisation database's foreign keys")
	}
	needs := map[string]map[string]bool{}
	var from, to string
	if _, err := pgx.ForEachRow(rows, []any{&from, &to}, func() error {
		if from != to {
			if needs[from] == nil {
				needs[from] = map[string]bool{}
			}
			needs[from][to] = true
		}
		return nil
	}); err != nil {
		return nil, app.Internal(err, "read the organisation database's foreign keys")
	}
	var left []string
	for t := range tables {
		left = append(left, t)
	}
	sort.Strings(left)
	var order []string
	placed := map[string]bool{}
	for len(left) > 0 {
		progress := false
		for i := 0; i < len(left); i++ {
			t := left[i]
			ready := true
			for dep := range needs[t] {
				if _, ours := tables[dep]; ours && !placed[dep] {
					ready = false
				}
			}
			if ready {
				order = append(order, t)
				placed[t] = true
				left = append(left[:i], left[i+1:]...)
				progress = true
				break // restart from the first name: ties go by name
			}
		}
		if !progress {
			return nil, app.Errorf(app.EINTERNAL, "error.internal",
				"the organisation database's foreign keys form a cycle among %s", strings.Join(left, ", "))
		}
	}
	return order, nil
}

// refuseData refuses a target with any row in any TrainPay table beyond
// the migrations' own.
func (c *copier) refuseData(ctx context.Context, tables []string, cols map[string][]targetColumn) error {
	for _, table := range tables {
		q := `SELECT EXISTS (SELECT 1 FROM ` + pgx.Identifier{table}.Sanitize() +
			` WHERE NOT coalesce(` + asMigrated(cols[table]) + `, false))`
		var has bool
		if err := c.tx.QueryRow(ctx, q).Scan(&has); err != nil {
			return app.Internal(err, "look for data in "+table)
		}
		if has {
			return app.Errorf(app.ECONFLICT, "error.migrate.target_not_empty",
				"the organisation database already holds data (table %s): a site moves only into an empty one", table).
				With(map[string]any{"Table": table})
		}
	}
	return nil
}

// copyTable copies one table's rows through COPY.
func (c *copier) copyTable(ctx context.Context, table string, cols []targetColumn) (TableReport, error) {
	tr := TableReport{Table: table}
	if err := c.src.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+quoteLite(table)).Scan(&tr.SourceRows); err != nil {
		return tr, app.Internal(err, "count the rows of "+table+" in the file")
	}
	names := make([]string, len(cols))
	conv := make([]converter, len(cols))
	for i, col := range cols {
		names[i] = col.name
		conv[i] = converterFor(col.dataType)
	}
	list := make([]string, len(names))
	for i, n := range names {
		list[i] = quoteLite(n)
	}
	rows, err := c.src.tx.QueryContext(ctx, `SELECT `+strings.Join(list, ", ")+` FROM `+quoteLite(table))
	if err != nil {
		return tr, app.Internal(err, "read "+table+" from the file")
	}
	defer rows.Close()
	rs := &liteRows{
		rows: rows, table: table, cols: cols, conv: conv, total: tr.SourceRows, progress: c.o.Progress,
		raw: make([]any, len(cols)), out: make([]any, len(cols)),
	}
	rs.ptrs = make([]any, len(cols))
	for i := range rs.raw {
		rs.ptrs[i] = &rs.raw[i]
	}
	rs.report(true)
	n, err := c.tx.CopyFrom(ctx, pgx.Identifier{table}, names, rs)
	if rs.err != nil {
		return tr, rs.err
	}
	if err != nil {
		return tr, app.Internal(err, "copy "+table+" into the organisation database")
	}
	if n != rs.done {
		return tr, app.Internal(fmt.Errorf("COPY took %d rows of %d", n, rs.done), "copy "+table)
	}
	rs.finish()
	return tr, nil
}

// index is one index dropped for the copy and built again after it.
type index struct{ name, def string }

// dropIndexes drops the tables' indexes that back no constraint, for the
// copy, and returns them to be built again. Building an index once over
// all the rows is several times faster than updating it row by row (the
// trigram indexes most: a million registrations took over three minutes to
// copy with theirs in place), which is why pg_restore, too, loads the data
// before it creates the indexes. Nothing is lost by it: the drop is undone
// with the rest if the copy fails, and a unique index built afterwards
// checks every row as the one in place would have (a duplicate fails the
// build, and so the copy). Indexes behind a primary key or a unique
// constraint (foreign keys need those) stay.
func (c *copier) dropIndexes(ctx context.Context, tables []string) ([]index, error) {
	rows, err := c.tx.Query(ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		JOIN pg_class t ON t.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname = ANY ($1)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
		ORDER BY 1`, tables)
	if err != nil {
		return nil, app.Internal(err, "read the organisation database's indexes")
	}
	var out []index
	var ix index
	if _, err := pgx.ForEachRow(rows, []any{&ix.name, &ix.def}, func() error {
		out = append(out, ix)
		return nil
	}); err != nil {
		return nil, app.Internal(err, "read the organisation database's indexes")
	}
	for _, ix := range out {
		if _, err := c.tx.Exec(ctx, `DROP INDEX `+ix.name); err != nil {
			return nil, app.Internal(err, "set the index "+ix.name+" aside for the copy")
		}
	}
	return out, nil
}

// createIndexes builds the indexes dropIndexes set aside.
func (c *copier) createIndexes(ctx context.Context, indexes []index) error {
	start := time.Now()
	// Memory for the builds (the server's default, 64 MB, spills the
	// trigram indexes of a million rows to disk); this transaction only.
	if _, err := c.tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return app.Internal(err, "prepare the index builds")
	}
	for i, ix := range indexes {
		if c.o.Progress != nil {
			fmt.Fprintf(c.o.Progress, "%-22s %10d / %-10d %5.1f%%\r", "indexes", i, len(indexes), percent(int64(i), int64(len(indexes))))
		}
		if _, err := c.tx.Exec(ctx, ix.def); err != nil {
			return app.Internal(err, "build the index "+ix.name+" again")
		}
	}
	if c.o.Progress != nil {
		fmt.Fprintf(c.o.Progress, "%-22s %10d / %-10d %5.1f%%  %6.1fs\n", "indexes", len(indexes), len(indexes), 100.0,
			time.Since(start).Seconds())
	}
	return nil
}

// resetSequences moves every identity sequence past the highest id
// copied, so the next row the app inserts gets a new id.
func (c *copier) resetSequences(ctx context.Context, order []string, tables map[string][]targetColumn) error {
	for _, table := range order {
		for _, col := range tables[table] {
			if col.sequence == "" {
				continue
			}
			// setval(seq, max + 1, false): the next nextval is max + 1
			// (1 for an empty table, where setval(seq, 0) is out of range).
			_, err := c.tx.Exec(ctx, `SELECT setval($1::regclass, coalesce(max(`+pgx.Identifier{col.name}.Sanitize()+`), 0) + 1, false) FROM `+
				pgx.Identifier{table}.Sanitize(), col.sequence)
			if err != nil {
				return app.Internal(err, "move the id sequence of "+table)
			}
		}
	}
	return nil
}

// verify counts the target's rows and sums its money columns, and the
// source's from its snapshot.
func (c *copier) verify(ctx context.Context, table string, cols []targetColumn, tr *TableReport) error {
	var money []string
	for _, col := range cols {
		if strings.HasSuffix(col.name, "_minor") {
			money = append(money, col.name)
		}
	}
	pgSel := []string{"count(*)"}
	liteSel := []string{"count(*)"}
	for _, m := range money {
		pgSel = append(pgSel, `coalesce(sum(`+pgx.Identifier{m}.Sanitize()+`), 0)::bigint`)
		liteSel = append(liteSel, `coalesce(sum(`+quoteLite(m)+`), 0)`)
	}
	tr.Money = make([]MoneySum, len(money))
	pgDest := []any{&tr.TargetRows}
	liteDest := []any{new(int64)}
	for i, m := range money {
		tr.Money[i].Column = m
		pgDest = append(pgDest, &tr.Money[i].Target)
		liteDest = append(liteDest, &tr.Money[i].Source)
	}
	if err := c.tx.QueryRow(ctx, `SELECT `+strings.Join(pgSel, ", ")+` FROM `+pgx.Identifier{table}.Sanitize()).
		Scan(pgDest...); err != nil {
		return app.Internal(err, "count the copied rows of "+table)
	}
	if err := c.src.tx.QueryRowContext(ctx, `SELECT `+strings.Join(liteSel, ", ")+` FROM `+quoteLite(table)).
		Scan(liteDest...); err != nil {
		return app.Internal(err, "count the rows of "+table+" in the file")
	}
	// The file's count was read before the copy on the same snapshot; a
	// second read that disagrees would mean the snapshot moved.
	if n := *liteDest[0].(*int64); n != tr.SourceRows {
		return app.Internal(fmt.Errorf("%s: %d rows, then %d", table, tr.SourceRows, n), "read the file on one snapshot")
	}
	return nil
}

// quoteLite quotes an SQLite identifier.
func quoteLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// liteRows feeds one table's source rows to CopyFrom, converted to the
// target's types, and reports progress.
type liteRows struct {
	rows       *sql.Rows
	table      string
	cols       []targetColumn
	conv       []converter
	raw, out   []any
	ptrs       []any
	done       int64
	total      int64
	err        error
	progress   io.Writer
	lastReport time.Time
	started    time.Time
}

func (r *liteRows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = app.Internal(err, "read "+r.table+" from the file")
		return false
	}
	for i, v := range r.raw {
		out, err := r.conv[i](v)
		if err != nil {
			r.err = app.Errorf(app.EINVALID, "error.migrate.value",
				"%s.%s of row %d holds %v, which is not a %s: %v", r.table, r.cols[i].name, r.done+1, v, r.cols[i].dataType, err).
				With(map[string]any{"Table": r.table, "Column": r.cols[i].name})
			return false
		}
		r.out[i] = out
	}
	r.done++
	r.report(false)
	return true
}

func (r *liteRows) Values() ([]any, error) { return r.out, r.err }

func (r *liteRows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// report writes "table done / total" at most about twice a second.
func (r *liteRows) report(first bool) {
	if r.progress == nil {
		return
	}
	now := time.Now()
	if first {
		r.started = now
	} else if now.Sub(r.lastReport) < 500*time.Millisecond {
		return
	}
	r.lastReport = now
	fmt.Fprintf(r.progress, "%-22s %10d / %-10d %5.1f%%\r", r.table, r.done, r.total, percent(r.done, r.total))
}

func (r *liteRows) finish() {
	if r.progress == nil {
		return
	}
	fmt.Fprintf(r.progress, "%-22s %10d / %-10d %5.1f%%  %6.1fs\n", r.table, r.done, r.total, percent(r.done, r.total),
		time.Since(r.started).Seconds())
}

func percent(done, total int64) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(done) / float64(total)
}
