package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Finding is one exported type or field without a doc comment.
type Finding struct {
	Pos  token.Position
	Name string // "Type" or "Type.Field"
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s has no doc comment", f.Pos.Filename, f.Pos.Line, f.Name)
}

func main() {
	roots := os.Args[1:]
	if len(roots) == 0 {
		fmt.Fprintln(os.Stderr, "usage: apidocs DIR...")
		os.Exit(2)
	}
	var all []Finding
	for _, r := range roots {
		found, err := CheckTree(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		all = append(all, found...)
	}
	for _, f := range all {
		fmt.Println(f)
	}
	if len(all) > 0 {
		fmt.Printf("%d exported API types/fields lack a doc comment\n", len(all))
		os.Exit(1)
	}
}

// CheckTree checks every hand-written Go file under root.
func CheckTree(root string) ([]Finding, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "testdata" && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if skipFile(d.Name()) {
			return nil
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", root, err)
	}
	sort.Strings(files)
	var out []Finding
	fset := token.NewFileSet()
	for _, p := range files {
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		out = append(out, CheckFile(fset, f)...)
	}
	return out, nil
}

func skipFile(name string) bool {
	return !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") ||
		strings.HasPrefix(name, "zz_generated.")
}

// CheckFile reports the exported types and struct fields of one parsed file that
// lack a doc comment.
func CheckFile(fset *token.FileSet, f *ast.File) []Finding {
	var out []Finding
	for _, decl := range f.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.TYPE {
			continue
		}
		for _, spec := range gen.Specs {
			ts := spec.(*ast.TypeSpec)
			if !ts.Name.IsExported() {
				continue
			}
			doc := ts.Doc
			if doc == nil && len(gen.Specs) == 1 {
				doc = gen.Doc
			}
			if !documented(doc) || placeholder(doc) {
				out = append(out, Finding{Pos: fset.Position(ts.Pos()), Name: ts.Name.Name})
			}
			if st, ok := ts.Type.(*ast.StructType); ok {
				out = append(out, checkFields(fset, ts.Name.Name, st)...)
			}
		}
	}
	return out
}

func checkFields(fset *token.FileSet, typeName string, st *ast.StructType) []Finding {
	var out []Finding
	for _, field := range st.Fields.List {
		if len(field.Names) == 0 {
			if exemptEmbedded(field.Type) || documented(field.Doc) {
				continue
			}
			out = append(out, Finding{Pos: fset.Position(field.Pos()), Name: typeName + "." + embeddedName(field.Type)})
			continue
		}
		for _, n := range field.Names {
			if n.IsExported() && !documented(field.Doc) {
				out = append(out, Finding{Pos: fset.Position(n.Pos()), Name: typeName + "." + n.Name})
			}
		}
	}
	return out
}

// exemptEmbedded is true for the embedded object metadata types of apimachinery.
func exemptEmbedded(t ast.Expr) bool {
	sel, ok := t.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	switch sel.Sel.Name {
	case "TypeMeta", "ObjectMeta", "ListMeta":
		return true
	}
	return false
}

func embeddedName(t ast.Expr) string {
	switch x := t.(type) {
	case *ast.StarExpr:
		return embeddedName(x.X)
	case *ast.SelectorExpr:
		return x.Sel.Name
	case *ast.Ident:
		return x.Name
	}
	return "?"
}

// documented is true when the comment group has at least one line that is not a
// code-generation marker.
func documented(cg *ast.CommentGroup) bool {
	if cg == nil {
		return false
	}
	for _, c := range cg.List {
		text := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(c.Text, "//"), "/*"))
		text = strings.TrimSpace(strings.TrimSuffix(text, "*/"))
		if text != "" && !strings.HasPrefix(text, "+") {
			return true
		}
	}
	return false
}

// placeholderDoc is the form a generated type comment takes when it only says where
// the type is used ("Foo is the type of Bar.foo."): it documents nothing.
var placeholderDoc = regexp.MustCompile(`^\w+ is the type of [\w.]+\.?$`)

// placeholder is true when the comment's only text is a placeholderDoc sentence.
func placeholder(cg *ast.CommentGroup) bool {
	var text []string
	for _, l := range strings.Split(cg.Text(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "+") {
			text = append(text, l)
		}
	}
	return len(text) == 1 && placeholderDoc.MatchString(text[0])
}
