package unsupported

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	virtv1 "kvirt.io/api/core/v1"
)

// node is one step of a compiled path: a struct field, found once by its JSON
// name. The nodes of all entries form one tree, so a review walks each shared
// prefix once and stops at the first unset field.
type node struct {
	name     string
	index    int  // field index in the parent struct
	each     bool // a list whose elements the children apply to
	entry    *Entry
	children []*node
}

// Checker finds the table's fields in API objects. It is immutable and safe for
// concurrent use.
type Checker struct {
	spec   *node // rooted at VirtualMachineInstanceSpec
	domain *node // the spec's "domain" child, for presets
}

// New compiles Table.
func New() (*Checker, error) { return Compile(Table) }

// Compile resolves every entry's path against VirtualMachineInstanceSpec. It
// fails on a path that names no field, a repeated path, or a condition that
// does not fit the field's type.
func Compile(entries []Entry) (*Checker, error) {
	root := &node{}
	specType := reflect.TypeOf(virtv1.VirtualMachineInstanceSpec{})
	for i := range entries {
		if err := add(root, specType, &entries[i]); err != nil {
			return nil, fmt.Errorf("unsupported field table: %s: %w", entries[i].Path, err)
		}
	}
	c := &Checker{spec: root}
	for _, n := range root.children {
		if n.name == "domain" {
			c.domain = n
		}
	}
	if c.domain == nil {
		c.domain = &node{}
	}
	return c, nil
}

func add(root *node, t reflect.Type, e *Entry) error {
	rest, ok := strings.CutPrefix(e.Path, "spec.")
	if !ok {
		return fmt.Errorf("path must start with %q", "spec.")
	}
	n := root
	segs := strings.Split(rest, ".")
	for i, seg := range segs {
		name, each := strings.CutSuffix(seg, "[*]")
		last := i == len(segs)-1
		if each && last {
			return fmt.Errorf("[*] must be followed by a field")
		}
		f, ok := fieldByJSON(t, name)
		if !ok {
			return fmt.Errorf("%s has no field %q", t, name)
		}
		t = deref(f.Type)
		if each {
			if t.Kind() != reflect.Slice {
				return fmt.Errorf("%s is not a list", name)
			}
			t = deref(t.Elem())
		}
		n = n.child(name, f.Index[0], each)
		if n == nil {
			return fmt.Errorf("%s is used both as a list and as a field", name)
		}
		if !last && t.Kind() != reflect.Struct {
			return fmt.Errorf("%s is not an object", name)
		}
	}
	if n.entry != nil {
		return fmt.Errorf("listed twice")
	}
	n.entry = e
	return checkCondition(e, t)
}

// checkCondition fails on a condition the field's type t cannot have.
func checkCondition(e *Entry, t reflect.Type) error {
	if e.IfTrue && t.Kind() != reflect.Bool {
		return fmt.Errorf("IfTrue on a %s field", t)
	}
	if len(e.Honoured) > 0 && t.Kind() != reflect.String {
		return fmt.Errorf("honoured values on a %s field", t)
	}
	return nil
}

