package migrate

// This file is the whole command line, Alembic's alembic command: the
// project's verbs (init, revision, merge, check) here, the database's
// (upgrade, current, history, ...) through Migrator.Command. cmd/migrate
// and the playground's migrate shell command both call Main.

import (
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"crucible/migrate/autogen"
	"crucible/migrate/op"
	"crucible/orm/core"
	"crucible/orm/engine"
)

// Env is what the command line works with.
type Env struct {
	Files Files
	// Load interprets the scripts; nil where a program registers its
	// revisions compiled, in Scripts.
	Load Loader
	// Scripts are compiled revisions, besides the loaded ones.
	Scripts []*Script
	// Target is the models' metadata for autogenerate and check; when
	// nil, env.go's Target.
	Target *core.MetaData
	// Open makes the engine for the configuration's URL; nil means
	// engine.CreateEngine.
	Open func(url string) (*engine.Engine, error)
	// Now and NewID make create dates and revision ids; nil means the
	// clock and twelve random hex digits, as Alembic's.
	Now   func() time.Time
	NewID func() string
}

const mainUsage = `usage: migrate [-c CONFIG] COMMAND [ARGS]
  init DIR                      write migrate.ini, DIR/env.go, DIR/script.go.tmpl and DIR/versions/
  revision -m MSG [--autogenerate] [--rev-id ID] [--head REV] [--splice]
           [--branch-label L] [--depends-on REV]   write a new revision script
  merge [-m MSG] [--rev-id ID] REV...   write a revision joining REVs (e.g. heads)
  check                         fail when autogenerate would find changes
`

// Main runs one command line: args are what follows "migrate".
func Main(env Env, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configFile := fs.String("c", ConfigFile, "the configuration file")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v\n%s%s", ErrUsage, err, mainUsage, usage)
	}
	args = fs.Args()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" {
		// ErrUsage reads "usage" already.
		return fmt.Errorf("%w: %s%s", ErrUsage, strings.TrimPrefix(mainUsage, "usage: "), strings.TrimPrefix(usage, "usage: migrate COMMAND [ARGS]\n"))
	}
	if args[0] == "init" {
		return initProject(env, *configFile, args[1:], out)
	}
	c, err := newCLI(env, *configFile, out)
	if err != nil {
		return err
	}
	switch args[0] {
	case "revision":
		return c.revision(args[1:])
	case "merge":
		return c.merge(args[1:])
	case "check":
		return c.check()
	}
	if _, ok := verbs[args[0]]; !ok {
		// Before the migrator opens the database: a mistyped command
		// must not create it.
		return fmt.Errorf("%w: migrate has no command %q\n%s", ErrUsage, args[0], usage)
	}
	m, err := c.migrator(slices.Contains(args, "--sql") || slices.Contains(args, "-sql") || !needsDatabase(args[0]))
	if err != nil {
		return err
	}
	defer m.Close()
	return m.Command(args, out)
}

// needsDatabase tells the verbs that read or write the version table.
func needsDatabase(verb string) bool { return verbs[verb] }

func newID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func initProject(env Env, configFile string, args []string, out io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("%w: migrate init DIR", ErrUsage)
	}
	dir := path.Clean(args[0])
	if _, err := env.Files.ReadFile(configFile); err == nil {
		return fmt.Errorf("migrate: %s exists already; init does not overwrite it", configFile)
	}
	if names, _ := env.Files.ReadDir(dir); len(names) > 0 {
		return fmt.Errorf("migrate: %s exists and is not empty", dir)
	}
	for _, d := range []string{dir, path.Join(dir, "versions")} {
		fmt.Fprintf(out, "  Creating directory %s ...  done\n", d)
		if err := env.Files.MkdirAll(d); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, data string }{
		{configFile, fmt.Sprintf(configTemplate, dir)},
		{path.Join(dir, "env.go"), envTemplate},
		{path.Join(dir, "README"), "Migration scripts, in Go. migrate revision -m MESSAGE starts one.\n"},
		{path.Join(dir, "script.go.tmpl"), autogen.ScriptTemplate},
	} {
		fmt.Fprintf(out, "  Generating %s ...  done\n", f.name)
		if err := env.Files.WriteFile(f.name, []byte(f.data)); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "  Please edit configuration/connection settings in %s before proceeding.\n", configFile)
	return nil
}

