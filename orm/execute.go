package orm

import (
	"strings"

	"crucible/orm/core"
	"crucible/orm/engine"
)

// Execute runs a Core statement in the session's transaction, after a
// flush, and returns its rows: for queries of columns and labelled
// expressions, read by name (session.execute(select(...))).
func (s *Session) Execute(st core.Statement, params ...core.Row) (*engine.Result, error) {
	if s.Autoflush {
		if err := s.Flush(); err != nil {
			return nil, err
		}
	}
	if err := s.begin(writes(st)); err != nil {
		return nil, err
	}
	return s.conn.Execute(st, params...)
}

// writes tells a statement that changes rows, whose transaction begins
// for writing (see Session). Text is taken to write unless it reads as a
// query: a read transaction that then writes is what fails under load.
func writes(st core.Statement) bool {
	switch st := st.(type) {
	case *core.InsertStmt, *core.UpdateStmt, *core.DeleteStmt:
		return true
	case *core.TextClause:
		word, _, _ := strings.Cut(strings.TrimSpace(st.SQL), " ")
		switch strings.ToUpper(word) {
		case "SELECT", "VALUES", "EXPLAIN":
			return false
		}
		return true
	}
	return false
}
