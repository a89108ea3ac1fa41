package progress

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPercent(t *testing.T) {
	cases := []struct {
		name        string
		read, total int64
		want        string
	}{
		{"unknown total", 500, 0, "0.00"},
		{"nothing read", 0, 100, "0.00"},
		{"part", 452, 1000, "45.20"},
		{"rounds", 1, 3, "33.33"},
		{"done", 1000, 1000, "100.00"},
		{"more than announced", 1200, 1000, "100.00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percent(tc.read, tc.total); got != tc.want {
				t.Fatalf("Percent(%d, %d) = %s, want %s", tc.read, tc.total, got, tc.want)
			}
		})
	}
}

func TestHandlerServesCounter(t *testing.T) {
	c := &Counter{}
	c.SetTotal(8)
	if _, err := io.ReadAll(io.LimitReader(c.Reader(strings.NewReader("12345678")), 2)); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	Handler(c).ServeHTTP(rec, httptest.NewRequest("GET", "/progress", nil))
	if rec.Code != 200 || rec.Body.String() != "25.00" {
		t.Fatalf("GET /progress = %d %q, want 200 25.00", rec.Code, rec.Body.String())
	}
}
