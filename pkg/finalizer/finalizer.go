package finalizer

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Add appends name to obj's finalizers unless it is there; it reports whether it changed obj.
func Add(obj metav1.Object, name string) bool {
	if slices.Contains(obj.GetFinalizers(), name) {
		return false
	}
	obj.SetFinalizers(append(obj.GetFinalizers(), name))
	return true
}

// Remove drops every occurrence of name from obj's finalizers; it reports whether it changed obj.
func Remove(obj metav1.Object, name string) bool {
	kept := slices.DeleteFunc(slices.Clone(obj.GetFinalizers()), func(f string) bool { return f == name })
	if len(kept) == len(obj.GetFinalizers()) {
		return false
	}
	if len(kept) == 0 {
		kept = nil
	}
	obj.SetFinalizers(kept)
	return true
}
