package dialect_test

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/ncruces/go-sqlite3/driver"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var dialects = []dialect.Dialect{sqlite.Dialect, postgres.Dialect, mysql.Dialect}

// schema is the slides' users and addresses, and an orders table.
type schema struct {
	md                      *core.MetaData
	users, addresses, order *core.Table
}

func newSchema() schema {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("name", core.String{Length: 32}, core.NotNull(), core.Unique()),
		core.NewColumn("fullname", core.String{Length: 64}),
		core.NewColumn("balance", core.Float{}),
		core.NewColumn("group", core.String{Length: 16}, core.Indexed()),
	)
	addresses := core.NewTable(md, "addresses",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id", core.OnDelete("CASCADE"))),
		core.NewColumn("email_address", core.String{Length: 128}, core.NotNull()),
	)
	order := core.NewTable(md, "order",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey(), core.Autoincrement()),
		core.NewColumn("user_id", core.Integer{}, core.References("users.id")),
		core.NewColumn("total", core.Numeric{Precision: 10, Scale: 2}, core.ServerDefault("0")),
		core.NewColumn("placed", core.DateTime{}),
		core.Check("positive_total", "total >= 0"),
	)
	return schema{md, users, addresses, order}
}

type goldenCase struct {
	name  string
	build func(s schema) core.Statement
}

