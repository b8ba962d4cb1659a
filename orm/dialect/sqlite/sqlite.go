// Package sqlite is the SQLite dialect: "?" parameters, double-quoted
// identifiers, RETURNING (SQLite 3.35 and later), and SQLite's type names.
package sqlite

import (
	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Dialect is SQLite's.
var Dialect dialect.Dialect = sqliteDialect{}

type sqliteDialect struct{ dialect.Base }

var reserved = dialect.With(dialect.Reserved, "abort autoincrement exists glob if indexed isnull notnull pragma raise regexp replace vacuum")

func (sqliteDialect) Name() string                  { return "sqlite" }
func (sqliteDialect) QuoteIdent(name string) string { return dialect.Quote(name, '"', reserved) }
func (sqliteDialect) SupportsReturning() bool       { return true }
func (sqliteDialect) BoolLiteral(b bool) string     { return map[bool]string{true: "1", false: "0"}[b] }
func (sqliteDialect) ILike(left, right string) string {
	return "lower(" + left + ") LIKE lower(" + right + ")"
}

// LimitOffset writes LIMIT ? OFFSET ?; SQLite needs a LIMIT before an
// OFFSET, and -1 means none.
func (sqliteDialect) LimitOffset(c *dialect.Compiler, limit, offset core.Expr) string {
	if limit == nil {
		return "\n LIMIT -1 OFFSET " + c.Expr(offset)
	}
	s := "\n LIMIT " + c.Expr(limit)
	if offset != nil {
		s += " OFFSET " + c.Expr(offset)
	}
	return s
}

// AutoincrementColumn leaves the column as it is: an INTEGER PRIMARY KEY
// is SQLite's rowid, numbered by SQLite, and SQLAlchemy writes no
// AUTOINCREMENT keyword for it either.
func (sqliteDialect) AutoincrementColumn(_ *dialect.Compiler, _ *core.Column, spec string) string {
	return spec
}

func (sqliteDialect) TypeName(t core.Type) (string, error) {
	if e, ok := t.(core.Enum); ok {
		return dialect.StandardTypeName(core.String{Length: longest(e.Values)})
	}
	return dialect.StandardTypeName(t)
}

func longest(vals []string) int {
	n := 0
	for _, v := range vals {
		n = max(n, len(v))
	}
	return n
}
