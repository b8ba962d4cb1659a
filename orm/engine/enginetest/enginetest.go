// Package enginetest gives tests an engine on the PostgreSQL and the
// MariaDB that `make test` starts (.ci/postgres, .ci/mysql), each in a
// schema or database of the test's own that it drops afterwards.
package enginetest

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

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
