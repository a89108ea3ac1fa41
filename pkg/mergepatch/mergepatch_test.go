package mergepatch

import "testing"

func TestMapDiff(t *testing.T) {
	got := MapDiff(map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"a": "1", "b": "x", "d": "4"})
	want := map[string]interface{}{"b": "x", "c": nil, "d": "4"}
	if len(got) != len(want) {
		t.Fatalf("MapDiff = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("MapDiff[%s] = %v, want %v", k, got[k], v)
		}
	}
}