// envTemplate is the env.go init writes, Alembic's env.py: what
// autogenerate compares the database with.
const envTemplate = `// The migrations' environment: the models revision --autogenerate and
// check compare the database with.
package env

import "crucible/orm/core"

// Target returns the models' metadata, as env.py's target_metadata;
// nil until there are models.
func Target() *core.MetaData {
	return nil
}
`

// Load reads a project's configuration and scripts, as the commands do,
// and makes its migrator: online on the configuration's database (Close
// releases it), or offline for its dialect.
func Load(env Env, configFile string, online bool) (*Migrator, error) {
	c, err := newCLI(env, configFile, io.Discard)
	if err != nil {
		return nil, err
	}
	return c.migrator(!online)
}

func newCLI(env Env, configFile string, out io.Writer) (*cli, error) {
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.NewID == nil {
		env.NewID = newID
	}
	if env.Open == nil {
		env.Open = func(url string) (*engine.Engine, error) { return engine.CreateEngine(url) }
	}
	data, err := env.Files.ReadFile(configFile)
	if err != nil {
		return nil, fmt.Errorf("migrate: no configuration %s (migrate init DIR writes one): %w", configFile, err)
	}
	cfg, err := ParseConfig(configFile, data)
	if err != nil {
		return nil, err
	}
	return &cli{env: env, dir: &ScriptDir{Config: cfg, Files: env.Files, Load: env.Load}, out: out}, nil
}

type cli struct {
	env Env
	dir *ScriptDir
	out io.Writer
}

// migrator loads the scripts and opens the database, or only names its
// dialect when offline.
func (c *cli) migrator(offline bool) (*Migrator, error) {
	scripts, err := c.dir.Scripts()
	if err != nil {
		return nil, err
	}
	scripts = append(scripts, c.env.Scripts...)
	cfg := c.dir.Config
	if cfg.URL == "" {
		return nil, fmt.Errorf("%s: [migrate] has no url", cfg.Path)
	}
	var m *Migrator
	if offline {
		u, err := engine.ParseURL(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Path, err)
		}
		m, err = NewOffline(u.SQLDialect(), scripts...)
		if err != nil {
			return nil, err
		}
	} else {
		eng, err := c.env.Open(cfg.URL)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", cfg.Path, err)
		}
		if m, err = New(eng, scripts...); err != nil {
			eng.Close()
			return nil, err
		}
		m.owned = true
	}
	m.VersionTable = cfg.VersionTable
	return m, nil
}

