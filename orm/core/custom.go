package core

// CustomNode is a construct of your own: a statement or expression that
// this package does not know, compiled by a function registered for its
// Kind with dialect.Register (SQLAlchemy's @compiles). Value holds the
// construct's data, of any type, which the function reads back.
type CustomNode struct {
	Ops
	Kind  string
	Value any
}

// Custom makes a construct of the given kind around a value.
func Custom(kind string, value any) *CustomNode {
	c := &CustomNode{Kind: kind, Value: value}
	c.self = c
	return c
}

func (*CustomNode) exprNode()  {}
func (*CustomNode) statement() {}
