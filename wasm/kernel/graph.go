package kernel

import (
	"strings"

	"crucible/goscript"
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
// revisions only when it exists, so looking never creates it.
func (w *Workspace) Graph(configFile string) (*MigrationGraph, error) {
	if configFile == "" {
		configFile = migrate.ConfigFile
	}
	env := migrate.Env{Files: workspaceFiles{w}, Load: goscript.Load}
	m, err := migrate.Load(env, configFile, false)
	if err != nil {
		return nil, err
	}
	g := m.Graph()
	out := &MigrationGraph{Revisions: []GraphRevision{}, Current: []string{}}
	heads := g.Heads()
	for _, r := range g.Revisions() {
		out.Revisions = append(out.Revisions, GraphRevision{
			ID: r.ID, Down: r.Down, DependsOn: r.DependsOn, Labels: r.BranchLabels,
			Message: r.Message, Path: r.Path,
			Head:        strings.Contains(" "+strings.Join(heads, " ")+" ", " "+r.ID+" "),
			BranchPoint: g.IsBranchPoint(r.ID), MergePoint: g.IsMergePoint(r.ID),
		})
	}
	data, _ := w.ReadFile(configFile)
	cfg, err := migrate.ParseConfig(configFile, data)
	if err != nil {
		return nil, err
	}
	if file, ok := strings.CutPrefix(cfg.URL, "sqlite:///"); ok && w.dbs[file] {
		engine.SetHost(w)
		defer engine.SetHost(nil)
		online, err := migrate.Load(env, configFile, true)
		if err != nil {
			return nil, err
		}
		defer online.Close()
		current, err := online.Current()
		if err != nil {
			return nil, err
		}
		out.Current = append(out.Current, current...)
	}
	return out, nil
}
