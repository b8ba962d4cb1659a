package engine

// CHECK constraints, and the names SQLite keeps only in the CREATE TABLE
// it stores: a table rebuilt from its reflection (a migration's move and
// copy) must not lose them.

import (
	"regexp"
	"strings"

	"crucible/orm/core"
)

// CheckConstraints lists a table's CHECK constraints, column ones
// included.
func (in *Inspector) CheckConstraints(table string) ([]*core.CheckConstraint, error) {
	switch {
	case in.mysql():
		rows, err := in.rows(`SELECT cc.constraint_name, cc.check_clause
FROM information_schema.check_constraints cc
JOIN information_schema.table_constraints tc ON tc.constraint_schema = cc.constraint_schema
  AND tc.constraint_name = cc.constraint_name AND tc.constraint_type = 'CHECK'
WHERE tc.table_schema = DATABASE() AND tc.table_name = ?
ORDER BY cc.constraint_name`, table)
		if err != nil {
			return nil, err
		}
		var out []*core.CheckConstraint
		for _, r := range rows {
			out = append(out, core.Check(str(r.At(0)), str(r.At(1))))
		}
		return out, nil
	case in.e.url.Dialect == "postgresql":
		rows, err := in.rows(`SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'c' AND conrelid = `+pgRel+` ORDER BY conname`, table)
		if err != nil {
			return nil, err
		}
		var out []*core.CheckConstraint
		for _, r := range rows {
			def := strings.TrimPrefix(str(r.At(1)), "CHECK ")
			out = append(out, core.Check(str(r.At(0)), unwrap(def)))
		}
		return out, nil
	}
	sql, err := in.sqliteTableSQL(table)
	if err != nil {
		return nil, err
	}
	_, checks := sqliteConstraints(sql)
	return checks, nil
}

// unwrap drops the parentheses around a whole expression, as many
// levels as PostgreSQL adds.
func unwrap(s string) string {
	s = strings.TrimSpace(s)
	for strings.HasPrefix(s, "(") && closing(s, 0) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func (in *Inspector) sqliteTableSQL(table string) (string, error) {
	rows, err := in.rows(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", errNoTable(table)
	}
	return str(rows[0].At(0)), nil
}

var constraintRE = regexp.MustCompile("(?i)(?:\\bCONSTRAINT\\s+(\"(?:[^\"]|\"\")+\"|`[^`]+`|\\[[^\\]]+\\]|\\w+)\\s+)?\\b(UNIQUE|CHECK)\\s*\\(")

// sqliteConstraints reads a CREATE TABLE's named UNIQUE constraints (by
// their columns, joined with commas) and its CHECK constraints.
func sqliteConstraints(sql string) (uniqueNames map[string]string, checks []*core.CheckConstraint) {
	uniqueNames = map[string]string{}
	for _, m := range constraintRE.FindAllStringSubmatchIndex(sql, -1) {
		open := m[1] - 1
		end := closing(sql, open)
		if end < 0 {
			continue
		}
		body := sql[open+1 : end]
		name := ""
		if m[2] >= 0 {
			name = unquote(sql[m[2]:m[3]])
		}
		if strings.EqualFold(sql[m[4]:m[5]], "CHECK") {
			checks = append(checks, core.Check(name, strings.TrimSpace(body)))
		} else if name != "" {
			var cols []string
			for _, c := range strings.Split(body, ",") {
				cols = append(cols, unquote(strings.TrimSpace(c)))
			}
			uniqueNames[strings.Join(cols, ",")] = name
		}
	}
	return uniqueNames, checks
}

// closing is the index of the parenthesis that closes the one at open,
// skipping quoted text; -1 when there is none.
func closing(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '\'', '"', '`':
			q := s[i]
			for i++; i < len(s) && s[i] != q; i++ {
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func unquote(name string) string {
	if len(name) >= 2 {
		switch name[0] {
		case '"':
			return strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		case '`', '[':
			return name[1 : len(name)-1]
		}
	}
	return name
}
