package cli

import (
	"io"
	"reflect"
	"testing"
)

func TestAPIServerFlagRepeats(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{name: "none", args: nil, want: nil},
		{
			name: "repeated, in order",
			args: []string{"--apiserver-flag=--bind-address=0.0.0.0", "--apiserver-flag", "--v=2"},
			want: []string{"--bind-address=0.0.0.0", "--v=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOptions("up", io.Discard)
			if err := o.flags.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := []string(o.apiserverFlags); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("apiserverFlags = %q, want %q", got, tt.want)
			}
		})
	}
}
