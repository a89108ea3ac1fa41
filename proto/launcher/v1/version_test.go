package launcherv1

import "testing"

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name         string
		ours, theirs []uint32
		want         uint32
	}{
		{"same", []uint32{1}, []uint32{1}, 1},
		{"newer handler, older launcher", []uint32{1, 2, 3}, []uint32{1, 2}, 2},
		{"older handler, newer launcher", []uint32{1}, []uint32{1, 2}, 1},
		{"nothing in common", []uint32{2}, []uint32{1}, 0},
		{"launcher sent nothing", []uint32{1}, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Negotiate(tc.ours, tc.theirs); got != tc.want {
				t.Fatalf("Negotiate = %d, want %d", got, tc.want)
			}
		})
	}
}
