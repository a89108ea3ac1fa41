package controlplane

import (
	"fmt"
	"strconv"
)

// serviceClusterIPRange is only configuration: nothing routes to it.
const serviceClusterIPRange = "10.96.0.0/16"

func loopbackURL(scheme string, port int) string {
	return fmt.Sprintf("%s://127.0.0.1:%d", scheme, port)
}

// etcdArgs returns the flags of a single-member etcd serving plain HTTP on loopback.
// fsync is off: the data is as disposable as the cluster.
func etcdArgs(l layout, ports Ports) []string {
	client := loopbackURL("http", ports.EtcdClient)
	peer := loopbackURL("http", ports.EtcdPeer)
	return []string{
		"--name=kvirt",
		"--data-dir=" + l.etcdData,
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=kvirt=" + peer,
		"--initial-cluster-state=new",
		"--unsafe-no-fsync=true",
		"--log-level=warn",
	}
}

// apiserverArgs returns the kube-apiserver flags; extra flags come last and win.
func apiserverArgs(l layout, ports Ports, extra []string) []string {
	p := l.pki
	args := []string{
		"--etcd-servers=" + loopbackURL("http", ports.EtcdClient),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports.APIServer),
		"--tls-cert-file=" + p.ServingCert,
		"--tls-private-key-file=" + p.ServingKey,
		"--client-ca-file=" + p.CACert,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + serviceClusterIPRange,
		"--endpoint-reconciler-type=none",
		"--allow-privileged=true",
		"--service-account-issuer=" + serviceAccountIssuer,
		"--service-account-key-file=" + p.ServiceAccountPub,
		"--service-account-signing-key-file=" + p.ServiceAccountKey,
		// API aggregation: the aggregator authenticates to extension apiservers with the
		// front-proxy client certificate, which they verify against the front-proxy CA.
		"--requestheader-client-ca-file=" + p.FrontProxyCACert,
		"--requestheader-allowed-names=" + frontProxyClientName,
		"--requestheader-username-headers=X-Remote-User",
		"--requestheader-uid-headers=X-Remote-Uid",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--proxy-client-cert-file=" + p.FrontProxyClient,
		"--proxy-client-key-file=" + p.FrontProxyKey,
		"--enable-aggregator-routing=false",
		"--profiling=false",
	}
	return append(args, extra...)
}
