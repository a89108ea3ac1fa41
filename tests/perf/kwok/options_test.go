package main

import (
	"flag"
	"maps"
	"testing"
	"time"
)

func TestParseSelector(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"", nil, false},
		{"type=kwok", map[string]string{"type": "kwok"}, false},
		{"type=kwok, zone=a", map[string]string{"type": "kwok", "zone": "a"}, false},
		{"type", nil, true},
		{"=kwok", nil, true},
	} {
		got, err := parseSelector(tc.in)
		if (err != nil) != tc.wantErr || !maps.Equal(got, tc.want) {
			t.Errorf("parseSelector(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestDefaults(t *testing.T) {
	var o options
	fs := flag.NewFlagSet("kwok", flag.ContinueOnError)
	o.addFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if o.namespace != "kwok-perf" || o.vmis != 8000 || o.rate != 0 || o.kind != "vmi" || o.timeout != 30*time.Minute ||
		o.out != "_out/perf" || o.nodeSelector != "type=kwok" || o.prometheus != "" {
		t.Errorf("defaults = %+v", o)
	}
	o.image = "x:1"
	if o.imageRef() != "x:1" {
		t.Errorf("imageRef = %q", o.imageRef())
	}
}
