// Package kernel runs notebook cells against a workspace: a virtual file
// tree and the SQLite databases in it, all in memory.
//
// It is pure Go with no syscall/js, so the same code runs natively (in
// tests and in cmd/build check) and inside the WebAssembly module the
// browser loads.
//
// # Cells
//
// A cell has a kind:
//
//   - go: Go source, interpreted by yaegi with notebook semantics. Names
//     declared in one cell are seen by later cells; a final bare expression
//     is displayed; stdout is captured; panics are recovered; a cell that
//     runs longer than its limit is stopped and the interpreter survives.
//   - sql: SQL sent straight to a workspace database, results as a table.
//
// # Databases
//
// Go code opens databases with the ordinary database/sql call,
// sql.Open("sqlite3", "dbapi.sqlite"). Inside a workspace that name means a
// file of the workspace, held in memory by go-sqlite3's memdb VFS, and every
// statement sent through it is written to the running cell's SQL log.
//
// # Requests
//
// [Workspace.Handle] takes a JSON [Request] and returns a JSON [Reply]: the
// one call the WebAssembly module exports.
package kernel
