// Package mysql is the MySQL dialect: "?" parameters, backquoted
// identifiers, LIMIT offset, count, concat(), AUTO_INCREMENT, and MySQL's
// type names. MySQL has no RETURNING.
package mysql

import (
	"fmt"
	"strings"

	"crucible/orm/core"
	"crucible/orm/dialect"
)

// Dialect is MySQL's.
var Dialect dialect.Dialect = mysqlDialect{}

type mysqlDialect struct{ dialect.Base }

var reserved = dialect.With(dialect.Reserved, "accessible add alter before bigint blob by call cascade change char character condition continue convert database databases dec decimal declare delayed delete describe div double drop dual each elseif enclosed escaped exists exit explain fetch float force fulltext generated get high_priority if ignore infile insert int integer interval iterate keys kill leave lines load lock long loop match mod modifies natural optimize option optionally out outfile partition precision procedure purge range read reads real regexp release rename repeat replace require resignal restrict return revoke rlike schema schemas second_microsecond separator set show signal smallint spatial specific sql sqlexception sqlstate sqlwarning ssl starting straight_join terminated tinyint trigger undo unlock unsigned update usage use utc_date varchar varying virtual while with write xor year_month zerofill")

func (mysqlDialect) Name() string                  { return "mysql" }
func (mysqlDialect) QuoteIdent(name string) string { return dialect.Quote(name, '`', reserved) }
func (mysqlDialect) SupportsNullsOrder() bool      { return false }
func (mysqlDialect) SupportsFullJoin() bool        { return false }
func (mysqlDialect) Concat(parts []string) string  { return "concat(" + strings.Join(parts, ", ") + ")" }

// StringLiteral doubles backslashes as well as quotes: MySQL reads a
// backslash in a literal as an escape (unless NO_BACKSLASH_ESCAPES), so
// "\'" would otherwise end the literal, as SQLAlchemy's MySQL compiler
// knows.
func (mysqlDialect) StringLiteral(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", "''").Replace(s) + "'"
}

// LimitOffset writes LIMIT offset, count; MySQL has no OFFSET without a
// LIMIT, so the largest count stands for none.
func (mysqlDialect) LimitOffset(c *dialect.Compiler, limit, offset core.Expr) string {
	switch {
	case offset == nil:
		return "\n LIMIT " + c.Expr(limit)
	case limit == nil:
		return "\n LIMIT " + c.Expr(offset) + ", 18446744073709551615"
	}
	off := c.Expr(offset)
	return "\n LIMIT " + off + ", " + c.Expr(limit)
}

// AutoincrementColumn adds AUTO_INCREMENT.
func (mysqlDialect) AutoincrementColumn(_ *dialect.Compiler, _ *core.Column, spec string) string {
	return spec + " AUTO_INCREMENT"
}

// DropIndex names the table, as MySQL requires.
func (mysqlDialect) DropIndex(c *dialect.Compiler, ix *core.Index) string {
	return "DROP INDEX " + c.Ident(ix.Name) + " ON " + c.Ident(ix.Table.Name)
}

func (mysqlDialect) TypeName(t core.Type) (string, error) {
	switch x := t.(type) {
	case core.String:
		if x.Length == 0 {
			return "", fmt.Errorf("VARCHAR requires a length on mysql: give String a Length, or use Text")
		}
	case core.Unicode:
		if x.Length == 0 {
			return "", fmt.Errorf("NVARCHAR requires a length on mysql")
		}
		return fmt.Sprintf("NVARCHAR(%d)", x.Length), nil
	case core.Boolean:
		return "BOOL", nil
	case core.Enum:
		q := make([]string, len(x.Values))
		for i, v := range x.Values {
			q[i] = mysqlDialect{}.StringLiteral(v)
		}
		return "ENUM(" + strings.Join(q, ",") + ")", nil
	}
	return dialect.StandardTypeName(t)
}
