package goscript_test

import (
	"reflect"
	"strings"
	"testing"

	"crucible/goscript"
	"crucible/migrate"
)

// The same source loads once; an edited one loads anew; a broken one is
// not kept, so fixing it takes.
func TestCache(t *testing.T) {
	var c goscript.Cache
	name := "migrations/versions/1975ea83b712_create_users.go"
	first, err := c.Load(name, []byte(script), "Revision", "Upgrade")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.Load(name, []byte(script), "Revision", "Upgrade")
	if reflect.ValueOf(first["Upgrade"]).Pointer() != reflect.ValueOf(again["Upgrade"]).Pointer() {
		t.Error("an unchanged script was interpreted again")
	}
	edited := strings.Replace(script, `"create users"`, `"create the users"`, 1)
	v, err := c.Load(name, []byte(edited), "Revision", "Upgrade")
	if err != nil || v["Revision"].(migrate.Revision).Message != "create the users" {
		t.Errorf("an edited script: %v %v", v["Revision"], err)
	}
	broken := strings.Replace(script, "func Upgrade", "func Upgrade(", 1)
	if _, err := c.Load(name, []byte(broken), "Revision"); err == nil {
		t.Fatal("a broken script loaded")
	}
	if _, err := c.Load(name, []byte(script), "Revision"); err != nil {
		t.Errorf("after a broken version: %v", err)
	}
}

// BenchmarkCacheHit is a command's second look at an unchanged script.
func BenchmarkCacheHit(b *testing.B) {
	var c goscript.Cache
	src := []byte(script)
	for b.Loop() {
		if _, err := c.Load("v.go", src, "Revision", "Upgrade", "Downgrade"); err != nil {
			b.Fatal(err)
		}
	}
}
