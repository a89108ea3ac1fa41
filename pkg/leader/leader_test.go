package leader

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestFlagsAndValidate(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{nil, ""},
		{[]string{"--leader-elect-renew-deadline", "20s"}, "renew-deadline"},
		{[]string{"--leader-elect-retry-period", "0s"}, "retry-period"},
		{[]string{"--leader-elect=false", "--leader-elect-retry-period", "0s"}, ""},
	} {
		o := Options{}
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		o.AddFlags(fs, "virt-x")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		err := o.Validate()
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%v: Validate() = %v, want error containing %q", tc.args, err, tc.wantErr)
		}
		if o.Name != "virt-x" || o.LeaseDuration != 15*time.Second {
			t.Errorf("defaults: %+v", o)
		}
	}
	if id := (&Options{Identity: "me"}).identity(); id != "me" {
		t.Errorf("identity = %q", id)
	}
	if id := (&Options{}).identity(); !strings.Contains(id, "_") {
		t.Errorf("default identity %q is not host_pid", id)
	}
}
