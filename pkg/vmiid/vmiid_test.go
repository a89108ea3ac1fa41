package vmiid

import (
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	long := strings.Repeat("a", 70)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"short name is kept", "testvm", "testvm"},
		{"63 characters are kept", strings.Repeat("b", 63), strings.Repeat("b", 63)},
		{"longer names are truncated and hashed", long, strings.Repeat("a", 54) + "-" + Of(long)[55:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Of(tc.in)
			if got != tc.want || len(got) > 63 {
				t.Fatalf("Of(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if Of(long) == Of(long+"b") {
		t.Fatal("two long names share an id")
	}
}
