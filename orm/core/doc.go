// Package core is Crucible's SQL expression language, in the manner of
// SQLAlchemy Core: tables, columns and constraints as values, and
// statements built from them step by step.
//
// Core builds values and never SQL text: package orm/dialect compiles a
// statement for SQLite, PostgreSQL or MySQL.
//
// # Schema
//
//	md := core.NewMetaData()
//	users := core.NewTable(md, "users",
//		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
//		core.NewColumn("name", core.String{Length: 32}, core.Unique()),
//	)
//
// # Statements
//
// A statement is a value; each builder method returns a new one, so a
// query can be built up in steps and the earlier steps reused:
//
//	s := core.Select(users.C("id"), users.C("name")).Where(users.C("name").Like("최%"))
//	s = s.OrderBy(users.C("id").Desc()).Limit(10)
//
// Values are always bound parameters. Expressions are built with methods on
// columns and other expressions (Eq, Like, In, Add, Label, Desc, ...) and
// with functions of this package (And, Or, Not, Count, Func, Case, ...).
//
// # In the interpreter
//
// The API is usable from interpreted notebook cells: it is not generic
// where a cell calls it, it needs no methods on user types, and errors are
// compiled sentinels with predicates.
package core
