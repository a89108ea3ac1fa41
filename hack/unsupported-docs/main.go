// Command unsupported-docs prints docs/unsupported-fields.md: virt-api's table
// of the fields kvirt accepts but does not implement.
package main

import (
	"fmt"
	"os"

	"kvirt.io/kvirt/pkg/virt-api/admission/unsupported"
)

func main() {
	if _, err := unsupported.New(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Print(unsupported.Markdown(unsupported.Table))
}
