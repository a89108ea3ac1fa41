package virtcontroller

import (
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
)

func newFlagSet() *pflag.FlagSet { return pflag.NewFlagSet("virt-controller", pflag.ContinueOnError) }

func mustQuantity(s string) resource.Quantity { return resource.MustParse(s) }
