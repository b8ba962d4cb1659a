package migrate_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"crucible/migrate"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/mysql"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// talkScripts are the slides' history: users, then users_to_users, then
// a column tightened in a batch (a move and copy on SQLite).
func talkScripts() []*migrate.Script {
	md := core.NewMetaData()
	users := core.NewTable(md, "users",
		core.NewColumn("id", core.Integer{}, core.PrimaryKey()),
		core.NewColumn("username", core.String{Length: 50}),
		core.NewColumn("timezone", core.String{Length: 32}),
	)
	u2u := core.NewTable(md, "users_to_users",
		core.NewColumn("patient_user_id", core.Integer{}, core.NotNull()),
		core.NewColumn("provider_user_id", core.Integer{}, core.NotNull()),
		core.ForeignKey([]string{"patient_user_id"}, "users", []string{"id"}),
		core.ForeignKey([]string{"provider_user_id"}, "users", []string{"id"}),
		core.PrimaryKeyOn("patient_user_id", "provider_user_id"),
	)
	s := func(id, down string, ops ...op.Operation) *migrate.Script {
		r := migrate.Revision{ID: id, Path: "versions/" + id + ".go"}
		if down != "" {
			r.Down = []string{down}
		}
		sc := &migrate.Script{Revision: r}
		sc.Upgrade, sc.Downgrade = migrate.Reversible(ops...)
		return sc
	}
	return []*migrate.Script{
		s("1975ea83b712", "", op.CreateTable{Table: users}),
		s("ae1027a6acf", "1975ea83b712", op.CreateTable{Table: u2u},
			// An index of its own: CreateTable makes the table's indexes.
			op.CreateIndex{Index: core.NewTable(nil, "users_to_users", core.NewColumn("provider_user_id", core.Integer{}),
				core.NewIndex("ix_users_to_users_provider", false, "provider_user_id")).Indexes[0]}),
		s("27c6a30d7c24", "ae1027a6acf", op.BatchAlterTable{Table: "users", CopyFrom: users, Ops: []op.Operation{
			op.AlterColumn{Name: "username", Nullable: op.Bool(false), ExistingNullable: op.Bool(true), ExistingType: core.String{Length: 50}},
			op.AlterColumn{Name: "timezone", ServerDefault: op.Default("'UTC'"), ExistingServerDefault: op.Default(""), ExistingType: core.String{Length: 32}},
		}}),
	}
}

// The --sql scripts of an upgrade to head and a downgrade to base, per
// dialect, against golden files (go test -update rewrites them).
func TestOfflineSQLGolden(t *testing.T) {
	for _, d := range []dialect.Dialect{sqlite.Dialect, postgres.Dialect, mysql.Dialect} {
		m, err := migrate.NewOffline(d, talkScripts()...)
		if err != nil {
			t.Fatal(err)
		}
		up, err := m.UpgradeSQL("base", "head")
		if err != nil {
			t.Fatalf("%s upgrade: %v", d.Name(), err)
		}
		var down string
		if d.Name() != "sqlite" { // the batch's reverse needs the table as the upgrade left it
			if down, err = m.DowngradeSQL("head", "base"); err != nil {
				t.Fatalf("%s downgrade: %v", d.Name(), err)
			}
		}
		got := "-- upgrade base:head\n" + up
		if down != "" {
			got += "-- downgrade head:base\n" + down
		}
		path := filepath.Join("testdata", "offline_"+d.Name()+".sql")
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (go test -update writes it)", err)
		}
		if got != string(want) {
			t.Errorf("%s differs from what %s would run now:\n%s", path, d.Name(), got)
		}
	}
}

func TestOfflineMigratorHasNoDatabase(t *testing.T) {
	m, _ := migrate.NewOffline(postgres.Dialect, talkScripts()...)
	if err := m.Upgrade("head"); err != migrate.ErrOffline {
		t.Errorf("upgrade offline: %v", err)
	}
	if _, err := m.Current(); err != migrate.ErrOffline {
		t.Errorf("current offline: %v", err)
	}
}
