package hostpath

import (
	"bufio"
	"strings"
	"testing"
)

func TestMountInfoHas(t *testing.T) {
	table := `22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
35 22 0:30 /vol /var/lib/kubelet/pods/a\040b/mount rw - ext4 /dev/sda1 rw
`
	tests := []struct {
		path string
		want bool
	}{
		{path: "/", want: true},
		{path: "/var/lib/kubelet/pods/a b/mount", want: true},
		{path: "/var/lib/kubelet/pods/a", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := mountInfoHas(bufio.NewScanner(strings.NewReader(table)), tt.path)
			if err != nil || got != tt.want {
				t.Errorf("mountInfoHas(%q) = %v, %v; want %v", tt.path, got, err, tt.want)
			}
		})
	}
}

func TestUnescapeMountInfo(t *testing.T) {
	tests := map[string]string{`a\040b`: "a b", `a\134b`: `a\b`, `plain`: "plain", `trail\04`: `trail\04`}
	for in, want := range tests {
		if got := unescapeMountInfo(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}
