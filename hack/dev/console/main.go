// Command console is a developer aid: it prints a VMI's serial console, read as
// virtctl would (a websocket through the apiserver to virt-api's console
// subresource, subprotocol plain.kubevirt.io), until --until appears or --timeout
// passes. Optionally it types --send first.
//
//	go run ./hack/dev/console --kubeconfig _out/cluster/kubeconfig -n default --until KVIRT-GUEST-ADDR testvmi
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"kvirt.io/kvirt/pkg/virt-api/subresources"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig")
	ns := flag.String("n", "default", "namespace")
	until := flag.String("until", "", "stop once the output contains this")
	send := flag.String("send", "", "text typed into the console after connecting")
	timeout := flag.Duration("timeout", 60*time.Second, "give up after this long")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: console [flags] VMI")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *ns, flag.Arg(0), *until, *send, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "console:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, ns, name, until, send string, timeout time.Duration) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("load kubeconfig: %w", err)
	}
	tlsCfg, err := rest.TLSConfigFor(cfg)
	if err != nil {
		return fmt.Errorf("tls config: %w", err)
	}
	header := http.Header{}
	if cfg.BearerToken != "" {
		header.Set("Authorization", "Bearer "+cfg.BearerToken)
	}
	url := strings.Replace(strings.TrimSuffix(cfg.Host, "/"), "https://", "wss://", 1) +
		fmt.Sprintf("/apis/%s/%s/namespaces/%s/virtualmachineinstances/%s/console",
			subresources.GroupName, subresources.Version, ns, name)
	d := websocket.Dialer{TLSClientConfig: tlsCfg, Subprotocols: []string{subresources.ConsoleSubprotocol},
		HandshakeTimeout: 30 * time.Second}
	ws, _, err := d.Dial(url, header)
	if err != nil {
		return fmt.Errorf("dial %s: %w", url, err)
	}
	defer func() { _ = ws.Close() }()
	if send != "" {
		if err := ws.WriteMessage(websocket.BinaryMessage, []byte(send)); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	_ = ws.SetReadDeadline(time.Now().Add(timeout))
	var out strings.Builder
	for until == "" || !strings.Contains(out.String(), until) {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if until == "" {
				return nil
			}
			return fmt.Errorf("read (before %q appeared): %w", until, err)
		}
		out.Write(msg)
		_, _ = os.Stdout.Write(msg)
	}
	return nil
}
