// Package mysql links MySQL (and MariaDB) into engines: importing it
// registers go-sql-driver/mysql for mysql:// URLs. Native programs import
// it; the playground's WebAssembly module does not.
//
//	import _ "crucible/orm/engine/mysql"
//
//	eng, err := engine.CreateEngine("mysql://scott:tiger@localhost/test")
package mysql

import (
	"net"
	"strconv"

	"github.com/go-sql-driver/mysql"

	"crucible/orm/engine"
)

func init() {
	engine.RegisterDriver("mysql", "mysql", DSN)
}

// DSN writes the data source name go-sql-driver/mysql reads for an engine
// URL. Times are parsed into time.Time, as the other dialects give them,
// and an UPDATE counts the rows it matched, not only those it changed
// (clientFoundRows, as SQLAlchemy's MySQL dialects ask), so the ORM can
// tell a stale row from one that already held the new values.
func DSN(u *engine.URL) string {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.DBName = u.User, u.Password, u.Database
	port := u.Port
	if port == "" {
		port = "3306"
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1"
	}
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, port)
	cfg.ParseTime = true
	cfg.ClientFoundRows = true
	for k, v := range u.Query {
		if k == "clientFoundRows" {
			// The field, not a parameter: the ORM reads the same word
			// the same way (strconv.ParseBool) to know what counts mean.
			found, err := strconv.ParseBool(v[0])
			cfg.ClientFoundRows = found || err != nil
			continue
		}
		if len(v) > 0 {
			if cfg.Params == nil {
				cfg.Params = map[string]string{}
			}
			cfg.Params[k] = v[0]
		}
	}
	return cfg.FormatDSN()
}
