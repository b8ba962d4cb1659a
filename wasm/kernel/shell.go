package kernel

// This file runs shell and file cells: a few commands over the
// workspace's files (migrate, ls, cat, with > and >> redirection), and
// files written into the workspace from a cell, so a lesson edits a
// migration script or the migrate config as a reader would in an editor.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ncruces/go-sqlite3/vfs/memdb"

	"crucible/migrate"
)

// runFile writes the cell's source to its path, as a notebook's
// %%writefile: "Writing path", or "Overwriting path" when it existed.
func (w *Workspace) runFile(c Cell, res *Result) {
	name := c.Attrs["path"]
	if name == "" {
		res.Error = &Diagnostic{Kind: "compile", Message: "a file cell needs path=NAME in its fence"}
		return
	}
	verb := "Writing"
	if _, err := w.ReadFile(name); err == nil {
		verb = "Overwriting"
	}
	if err := w.WriteFile(name, []byte(c.Source)); err != nil {
		res.Error = &Diagnostic{Kind: "runtime", Message: err.Error()}
		return
	}
	res.Stdout = verb + " " + name + "\n"
}

// runShell runs the cell's commands one a line, stopping at the first
// that fails, as a script with set -e; "$ " prompts and # comments are
// allowed.
func (w *Workspace) runShell(ctx context.Context, c Cell, res *Result) {
	var stdout bytes.Buffer
	defer func() { res.Stdout = stdout.String() }()
	// now=2017-08-09T22:14:41 pins the clock new scripts are dated by,
	// so a lesson's expected output holds still.
	clock := time.Now
	if v := c.Attrs["now"]; v != "" {
		at, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			res.Error = &Diagnostic{Kind: "compile", Message: fmt.Sprintf("now=%s: want a time as 2017-08-09T22:14:41", v)}
			return
		}
		clock = func() time.Time { return at }
	}
	for i, line := range strings.Split(c.Source, "\n") {
		at := Position{Line: i + 1, Col: 1}
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "$ "))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if ctx.Err() != nil {
			res.Error = &Diagnostic{Kind: "timeout", Message: "stopped: the cell ran past its limit", Pos: at}
			return
		}
		args, err := shellWords(line)
		if err != nil {
			res.Error = &Diagnostic{Kind: "syntax", Message: err.Error(), Pos: at}
			return
		}
		args, target, appendTo, err := redirection(args)
		if err != nil {
			res.Error = &Diagnostic{Kind: "syntax", Message: err.Error(), Pos: at}
			return
		}
		var out io.Writer = &stdout
		var captured bytes.Buffer
		if target != "" {
			out = &captured
		}
		err = w.command(args, out, clock)
		if target != "" {
			data := captured.Bytes()
			if appendTo {
				old, _ := w.ReadFile(target)
				data = append(old, data...)
			}
			if werr := w.WriteFile(target, data); werr != nil && err == nil {
				err = werr
			}
		}
		if err != nil {
			res.Error = &Diagnostic{Kind: "runtime", Message: err.Error(), Pos: at}
			return
		}
	}
}

// command runs one command line.
func (w *Workspace) command(args []string, out io.Writer, clock func() time.Time) error {
	switch args[0] {
	case "migrate":
		before, current := w.databases(), w.current
		err := migrate.Main(migrate.Env{Files: workspaceFiles{w}, Load: w.scripts.Load, Now: clock}, args[1:], out)
		if errors.Is(err, migrate.ErrUsage) {
			// A command line that says nothing sensible (migrate
			// upgrdae head) leaves the workspace as it was: migrate
			// opened, and so created, the database before it read the
			// command's name.
			w.forgetDatabasesSince(before)
			w.current = current
		}
		return err
	case "ls":
		return w.ls(args[1:], out)
	case "cat":
		if len(args) == 1 {
			return errors.New("cat: name a file")
		}
		for _, name := range args[1:] {
			data, err := w.ReadFile(name)
			if err != nil {
				return fmt.Errorf("cat: %w", err)
			}
			if bytes.HasPrefix(data, sqliteHeader) {
				return fmt.Errorf("cat: %s is a SQLite database; query it with a sql cell", name)
			}
			out.Write(data)
		}
		return nil
	case "echo":
		fmt.Fprintln(out, strings.Join(args[1:], " "))
		return nil
	}
	return fmt.Errorf("%s: command not found (the playground's shell has migrate, ls, cat and echo)", args[0])
}

