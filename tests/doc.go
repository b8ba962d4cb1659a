// Package tests holds black-box tests of the built artifacts: the kernel
// module under wazero, and the static site in headless Chromium. They read
// what `make build` wrote (build/kernel.wasm and dist/), so run them with
// `make test`, which builds first.
package tests
