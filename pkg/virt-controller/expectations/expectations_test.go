package expectations

import (
	"testing"
	"time"
)

func TestExpectations(t *testing.T) {
	now := time.Unix(0, 0)
	e := New()
	e.now = func() time.Time { return now }
	if !e.Satisfied("k") {
		t.Fatal("empty expectations must be satisfied")
	}
	e.Expect("k", 2, 1)
	e.Observed("k", false)
	e.Observed("k", true)
	if e.Satisfied("k") {
		t.Fatal("one add still outstanding")
	}
	e.Observed("k", false)
	if !e.Satisfied("k") {
		t.Fatal("all observed")
	}
	e.Expect("k", 1, 0)
	now = now.Add(Timeout + time.Second)
	if !e.Satisfied("k") {
		t.Fatal("expectations must time out")
	}
}
