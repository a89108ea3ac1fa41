// Command selfsigned writes a self-signed serving certificate (tls.crt, tls.key)
// for the given hosts into a directory, so local scripts need no openssl.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"kvirt.io/kvirt/pkg/certs"
)

func main() {
	dir := flag.String("dir", "", "directory to write tls.crt and tls.key into")
	cn := flag.String("cn", "virt-api", "common name")
	hosts := flag.String("hosts", "127.0.0.1,localhost", "comma-separated DNS names and IP addresses")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "--dir is required")
		os.Exit(2)
	}
	if _, err := certs.WriteSelfSigned(*dir, *cn, strings.Split(*hosts, ",")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
