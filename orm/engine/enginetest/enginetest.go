// Package enginetest gives tests an engine on the PostgreSQL and the
// MariaDB that `make test` starts (.ci/postgres, .ci/mysql), each in a
// schema or database of the test's own that it drops afterwards, a
// reflection round trip, and a collector of the engine's log.
package enginetest

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"crucible/orm/core"
	"crucible/orm/engine"
	_ "crucible/orm/engine/mysql"    // the mysql:// driver
	_ "crucible/orm/engine/postgres" // the postgresql:// driver
)

// seq tells apart the schemas of the tests of one process.
var seq atomic.Int64

func name() string { return fmt.Sprintf("crucible_test_%d_%d", os.Getpid(), seq.Add(1)) }

func admin(t testing.TB, env, server string) (*engine.Engine, string) {
	t.Helper()
	url := os.Getenv(env)
	if url == "" {
		t.Fatalf("%s is not set: make test starts %s and sets it", env, server)
	}
	e, err := engine.CreateEngine(url)
	if err != nil {
		t.Fatal(err)
	}
	return e, url
}

// Postgres is an engine whose search_path is a new schema.
func Postgres(t testing.TB, opts ...engine.Option) *engine.Engine {
	t.Helper()
	adm, url := admin(t, "CRUCIBLE_POSTGRES_URL", "PostgreSQL with .ci/postgres")
	schema := name()
	if _, err := adm.ExecuteSQL("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		adm.ExecuteSQL("DROP SCHEMA " + schema + " CASCADE")
		adm.Close()
	})
	return open(t, url+"?search_path="+schema, opts)
}

// MySQL is an engine on a new database.
func MySQL(t testing.TB, opts ...engine.Option) *engine.Engine {
	t.Helper()
	adm, url := admin(t, "CRUCIBLE_MYSQL_URL", "MariaDB with .ci/mysql")
	db := name()
	if _, err := adm.ExecuteSQL("CREATE DATABASE " + db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		adm.ExecuteSQL("DROP DATABASE " + db)
		adm.Close()
	})
	u, _ := engine.ParseURL(url)
	return open(t, fmt.Sprintf("mysql://%s:%s@%s:%s/%s", u.User, u.Password, u.Host, u.Port, db), opts)
}

func open(t testing.TB, url string, opts []engine.Option) *engine.Engine {
	e, err := engine.CreateEngine(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// RoundTrip creates md's tables on e, reflects each back and checks that
// it compiles to the same CREATE TABLE and has as many indexes; it
// returns the reflected tables, in md's order. The names
// the server gives constraints CREATE TABLE left unnamed are dropped from
// the reflected tables first: reflection keeps them (a migration needs
// them to drop a constraint), the originals lack them.
func RoundTrip(t testing.TB, e *engine.Engine, md *core.MetaData) []*core.Table {
	t.Helper()
	if err := e.CreateAll(md); err != nil {
		t.Fatal(err)
	}
	var out []*core.Table
	for _, orig := range md.Tables() {
		got, err := engine.Reflect(e, nil, orig.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range got.Constraints {
			switch c := c.(type) {
			case *core.ForeignKeyConstraint:
				c.Name = ""
			case *core.UniqueConstraint:
				c.Name = ""
			}
		}
		want, _ := e.Compile(core.CreateTable(orig))
		have, err := e.Compile(core.CreateTable(got))
		if err != nil || want.SQL != have.SQL {
			t.Errorf("%s reflected as\n%v %s\nwant\n%s", orig.Name, err, have.SQL, want.SQL)
		}
		if len(got.Indexes) != len(orig.Indexes) {
			t.Errorf("%s: indexes %+v, want %+v", orig.Name, got.Indexes, orig.Indexes)
		}
		out = append(out, got)
	}
	return out
}

// Log collects an engine's echo as text without timings, as the talks'
// logs show it: pass its Echo to engine.EchoTo.
type Log struct{ lines []string }

// Echo takes one entry.
func (l *Log) Echo(e engine.LogEntry) {
	if e.Event {
		l.lines = append(l.lines, e.Statement)
		return
	}
	l.lines = append(l.lines, e.Statement, engine.FormatParams(e))
}

// Take returns what was collected since the last Take, a line each.
func (l *Log) Take() string {
	s := strings.Join(l.lines, "\n")
	l.lines = nil
	return s
}
