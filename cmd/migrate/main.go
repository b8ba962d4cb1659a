// Command migrate is Alembic's alembic command for Crucible: migrations
// of SQLite files and PostgreSQL or MySQL databases, with scripts in Go
// that it interprets, so editing one needs no rebuild.
//
//	migrate init migrations                 start a project (migrate.ini, migrations/)
//	migrate revision -m "create users"      write a revision script
//	migrate revision --autogenerate -m ...  one from the models in env.go
//	migrate upgrade head                    run the upgrades
//	migrate downgrade -1                    undo the last
//	migrate current | history | heads | branches | show REV | stamp REV
//	migrate merge -m "merge" heads          join two heads
//	migrate check                           exit 1 when the models moved on
//	migrate upgrade --sql base:head         print the SQL instead of running it
//
// -c names the configuration file (migrate.ini). The database is the
// configuration's url: sqlite:///file.db, postgresql://user:pass@host/db
// or mysql://user:pass@host/db.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"crucible/goscript"
	"crucible/migrate"
	_ "crucible/orm/engine/mysql"
	_ "crucible/orm/engine/postgres"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its exit status: 0, 1 for a failure, 2 for a
// command line that says nothing sensible.
func run(args []string, stdout, stderr io.Writer) int {
	env := migrate.Env{Files: migrate.Dir("."), Load: goscript.Load}
	err := migrate.Main(env, args, stdout)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, migrate.ErrUsage):
		fmt.Fprintln(stderr, err)
		return 2
	default:
		fmt.Fprintln(stderr, "FAILED:", err)
		return 1
	}
}
