// Command apidocs lists every exported type and every exported struct field of the
// API module that has no doc comment, and exits non-zero when it finds one; it backs
// hack/verify-apidocs.sh. It reads source with go/parser only and must not import
// the API packages it checks.
//
// Exempt: zz_generated.* files, _test.go files, testdata directories, and the
// embedded metav1.TypeMeta, metav1.ObjectMeta and metav1.ListMeta (their fields are
// flattened into, or documented by, Kubernetes itself). Marker lines (// +optional,
// // +kubebuilder:...) do not count as documentation, and neither does a type comment
// that only says where the type is used ("Foo is the type of Bar.foo.").
package main
