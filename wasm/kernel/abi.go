package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Request is one call across the module boundary.
type Request struct {
	// Op is "run", "reset", "warmup", "files", "read", "write",
	// "remove", "export", "import", "schema", "graph" (Path names
	// the migrate configuration, migrate.ini when empty), "declares"
	// (the names Cells declare), "rewind" (to the state after Cell's
	// kept run) or "snapshots" (the kept states).
	Op    string `json:"op"`
	Cell  *Cell  `json:"cell,omitempty"`
	Cells []Cell `json:"cells,omitempty"`
	// TimeoutMS is a run's limit, in place of the workspace's own: the
	// limit the page states; it terminates the whole module a little
	// past it.
	TimeoutMS int    `json:"timeoutMs,omitempty"`
	Path      string `json:"path,omitempty"`
	Data      []byte `json:"data,omitempty"`
	// Files are a whole workspace, for import, and Current the database
	// its sql cells use by default.
	Files   map[string][]byte `json:"files,omitempty"`
	Current string            `json:"current,omitempty"`
}

// Reply answers a Request. Error is set when the request itself failed
// (an unknown op, a missing file); a cell that fails still replies with a
// Result whose Error says why.
type Reply struct {
	Error  string            `json:"error,omitempty"`
	Result *Result           `json:"result,omitempty"`
	Files  []FileInfo        `json:"files,omitempty"`
	Data   []byte            `json:"data,omitempty"`
	All    map[string][]byte `json:"all,omitempty"`
	// Current is the default database of sql cells, with All.
	Current string          `json:"current,omitempty"`
	Schema  *Schema         `json:"schema,omitempty"`
	Graph   *MigrationGraph `json:"graph,omitempty"`
	// Declares are the top-level names each cell declares, by id.
	Declares map[string][]string `json:"declares,omitempty"`
	// Rewound says where a rewind left the workspace, and Snapshots
	// and Budget (bytes) what states are kept.
	Rewound   *Rewound   `json:"rewound,omitempty"`
	Snapshots []Snapshot `json:"snapshots,omitempty"`
	Budget    int        `json:"budget,omitempty"`
}

// Handle decodes a JSON request, carries it out and encodes the reply.
func (w *Workspace) Handle(req []byte) []byte {
	var r Request
	var rep Reply
	if err := json.Unmarshal(req, &r); err != nil {
		rep.Error = "bad request: " + err.Error()
	} else {
		rep = w.Do(context.Background(), r)
	}
	out, err := json.Marshal(rep)
	if err != nil {
		out, _ = json.Marshal(Reply{Error: "encoding the reply: " + err.Error()})
	}
	return out
}

// Do carries out a request. A fault of the kernel's is the request's
// error, never the module's death.
func (w *Workspace) Do(ctx context.Context, r Request) (rep Reply) {
	defer func() {
		if p := recover(); p != nil {
			rep = Reply{Error: fmt.Sprintf("kernel: %s failed: %v", r.Op, p)}
		}
	}()
	fail := func(err error) Reply { return Reply{Error: err.Error()} }
	switch r.Op {
	case "run":
		if r.Cell == nil {
			return Reply{Error: "run: no cell"}
		}
		if r.TimeoutMS > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, time.Duration(r.TimeoutMS)*time.Millisecond)
			defer cancel()
		}
		res := w.Run(ctx, *r.Cell)
		w.record(*r.Cell, res)
		return Reply{Result: res}
	case "declares":
		return Reply{Declares: Declares(r.Cells)}
	case "rewind":
		if r.Cell == nil {
			return Reply{Error: "rewind: no cell"}
		}
		rw, err := w.Rewind(ctx, r.Cell.ID)
		if err != nil {
			return fail(err)
		}
		return Reply{Rewound: rw, Snapshots: w.Snapshots(), Budget: w.opts.SnapshotBudget}
	case "snapshots":
		return Reply{Snapshots: w.Snapshots(), Budget: w.opts.SnapshotBudget}
	case "reset":
		w.Reset()
		return Reply{}
	case "warmup":
		w.Warmup(ctx)
		return Reply{}
	case "files":
		return Reply{Files: w.Files()}
	case "read":
		data, err := w.ReadFile(r.Path)
		if err != nil {
			return fail(err)
		}
		return Reply{Data: data}
	case "write":
		if err := w.WriteFile(r.Path, r.Data); err != nil {
			return fail(err)
		}
		return Reply{Files: w.Files()}
	case "remove":
		if err := w.RemoveFile(r.Path); err != nil {
			return fail(err)
		}
		return Reply{Files: w.Files()}
	case "export":
		all, err := w.Export()
		if err != nil {
			return fail(err)
		}
		return Reply{All: all, Current: w.current}
	case "import":
		if err := w.Import(r.Files); err != nil {
			return fail(err)
		}
		if w.isDatabase(r.Current) {
			w.current = r.Current
		}
		return Reply{Files: w.Files()}
	case "graph":
		w.mu.Lock()
		defer w.mu.Unlock()
		g, err := w.Graph(r.Path)
		if err != nil {
			return fail(err)
		}
		return Reply{Graph: g}
	case "schema":
		w.mu.Lock()
		defer w.mu.Unlock()
		s, err := w.Schema(r.Path)
		if err != nil {
			return fail(err)
		}
		return Reply{Schema: s}
	}
	return Reply{Error: fmt.Sprintf("unknown op %q", r.Op)}
}

