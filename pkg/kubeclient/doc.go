// Package kubeclient holds the flags every component uses to reach the
// kube-apiserver (kubeconfig, client QPS and burst) and turns them into a
// rest.Config. It imports only client-go.
package kubeclient
