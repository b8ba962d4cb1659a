// Package postgres is the PostgreSQL dialect: $1 parameters, ILIKE,
// RETURNING, SERIAL keys and PostgreSQL's type names.
package postgres

import (
	"fmt"
	"strings"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Dialect is PostgreSQL's.
var Dialect dialect.Dialect = pgDialect{}

type pgDialect struct{ dialect.Base }

var reserved = dialect.With(dialect.Reserved, "returning window lateral fetch")

func (pgDialect) Name() string                    { return "postgresql" }
func (pgDialect) QuoteIdent(name string) string   { return dialect.Quote(name, '"', reserved) }
func (pgDialect) Placeholder(n int) string        { return fmt.Sprintf("$%d", n) }
func (pgDialect) SupportsReturning() bool         { return true }
func (pgDialect) ILike(left, right string) string { return left + " ILIKE " + right }

// AutoincrementColumn makes an integer key SERIAL (BIGSERIAL, SMALLSERIAL).
func (pgDialect) AutoincrementColumn(_ *dialect.Compiler, col *core.Column, spec string) string {
	serial := map[string]string{"INTEGER": "SERIAL", "BIGINT": "BIGSERIAL", "SMALLINT": "SMALLSERIAL"}
	for t, s := range serial {
		if strings.Contains(spec, " "+t) {
			return strings.Replace(spec, " "+t, " "+s, 1)
		}
	}
	return spec
}

func (pgDialect) TypeName(t core.Type) (string, error) {
	switch x := t.(type) {
	case core.DateTime:
		return "TIMESTAMP WITHOUT TIME ZONE", nil
	case core.Time:
		return "TIME WITHOUT TIME ZONE", nil
	case core.LargeBinary:
		return "BYTEA", nil
	case core.Enum:
		if x.Name == "" {
			return "", fmt.Errorf("postgresql enums are named types: give the Enum a Name")
		}
		return x.Name, nil
	}
	return dialect.StandardTypeName(t)
}
