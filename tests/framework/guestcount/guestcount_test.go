package guestcount

import "testing"

func TestLast(t *testing.T) {
	for out, want := range map[string]int{"": -1, "boot\nKVIRT-COUNT 3\nKVIRT-COUNT 4\n": 4, "KVIRT-COUNT 9\r\nKVIRT-COUNT 10": 10} {
		if got := Last(out); got != want {
			t.Errorf("Last(%q) = %d, want %d", out, got, want)
		}
	}
}