func cases() []goldenCase {
	c := func(name string, build func(s schema) core.Statement) goldenCase { return goldenCase{name, build} }
	return []goldenCase{
		c("select_table", func(s schema) core.Statement { return core.Select(s.users) }),
		c("select_columns", func(s schema) core.Statement { return core.Select(s.users.C("id"), s.users.C("name")) }),
		c("select_star", func(s schema) core.Statement { return core.Select(&core.Star{}).From(s.users) }),
		c("where_eq", func(s schema) core.Statement {
			return s.users.Select().Where(s.users.C("name").Eq("jack"))
		}),
		c("where_ne_lt_le_gt_ge", func(s schema) core.Statement {
			u := s.users
			return u.Select().Where(u.C("id").Ne(1), u.C("id").Lt(10), u.C("id").Le(9), u.C("balance").Gt(1.5), u.C("balance").Ge(2))
		}),
		c("where_is_null", func(s schema) core.Statement {
			return s.users.Select().Where(s.users.C("fullname").Eq(nil), s.users.C("group").IsNotNull())
		}),
		c("and_or_not", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(core.And(u.C("name").Eq("a"), core.Or(u.C("id").Eq(1), core.Not(u.C("id").Eq(2)))))
		}),
		c("or_of_ands", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(core.Or(core.And(u.C("id").Gt(1), u.C("id").Lt(5)), u.C("name").Eq("x")))
		}),
		c("in_list", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("id").In(1, 2, 3))
		}),
		c("in_slice", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("name").In([]string{"a", "b"}))
		}),
		c("in_empty", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("id").In())
		}),
		c("not_in_empty", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("id").NotIn([]int{}))
		}),
		c("not_in", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("id").NotIn(4, 5))
		}),
		c("in_subquery", func(s schema) core.Statement {
			a := s.addresses
			return core.Select(s.users.C("name")).Where(s.users.C("id").In(core.Select(a.C("user_id")).Where(a.C("email_address").Like("%@m.com"))))
		}),
		c("like_ilike", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(u.C("name").Like("최%"), u.C("fullname").ILike("%bob%"), u.C("name").NotLike("x%"))
		}),
		c("contains_startswith", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(u.C("name").Contains("ob"), u.C("fullname").StartsWith("Big"), u.C("fullname").EndsWith("Lu"))
		}),
		c("between", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(s.users.C("balance").Between(100, 1000), s.users.C("id").NotBetween(5, 6))
		}),
		c("arithmetic", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("balance").Mul(2).Add(1).Label("doubled"), u.C("balance").Add(1).Mul(2).Label("grouped"), u.C("id").Neg().Label("neg"))
		}),
		c("subtraction_right", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("balance").Sub(u.C("id").Sub(1)).Label("x"), u.C("balance").Div(u.C("id").Mul(2)).Label("y"))
		}),
		c("concat", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("name").Concat(" ").Concat(u.C("fullname")).Label("display"))
		}),
		c("labels_and_functions", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("group"), core.Count(u.C("id")).Label("members"), core.Sum(u.C("balance")).Label("total_balance")).GroupBy(u.C("group"))
		}),
		c("anonymous_function_labels", func(s schema) core.Statement {
			u := s.users
			return core.Select(core.Count(u.C("id")), core.Count(u.C("name")), core.Max(u.C("balance")), u.C("id").Add(1))
		}),
		c("count_star", func(s schema) core.Statement { return core.Select(core.Count()).From(s.users) }),
		c("count_distinct", func(s schema) core.Statement {
			return core.Select(core.CountDistinct(s.users.C("group")).Label("groups"))
		}),
		c("named_function", func(s schema) core.Statement {
			return core.Select(core.Func("lower", s.users.C("name")).Label("lname"), core.Func("coalesce", s.users.C("fullname"), "?").Label("fn"))
		}),
		c("avg_min", func(s schema) core.Statement {
			u := s.users
			return core.Select(core.Avg(u.C("balance")).Label("a"), core.Min(u.C("balance")).Label("lo"))
		}),
		c("group_by_having", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("group"), core.Count(u.C("id")).Label("n")).GroupBy(u.C("group")).Having(core.Count(u.C("id")).Gt(1))
		}),
		c("order_by", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).OrderBy(u.C("name"), u.C("id").Desc(), core.Asc(u.C("balance")))
		}),
		c("order_by_nulls", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).OrderBy(core.NullsLast(u.C("fullname").Desc()), core.NullsFirst(u.C("group").Asc()))
		}),
		c("order_by_text", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).OrderBy("id DESC")
		}),
		c("limit_offset", func(s schema) core.Statement { return s.users.Select().Limit(1).Offset(0) }),
		c("limit_only", func(s schema) core.Statement { return s.users.Select().Limit(10) }),
		c("offset_only", func(s schema) core.Statement { return s.users.Select().Offset(5) }),
		c("distinct", func(s schema) core.Statement { return core.Select(s.users.C("group")).Distinct() }),
		c("join_inferred", func(s schema) core.Statement {
			return core.Select(s.users.C("name"), s.addresses.C("email_address")).Join(s.addresses)
		}),
		c("join_explicit_on", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name")).From(u).Join(a, core.And(u.C("id").Eq(a.C("user_id")), a.C("email_address").Like("%@%")))
		}),
		c("outer_join", func(s schema) core.Statement {
			return core.Select(s.users.C("name"), s.addresses.C("email_address")).From(s.users).OuterJoin(s.addresses)
		}),
		c("full_join", func(s schema) core.Statement {
			return core.Select(s.users.C("name"), s.addresses.C("email_address")).From(s.users).FullJoin(s.addresses)
		}),
		c("join_chain", func(s schema) core.Statement {
			return core.Select(s.users.C("name"), s.addresses.C("email_address"), s.order.C("total")).From(s.users).Join(s.addresses).Join(s.order)
		}),
		c("implicit_cross_from", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u, a).Where(u.C("id").Eq(a.C("user_id"))).Where(a.C("email_address").Eq("jack@goog.com"))
		}),
		c("alias", func(s schema) core.Statement {
			u1, u2 := core.AliasOf(s.users, "u1"), core.AliasOf(s.users, "u2")
			return core.Select(u1.C("name"), u2.C("name").Label("other")).Where(u1.C("group").Eq(u2.C("group")), u1.C("id").Lt(u2.C("id")))
		}),
		c("subquery_in_from", func(s schema) core.Statement {
			a := s.addresses
			counts := core.Select(a.C("user_id"), core.Count(a.C("id")).Label("n")).GroupBy(a.C("user_id")).Subquery("counts")
			return core.Select(s.users.C("name"), counts.C("n")).From(s.users).Join(counts, s.users.C("id").Eq(counts.C("user_id")))
		}),
		c("scalar_subquery", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			n := core.ScalarSubquery(core.Select(core.Count(a.C("id"))).Where(a.C("user_id").Eq(u.C("id"))))
			return core.Select(u.C("name"), n.Label("address_count"))
		}),
		c("exists", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name")).Where(core.Exists(core.Select(a.C("id")).Where(a.C("user_id").Eq(u.C("id")))))
		}),
		c("not_exists", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name")).Where(core.Not(core.Exists(core.Select(a.C("id")).Where(a.C("user_id").Eq(u.C("id"))))))
		}),
		c("case", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("name"), core.Case([]core.When{
				core.WhenThen(u.C("balance").Gt(10000), "rich"),
				core.WhenThen(u.C("balance").Gt(100), "fine"),
			}, "poor").Label("class"))
		}),
		c("cast", func(s schema) core.Statement {
			return core.Select(s.users.C("balance").Cast(core.Integer{}).Label("whole"), core.Cast(s.users.C("id"), core.String{Length: 10}).Label("sid"))
		}),
		c("cte", func(s schema) core.Statement {
			a := s.addresses
			counts := core.Select(a.C("user_id"), core.Count(a.C("id")).Label("n")).GroupBy(a.C("user_id")).CTE("counts", false)
			return core.Select(s.users.C("name"), counts.C("n")).With(counts).From(s.users).Join(counts, s.users.C("id").Eq(counts.C("user_id")))
		}),
		c("union", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("name")).Where(u.C("id").Lt(3)).Union(core.Select(u.C("name")).Where(u.C("id").Gt(8)))
		}),
		c("union_all_intersect_except", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("id")).UnionAll(core.Select(a.C("user_id"))).Except(core.Select(u.C("id")).Where(u.C("id").Eq(1)))
		}),
		c("built_in_steps", func(s schema) core.Statement {
			u := s.users
			q := core.Select(u.C("group"), core.Count(core.Literal(1)).Label("members")).Where(u.C("group").In("Mob", "Diner"))
			q = q.Where(u.C("name").Ne("nobody"))
			q = q.Column(core.Sum(u.C("balance")).Label("total"))
			q = q.GroupBy(u.C("group")).OrderBy("members DESC")
			return q
		}),
		c("text", func(s schema) core.Statement {
			return core.SQL("SELECT * FROM users WHERE name = :name AND id > :id").Bindparams(map[string]any{"name": "jack", "id": 1})
		}),
		c("reserved_and_upper_names", func(s schema) core.Statement {
			return core.Select(s.order.C("id"), s.users.C("group")).From(s.order).Join(s.users)
		}),
		c("true_false_null", func(s schema) core.Statement {
			return core.Select(s.users.C("id")).Where(core.Or(core.True(), core.False()), s.users.C("fullname").Ne(core.Null()))
		}),
		c("insert_values", func(s schema) core.Statement {
			return s.users.Insert().Values(core.Row{"name": "jack", "fullname": "Jack Bell"})
		}),
		c("insert_with_id", func(s schema) core.Statement {
			return s.users.Insert().Values(core.Row{"id": 20, "name": "wendy", "fullname": "Wendy McDonalds"})
		}),
		c("insert_multi_row", func(s schema) core.Statement {
			return s.addresses.Insert().Values(core.Row{"user_id": 1, "email_address": "j@y.com"}, core.Row{"user_id": 1, "email_address": "j@m.com"})
		}),
		c("insert_from_select", func(s schema) core.Statement {
			u := s.users
			return s.addresses.Insert().FromSelect([]string{"user_id", "email_address"},
				core.Select(u.C("id"), u.C("name").Concat("@example.com")).Where(u.C("group").Eq("Mob")))
		}),
		c("insert_default_values", func(s schema) core.Statement { return s.order.Insert() }),
		c("insert_returning", func(s schema) core.Statement {
			return s.users.Insert().Values(core.Row{"name": "x"}).Returning(s.users.C("id"))
		}),
		c("update", func(s schema) core.Statement {
			u := s.users
			return u.Update().Values(core.Row{"name": "Yeongseon Choe"}).Where(u.C("id").Eq(1))
		}),
		c("update_expression", func(s schema) core.Statement {
			u := s.users
			return u.Update().Values(core.Row{"balance": u.C("balance").Add(10), "group": nil}).Where(u.C("group").Eq("Mob"))
		}),
		c("update_returning", func(s schema) core.Statement {
			u := s.users
			return u.Update().Values(core.Row{"balance": 0}).Where(u.C("id").Eq(1)).Returning(u.C("id"), u.C("balance"))
		}),
		c("delete", func(s schema) core.Statement { return s.users.Delete().Where(s.users.C("id").Eq(1)) }),
		c("delete_all", func(s schema) core.Statement { return s.addresses.Delete() }),
		c("delete_subquery", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return a.Delete().Where(a.C("user_id").In(core.Select(u.C("id")).Where(u.C("group").Eq("Diner"))))
		}),
		c("cte_recursive", func(s schema) core.Statement {
			n := core.NewColumn("n", core.Integer{})
			_ = n
			seed := core.Select(core.Literal(1).Label("n"))
			cte := seed.CTE("counter", true)
			step := core.Select(cte.C("n").Add(1).Label("n")).Where(cte.C("n").Lt(5))
			full := seed.UnionAll(step).CTE("counter", true)
			return core.Select(full.C("n")).With(full)
		}),
		c("where_in_not_subquery", func(s schema) core.Statement {
			a := s.addresses
			return core.Select(s.users.C("name")).Where(s.users.C("id").NotIn(core.Select(a.C("user_id"))))
		}),
		c("where_chained", func(s schema) core.Statement {
			u := s.users
			return u.Select().Where(u.C("group").Eq("Mob")).Where(u.C("balance").Gt(100)).Where(u.C("name").Ne("Bob"))
		}),
		c("select_expression_where", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("name")).Where(u.C("balance").Mul(2).Gt(u.C("id").Add(100)))
		}),
		c("nested_or_in_and", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(core.And(core.Or(u.C("id").Eq(1), u.C("id").Eq(2)), core.Or(u.C("name").Eq("a"), u.C("name").Eq("b"))))
		}),
		c("not_of_and", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(core.Not(core.And(u.C("id").Gt(1), u.C("id").Lt(3))))
		}),
		c("compare_columns", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name"), a.C("email_address")).Where(u.C("id").Eq(a.C("user_id")), u.C("name").Ne(a.C("email_address")))
		}),
		c("group_by_two", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("group"), u.C("name"), core.Sum(u.C("balance")).Label("summed")).Where(core.And(u.C("group").Eq("Mob"), u.C("balance").Ne(0))).GroupBy(u.C("group"), u.C("name")).OrderBy(u.C("group"), u.C("name"))
		}),
		c("having_and", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("group")).GroupBy(u.C("group")).Having(core.Count(u.C("id")).Gt(1), core.Sum(u.C("balance")).Lt(1e9))
		}),
		c("limit_with_where_order", func(s schema) core.Statement {
			u := s.users
			return u.Select().Where(u.C("balance").Gt(0)).OrderBy(u.C("balance").Desc()).Limit(2).Offset(1)
		}),
		c("distinct_order", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("group")).Distinct().OrderBy(u.C("group").Desc())
		}),
		c("outer_join_where_null", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name")).From(u).OuterJoin(a).Where(a.C("id").IsNull())
		}),
		c("join_alias", func(s schema) core.Statement {
			a := core.AliasOf(s.addresses, "a")
			return core.Select(s.users.C("name"), a.C("email_address")).From(s.users).Join(a)
		}),
		c("self_join_explicit", func(s schema) core.Statement {
			u1, u2 := core.AliasOf(s.users, "boss"), core.AliasOf(s.users, "staff")
			return core.Select(u1.C("name"), u2.C("name").Label("staff_name")).From(u1).Join(u2, u1.C("group").Eq(u2.C("group")))
		}),
		c("join_on_function", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			return core.Select(u.C("name")).From(u).Join(a, core.Func("lower", a.C("email_address")).Like(core.Func("lower", u.C("name")).Concat("%")))
		}),
		c("subquery_where_scalar", func(s schema) core.Statement {
			u := s.users
			avg := core.ScalarSubquery(core.Select(core.Avg(u.C("balance"))))
			return core.Select(u.C("name")).Where(u.C("balance").Gt(avg))
		}),
		c("case_no_else", func(s schema) core.Statement {
			u := s.users
			return core.Select(core.Case([]core.When{core.WhenThen(u.C("group").Eq("Mob"), 1)}, nil).Label("mob"))
		}),
		c("case_in_where", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(core.Case([]core.When{core.WhenThen(u.C("balance").Gt(100), u.C("balance"))}, 0).Gt(50))
		}),
		c("sum_of_case", func(s schema) core.Statement {
			u := s.users
			return core.Select(core.Sum(core.Case([]core.When{core.WhenThen(u.C("group").Eq("Mob"), 1)}, 0)).Label("mobsters"))
		}),
		c("values_types", func(s schema) core.Statement {
			u := s.users
			return core.Select(u.C("id")).Where(u.C("balance").Eq(1.25), u.C("name").Eq("O'Brien"), u.C("fullname").Ne(""))
		}),
		c("text_with_cast", func(s schema) core.Statement {
			return core.SQL("SELECT CAST(:v AS INTEGER) + 1 AS n").Bindparams(map[string]any{"v": "41"})
		}),
		c("text_no_params", func(s schema) core.Statement { return core.SQL("select * from users") }),
		c("text_colons_in_comments_and_quotes", func(s schema) core.Statement {
			return core.SQL("SELECT 'a:b' AS \"x:y\", `name` AS `p:q` -- at :noon\nFROM users /* :not */ WHERE id = :id").Bindparams(map[string]any{"id": 7})
		}),
		c("insert_expression_value", func(s schema) core.Statement {
			return s.users.Insert().Values(core.Row{"name": core.Func("upper", "zed"), "balance": core.Literal(1).Add(1)})
		}),
		c("insert_rows_missing_keys", func(s schema) core.Statement {
			return s.users.Insert().Values(core.Row{"name": "p", "fullname": "P"}, core.Row{"name": "q"})
		}),
		c("update_two_columns", func(s schema) core.Statement {
			u := s.users
			return u.Update().Values(core.Row{"fullname": "Bee", "group": "B"}).Where(u.C("id").In(1, 3))
		}),
		c("update_all", func(s schema) core.Statement {
			return s.users.Update().Values(core.Row{"balance": 0})
		}),
		c("update_correlated", func(s schema) core.Statement {
			u, a := s.users, s.addresses
			n := core.ScalarSubquery(core.Select(core.Count(a.C("id"))).Where(a.C("user_id").Eq(u.C("id"))))
			return u.Update().Values(core.Row{"balance": n})
		}),
		c("delete_returning", func(s schema) core.Statement {
			return s.addresses.Delete().Where(s.addresses.C("user_id").Eq(2)).Returning(s.addresses.C("email_address"))
		}),
		c("delete_complex_where", func(s schema) core.Statement {
			u := s.users
			return u.Delete().Where(core.Or(u.C("balance").Lt(0), core.And(u.C("group").IsNull(), u.C("name").Like("tmp%"))))
		}),
		c("drop_table_if_exists", func(s schema) core.Statement {
			return &core.DropTableStmt{Table: core.NewTable(nil, "old_things"), IfExists: true}
		}),
		c("create_table_users", func(s schema) core.Statement { return core.CreateTable(s.users) }),
		c("create_table_addresses", func(s schema) core.Statement { return core.CreateTable(s.addresses) }),
		c("create_table_order", func(s schema) core.Statement { return core.CreateTable(s.order) }),
		c("create_table_composite_pk", func(s schema) core.Statement {
			t := core.NewTable(core.NewMetaData(), "users_to_users",
				core.NewColumn("patient_user_id", core.Integer{}, core.NotNull()),
				core.NewColumn("provider_user_id", core.Integer{}, core.NotNull()),
				core.ForeignKey([]string{"patient_user_id"}, "users", []string{"id"}),
				core.ForeignKey([]string{"provider_user_id"}, "users", []string{"id"}),
				core.PrimaryKeyOn("patient_user_id", "provider_user_id"),
			)
			return core.CreateTable(t)
		}),
		c("create_table_all_types", func(s schema) core.Statement {
			t := core.NewTable(core.NewMetaData(), "everything",
				core.NewColumn("i", core.Integer{}), core.NewColumn("bi", core.BigInteger{}), core.NewColumn("si", core.SmallInteger{}),
				core.NewColumn("s", core.String{Length: 20}), core.NewColumn("t", core.Text{}), core.NewColumn("u", core.Unicode{Length: 20}),
				core.NewColumn("b", core.Boolean{}), core.NewColumn("f", core.Float{}), core.NewColumn("n", core.Numeric{Precision: 8, Scale: 3}),
				core.NewColumn("d", core.Date{}), core.NewColumn("dt", core.DateTime{}), core.NewColumn("tm", core.Time{}),
				core.NewColumn("lb", core.LargeBinary{}), core.NewColumn("j", core.JSON{}),
				core.NewColumn("e", core.Enum{Name: "mood", Values: []string{"sad", "ok", "happy"}}),
			)
			return core.CreateTable(t)
		}),
		c("drop_table", func(s schema) core.Statement { return core.DropTable(s.addresses) }),
		c("create_index", func(s schema) core.Statement { return core.CreateIndex(s.users.Indexes[0]) }),
		c("create_unique_index", func(s schema) core.Statement {
			ix := core.NewIndex("ix_addr_email", true, "email_address")
			s.addresses.Append(ix)
			return core.CreateIndex(ix)
		}),
		c("drop_index", func(s schema) core.Statement { return core.DropIndex(s.users.Indexes[0]) }),
	}
}