// child returns (creating it) the child for a field, or nil when the field was
// added before with the other list marking.
func (n *node) child(name string, index int, each bool) *node {
	for _, c := range n.children {
		if c.name == name {
			if c.each != each {
				return nil
			}
			return c
		}
	}
	c := &node{name: name, index: index, each: each}
	n.children = append(n.children, c)
	return c
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldByJSON finds the struct field whose JSON name is name.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonName is a field's name in JSON ("" for inlined or skipped fields).
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// Finding is one use of a table field.
type Finding struct {
	Entry *Entry
	// Path is the field's path in the object reviewed, with list indices.
	Path *field.Path
	// Value is the field's value (pointers followed).
	Value any
}

// Findings are the uses of table fields in one object.
type Findings []Finding

// Spec finds the table's fields in a VMI spec found at root (spec of a VMI,
// spec.template.spec of a VM or replica set).
func (c *Checker) Spec(root *field.Path, s *virtv1.VirtualMachineInstanceSpec) Findings {
	if s == nil {
		return nil
	}
	w := walker{root: root}
	w.walk(reflect.ValueOf(s).Elem(), c.spec)
	return w.out
}

// Domain finds the table's spec.domain fields in a domain found at root (a
// preset's spec.domain).
func (c *Checker) Domain(root *field.Path, d *virtv1.DomainSpec) Findings {
	if d == nil {
		return nil
	}
	w := walker{root: root}
	w.walk(reflect.ValueOf(d).Elem(), c.domain)
	return w.out
}

// step is one field (index -1) or list element on the way down.
type step struct {
	name  string
	index int
}

// walker keeps the way down as steps and builds a field.Path only for a
// finding, so a clean object costs no allocation per field.
type walker struct {
	root  *field.Path
	steps []step
	out   Findings
}

func (w *walker) path() *field.Path {
	p := w.root
	for _, s := range w.steps {
		if s.index < 0 {
			p = p.Child(s.name)
		} else {
			p = p.Index(s.index)
		}
	}
	return p
}

// walk visits the children of n in the struct v, skipping unset fields.
func (w *walker) walk(v reflect.Value, n *node) {
	for _, c := range n.children {
		fv := v.Field(c.index)
		if empty(fv) {
			continue
		}
		w.steps = append(w.steps, step{name: c.name, index: -1})
		if c.entry != nil && used(c.entry, fv) {
			w.out = append(w.out, Finding{Entry: c.entry, Path: w.path(), Value: indirect(fv).Interface()})
		}
		if len(c.children) > 0 {
			w.descend(indirect(fv), c)
		}
		w.steps = w.steps[:len(w.steps)-1]
	}
}

func (w *walker) descend(v reflect.Value, n *node) {
	if !n.each {
		w.walk(v, n)
		return
	}
	for i := 0; i < v.Len(); i++ {
		if elem := indirect(v.Index(i)); elem.IsValid() {
			w.steps = append(w.steps, step{index: i})
			w.walk(elem, n)
			w.steps = w.steps[:len(w.steps)-1]
		}
	}
}

// empty reports an unset field: nil, zero, or an empty list or map. Structs
// held by value are never skipped (comparing them costs more than walking).
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Struct:
		return false
	}
	return v.IsZero()
}

func indirect(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// used applies the entry's condition to a set field.
func used(e *Entry, v reflect.Value) bool {
	v = indirect(v)
	switch {
	case e.IfTrue:
		return v.Bool()
	case len(e.Honoured) > 0:
		return !slices.Contains(e.Honoured, v.String())
	}
	return true
}

// Detail is the reason an entry gives in errors and warnings.
func (e *Entry) Detail() string {
	if e.Gate == "" {
		return e.Reason
	}
	return fmt.Sprintf("%s (upstream feature gate %s)", e.Reason, e.Gate)
}

// Errors are the refusals among the findings: NotSupported at each path with
// "not supported by kvirt: <reason>".
func (fs Findings) Errors() field.ErrorList {
	var errs field.ErrorList
	for _, f := range fs {
		if f.Entry.Warn == "" {
			errs = append(errs, &field.Error{Type: field.ErrorTypeNotSupported, Field: f.Path.String(),
				BadValue: f.Value, Detail: "not supported by kvirt: " + f.Entry.Detail()})
		}
	}
	return errs
}

// Warnings are the admission warnings for the accepted findings.
func (fs Findings) Warnings() []string {
	var out []string
	for _, f := range fs {
		if f.Entry.Warn != "" {
			out = append(out, fmt.Sprintf("%s: accepted, but not supported by kvirt yet: %s", f.Path, f.Entry.Detail()))
		}
	}
	return out
}

// Without drops the findings of the entries old uses too, so an update is only
// refused for a field it starts using.
func (fs Findings) Without(old Findings) Findings {
	if len(old) == 0 || len(fs) == 0 {
		return fs
	}
	seen := map[*Entry]bool{}
	for _, f := range old {
		seen[f.Entry] = true
	}
	var out Findings
	for _, f := range fs {
		if !seen[f.Entry] {
			out = append(out, f)
		}
	}
	return out
}
