package dialect_test

import (
	"fmt"
	"strings"
	"testing"

	"crucible/orm/core"
	"crucible/orm/dialect"
	"crucible/orm/dialect/postgres"
	"crucible/orm/dialect/sqlite"
)

// unloadFromSelect is the slides' Redshift UNLOAD around a select.
type unloadFromSelect struct {
	Select                       *core.SelectStmt
	Bucket, AccessKey, SecretKey string
}

func TestCustomConstruct(t *testing.T) {
	dialect.Register("unload_from_select", "", func(c *dialect.Compiler, v any) (string, error) {
		u, ok := v.(unloadFromSelect)
		if !ok {
			return "", fmt.Errorf("want an unloadFromSelect, got %T", v)
		}
		return fmt.Sprintf("unload ('%s') to '%s' credentials 'aws_access_key_id=%s;aws_secret_access_key=%s' delimiter ',' addquotes allowoverwrite",
			strings.ReplaceAll(c.Literally(u.Select), "'", "\\'"), u.Bucket, u.AccessKey, u.SecretKey), nil
	})
	md := core.NewMetaData()
	venue := core.NewTable(md, "venue", core.NewColumn("venueid", core.Integer{}), core.NewColumn("venuename", core.String{}))
	inner := core.Select(venue.C("venueid")).OrderBy(venue.C("venueid").Desc()).Limit(10)
	q := core.Select(&core.Star{}).From(venue).Where(venue.C("venueid").In(inner))
	unload := core.Custom("unload_from_select", unloadFromSelect{q, "s3://mybucket/venue_pipe_", "ACCESS_KEY", "SECRET_KEY"})
	got, err := dialect.Compile(postgres.Dialect, unload)
	if err != nil {
		t.Fatal(err)
	}
	want := "unload ('SELECT * \nFROM venue \nWHERE venue.venueid IN (SELECT venue.venueid \nFROM venue ORDER BY venue.venueid DESC\n LIMIT 10)') to 's3://mybucket/venue_pipe_' credentials 'aws_access_key_id=ACCESS_KEY;aws_secret_access_key=SECRET_KEY' delimiter ',' addquotes allowoverwrite"
	if got.SQL != want || len(got.Params) != 0 {
		t.Errorf("got %q %v\nwant %q", got.SQL, got.Params, want)
	}

	// A dialect's own function wins; an unknown kind is a clear error.
	dialect.Register("unload_from_select", "sqlite", func(*dialect.Compiler, any) (string, error) { return "-- sqlite has no UNLOAD", nil })
	if got, _ := dialect.Compile(sqlite.Dialect, unload); got.SQL != "-- sqlite has no UNLOAD" {
		t.Errorf("sqlite: %q", got.SQL)
	}
	if _, err := dialect.Compile(sqlite.Dialect, core.Custom("nope", nil)); err == nil || !strings.Contains(err.Error(), `no compile function is registered for "nope"`) {
		t.Errorf("unknown kind: %v", err)
	}
	// Custom expressions compile inside ordinary statements.
	dialect.Register("greatest", "", func(c *dialect.Compiler, v any) (string, error) {
		args := v.([]core.Expr)
		return "max(" + c.Expr(args[0]) + ", " + c.Expr(args[1]) + ")", nil
	})
	// Its columns are opaque to FROM inference: name the table.
	s := core.Select(core.Custom("greatest", []core.Expr{venue.C("venueid"), core.Literal(5)}).Label("g")).From(venue)
	if got, err := dialect.Compile(sqlite.Dialect, s); err != nil || got.SQL != "SELECT max(venue.venueid, ?) AS g \nFROM venue" {
		t.Errorf("custom expression: %v %+v", err, got)
	}
}
