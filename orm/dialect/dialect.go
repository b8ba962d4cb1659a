// Package dialect compiles orm/core statements into SQL for a database:
// one compiler walks the statement, and a Dialect supplies what differs
// between databases (quoting, parameter style, type names, LIMIT, RETURNING).
// Packages sqlite, postgres and mysql hold the three dialects.
//
// Values are always bound parameters; the LiteralBinds option renders them
// inline, for offline SQL and for reading.
package dialect

import (
	"errors"
	"fmt"
	"strings"

	"crucible/orm/core"
)

// Dialect is what differs between databases. Embed Base for the ANSI
// defaults and override what your database does differently.
type Dialect interface {
	Name() string
	// QuoteIdent quotes an identifier when it needs it: a reserved word,
	// upper-case letters, or characters beyond [a-z0-9_].
	QuoteIdent(name string) string
	// Placeholder is the n-th (from 1) bound parameter's text.
	Placeholder(n int) string
	// TypeName is a type's name in DDL and CAST.
	TypeName(t core.Type) (string, error)
	// LimitOffset renders LIMIT and OFFSET; either may be nil.
	LimitOffset(c *Compiler, limit, offset core.Expr) string
	// SupportsReturning tells whether INSERT/UPDATE/DELETE take RETURNING.
	SupportsReturning() bool
	// SupportsNullsOrder tells whether ORDER BY takes NULLS FIRST/LAST.
	SupportsNullsOrder() bool
	// SupportsFullJoin tells whether FULL OUTER JOIN exists.
	SupportsFullJoin() bool
	// Concat renders a || b || ...
	Concat(parts []string) string
	// ILike renders a case-insensitive LIKE.
	ILike(left, right string) string
	// BoolLiteral is true or false written inline.
	BoolLiteral(b bool) string
	// StringLiteral is a string written inline, quoted and escaped so
	// that no value can end the literal early.
	StringLiteral(s string) string
	// AutoincrementColumn renders the column part of an autoincrement
	// primary key (SERIAL, AUTO_INCREMENT, ...): the whole column spec.
	AutoincrementColumn(c *Compiler, col *core.Column, spec string) string
}

// ErrUnsupported is wrapped by errors for a construct a dialect lacks.
var ErrUnsupported = errors.New("not supported")

// Base supplies ANSI SQL defaults for a Dialect.
type Base struct{}

// Placeholder is "?".
func (Base) Placeholder(int) string { return "?" }

// SupportsReturning is false.
func (Base) SupportsReturning() bool { return false }

// SupportsNullsOrder is true.
func (Base) SupportsNullsOrder() bool { return true }

// SupportsFullJoin is true.
func (Base) SupportsFullJoin() bool { return true }

// Concat joins with ||.
func (Base) Concat(parts []string) string { return strings.Join(parts, " || ") }

// ILike is lower(a) LIKE lower(b).
func (Base) ILike(left, right string) string {
	return "lower(" + left + ") LIKE lower(" + right + ")"
}

// BoolLiteral is true or false.
func (Base) BoolLiteral(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// StringLiteral quotes with ' and doubles the quotes inside, as ANSI
// SQL escapes them.
func (Base) StringLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// LimitOffset is LIMIT n OFFSET m.
func (Base) LimitOffset(c *Compiler, limit, offset core.Expr) string {
	var b strings.Builder
	if limit != nil {
		b.WriteString("\n LIMIT " + c.Expr(limit))
	}
	if offset != nil {
		if limit == nil {
			b.WriteString("\n")
		}
		b.WriteString(" OFFSET " + c.Expr(offset))
	}
	return b.String()
}

// AutoincrementColumn leaves the column as it is.
func (Base) AutoincrementColumn(_ *Compiler, _ *core.Column, spec string) string { return spec }

// Quote quotes an identifier with q when it needs it, given the reserved
// words.
func Quote(name string, q byte, reserved map[string]bool) string {
	if needsQuote(name, reserved) {
		s := string(q)
		return s + strings.ReplaceAll(name, s, s+s) + s
	}
	return name
}

func needsQuote(name string, reserved map[string]bool) bool {
	if name == "" || reserved[strings.ToLower(name)] {
		return true
	}
	if name[0] >= '0' && name[0] <= '9' {
		return true
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return true
		}
	}
	return false
}

// Reserved are the words every dialect quotes; dialects add their own.
var Reserved = words(`all analyse analyze and any array as asc asymmetric authorization between
binary both case cast check collate column constraint create cross current_date current_role
current_time current_timestamp current_user default deferrable desc distinct do else end except
false for foreign freeze from full grant group having ilike in initially inner intersect into is
isnull join leading left like limit localtime localtimestamp natural new not notnull null off
offset old on only or order outer overlaps placing primary references right select session_user
similar some symmetric table then to trailing true union unique user using verbose when where
index key values`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// With returns the reserved words plus more.
func With(base map[string]bool, more string) map[string]bool {
	m := words(more)
	for k := range base {
		m[k] = true
	}
	return m
}

// errorf records the first error of a compile.
func (c *Compiler) errorf(format string, args ...any) string {
	if c.err == nil {
		c.err = fmt.Errorf("%s: "+format, append([]any{c.d.Name()}, args...)...)
	}
	return ""
}

// StandardTypeName names the types most databases name alike; a dialect
// handles its own differences and falls back on it.
func StandardTypeName(t core.Type) (string, error) {
	switch x := t.(type) {
	case core.Integer:
		return "INTEGER", nil
	case core.BigInteger:
		return "BIGINT", nil
	case core.SmallInteger:
		return "SMALLINT", nil
	case core.String:
		return sized("VARCHAR", x.Length), nil
	case core.Unicode:
		return sized("VARCHAR", x.Length), nil
	case core.Text:
		return "TEXT", nil
	case core.Boolean:
		return "BOOLEAN", nil
	case core.Float:
		return "FLOAT", nil
	case core.Numeric:
		if x.Precision == 0 {
			return "NUMERIC", nil
		}
		return fmt.Sprintf("NUMERIC(%d, %d)", x.Precision, x.Scale), nil
	case core.Date:
		return "DATE", nil
	case core.DateTime:
		return "DATETIME", nil
	case core.Time:
		return "TIME", nil
	case core.LargeBinary:
		return "BLOB", nil
	case core.JSON:
		return "JSON", nil
	case core.NullType:
		return "", fmt.Errorf("a column of unknown type (NullType) cannot be created")
	}
	return "", fmt.Errorf("no type name for %v", t)
}

func sized(name string, n int) string {
	if n == 0 {
		return name
	}
	return fmt.Sprintf("%s(%d)", name, n)
}
