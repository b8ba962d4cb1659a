package kernel

import (
	"context"
	"slices"
	"strings"
	"time"

	"crucible/migrate"
	"crucible/orm/engine"
)

// MigrationGraph describes a migrate project's revisions for the page's
// picture: each revision with its parents and marks, oldest first, and
// the revisions the database is at.
type MigrationGraph struct {
	Revisions []GraphRevision `json:"revisions"`
	Current   []string        `json:"current"`
}

// GraphRevision is one revision in the picture.
type GraphRevision struct {
	ID          string   `json:"id"`
	Down        []string `json:"down,omitempty"`
	DependsOn   []string `json:"dependsOn,omitempty"`
	Labels      []string `json:"labels,omitempty"`
	Message     string   `json:"message"`
	Path        string   `json:"path"`
	Head        bool     `json:"head,omitempty"`
	BranchPoint bool     `json:"branchPoint,omitempty"`
	MergePoint  bool     `json:"mergePoint,omitempty"`
}

// Graph describes the project whose configuration is configFile
// (migrate.ini when empty). The database is asked for its current
// revisions only when it exists, so looking never creates it, and
// without waiting for a lock a cell holds: the request fails at once,
// saying who holds it.
func (w *Workspace) Graph(configFile string) (*MigrationGraph, error) {
	if configFile == "" {
		configFile = migrate.ConfigFile
	}
	data, err := w.ReadFile(configFile)
	if err != nil {
		return nil, err
	}
	cfg, err := migrate.ParseConfig(configFile, data)
	if err != nil {
		return nil, err
	}
	file, isSQLite := strings.CutPrefix(cfg.URL, "sqlite:///")
	online := isSQLite && w.isDatabase(file)
	defer w.beginWork(time.Now().Add(w.opts.CellTimeout), time.Time{})()
	// The scripts load under the limits a cell's code runs under, the
	// workspace's time limit among them, as if a cell ran.
	ctx, cancel := context.WithTimeout(context.Background(), w.opts.CellTimeout)
	defer cancel()
	defer w.enterCell(ctx)()
	if online {
		engine.SetHost(w)
		defer engine.SetHost(nil)
	}
	m, err := migrate.Load(migrate.Env{Files: workspaceFiles{w}, Load: w.scripts.Load}, configFile, online)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	g := m.Graph()
	out := &MigrationGraph{Revisions: []GraphRevision{}, Current: []string{}}
	heads := g.Heads()
	for _, r := range g.Revisions() {
		out.Revisions = append(out.Revisions, GraphRevision{
			ID: r.ID, Down: r.Down, DependsOn: r.DependsOn, Labels: r.BranchLabels,
			Message: r.Message, Path: r.Path,
			Head:        slices.Contains(heads, r.ID),
			BranchPoint: g.IsBranchPoint(r.ID), MergePoint: g.IsMergePoint(r.ID),
		})
	}
	if online {
		current, err := m.Current()
		if err != nil {
			return nil, err
		}
		out.Current = append(out.Current, current...)
	}
	return out, nil
}
