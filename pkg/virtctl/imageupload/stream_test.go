package imageupload

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		a     answer
		want  string
		retry bool
	}{
		{a: answer{code: 200}},
		{a: answer{code: 403, message: "forbidden"}, want: "not allowed to create datavolumes/upload in namespace ns"},
		{a: answer{code: 401}, want: "did not accept your credentials"},
		{a: answer{code: 404}, want: "was not found"},
		{a: answer{code: 409, message: "uploaded already"}, want: "cannot take an upload: uploaded already"},
		{a: answer{code: 400, message: "not a disk"}, want: "refused the image for DataVolume ns/d: not a disk"},
		{a: answer{code: 503, message: "not ready", retryAfter: 2 * time.Second}, want: "not ready", retry: true},
		{a: answer{code: 503, message: "no cert"}, want: "failed (HTTP 503): no cert"},
		{a: answer{code: 504}, want: "--request-timeout"},
		{a: answer{code: 502, message: "dial"}, want: "failed (HTTP 502): dial"},
	} {
		err := explain(tc.a, "ns", "d")
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("explain(%d) = %v, want %q", tc.a.code, err, tc.want)
		}
		if errors.Is(err, errRetry) != tc.retry {
			t.Errorf("explain(%d) retry = %v", tc.a.code, !tc.retry)
		}
	}
}

func TestStatusMessage(t *testing.T) {
	for raw, want := range map[string]string{
		`{"kind":"Status","message":"DataVolume d is not ready"}`: "DataVolume d is not ready",
		"plain text\n":      "plain text",
		`{"kind":"Status"}`: `{"kind":"Status"}`,
	} {
		if got := statusMessage([]byte(raw)); got != want {
			t.Errorf("statusMessage(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestProgressText(t *testing.T) {
	for _, tc := range []struct {
		done, total int64
		bar, line   string
	}{
		{0, 1 << 20, "[>         ] 0 B / 1.0 MiB   0%", "uploaded 0 B of 1.0 MiB (0%)"},
		{512 << 10, 1 << 20, "[=====>    ] 512.0 KiB / 1.0 MiB  50%", "uploaded 512.0 KiB of 1.0 MiB (50%)"},
		{1 << 20, 1 << 20, "[==========] 1.0 MiB / 1.0 MiB 100%", "uploaded 1.0 MiB of 1.0 MiB (100%)"},
		{3 << 30, 12 << 30, "[==>       ] 3.0 GiB / 12.0 GiB  25%", "uploaded 3.0 GiB of 12.0 GiB (25%)"},
		{5, 0, "[==========] 5 B / 0 B 100%", "uploaded 5 B of 0 B (100%)"},
	} {
		if got := bar(tc.done, tc.total, 10); got != tc.bar {
			t.Errorf("bar(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.bar)
		}
		if got := line(tc.done, tc.total); got != tc.line {
			t.Errorf("line(%d, %d) = %q, want %q", tc.done, tc.total, got, tc.line)
		}
	}
}
