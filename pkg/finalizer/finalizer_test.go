package finalizer

import (
	"slices"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestAddRemove(t *testing.T) {
	cases := []struct {
		name    string
		have    []string
		add     bool
		want    []string
		changed bool
	}{
		{name: "add to none", have: nil, add: true, want: []string{"f"}, changed: true},
		{name: "add present", have: []string{"a", "f"}, add: true, want: []string{"a", "f"}},
		{name: "remove present", have: []string{"a", "f"}, want: []string{"a"}, changed: true},
		{name: "remove last", have: []string{"f"}, want: nil, changed: true},
		{name: "remove absent", have: []string{"a"}, want: []string{"a"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			obj := &metav1.ObjectMeta{Finalizers: slices.Clone(tc.have)}
			var changed bool
			if tc.add {
				changed = Add(obj, "f")
			} else {
				changed = Remove(obj, "f")
			}
			if changed != tc.changed || !slices.Equal(obj.Finalizers, tc.want) {
				t.Fatalf("got %v changed=%v, want %v changed=%v", obj.Finalizers, changed, tc.want, tc.changed)
			}
		})
	}
}
