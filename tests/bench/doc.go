// Package bench compares Crucible's ORM with GORM, bun and raw
// database/sql on the same SQLite file. It is a module of its own so the
// main module does not depend on its peers: run it with `make bench-orm`.
package bench
