// Package list names the packages a cell may import. It imports nothing,
// so the kernel can read the list without linking the extractor (yaegi's
// extract brings go/types, go/importer and the rest of the Go toolchain's
// packages: megabytes of the module), and the generator can read it when
// the generated files no longer compile.
package list

// Packages are the import paths a cell may use.
var Packages = []string{
	"crucible/migrate",
	"crucible/migrate/autogen",
	"crucible/migrate/op",
	"crucible/orm",
	"crucible/orm/core",
	"crucible/orm/dialect",
	"crucible/orm/dialect/mysql",
	"crucible/orm/dialect/postgres",
	"crucible/orm/dialect/sqlite",
	"crucible/orm/engine",
	"context",
	"database/sql",
	"errors",
	"fmt",
	"math",
	"sort",
	"strconv",
	"strings",
	"time",
}
