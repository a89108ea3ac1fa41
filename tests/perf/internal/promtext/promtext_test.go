package promtext

import (
	"maps"
	"slices"
	"strings"
	"testing"
)

const before = `# HELP apiserver_request_total Counter of apiserver requests.
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",resource="pods",subresource="",verb="POST"} 10
apiserver_request_total{code="409",component="apiserver",resource="pods",subresource="",verb="POST"} 2
apiserver_request_total{code="200",component="apiserver",resource="virtualmachineinstances",subresource="status",verb="PATCH"} 5
apiserver_request_total{code="200",component="apiserver",resource="nodes",subresource="",verb="GET"} 100
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.5e+08
`

const after = `# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",resource="pods",subresource="",verb="POST"} 30
apiserver_request_total{code="409",component="apiserver",resource="pods",subresource="",verb="POST"} 2
apiserver_request_total{code="200",component="apiserver",resource="virtualmachineinstances",subresource="status",verb="PATCH"} 45
apiserver_request_total{code="200",component="apiserver",resource="virtualmachineinstances",subresource="",verb="POST"} 20
apiserver_request_total{code="200",component="apiserver",resource="nodes",subresource="",verb="GET"} 100
`

func parse(t *testing.T, text string) Families {
	t.Helper()
	f, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestSumBy(t *testing.T) {
	got := parse(t, before).SumBy("apiserver_request_total", "verb", "resource", "subresource")
	want := Counts{"POST|pods|": 12, "PATCH|virtualmachineinstances|status": 5, "GET|nodes|": 100}
	if !maps.Equal(got, want) {
		t.Errorf("SumBy = %v, want %v", got, want)
	}
	if got := parse(t, before).SumBy("process_resident_memory_bytes"); got[""] != 1.5e8 {
		t.Errorf("gauge SumBy = %v", got)
	}
	if got := parse(t, before).SumBy("missing_total", "verb"); len(got) != 0 {
		t.Errorf("missing metric = %v, want empty", got)
	}
}

func TestDelta(t *testing.T) {
	b := parse(t, before).SumBy("apiserver_request_total", "verb", "resource", "subresource")
	a := parse(t, after).SumBy("apiserver_request_total", "verb", "resource", "subresource")
	got := Delta(b, a)
	want := Counts{"POST|pods|": 20, "PATCH|virtualmachineinstances|status": 40, "POST|virtualmachineinstances|": 20}
	if !maps.Equal(got, want) {
		t.Errorf("Delta = %v, want %v", got, want)
	}
	if got.Total() != 80 {
		t.Errorf("Total = %v, want 80", got.Total())
	}
	wantKeys := []string{"PATCH|virtualmachineinstances|status", "POST|pods|", "POST|virtualmachineinstances|"}
	if keys := got.Keys(); !slices.Equal(keys, wantKeys) {
		t.Errorf("Keys = %v, want %v", keys, wantKeys)
	}
	if got := Split("POST|pods|"); !slices.Equal(got, []string{"POST", "pods", ""}) {
		t.Errorf("Split = %q", got)
	}
}

func TestDeltaCounterReset(t *testing.T) {
	got := Delta(Counts{"a": 100, "b": 5}, Counts{"a": 7, "b": 5})
	if !maps.Equal(got, Counts{"a": 7}) {
		t.Errorf("Delta after reset = %v, want a=7 only", got)
	}
}

func TestParseError(t *testing.T) {
	if _, err := Parse(strings.NewReader("not a metric line {")); err == nil {
		t.Error("Parse of garbage succeeded")
	}
}
