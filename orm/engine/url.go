package engine

import (
	"fmt"
	"net/url"
	"strings"

	"crucible/orm/dialect"
)

// URL is a parsed database URL: dialect[+driver]://user:password@host:port/database.
type URL struct {
	Dialect  string // "sqlite", "postgresql" or "mysql"
	Driver   string // after the +, if any
	User     string
	Password string
	Host     string
	Port     string
	Database string // for sqlite, the file path ("" for memory)
	Query    url.Values
	raw      string
}

// ParseURL reads a database URL. sqlite:///path names a file relative to
// the working directory, sqlite:////path an absolute one, and sqlite://
// (or sqlite:///:memory:) a database in memory.
func ParseURL(raw string) (*URL, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("engine: %q is not a database URL (want dialect://..., e.g. sqlite:///file.db)", raw)
	}
	u := &URL{raw: raw}
	u.Dialect, u.Driver, _ = strings.Cut(scheme, "+")
	switch u.Dialect {
	case "postgres":
		u.Dialect = "postgresql"
	case "sqlite", "postgresql", "mysql":
	default:
		return nil, fmt.Errorf("engine: unknown dialect %q in %q (want sqlite, postgresql or mysql)", u.Dialect, raw)
	}
	rest, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("engine: bad query in %q: %w", raw, err)
	}
	u.Query = q
	if u.Dialect == "sqlite" {
		// sqlite://HOST/PATH has no host: what follows the third slash is
		// the path.
		path := strings.TrimPrefix(rest, "/")
		if path == ":memory:" {
			path = ""
		}
		u.Database = path
		return u, nil
	}
	hostPart, db, _ := strings.Cut(rest, "/")
	u.Database = db
	if at := strings.LastIndex(hostPart, "@"); at >= 0 {
		cred := hostPart[:at]
		hostPart = hostPart[at+1:]
		user, pass, _ := strings.Cut(cred, ":")
		if u.User, err = url.PathUnescape(user); err != nil {
			return nil, err
		}
		if u.Password, err = url.PathUnescape(pass); err != nil {
			return nil, err
		}
	}
	u.Host, u.Port, _ = strings.Cut(hostPart, ":")
	return u, nil
}

// String is the URL with the password hidden, as SQLAlchemy prints it.
func (u *URL) String() string {
	if u.Password == "" {
		return u.raw
	}
	return strings.Replace(u.raw, ":"+url.PathEscape(u.Password)+"@", ":***@", 1)
}

// SQLDialect is the dialect the URL names, to compile for it without
// connecting (migrate's --sql mode).
func (u *URL) SQLDialect() dialect.Dialect { return dialectFor(u.Dialect) }

// Raw is the URL as written, password included: what to hand another
// program that connects.
func (u *URL) Raw() string { return u.raw }
