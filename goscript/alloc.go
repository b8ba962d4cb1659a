package goscript

// This file bounds what one allocation of interpreted code may ask for.
// A make([]byte, 3<<30) is one call into Go's runtime, which no tick can
// interrupt: in WebAssembly it ran for some 30 seconds and could end the
// module. Instrumented code refuses it first.

import (
	"fmt"
	"reflect"
	"strings"
)

// MaxAlloc is the most bytes one make call, or one strings.Repeat, of
// instrumented code may ask for.
const MaxAlloc = 256 << 20

// An AllocError is the panic of a make call (or a strings.Repeat) that
// asks for more than MaxAlloc bytes.
type AllocError struct {
	Func  string // make, strings.Repeat
	N     int64  // elements (or copies) asked for
	Size  int64  // bytes each
	Limit int64
}

func (e *AllocError) Error() string {
	what := "elements"
	if e.Func != "make" {
		what = "copies"
	}
	each := ""
	if e.Size != 1 {
		each = fmt.Sprintf(" of %d bytes", e.Size)
	}
	total := "over 8 EiB"
	if e.N <= (1<<63-1)/e.Size {
		total = bytesText(e.N * e.Size)
		if total == bytesText(e.Limit) {
			total = fmt.Sprintf("%d bytes", e.N*e.Size) // just over
		}
	}
	return fmt.Sprintf("%s: %d %s%s (%s) is over the playground's limit of %s for one allocation",
		e.Func, e.N, what, each, total, bytesText(e.Limit))
}

// bytesText writes n bytes in the largest binary unit that keeps a
// digit before the point: 3 GiB, 1.5 MiB.
func bytesText(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	v, u := float64(n), 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0") + " " + units[u]
}

// Len is what instrumented code hands make for the size n of a *T's T:
// n itself, unless n elements of T (a slice's, a map's entries, a
// channel's buffer) take more than MaxAlloc bytes, which panics with an
// *AllocError.
func Len(n int64, typ any) int {
	size := int64(1)
	if t := reflect.TypeOf(typ); t != nil && t.Kind() == reflect.Pointer {
		switch t = t.Elem(); t.Kind() {
		case reflect.Slice, reflect.Chan:
			size = int64(t.Elem().Size())
		case reflect.Map:
			size = int64(t.Key().Size() + t.Elem().Size())
		}
	}
	if n > 0 && size > 0 && n > MaxAlloc/size {
		panic(&AllocError{Func: "make", N: n, Size: size, Limit: MaxAlloc})
	}
	return int(n)
}

// repeat is strings.Repeat, refusing a result of more than MaxAlloc
// bytes.
func repeat(s string, count int) string {
	if count > 0 && len(s) > 0 && int64(count) > MaxAlloc/int64(len(s)) {
		panic(&AllocError{Func: "strings.Repeat", N: int64(count), Size: int64(len(s)), Limit: MaxAlloc})
	}
	return strings.Repeat(s, count)
}
