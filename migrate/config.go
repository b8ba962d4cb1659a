package migrate

// This file is the project's configuration file, Alembic's alembic.ini:
// where the scripts live, how their files are named, which table records
// the revision and which database to migrate.

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// ConfigFile is the configuration's name when the command line names none.
const ConfigFile = "migrate.ini"

// Config is a project's configuration, read from its [migrate] section.
type Config struct {
	// Path is the file it was read from, for messages; %(here)s in a
	// value is its folder.
	Path string
	// ScriptLocation is the folder of env.go, script.go.tmpl and
	// versions/, relative to the working folder.
	ScriptLocation string
	// FileTemplate names new scripts: %(rev)s, %(slug)s, %(year)d,
	// %(month).2d, %(day).2d, %(hour).2d, %(minute).2d, %(second).2d.
	FileTemplate string
	// TruncateSlugLength bounds the slug made of the message.
	TruncateSlugLength int
	// VersionTable records the applied revisions.
	VersionTable string
	// URL is the database, an engine URL (sqlite:///file.db).
	URL string
}

// configTemplate is what init writes, with %s for the script location.
const configTemplate = `# A generic, single database configuration.

[migrate]
# path to migration scripts
script_location = %s

# template used to generate migration files
# file_template = %%%%(rev)s_%%%%(slug)s

# max length of characters to apply to the
# "slug" field
# truncate_slug_length = 40

# the table recording the revisions applied
# version_table = alembic_version

# the database, as an engine URL
url = sqlite:///migrate.sqlite
`

// ParseConfig reads a configuration file. Lines are "key = value",
// "[section]", or comments (# or ;); keys outside [migrate] are kept
// for other tools and ignored. An unknown key or a malformed line is an
// error naming the file and line.
func ParseConfig(file string, data []byte) (*Config, error) {
	c := &Config{Path: file, FileTemplate: "%(rev)s_%(slug)s", TruncateSlugLength: 40, VersionTable: "alembic_version"}
	here := path.Dir(file)
	section := ""
	seen := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		at := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s", file, n, fmt.Sprintf(format, args...))
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, at("a section header needs its closing ]: %s", line)
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			seen = seen || section == "migrate"
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, at("want key = value, [section] or a # comment, not %q", line)
		}
		if section != "migrate" {
			continue
		}
		key, value = strings.TrimSpace(key), interpolate(strings.TrimSpace(value), here)
		switch key {
		case "script_location":
			c.ScriptLocation = value
		case "file_template":
			c.FileTemplate = value
		case "truncate_slug_length":
			v, err := strconv.Atoi(value)
			if err != nil || v < 1 {
				return nil, at("truncate_slug_length is a positive number, not %q", value)
			}
			c.TruncateSlugLength = v
		case "version_table":
			c.VersionTable = value
		case "url", "sqlalchemy.url":
			c.URL = value
		default:
			return nil, at("unknown key %q in [migrate] (want script_location, file_template, truncate_slug_length, version_table or url)", key)
		}
	}
	if !seen {
		return nil, fmt.Errorf("%s: no [migrate] section", file)
	}
	if c.ScriptLocation == "" {
		return nil, fmt.Errorf("%s: [migrate] has no script_location", file)
	}
	return c, nil
}

// interpolate reads a value as Python's ConfigParser does: %% is a
// percent sign, %(here)s the configuration file's folder.
func interpolate(v, here string) string {
	v = strings.ReplaceAll(v, "%(here)s", here)
	return strings.ReplaceAll(v, "%%", "%")
}