// Export returns every file of the workspace, databases as SQLite files:
// the snapshot a page keeps to restore a workspace in a new module.
func (w *Workspace) Export() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, f := range w.Files() {
		data, err := w.ReadFile(f.Path)
		if err != nil {
			return nil, err
		}
		out[f.Path] = data
	}
	return out, nil
}

// Import replaces the workspace's files with a snapshot. Go declarations
// are not part of a snapshot and start empty.
func (w *Workspace) Import(files map[string][]byte) error {
	w.Reset()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		if err := w.WriteFile(p, files[p]); err != nil {
			return err
		}
	}
	return nil
}

// Schema describes a database's tables, for the page's diagram.
type Schema struct {
	Database string        `json:"database"`
	Tables   []SchemaTable `json:"tables"`
}

// SchemaTable is one table with its columns and foreign keys.
type SchemaTable struct {
	Name        string         `json:"name"`
	Columns     []SchemaColumn `json:"columns"`
	ForeignKeys []SchemaFK     `json:"foreignKeys,omitempty"`
}

// SchemaColumn is one column as SQLite declares it.
type SchemaColumn struct {
	Name       string `json:"name"`
	Type       string `json:"type"`
	NotNull    bool   `json:"notNull,omitempty"`
	PrimaryKey bool   `json:"primaryKey,omitempty"`
}

// SchemaFK is a foreign key from columns of one table to another's.
type SchemaFK struct {
	Columns    []string `json:"columns"`
	RefTable   string   `json:"refTable"`
	RefColumns []string `json:"refColumns"`
}

// Schema reads a workspace database's tables (the current one when name
// is empty) without logging the queries in a cell's SQL log. It does not
// wait for a database a cell left locked: it fails at once, saying who
// holds the lock.
func (w *Workspace) Schema(name string) (*Schema, error) {
	if name == "" {
		name = w.current
	}
	if name == "" {
		return &Schema{}, nil
	}
	p, err := cleanPath(name)
	if err != nil {
		return nil, err
	}
	if !w.isDatabase(p) {
		return nil, fmt.Errorf("%s: no such database in the workspace", p)
	}
	h, err := w.pool(p)
	if err != nil {
		return nil, err
	}
	db := h.db
	defer w.beginWork(time.Now().Add(w.opts.CellTimeout), time.Time{})()
	defer w.log.take(w.opts.MaxSQLLog)
	s := &Schema{Database: p}
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		t := SchemaTable{Name: n}
		cols, err := db.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, n)
		if err != nil {
			return nil, err
		}
		for cols.Next() {
			var c SchemaColumn
			var pk int
			if err := cols.Scan(&c.Name, &c.Type, &c.NotNull, &pk); err != nil {
				cols.Close()
				return nil, err
			}
			c.PrimaryKey = pk > 0
			t.Columns = append(t.Columns, c)
		}
		cols.Close()
		fks, err := db.Query(`SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, n)
		if err != nil {
			return nil, err
		}
		byID := map[int]int{}
		for fks.Next() {
			var id int
			var ref, from string
			var to *string
			if err := fks.Scan(&id, &ref, &from, &to); err != nil {
				fks.Close()
				return nil, err
			}
			i, ok := byID[id]
			if !ok {
				i = len(t.ForeignKeys)
				byID[id] = i
				t.ForeignKeys = append(t.ForeignKeys, SchemaFK{RefTable: ref})
			}
			fk := &t.ForeignKeys[i]
			fk.Columns = append(fk.Columns, from)
			if to != nil {
				fk.RefColumns = append(fk.RefColumns, *to)
			}
		}
		fks.Close()
		s.Tables = append(s.Tables, t)
	}
	return s, nil
}
