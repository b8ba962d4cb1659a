package core

import "fmt"

// Type is a column's SQL type; each dialect names it in its own way. The
// set is closed: the types below.
type Type interface {
	sqlType()
	String() string
}

// The types. Zero values are usable: String{} is a VARCHAR without length.
type (
	// Integer is a 32-bit or wider integer: INTEGER.
	Integer struct{}
	// BigInteger is a 64-bit integer: BIGINT.
	BigInteger struct{}
	// SmallInteger is a 16-bit integer: SMALLINT.
	SmallInteger struct{}
	// String is text of bounded length: VARCHAR(n).
	String struct{ Length int }
	// Text is unbounded text: TEXT.
	Text struct{}
	// Unicode is text that must hold any character: NVARCHAR on some
	// databases, VARCHAR where every string is Unicode.
	Unicode struct{ Length int }
	// Boolean is true or false: BOOLEAN.
	Boolean struct{}
	// Float is a floating-point number: FLOAT.
	Float struct{}
	// Numeric is an exact decimal: NUMERIC(p, s).
	Numeric struct{ Precision, Scale int }
	// Date is a calendar date.
	Date struct{}
	// DateTime is a date and a time of day.
	DateTime struct{}
	// Time is a time of day.
	Time struct{}
	// LargeBinary is a byte string: BLOB or BYTEA.
	LargeBinary struct{}
	// JSON is a JSON document.
	JSON struct{}
	// Enum is one of a fixed set of strings; Name names the type where a
	// database makes enums named types (PostgreSQL).
	Enum struct {
		Name   string
		Values []string
	}
	// NullType stands for a type reflection could not place.
	NullType struct{ Reflected string }
)

func (Integer) sqlType()      {}
func (BigInteger) sqlType()   {}
func (SmallInteger) sqlType() {}
func (String) sqlType()       {}
func (Text) sqlType()         {}
func (Unicode) sqlType()      {}
func (Boolean) sqlType()      {}
func (Float) sqlType()        {}
func (Numeric) sqlType()      {}
func (Date) sqlType()         {}
func (DateTime) sqlType()     {}
func (Time) sqlType()         {}
func (LargeBinary) sqlType()  {}
func (JSON) sqlType()         {}
func (Enum) sqlType()         {}
func (NullType) sqlType()     {}

func (Integer) String() string      { return "Integer()" }
func (BigInteger) String() string   { return "BigInteger()" }
func (SmallInteger) String() string { return "SmallInteger()" }
func (t String) String() string     { return withLength("String", t.Length) }
func (Text) String() string         { return "Text()" }
func (t Unicode) String() string    { return withLength("Unicode", t.Length) }
func (Boolean) String() string      { return "Boolean()" }
func (Float) String() string        { return "Float()" }
func (t Numeric) String() string {
	if t.Precision == 0 {
		return "Numeric()"
	}
	return fmt.Sprintf("Numeric(precision=%d, scale=%d)", t.Precision, t.Scale)
}
func (Date) String() string        { return "Date()" }
func (DateTime) String() string    { return "DateTime()" }
func (Time) String() string        { return "Time()" }
func (LargeBinary) String() string { return "LargeBinary()" }
func (JSON) String() string        { return "JSON()" }
func (t Enum) String() string      { return fmt.Sprintf("Enum(%q)", t.Values) }
func (t NullType) String() string  { return "NullType()" }

func withLength(name string, n int) string {
	if n == 0 {
		return name + "()"
	}
	return fmt.Sprintf("%s(length=%d)", name, n)
}
