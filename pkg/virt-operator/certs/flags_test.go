package certs

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestValidityFlags(t *testing.T) {
	var v Validity
	fs := pflag.NewFlagSet("operator", pflag.ContinueOnError)
	v.AddFlags(fs)
	if err := fs.Parse(nil); err != nil || v != DefaultValidity() || v.Validate() != nil {
		t.Fatalf("defaults: %+v, parse %v", v, err)
	}
	if err := fs.Parse([]string{"--ca-validity=2m", "--cert-validity=30s"}); err != nil {
		t.Fatal(err)
	}
	if v != (Validity{CA: 2 * time.Minute, Cert: 30 * time.Second}) {
		t.Fatalf("parsed %+v", v)
	}
	if err := (Validity{CA: time.Hour}).Validate(); err == nil {
		t.Fatal("zero cert validity accepted")
	}
}
