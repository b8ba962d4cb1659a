package migrate

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Files are where a project's configuration and scripts live: the
// operating system's files for cmd/migrate, the workspace's in the
// playground. Names are slash-separated and relative.
type Files interface {
	ReadFile(name string) ([]byte, error)
	// WriteFile creates the file's folders as needed.
	WriteFile(name string, data []byte) error
	// ReadDir lists the names of the files directly in dir, sorted; a
	// folder that does not exist has none.
	ReadDir(dir string) ([]string, error)
	// MkdirAll makes a folder, where folders exist.
	MkdirAll(dir string) error
}

// Dir is the operating system's files under a root folder.
type Dir string

func (d Dir) path(name string) string { return filepath.Join(string(d), filepath.FromSlash(name)) }

// ReadFile reads a file.
func (d Dir) ReadFile(name string) ([]byte, error) { return os.ReadFile(d.path(name)) }

// WriteFile writes a file, making its folder.
func (d Dir) WriteFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(d.path(name)), 0o755); err != nil {
		return err
	}
	return os.WriteFile(d.path(name), data, 0o644)
}

// ReadDir lists a folder's files.
func (d Dir) ReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(d.path(dir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, err
}

// MkdirAll makes a folder and its parents.
func (d Dir) MkdirAll(dir string) error { return os.MkdirAll(d.path(dir), 0o755) }
