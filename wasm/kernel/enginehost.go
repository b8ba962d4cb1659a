package kernel

import (
	"database/sql"

	"crucible/orm/engine"
)

// The workspace is the host of the engines its cells create: their SQLite
// URLs name workspace files, and their echo is the cell's SQL log.
var _ engine.Host = (*Workspace)(nil)

// OpenSQLite opens a workspace database for an engine. The handle does not
// log through the workspace's driver: the engine's own echo, with its
// BEGIN (implicit) and cache notes, is the log.
func (w *Workspace) OpenSQLite(path string) (*sql.DB, error) {
	return w.openDB(path, false, "an engine on sqlite:///"+path)
}

// Echo records an engine's log entry in the running cell's SQL log.
func (w *Workspace) Echo(e engine.LogEntry) {
	entry := SQLEntry{Statement: e.Statement, Note: e.Note, Event: e.Event, Rows: e.Rows, DurationMS: ms(e.Duration)}
	if e.Err != nil {
		entry.Error = e.Err.Error()
	}
	for _, p := range e.Params {
		entry.Params = append(entry.Params, engine.Repr(p))
	}
	for _, row := range e.Many {
		r := make([]string, len(row))
		for i, v := range row {
			r[i] = engine.Repr(v)
		}
		entry.Many = append(entry.Many, r)
	}
	if e.Event {
		entry.Rows = -1
	}
	w.log.add(entry)
	for _, touch := range w.engineFiles {
		touch()
	}
}
