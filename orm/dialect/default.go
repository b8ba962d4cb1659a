package dialect

import "crucible/orm/core"

// Default is the dialect statements print in when no database is named:
// ANSI SQL with ? parameters, as SQLAlchemy's str(statement) uses its
// default dialect.
var Default Dialect = defaultDialect{}

type defaultDialect struct{ Base }

func (defaultDialect) Name() string                         { return "default" }
func (defaultDialect) QuoteIdent(name string) string        { return Quote(name, '"', Reserved) }
func (defaultDialect) TypeName(t core.Type) (string, error) { return StandardTypeName(t) }
func (defaultDialect) SupportsReturning() bool              { return true }

func init() {
	core.Printer = func(st core.Statement) string {
		c, err := Compile(Default, st)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return c.SQL
	}
}
