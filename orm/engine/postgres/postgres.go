// Package postgres links PostgreSQL into engines: importing it registers
// the pgx database/sql driver for postgresql:// URLs. Native programs
// import it; the playground's WebAssembly module does not.
//
//	import _ "crucible/orm/engine/postgres"
//
//	eng, err := engine.CreateEngine("postgresql://scott:tiger@localhost/test")
package postgres

import (
	"net/url"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"

	"crucible/orm/engine"
)

func init() {
	engine.RegisterDriver("postgresql", "pgx", DSN)
}

// DSN writes the connection string pgx reads for an engine URL.
func DSN(u *engine.URL) string {
	dsn := url.URL{Scheme: "postgres", Host: u.Host, Path: "/" + u.Database, RawQuery: u.Query.Encode()}
	if u.Port != "" {
		dsn.Host += ":" + u.Port
	}
	if u.User != "" {
		dsn.User = url.UserPassword(u.User, u.Password)
		if u.Password == "" {
			dsn.User = url.User(u.User)
		}
	}
	return dsn.String()
}
