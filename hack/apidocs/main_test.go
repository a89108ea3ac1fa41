package main

import (
	"go/ast"
	"path/filepath"
	"reflect"
	"testing"
)

func TestCheckTreeFixture(t *testing.T) {
	found, err := CheckTree(filepath.Join("testdata", "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range found {
		got = append(got, f.Name)
	}
	want := []string{"OnlyMarker", "OnlyMarker.Bare", "OnlyMarker.NoComment", "Naked", "Placeholder"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("findings = %q, want %q", got, want)
	}
	if found[2].Pos.Line != 24 || filepath.Base(found[2].Pos.Filename) != "types.go" {
		t.Errorf("NoComment reported at %v, want types.go:24", found[2].Pos)
	}
}

func TestDocumented(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  bool
	}{
		{"markers only", []string{"// +optional", "// +kubebuilder:validation:Minimum=1"}, false},
		{"text then marker", []string{"// Foo sets the bar.", "// +optional"}, true},
		{"empty lines", []string{"//", "//  "}, false},
		{"block comment", []string{"/* Foo sets the bar. */"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := documented(group(tc.lines...)); got != tc.want {
				t.Errorf("documented(%q) = %v, want %v", tc.lines, got, tc.want)
			}
		})
	}
	if documented(nil) {
		t.Error("documented(nil) = true")
	}
}

func group(lines ...string) *ast.CommentGroup {
	cg := &ast.CommentGroup{}
	for _, l := range lines {
		cg.List = append(cg.List, &ast.Comment{Text: l})
	}
	return cg
}