// ls lists a folder's entries, folders with a trailing slash.
func (w *Workspace) ls(args []string, out io.Writer) error {
	if len(args) > 1 {
		return errors.New("ls: one folder at most")
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	if _, err := w.ReadFile(dir); err == nil {
		fmt.Fprintln(out, strings.Trim(path.Clean(dir), "/"))
		return nil
	}
	entries := w.entries(dir)
	if len(entries) == 0 && strings.Trim(path.Clean(dir), "/.") != "" {
		return fmt.Errorf("ls: %s: no such file or folder", dir)
	}
	for _, e := range entries {
		fmt.Fprintln(out, e)
	}
	return nil
}

// entries are what is directly in a folder of the workspace, sorted:
// file names, and folder names with a trailing slash. Folders exist only
// as the paths of the files in them.
func (w *Workspace) entries(dir string) []string {
	prefix := strings.Trim(path.Clean(dir), "/") + "/"
	if prefix == "./" {
		prefix = ""
	}
	var out []string
	for _, f := range w.Files() {
		rest, ok := strings.CutPrefix(f.Path, prefix)
		if !ok {
			continue
		}
		if first, _, nested := strings.Cut(rest, "/"); nested {
			rest = first + "/"
		}
		if !slices.Contains(out, rest) {
			out = append(out, rest)
		}
	}
	return out
}

// redirection takes "> file" or ">> file" off the end of a command.
func redirection(args []string) (rest []string, target string, appendTo bool, err error) {
	for i, a := range args {
		if a != ">" && a != ">>" {
			continue
		}
		if i != len(args)-2 {
			return nil, "", false, fmt.Errorf("%s needs one file name, at the end of the command", a)
		}
		if i == 0 {
			return nil, "", false, fmt.Errorf("%s needs a command before it", a)
		}
		if strings.TrimSpace(args[i+1]) == "" {
			return nil, "", false, fmt.Errorf("%s needs a file name; %q is empty", a, args[i+1])
		}
		return args[:i], args[i+1], a == ">>", nil
	}
	return args, "", false, nil
}

// shellWords splits a command line as a shell does: spaces separate
// words, single quotes keep everything, double quotes keep spaces, and a
// > or >> glued to a word still redirects.
func shellWords(line string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	var quote rune
	flush := func() {
		if inWord {
			words = append(words, word.String())
		}
		word.Reset()
		inWord = false
	}
	runes := []rune(line)
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else if r == '\\' && quote == '"' && i+1 < len(runes) {
				i++
				word.WriteRune(runes[i])
			} else {
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(runes):
			i++
			word.WriteRune(runes[i])
			inWord = true
		case r == '>':
			flush()
			if i+1 < len(runes) && runes[i+1] == '>' {
				i++
				words = append(words, ">>")
			} else {
				words = append(words, ">")
			}
		case unicode.IsSpace(r):
			flush()
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	flush()
	return words, nil
}

// databases are the workspace's database paths.
func (w *Workspace) databases() map[string]bool {
	w.fmu.Lock()
	defer w.fmu.Unlock()
	out := make(map[string]bool, len(w.dbs))
	for p := range w.dbs {
		out[p] = true
	}
	return out
}

// forgetDatabasesSince removes the databases created since before, and
// closes the handles on them.
func (w *Workspace) forgetDatabasesSince(before map[string]bool) {
	for p := range w.databases() {
		if before[p] {
			continue
		}
		w.hmu.Lock()
		var stale []*handle
		for _, h := range w.handles {
			if h.path == p {
				stale = append(stale, h)
			}
		}
		w.hmu.Unlock()
		for _, h := range stale {
			w.closeHandle(h)
		}
		delete(w.pools, p)
		w.fmu.Lock()
		delete(w.dbs, p)
		delete(w.changed, p)
		w.fmu.Unlock()
		memdb.Delete(w.memName(p))
	}
}

// workspaceFiles are the workspace's files as migrate sees them.
type workspaceFiles struct{ w *Workspace }

func (f workspaceFiles) ReadFile(name string) ([]byte, error) { return f.w.ReadFile(name) }

func (f workspaceFiles) WriteFile(name string, data []byte) error { return f.w.WriteFile(name, data) }

func (f workspaceFiles) MkdirAll(string) error { return nil } // folders are implied by paths

func (f workspaceFiles) ReadDir(dir string) ([]string, error) {
	var names []string
	for _, e := range f.w.entries(dir) {
		if !strings.HasSuffix(e, "/") {
			names = append(names, e)
		}
	}
	return names, nil
}
