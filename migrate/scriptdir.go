package migrate

// This file is the script directory, Alembic's ScriptDirectory: the
// revision scripts in versions/, loaded as Go source through a Loader,
// the env.go naming the models, and the template new scripts start from.

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"strings"
	"time"

	"crucible/migrate/autogen"
	"crucible/orm/core"
)

// Loader interprets one Go file and returns the values of the named
// top-level declarations it has; goscript.Load is one. Its errors name
// the file, line and column.
type Loader func(file string, src []byte, names ...string) (map[string]any, error)

// ScriptDir is a project's scripts, as its configuration places them.
type ScriptDir struct {
	Config *Config
	Files  Files
	Load   Loader
}

// Versions is the folder of the revision scripts.
func (d *ScriptDir) Versions() string { return path.Join(d.Config.ScriptLocation, "versions") }

// Scripts loads every versions/*.go file. A file that does not load, or
// lacks its Revision, Upgrade or Downgrade, or declares them with other
// types, is an error naming it.
func (d *ScriptDir) Scripts() ([]*Script, error) {
	names, err := d.Files.ReadDir(d.Versions())
	if err != nil {
		return nil, err
	}
	var scripts []*Script
	for _, name := range names {
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		s, err := d.load(path.Join(d.Versions(), name))
		if err != nil {
			return nil, err
		}
		scripts = append(scripts, s)
	}
	return scripts, nil
}

func (d *ScriptDir) load(file string) (*Script, error) {
	if d.Load == nil {
		return nil, fmt.Errorf("%s: this program has no interpreter to load scripts with (register compiled scripts instead)", file)
	}
	src, err := d.Files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := d.Load(file, src, "Revision", "Upgrade", "Downgrade")
	if err != nil {
		return nil, err
	}
	s := &Script{}
	for _, want := range []struct {
		name string
		into any
		decl string
	}{
		{"Revision", &s.Revision, "var Revision = migrate.Revision{...}"},
		{"Upgrade", &s.Upgrade, "func Upgrade(c *migrate.Context) error"},
		{"Downgrade", &s.Downgrade, "func Downgrade(c *migrate.Context) error"},
	} {
		got, ok := v[want.name]
		if !ok {
			return nil, fmt.Errorf("%s: declares no %s (want %s)", file, want.name, want.decl)
		}
		dst := reflect.ValueOf(want.into).Elem()
		if reflect.TypeOf(got) != dst.Type() {
			return nil, fmt.Errorf("%s: %s is a %T, want %s", file, want.name, got, want.decl)
		}
		dst.Set(reflect.ValueOf(got))
	}
	if s.ID == "" {
		return nil, fmt.Errorf("%s: Revision has no ID", file)
	}
	if s.Path == "" {
		s.Path = file
	}
	return s, nil
}

// Target is the models' metadata env.go's Target function returns, for
// autogenerate; nil when env.go has none.
func (d *ScriptDir) Target() (*core.MetaData, error) {
	file := path.Join(d.Config.ScriptLocation, "env.go")
	src, err := d.Files.ReadFile(file)
	if err != nil || d.Load == nil {
		return nil, nil
	}
	v, err := d.Load(file, src, "Target")
	if err != nil {
		return nil, err
	}
	switch t := v["Target"].(type) {
	case nil:
		return nil, nil
	case func() *core.MetaData:
		return t(), nil
	default:
		return nil, fmt.Errorf("%s: Target is a %T, want func Target() *core.MetaData", file, t)
	}
}

// Template is the project's script.go.tmpl, or the default one.
func (d *ScriptDir) Template() string {
	src, err := d.Files.ReadFile(path.Join(d.Config.ScriptLocation, "script.go.tmpl"))
	if err != nil {
		return autogen.ScriptTemplate
	}
	return string(src)
}

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}_]+`)

// Slug is a message made a file name's part, as Alembic makes it:
// words joined by underscores, lower case, cut at a word's end.
func Slug(message string, max int) string {
	words := strings.Fields(nonWord.ReplaceAllString(strings.ToLower(message), " "))
	slug := strings.Join(words, "_")
	if len(slug) > max {
		cut := strings.LastIndex(slug[:max+1], "_")
		if cut <= 0 {
			cut = max
		}
		slug = strings.TrimRight(slug[:cut], "_")
	}
	return slug
}

// FileName is a new script's path, from the configuration's template.
func (d *ScriptDir) FileName(id, message string, at time.Time) string {
	r := strings.NewReplacer(
		"%(rev)s", id,
		"%(slug)s", Slug(message, d.Config.TruncateSlugLength),
		"%(year)d", fmt.Sprint(at.Year()),
		"%(month).2d", fmt.Sprintf("%02d", at.Month()),
		"%(day).2d", fmt.Sprintf("%02d", at.Day()),
		"%(hour).2d", fmt.Sprintf("%02d", at.Hour()),
		"%(minute).2d", fmt.Sprintf("%02d", at.Minute()),
		"%(second).2d", fmt.Sprintf("%02d", at.Second()),
	)
	name := strings.Trim(r.Replace(d.Config.FileTemplate), "_")
	return path.Join(d.Versions(), name+".go")
}
