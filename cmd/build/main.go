// Command build builds, serves and checks the playground.
//
//	build build [-out dist] [-wasm build/kernel.wasm]   write the static site
//	build serve [-dir dist] [-addr localhost:8080]      serve a built site
//	build check [-wasm FILE] [-json]                    run every lesson, compare
//
// check runs the lessons through the native kernel, or through the module
// under wazero when -wasm is given, and exits 1 when a cell's output or SQL
// differs from what its lesson expects.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"

	"crucible/lessons"
	"crucible/lessons/check"
	"crucible/site"
	"crucible/wasm/host"
	"crucible/wasm/kernel"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("build: ")
	if len(os.Args) < 2 {
		usage()
	}
	ctx := context.Background()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "build":
		err = build(ctx, args)
	case "serve":
		err = serve(args)
	case "check":
		err = runCheck(ctx, args)
	default:
		usage()
	}
	if err != nil {
		log.Fatal(err)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: build build|serve|check [flags]  (build <cmd> -h for flags)")
	os.Exit(2)
}

func build(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	var o site.Options
	fs.StringVar(&o.OutDir, "out", "dist", "output folder")
	fs.StringVar(&o.WasmPath, "wasm", "build/kernel.wasm", "the kernel module")
	fs.StringVar(&o.WebDir, "web", "site/web", "the front end's folder")
	fs.StringVar(&o.CacheDir, "cache", ".cache/compressed", "where compressed modules are kept between builds")
	fs.IntVar(&o.LimitMS, "limit", 10_000, "milliseconds a cell may run: the kernel stops it then, and the page restarts the kernel a little past it")
	fs.Parse(args)
	m, err := site.Build(ctx, o)
	if err != nil {
		return err
	}
	log.Printf("wrote %s: %d pages; kernel %.1f MB, gzip %.1f MB, brotli %.1f MB; in %.1f s",
		o.OutDir, len(m.Pages), mb(m.WasmSize), mb(m.WasmGzip), mb(m.WasmBrotli), m.BuiltIn)
	return nil
}

func mb(n int64) float64 { return float64(n) / 1e6 }

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "dist", "the built site")
	addr := fs.String("addr", "localhost:8080", "address to listen on")
	fs.Parse(args)
	if _, err := site.ReadManifest(*dir); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Printf("serving %s on http://%s/ (other pages run cells with <script src=\"http://%s/embed.js\" defer>)", *dir, ln.Addr(), ln.Addr())
	return http.Serve(ln, site.Handler(*dir))
}

func runCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	wasm := fs.String("wasm", "", "run the lessons through this module under wazero instead of natively")
	cache := fs.String("cache", ".cache/wazero", "wazero's compilation cache")
	asJSON := fs.Bool("json", false, "print a JSON report per cell")
	fs.Parse(args)
	ls, err := lessons.All()
	if err != nil {
		return err
	}
	var k check.Kernel
	if *wasm != "" {
		hk, err := host.LoadFile(ctx, *wasm, host.Options{CacheDir: *cache})
		if err != nil {
			return err
		}
		defer hk.Close(ctx)
		k = hk
	} else {
		w := kernel.New(kernel.Options{})
		defer w.Close()
		k = check.Native{W: w}
	}
	reports, err := check.Run(ctx, k, ls)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range reports {
		if r.Failed() {
			failed++
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else {
		for _, r := range reports {
			for _, d := range r.Diffs {
				fmt.Println(d)
			}
		}
		fmt.Printf("check: %d passed, %d failed\n", len(reports)-failed, failed)
	}
	if failed > 0 {
		return errors.New("lessons differ from what their cells produce")
	}
	return nil
}
