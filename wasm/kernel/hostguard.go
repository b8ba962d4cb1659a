package kernel

// This file keeps interpreted code, a cell's or a migration script's,
// from reaching past the workspace through the packages it may import.
// The engines it creates belong to the workspace (Run installs it as
// their host): a cell that removed the host, or registered a driver for
// another dialect, could open a SQLite file of the host's own.

import (
	"errors"
	"maps"
	"reflect"

	"github.com/traefik/yaegi/interp"

	"crucible/goscript"
	"crucible/orm/engine"
)

var (
	errSetHost        = errors.New("engine.SetHost: the playground's engines belong to the workspace")
	errRegisterDriver = errors.New("engine.RegisterDriver: the playground's engines open SQLite databases of the workspace only")
)

var _ goscript.ExportsGuard = (*cellGuard)(nil)

// GuardExports replaces, in exports, engine.SetHost and
// engine.RegisterDriver with functions that panic.
func (g *cellGuard) GuardExports(exports interp.Exports) {
	const key = "crucible/orm/engine/engine"
	syms, ok := exports[key]
	if !ok {
		return
	}
	syms = maps.Clone(syms)
	syms["SetHost"] = reflect.ValueOf(func(engine.Host) { panic(errSetHost) })
	syms["RegisterDriver"] = reflect.ValueOf(func(string, string, func(*engine.URL) string) { panic(errRegisterDriver) })
	exports[key] = syms
}
