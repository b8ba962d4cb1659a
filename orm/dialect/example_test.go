package dialect_test

import (
	"fmt"
	"strings"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

// One statement, three databases: the slides' census query.
func Example() {
	md := core.NewMetaData()
	census := core.NewTable(md, "census",
		core.NewColumn("race", core.Integer{}),
		core.NewColumn("factor", core.String{Length: 16}),
		core.NewColumn("type", core.String{Length: 16}),
		core.NewColumn("value", core.Integer{}),
	)
	c := census.C
	s := core.Select(c("race"), c("factor"), core.Sum(c("value")).Label("summed")).
		Where(c("race").Gt(0), core.And(c("type").Eq("POVERTY"), c("value").Ne(0))).
		GroupBy(c("race"), c("factor")).
		OrderBy(c("race"), c("factor"))
	for _, d := range []dialect.Dialect{sqlite.Dialect, postgres.Dialect, mysql.Dialect} {
		out, err := dialect.Compile(d, s)
		if err != nil {
			panic(err)
		}
		// SQLAlchemy's layout ends a line with a space before FROM and
		// WHERE; trimmed here because example output cannot show it.
		fmt.Printf("-- %s %v\n%s\n", d.Name(), out.Params, strings.ReplaceAll(out.SQL, " \n", "\n"))
	}
	// Output:
	// -- sqlite [0 POVERTY 0]
	// SELECT census.race, census.factor, sum(census.value) AS summed
	// FROM census
	// WHERE census.race > ? AND census.type = ? AND census.value != ? GROUP BY census.race, census.factor ORDER BY census.race, census.factor
	// -- postgresql [0 POVERTY 0]
	// SELECT census.race, census.factor, sum(census.value) AS summed
	// FROM census
	// WHERE census.race > $1 AND census.type = $2 AND census.value != $3 GROUP BY census.race, census.factor ORDER BY census.race, census.factor
	// -- mysql [0 POVERTY 0]
	// SELECT census.race, census.factor, sum(census.value) AS summed
	// FROM census
	// WHERE census.race > ? AND census.type = ? AND census.value != ? GROUP BY census.race, census.factor ORDER BY census.race, census.factor
}

// A statement prints as SQL in the default dialect, as str(select) does in
// SQLAlchemy; a cell whose last line is a statement shows it so.
func ExampleCompile_printing() {
	md := core.NewMetaData()
	users := core.NewTable(md, "users", core.NewColumn("id", core.Integer{}), core.NewColumn("name", core.String{}))
	fmt.Println(strings.ReplaceAll(users.Select().Where(users.C("name").Eq("jack")).String(), " \n", "\n"))
	fmt.Println(users.Update().Values(core.Row{"name": "Jack"}).Where(users.C("id").Eq(1)))
	// Output:
	// SELECT users.id, users.name
	// FROM users
	// WHERE users.name = ?
	// UPDATE users SET name=? WHERE users.id = ?
}