// TestGolden compiles every case for the three dialects and compares with
// testdata/NAME.golden; -update rewrites them. Each SQLite statement is
// also run on a real SQLite database holding the schema.
func TestGolden(t *testing.T) {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	s := newSchema()
	for _, tb := range s.md.SortedTables() {
		ddl, err := dialect.Compile(sqlite.Dialect, core.CreateTable(tb))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ddl.SQL); err != nil {
			t.Fatalf("%s: %v", ddl.SQL, err)
		}
	}
	seed := []string{
		`INSERT INTO users (id, name, fullname, balance, "group") VALUES (1, 'Bob', 'Big Bob', 1000000, 'Mob'), (2, 'Linda', 'Linda Lu', 100.5, 'Diner'), (3, 'Lil Bob', 'Bobby Jr', 100500, 'Mob')`,
		`INSERT INTO addresses (user_id, email_address) VALUES (1, 'bob@m.com'), (2, 'linda@y.com')`,
	}
	for _, q := range seed {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	for _, gc := range cases() {
		t.Run(gc.name, func(t *testing.T) {
			var out strings.Builder
			var sqliteSQL *dialect.Compiled
			for _, d := range dialects {
				st := gc.build(newSchema())
				fmt.Fprintf(&out, "-- %s\n", d.Name())
				compiled, err := dialect.Compile(d, st)
				if err != nil {
					fmt.Fprintf(&out, "error: %v\n\n", err)
					continue
				}
				fmt.Fprintf(&out, "%s\n", compiled.SQL)
				if len(compiled.Params) > 0 {
					fmt.Fprintf(&out, "params: %#v\n", compiled.Params)
				}
				lit, err := dialect.Compile(d, st, dialect.LiteralBinds())
				if err == nil && len(compiled.Params) > 0 {
					fmt.Fprintf(&out, "literal: %s\n", lit.SQL)
				}
				out.WriteString("\n")
				if d == sqlite.Dialect {
					sqliteSQL = compiled
				}
			}
			compare(t, filepath.Join("testdata", gc.name+".golden"), out.String())
			if sqliteSQL == nil {
				t.Fatal("the sqlite dialect did not compile it")
			}
			target := db
			switch st := gc.build(newSchema()).(type) {
			case *core.CreateTableStmt:
				// A table the shared database already has: create it in
				// an empty one.
				target = emptyDB(t)
			case *core.DropIndexStmt:
				defer db.Exec(`DROP INDEX IF EXISTS ` + st.Index.Name)
				ddl, _ := dialect.Compile(sqlite.Dialect, core.CreateIndex(st.Index))
				if _, err := db.Exec(ddl.SQL); err != nil {
					t.Fatal(err)
				}
			}
			tx, err := target.Begin()
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			rows, err := tx.Query(sqliteSQL.SQL, sqliteSQL.Params...)
			if err != nil {
				t.Fatalf("SQLite rejects it: %v\n%s", err, sqliteSQL.SQL)
			}
			for rows.Next() {
			}
			if err := rows.Err(); err != nil {
				t.Fatalf("SQLite fails running it: %v\n%s", err, sqliteSQL.SQL)
			}
			rows.Close()
		})
	}

}

func emptyDB(t *testing.T) *sql.DB {
	db, err := sql.Open("sqlite3", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func compare(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
