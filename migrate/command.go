package migrate

// This file is the command line's verbs on a migrator, with Alembic's
// words and output, for cmd/migrate and the playground's migrate shell
// command to share.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// ErrUsage is a command line that does not say what to do.
var ErrUsage = errors.New("usage")

// verbs are the commands Command runs, each with whether it reads or
// writes the version table (and so needs the database).
var verbs = map[string]bool{
	"current": true, "upgrade": true, "downgrade": true, "stamp": true,
	"heads": false, "branches": false, "history": false, "show": false,
}

const usage = `usage: migrate COMMAND [ARGS]
  current [-v]              the revisions the database is at
  heads                     the newest revisions
  branches                  the branch points and where they lead
  history [-v] [-r FROM:TO] the revisions, newest first
  show REV                  one revision
  upgrade [--sql] TARGET    run upgrades to TARGET (head, heads, REV, +N, LABEL@head)
  downgrade [--sql] TARGET  run downgrades to TARGET (base, REV, -N)
  stamp TARGET              record TARGET without running anything
With --sql, TARGET may be FROM:TO, and the SQL is printed, not run.`

// parseArgs parses flags wherever they stand among the arguments, as
// Alembic's argparse does (upgrade 1 --sql), and returns the others. A
// relative target such as -1 is an argument, not a flag.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, rest []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], "0123456789") == "" {
			rest = append(rest, a)
		} else {
			flags = append(flags, a)
		}
	}
	for {
		if err := fs.Parse(flags); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		flags = fs.Args()[1:]
	}
}

// Command runs one command line, writing what it prints to out.
func (m *Migrator) Command(args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: %s", ErrUsage, strings.TrimPrefix(usage, "usage: "))
	}
	fs := flag.NewFlagSet("migrate "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	verbose := fs.Bool("v", false, "verbose")
	rng := fs.String("r", "", "history range FROM:TO")
	sql := fs.Bool("sql", false, "print the SQL instead of running it")
	rest, err := parseArgs(fs, args[1:])
	if err != nil {
		return fmt.Errorf("%w: migrate %s: %v", ErrUsage, args[0], err)
	}
	target := func() (string, error) {
		if len(rest) != 1 {
			return "", fmt.Errorf("%w: migrate %s takes one target", ErrUsage, args[0])
		}
		return rest[0], nil
	}
	g := m.graph
	switch args[0] {
	case "current":
		heads, err := m.Current()
		if err != nil {
			return err
		}
		for _, h := range heads {
			if *verbose {
				s, _ := g.Show(h)
				fmt.Fprint(out, s)
				continue
			}
			fmt.Fprintln(out, h+g.Marks(h))
		}
	case "heads":
		for _, h := range g.Heads() {
			fmt.Fprintln(out, h+" (head)")
		}
	case "branches":
		for _, line := range g.Branches() {
			fmt.Fprintln(out, line)
		}
	case "history":
		history := g.HistoryRange
		if *verbose {
			history = g.HistoryVerbose
		}
		lines, err := history(*rng)
		if err != nil {
			return err
		}
		for i, line := range lines {
			if *verbose && i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprint(out, strings.TrimSuffix(line, "\n")+"\n")
		}
	case "show":
		ref, err := target()
		if err != nil {
			return err
		}
		s, err := g.Show(ref)
		if err != nil {
			return err
		}
		fmt.Fprint(out, s)
	case "upgrade", "downgrade":
		t, err := target()
		if err != nil {
			return err
		}
		up := args[0] == "upgrade"
		if *sql {
			from, to, ranged := strings.Cut(t, ":")
			if !ranged {
				from, to = "", t
				if !up {
					return fmt.Errorf("%w: downgrade --sql needs FROM:TO, there being no database to start from", ErrUsage)
				}
			}
			var script string
			if up {
				script, err = m.UpgradeSQL(from, to)
			} else {
				script, err = m.DowngradeSQL(from, to)
			}
			if err != nil {
				return err
			}
			fmt.Fprint(out, script)
			return nil
		}
		log := m.Log
		m.Log = func(line string) { fmt.Fprintln(out, "INFO  [migrate] "+line) }
		defer func() { m.Log = log }()
		if up {
			return m.Upgrade(t)
		}
		return m.Downgrade(t)
	case "stamp":
		t, err := target()
		if err != nil {
			return err
		}
		return m.Stamp(t)
	default:
		return fmt.Errorf("%w: migrate has no command %q\n%s", ErrUsage, args[0], usage)
	}
	return nil
}
