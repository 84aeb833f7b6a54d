package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestBoundOperationsAreTheDeclaredOnes reads each API package's
// hand-written source and checks that the operations bound (those the
// health check counts and that do not answer NotImplemented) are exactly
// the operation methods declared there — a second opinion, from the
// source, on what protocol.Implemented finds at run time. It also catches
// a method shaped like an operation whose name is none of the model's:
// it would never be called.
func TestBoundOperationsAreTheDeclaredOnes(t *testing.T) {
	for _, api := range (&App{}).apis() {
		dir := filepath.Join("..", "api", api.model.ID)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var declared []string
		fset := token.NewFileSet()
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "zz_") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || !operationShaped(fn.Type) {
					continue
				}
				if api.model.Operations[fn.Name.Name] == nil {
					t.Errorf("%s: method %s looks like an operation, but the model has none of that name", fset.Position(fn.Pos()), fn.Name.Name)
					continue
				}
				declared = append(declared, fn.Name.Name)
			}
		}
		var bound []string
		for op := range api.handlers {
			bound = append(bound, op)
		}
		sort.Strings(declared)
		sort.Strings(bound)
		if !slices.Equal(bound, declared) {
			t.Errorf("%s: bound operations %q; want the declared ones, %q", api.model.ID, bound, declared)
		}
	}
}

// operationShaped reports whether a method has the shape of an operation:
// (context.Context, *Input) (*Output, error).
func operationShaped(ft *ast.FuncType) bool {
	if ft.Params.NumFields() != 2 || ft.Results.NumFields() != 2 {
		return false
	}
	params, results := fieldTypes(ft.Params), fieldTypes(ft.Results)
	ctx, ok := params[0].(*ast.SelectorExpr)
	if !ok || ctx.Sel.Name != "Context" {
		return false
	}
	_, in := params[1].(*ast.StarExpr)
	_, out := results[0].(*ast.StarExpr)
	errType, ok := results[1].(*ast.Ident)
	return in && out && ok && errType.Name == "error"
}

// fieldTypes lists the type of each parameter or result, one per name.
func fieldTypes(fl *ast.FieldList) []ast.Expr {
	var out []ast.Expr
	for _, f := range fl.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}