func (c *cli) revision(args []string) error {
	fs := flag.NewFlagSet("migrate revision", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	message := fs.String("m", "", "the message")
	auto := fs.Bool("autogenerate", false, "compare the models with the database")
	revID := fs.String("rev-id", "", "the new revision's id")
	head := fs.String("head", "head", "the revision the new one revises (base for a new base)")
	splice := fs.Bool("splice", false, "allow --head to name a revision that is not a head")
	label := fs.String("branch-label", "", "a branch label for the new revision")
	depends := fs.String("depends-on", "", "revisions the new one depends on, comma separated")
	if rest, err := parseArgs(fs, args); err != nil || len(rest) > 0 {
		return fmt.Errorf("%w: migrate revision -m MESSAGE [--autogenerate] [--rev-id ID] [--head REV] [--splice] [--branch-label L] [--depends-on REV]", ErrUsage)
	}
	m, err := c.migrator(!*auto)
	if err != nil {
		return err
	}
	defer m.Close()
	g := m.Graph()
	var down []string
	switch *head {
	case "base":
	case "head":
		heads := g.Heads()
		if len(heads) > 1 {
			return fmt.Errorf("migrate: multiple heads are present (%s); give --head REV to say which the revision follows, or merge them first: migrate merge heads", strings.Join(heads, ", "))
		}
		down = heads
	default:
		ids, err := g.Resolve(*head)
		if err != nil {
			return err
		}
		if len(ids) != 1 {
			return fmt.Errorf("migrate: --head %s names %s; name one revision", *head, orBase(ids))
		}
		id := ids[0]
		if !*splice && !slices.Contains(g.Heads(), id) {
			return fmt.Errorf("migrate: revision %s is not a head; give --splice to branch from it", id)
		}
		down = []string{id}
	}
	info := autogen.RevisionInfo{Message: *message, Down: down, Autogenerated: *auto}
	if *label != "" {
		if g.byLabel(*label) != "" {
			return fmt.Errorf("migrate: branch label %q is used already, by %s", *label, g.byLabel(*label))
		}
		info.BranchLabels = []string{*label}
	}
	for _, ref := range strings.Split(*depends, ",") {
		if ref = strings.TrimSpace(ref); ref != "" {
			id, err := g.one(ref)
			if err != nil {
				return err
			}
			info.DependsOn = append(info.DependsOn, id)
		}
	}
	var res *autogen.Result
	if *auto {
		if res, err = c.compare(m); err != nil {
			return err
		}
		for _, line := range res.Detected() {
			fmt.Fprintf(c.out, "INFO  [migrate.autogenerate] Detected %s\n", line)
		}
		for _, n := range res.Notes {
			fmt.Fprintf(c.out, "INFO  [migrate.autogenerate] %s\n", n)
		}
	}
	return c.write(g, info, *revID, res)
}

// compare runs autogenerate against the database, which must be at its
// heads, as Alembic insists, or the script would redo what is pending.
func (c *cli) compare(m *Migrator) (*autogen.Result, error) {
	md := c.env.Target
	if md == nil {
		var err error
		if md, err = c.dir.Target(); err != nil {
			return nil, err
		}
	}
	if md == nil {
		return nil, fmt.Errorf("migrate: autogenerate needs the models: make Target in %s return their metadata", path.Join(c.dir.Config.ScriptLocation, "env.go"))
	}
	current, err := m.Current()
	if err != nil {
		return nil, err
	}
	heads := m.Graph().Heads()
	if !sameSet(current, heads) {
		return nil, fmt.Errorf("migrate: the database is not up to date (at %s, the heads are %s): upgrade first", orBase(current), orBase(heads))
	}
	return autogen.Compare(md, m.eng.Inspector(), m.dialect, autogen.Options{VersionTable: m.VersionTable, Renames: true})
}

func orBase(ids []string) string {
	if len(ids) == 0 {
		return "<base>"
	}
	return strings.Join(ids, ", ")
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// write renders and writes a new script, refusing an id in use.
func (c *cli) write(g *Graph, info autogen.RevisionInfo, id string, res *autogen.Result) error {
	if id == "" {
		id = c.env.NewID()
	}
	if g.Get(id) != nil {
		return fmt.Errorf("migrate: revision %s exists already, in %s", id, where(g.Get(id)))
	}
	info.ID = id
	now := c.env.Now()
	info.CreateDate = now.Format("2006-01-02 15:04:05.000000")
	var ops []op.Operation
	if res != nil {
		ops = res.Ops
	}
	src, err := autogen.RenderTemplate(c.dir.Template(), info, ops)
	if err != nil {
		return err
	}
	file := c.dir.FileName(id, info.Message, now)
	fmt.Fprintf(c.out, "  Generating %s ...  done\n", file)
	return c.env.Files.WriteFile(file, src)
}

func (c *cli) merge(args []string) error {
	fs := flag.NewFlagSet("migrate merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	message := fs.String("m", "", "the message")
	revID := fs.String("rev-id", "", "the new revision's id")
	label := fs.String("branch-label", "", "a branch label for the merge")
	refs, err := parseArgs(fs, args)
	if err != nil || len(refs) == 0 {
		return fmt.Errorf("%w: migrate merge [-m MESSAGE] [--rev-id ID] [--branch-label L] REV... (heads for all of them)", ErrUsage)
	}
	m, err := c.migrator(true)
	if err != nil {
		return err
	}
	g := m.Graph()
	var down []string
	for _, ref := range refs {
		ids, err := g.Resolve(ref)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if !slices.Contains(down, id) {
				down = append(down, id)
			}
		}
	}
	if len(down) < 2 {
		return fmt.Errorf("migrate: merge needs two or more revisions to join, and %s names %s", strings.Join(refs, " "), orBase(down))
	}
	info := autogen.RevisionInfo{Message: *message, Down: down}
	if *label != "" {
		info.BranchLabels = []string{*label}
	}
	return c.write(g, info, *revID, nil)
}

// check is Alembic's check: an error wrapping autogen.ErrChanges when
// the models and the database differ.
func (c *cli) check() error {
	m, err := c.migrator(false)
	if err != nil {
		return err
	}
	defer m.Close()
	res, err := c.compare(m)
	if err != nil {
		return err
	}
	if !res.Empty() {
		return fmt.Errorf("migrate: %w: %s", autogen.ErrChanges, strings.Join(res.Detected(), "; "))
	}
	fmt.Fprintln(c.out, "No new upgrade operations detected.")
	return nil
}
